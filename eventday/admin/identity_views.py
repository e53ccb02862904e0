"""The organisers' face of the edition (/admin/edition/identity): network, data controller,
practical facts, logo, site icon and sponsors; the only pages that accept files."""

from __future__ import annotations

from typing import TypeVar

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from eventday.accounts.access import ORGANISERS, edition_or_404, organiser_blueprint, roles_required
from eventday.admin.identity_forms import IdentityForm, SponsorForm, upload
from eventday.domain import DomainError, Violation
from eventday.editions import identity, images
from eventday.errors import render_error
from eventday.forms import PostForm, show_refusal
from eventday.programme.cache import programme_cache
from eventday.programme.models import Edition

bp = organiser_blueprint("identity_admin", "/admin/edition/identity")

SPONSOR_PREFIX = "sponsor"
FormWithFiles = TypeVar("FormWithFiles", IdentityForm, SponsorForm)


def _page(
    edition: Edition,
    form: IdentityForm | None = None,
    sponsor_form: SponsorForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The page, with a refused form given back with its messages (`status` 422 or 413)."""
    found = identity.identity_of(edition.id)
    if form is None:
        form = IdentityForm(formdata=None)
        form.fill(found)
    sponsors = identity.sponsors(edition.id)
    return render_template(
        "admin/identity.html",
        edition=edition,
        form=form,
        sponsor_form=sponsor_form or SponsorForm(formdata=None, prefix=SPONSOR_PREFIX),
        logo=images.data_uri(found.logo) if found else None,
        favicon=images.data_uri(found.favicon) if found else None,
        favicon_uploaded=bool(found and found.favicon_uploaded),
        sponsors=[(s, images.data_uri(s.logo)) for s in sponsors],
    ), status


def _sponsor_page(
    edition: Edition, sponsor: identity.Sponsor, form: SponsorForm, status: int = 200
) -> tuple[str, int]:
    return render_template(
        "admin/sponsor.html",
        edition=edition,
        sponsor=sponsor,
        form=form,
        logo=images.data_uri(sponsor.logo),
    ), status


@bp.route("/", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def page() -> Response | tuple[str, int]:
    edition = edition_or_404()
    if request.method == "GET":
        return _page(edition)
    form = IdentityForm()
    if form.validate_on_submit():
        try:
            identity.save_identity(
                edition.id,
                form.details(),
                logo=upload(form.logo, form.remove_logo),
                favicon=upload(form.favicon, form.remove_favicon),
            )
        except DomainError as refused:
            show_refusal(form, refused)
        else:
            programme_cache().invalidate()
            flash(_("Saved."))
            return redirect(url_for(".page"), code=303)
    return _page(edition, form=form, status=422)


@bp.post("/sponsors")
@roles_required(*ORGANISERS)
def add_sponsor() -> Response | tuple[str, int]:
    edition = edition_or_404()
    form = SponsorForm(prefix=SPONSOR_PREFIX)
    if form.validate_on_submit():
        try:
            sponsor = identity.save_sponsor(edition.id, form.details(), upload(form.logo))
        except DomainError as refused:
            show_refusal(form, refused)
        else:
            flash(_("%(name)s added to the sponsors.", name=sponsor.name))
            return redirect(url_for(".page", _anchor="sponsors"), code=303)
    return _page(edition, sponsor_form=form, status=422)


@bp.route("/sponsors/<int:sponsor_id>", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def sponsor(sponsor_id: int) -> Response | tuple[str, int]:
    edition = edition_or_404()
    found = identity.sponsor_of(edition.id, sponsor_id)
    if found is None:
        abort(404)
    form = SponsorForm()
    if request.method == "GET":
        form.fill(found)
    elif form.validate_on_submit():
        try:
            identity.save_sponsor(
                edition.id, form.details(), upload(form.logo, form.remove_logo), sponsor_id
            )
        except DomainError as refused:
            show_refusal(form, refused)
        else:
            flash(_("Saved."))
            return redirect(url_for(".page", _anchor="sponsors"), code=303)
    return _sponsor_page(edition, found, form, 422 if request.method == "POST" else 200)


@bp.post("/sponsors/<int:sponsor_id>/delete")
@roles_required(*ORGANISERS)
def delete_sponsor(sponsor_id: int) -> Response:
    edition = edition_or_404()
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        identity.delete_sponsor(edition.id, sponsor_id)
    except LookupError:
        abort(404)
    flash(_("Deleted."))
    return redirect(url_for(".page", _anchor="sponsors"), code=303)


@bp.errorhandler(RequestEntityTooLarge)
@roles_required(*ORGANISERS)
def too_large(error: RequestEntityTooLarge) -> tuple[Response | str, int]:
    """A body over MAX_CONTENT_LENGTH: the form again, the reason next to its file fields.

    The body was never read (nothing of it is known, nothing was saved), so the form shows
    what is stored and the organiser chooses a smaller file.
    """
    edition = edition_or_404()
    endpoint = request.endpoint
    if endpoint == "identity_admin.sponsor":
        found = identity.sponsor_of(edition.id, (request.view_args or {})["sponsor_id"])
        if found is None:
            abort(404)
        form = SponsorForm(formdata=None)
        form.fill(found)
        return _sponsor_page(edition, found, _with_files_refused(form), 413)
    if endpoint == "identity_admin.add_sponsor":
        form = SponsorForm(formdata=None, prefix=SPONSOR_PREFIX)
        return _page(edition, sponsor_form=_with_files_refused(form), status=413)
    if endpoint == "identity_admin.page":
        identity_form = IdentityForm(formdata=None)
        identity_form.fill(identity.identity_of(edition.id))
        return _page(edition, form=_with_files_refused(identity_form), status=413)
    return render_error(error)


def _with_files_refused(form: FormWithFiles) -> FormWithFiles:
    message = images.too_large()
    show_refusal(form, DomainError([Violation(f.short_name, message) for f in form.file_fields]))
    return form
