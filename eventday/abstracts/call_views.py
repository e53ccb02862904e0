"""The organisers' pages of the call: the abstracts received, the call's settings."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from eventday.abstracts import call as calls
from eventday.abstracts import readings
from eventday.abstracts.blueprints import admin as bp
from eventday.abstracts.call_forms import CallForm
from eventday.abstracts.labels import RECOMMENDATION_LABELS
from eventday.abstracts.models import Abstract
from eventday.accounts.access import ORGANISERS, edition_or_404, roles_required
from eventday.domain import DomainError, Violation
from eventday.extensions import db
from eventday.forms import show_refusal


@bp.get("/")
@roles_required(*ORGANISERS)
def index() -> str:
    """Every abstract received, with its status; the call's state and settings."""
    edition = edition_or_404()
    call = calls.call_of(edition.id)
    abstracts = db.session.scalars(
        select(Abstract)
        .where(Abstract.edition_id == edition.id)
        .options(selectinload(Abstract.authors), selectinload(Abstract.track))
        .order_by(Abstract.number)
    ).all()
    return render_template(
        "abstracts/admin/index.html",
        edition=edition,
        call=call,
        state=call.state() if call else "not_yet",
        abstracts=abstracts,
    )


@bp.get("/<int:abstract_id>")
@roles_required(*ORGANISERS)
def detail(abstract_id: int) -> str:
    """One abstract as its authors sent it, with every author's address (organisers only)."""
    edition = edition_or_404()
    abstract = db.session.get(Abstract, abstract_id)
    if abstract is None or abstract.edition_id != edition.id:
        abort(404)
    return render_template(
        "abstracts/admin/detail.html",
        edition=edition,
        call=calls.call_of(edition.id),
        abstract=abstract,
        readings=readings.readings(edition.id, abstract.id),
        recommendations=RECOMMENDATION_LABELS,
    )


@bp.get("/<int:abstract_id>/poster.pdf")
@roles_required(*ORGANISERS)
def poster(abstract_id: int) -> Response:
    """The poster's PDF as its authors sent it."""
    edition = edition_or_404()
    abstract = db.session.get(Abstract, abstract_id)
    if abstract is None or abstract.edition_id != edition.id or not abstract.poster_pdf:
        abort(404)
    return Response(
        abstract.poster_pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="poster-{abstract.label}.pdf"'},
    )


@bp.route("/call", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def settings() -> Response | tuple[str, int]:
    edition = edition_or_404()
    form = CallForm()
    if request.method == "GET":
        form.fill(edition, calls.settings_of(calls.call_of(edition.id)))
    if form.validate_on_submit():
        try:
            calls.save_settings(edition.id, form.settings(edition), current_user.id)
        except DomainError as refused:
            _show(form, refused)
        else:
            flash(_("The call's settings are saved."))
            return redirect(url_for(".settings"), code=303)
    return render_template("abstracts/admin/call.html", edition=edition, form=form), (
        422 if request.method == "POST" else 200
    )


def _show(form: CallForm, refused: DomainError) -> None:
    """The rules name the settings; the form asks for each instant as a day and a time."""
    fields = {"opens_at": "opens_day", "closes_at": "closes_day"}
    show_refusal(
        form,
        DomainError(
            [Violation(fields.get(v.field, v.field), v.message) for v in refused.violations]
        ),
    )
