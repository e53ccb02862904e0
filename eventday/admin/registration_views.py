"""Organiser pages for registrations: list, detail, decisions, exports, badges to print."""

from __future__ import annotations

import datetime as dt

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from eventday.accounts.access import (
    EVERYONE,
    ORGANISERS,
    edition_or_404,
    organiser_blueprint,
    roles_required,
)
from eventday.admin import history as history_lines
from eventday.admin.exports import csv_lines, spreadsheet_csv_lines, xlsx_file
from eventday.admin.registrations import (
    RegistrationFilter,
    badge_batch,
    day_list,
    latest_registration_id,
    mark_printed,
    page,
    record_of,
)
from eventday.badges.lists import list_pdf
from eventday.badges.pdf import badge_sheets_pdf
from eventday.checkin import attendance as checkin_attendance
from eventday.checkin import desk as checkin_desk
from eventday.checkin import lookup as checkin_lookup
from eventday.database import utcnow
from eventday.domain import DomainError
from eventday.editions import identity
from eventday.extensions import db
from eventday.forms import PostForm, flash_refusal
from eventday.i18n import local_date
from eventday.programme.models import Edition
from eventday.registration import capacity, documents
from eventday.registration.labels import stakeholder_label
from eventday.registration.models import Registration, RegistrationStatus, StakeholderType
from eventday.registration.seats import workshop_seats
from eventday.registration.tokens import checkin_code
from eventday.registration.views import edit_page
from eventday.urls import database_id

bp = organiser_blueprint("registrations_admin", "/admin")


def _registration(edition: Edition, registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.edition_id != edition.id:
        abort(404)
    return registration


@bp.get("/registrations")
@roles_required(*ORGANISERS)
def index() -> str:
    edition = edition_or_404()
    chosen = RegistrationFilter.from_args(request.args)
    return render_template(
        "admin/registrations.html",
        edition=edition,
        chosen=chosen,
        results=page(edition.id, chosen, request.args.get("page", 1, type=database_id)),
        upto=latest_registration_id(edition.id),
        shown_at=utcnow().isoformat(),
        form=PostForm(),
        workshops=workshop_seats(edition.id),
        types=list(StakeholderType),
        statuses=list(RegistrationStatus),
    )


@bp.get("/registrations.csv")
@roles_required(*ORGANISERS)
def export_csv() -> Response:
    edition = edition_or_404()
    chosen = RegistrationFilter.from_args(request.args)
    return Response(
        stream_with_context(csv_lines(edition.id, chosen)),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{edition.slug}-registrations.csv"'},
    )


@bp.get("/registrations-for-spreadsheets.csv")
@roles_required(*ORGANISERS)
def export_spreadsheet_csv() -> Response:
    """The same rows for people: semicolons, words and local times, as French Excel opens."""
    edition = edition_or_404()
    chosen = RegistrationFilter.from_args(request.args)
    return Response(
        stream_with_context(spreadsheet_csv_lines(edition, chosen)),
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{edition.slug}-registrations-sheet.csv"'
        },
    )


@bp.get("/registrations.xlsx")
@roles_required(*ORGANISERS)
def export_xlsx() -> Response:
    edition = edition_or_404()
    chosen = RegistrationFilter.from_args(request.args)
    return Response(
        xlsx_file(edition.id, chosen),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": f'attachment; filename="{edition.slug}-registrations.xlsx"'
        },
    )


@bp.get("/participants")
@roles_required(*ORGANISERS)
def participants() -> str | Response:
    """Printable lists for the day: those who agreed to be listed, or all confirmed (the desk)."""
    edition = edition_or_404()
    everyone = request.args.get("list") == "welcome"
    people = day_list(edition.id, everyone)
    if request.args.get("format") == "pdf":
        return _people_pdf(edition, people, everyone)
    return render_template(
        "admin/participants.html", edition=edition, people=people, everyone=everyone
    )


def _people_pdf(edition: Edition, people: list[Registration], everyone: bool) -> Response:
    title = _("Welcome-desk list") if everyone else _("List of participants")
    headers = [_("Name"), _("Organisation"), _("Profile")]
    if everyone:
        headers += [_("Reference"), _("Arrived")]
    rows = []
    for r in people:
        row = [
            f"{r.last_name.upper()} {r.first_name}",
            r.organisation,
            stakeholder_label(r.stakeholder_type),
        ]
        if everyone:
            row += [r.reference, "✓" if r.checked_in_at else ""]
        rows.append(row)
    pdf = list_pdf(str(title), f"{edition.name} — {local_date(edition.start_date)}", headers, rows)
    return Response(pdf, mimetype="application/pdf")


def _upto(values: MultiDict[str, str]) -> int | None:
    return values.get("upto", type=database_id)


def _shown_at(values: MultiDict[str, str]) -> dt.datetime | None:
    """When the list offering "mark as printed" was shown (an aware time), else None."""
    try:
        moment = dt.datetime.fromisoformat(values.get("shown_at", ""))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


@bp.get("/badges.pdf")
@roles_required(*ORGANISERS)
def badges() -> Response:
    """Badges on A4 sheets: the confirmed attendees (or the list's filters), by name.

    Only a PDF: a GET changes nothing (a prefetch or a second tab would otherwise mark
    badges nobody printed); "mark as printed" is a button on the list."""
    edition = edition_or_404()
    registrations = badge_batch(
        edition.id, RegistrationFilter.from_args(request.args), _upto(request.args)
    )
    # One sheet, one language: the organiser's, whatever each attendee chose.
    language = str(get_locale())
    pdf = badge_sheets_pdf(
        [documents.badge_of(r, language) for r in registrations],
        logo=identity.badge_logo(edition.id),
    )
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{edition.slug}-badges.pdf"'},
    )


@bp.post("/badges/printed")
@roles_required(*ORGANISERS)
def badges_printed() -> Response:
    """After printing: the same batch as the PDF (same filters, same `upto`) marked printed."""
    edition = edition_or_404()
    if not PostForm().validate_on_submit():
        abort(400)
    chosen = RegistrationFilter.from_args(request.form)
    upto, shown_at = _upto(request.form), _shown_at(request.form)
    if upto is None or shown_at is None:
        abort(400)
    batch = badge_batch(edition.id, chosen, upto, unchanged_since=shown_at)
    marked = mark_printed(edition.id, [r.id for r in batch])
    flash(ngettext("%(num)d badge marked as printed.", "%(num)d badges marked as printed.", marked))
    return redirect(url_for(".index", **chosen.args()), code=303)


@bp.get("/registrations/<int:registration_id>")
@roles_required(*ORGANISERS)
def detail(registration_id: int) -> str:
    edition = edition_or_404()
    record = record_of(edition, registration_id)
    if record is None:
        abort(404)
    return render_template(
        "admin/registration.html",
        edition=edition,
        registration=record.registration,
        mails=record.mails,
        history=record.history,
        attended=checkin_attendance.of_registration(registration_id),
        form=PostForm(),
    )


@bp.route("/registrations/<int:registration_id>/edit", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def edit(registration_id: int) -> Response | tuple[str, int]:
    """An organiser corrects an attendee's details, profile or workshops (in the history)."""
    registration = _registration(edition_or_404(), registration_id)
    return edit_page(
        registration,
        actor=current_user.id,
        template="admin/registration_edit.html",
        done_url=url_for(".detail", registration_id=registration_id),
        done_message=str(_("Saved.")),
        type_editable=True,
    )


@bp.get("/registrations/<int:registration_id>/badge.pdf")
@roles_required(*EVERYONE)
def badge(registration_id: int) -> Response:
    """One attendee's badge, to print on arrival: in the organiser's language, as the sheets."""
    registration = _registration(edition_or_404(), registration_id)
    if not registration.is_confirmed:
        abort(404)
    pdf = documents.badge_file(registration, str(get_locale()))
    return Response(pdf, mimetype="application/pdf")


ACTIONS = {
    "approve": lambda r, actor: capacity.decide(r.id, approve=True, actor=actor),
    "decline": lambda r, actor: capacity.decide(r.id, approve=False, actor=actor),
    "cancel": lambda r, actor: capacity.cancel(r.id, actor=actor),
    "promote": lambda r, actor: capacity.promote(r.id, actor=actor),
    "resend": lambda r, actor: capacity.resend(r.id, actor=actor),
    "checkin": lambda r, actor: checkin_desk.scan(
        r.edition_id, checkin_desk.Scan(checkin_code(r.edition_id, r.reference), "dashboard"), actor
    ),
    "undo_checkin": lambda r, actor: checkin_lookup.undo(r.edition_id, r.id, actor),
}
DONE = {
    "approve": _l("Approved."),
    "decline": _l("Declined."),
    "cancel": _l("Cancelled."),
    "promote": _l("Promoted from the waiting list."),
    "resend": _l("Mail sent again."),
    "checkin": _l("Checked in."),
    "undo_checkin": _l("Check-in undone."),
}


@bp.post("/registrations/<int:registration_id>/<action>")
@roles_required(*ORGANISERS)
def act(registration_id: int, action: str) -> Response:
    edition = edition_or_404()
    registration = _registration(edition, registration_id)
    if action not in ACTIONS:
        abort(404)
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        ACTIONS[action](registration, current_user.id)
    except DomainError as refused:
        flash_refusal(refused)
    else:
        flash(str(DONE[action]))
    return redirect(url_for(".detail", registration_id=registration_id), code=303)


@bp.get("/history")
@roles_required(*ORGANISERS)
def history() -> str:
    edition = edition_or_404()
    return render_template(
        "admin/history.html", edition=edition, history=history_lines.lines(edition, limit=500)
    )
