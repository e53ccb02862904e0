"""Organiser pages for the editions over the years: which one to work on, and publishing."""

from __future__ import annotations

from flask import Flask, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eventday.accounts.access import (
    ORGANISERS,
    organiser_blueprint,
    roles_required,
    safe_next,
    working_edition,
)
from eventday.domain import DomainError
from eventday.editions import lifecycle
from eventday.extensions import db
from eventday.forms import PostForm, flash_refusal
from eventday.programme.cache import programme_cache
from eventday.programme.labels import edition_state_label
from eventday.programme.models import Edition, current_edition
from eventday.urls import database_id

bp = organiser_blueprint("editions_admin", "/admin/editions")


@bp.get("/")
@roles_required(*ORGANISERS)
def index() -> str:
    return render_template(
        "admin/editions.html",
        editions=lifecycle.all_editions(),
        working=working_edition(),
        form=PostForm(),
    )


@bp.post("/choose")
@roles_required(*ORGANISERS)
def choose() -> Response:
    """The header's switcher: every organiser page then acts on the chosen edition."""
    if not PostForm().validate_on_submit():
        abort(400)
    edition_id = request.form.get("edition", type=database_id)
    if edition_id is None:
        abort(400)
    try:
        edition = lifecycle.choose_working_edition(current_user, edition_id)
    except LookupError:
        abort(404)
    flash(
        _(
            "You are now working on %(edition)s (%(state)s).",
            edition=edition.name,
            state=edition_state_label(edition.state),
        )
    )
    back = safe_next(request.form.get("next")) or url_for("admin.dashboard")
    return redirect(back, code=303)


@bp.route("/<int:edition_id>/publish", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def publish(edition_id: int) -> Response | str:
    """GET says what publishing does; POST does it."""
    edition = db.get_or_404(Edition, edition_id)
    form = PostForm()
    if form.validate_on_submit():
        try:
            lifecycle.publish(edition.id, current_user.id)
        except DomainError as refused:
            flash_refusal(refused)
        else:
            programme_cache().invalidate()
            flash(_("%(edition)s is now the current edition.", edition=edition.name))
            return redirect(url_for(".index"), code=303)
    return render_template(
        "admin/publish.html",
        edition=edition,
        current=current_edition(),
        form=form,
    )


def init_app(app: Flask) -> None:
    @app.context_processor
    def edition_switcher() -> dict[str, object]:
        """The editions an organiser may switch to, for the header of organiser pages."""

        def switcher() -> dict[str, object]:
            return {"editions": lifecycle.all_editions(), "working": working_edition()}

        return {"edition_switcher": switcher}
