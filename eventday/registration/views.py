"""Registration pages: the form, and the attendee's own page with its documents."""

from __future__ import annotations

import functools
import time

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy import select

from eventday import privacy
from eventday.domain import DomainError
from eventday.extensions import db, limiter
from eventday.forms import show_refusal
from eventday.programme.models import Edition, edition_or_404
from eventday.registration import addresses, capacity, documents, form_page, robots
from eventday.registration.forms import ConfirmForm, EditForm, FindForm, RegistrationForm
from eventday.registration.models import Registration, StakeholderType
from eventday.registration.seats import WorkshopSeats, workshop_seats
from eventday.registration.tokens import TOKEN_SHAPE
from eventday.security import keep_secret_url

bp = Blueprint("registration", __name__)

FORM_TEMPLATE = "registration/form.html"
# What secrets.token_urlsafe makes; anything else is not worth a database query.


bp.after_request(keep_secret_url)


def _registration_or_404(token: str) -> Registration:
    if not TOKEN_SHAPE.fullmatch(token):
        abort(404)
    registration = db.session.scalars(
        select(Registration).where(Registration.token == token)
    ).first()
    if registration is None:
        abort(404)
    return registration


def _workshop_choices(form: RegistrationForm, edition: Edition, holding: set[int]) -> list:
    return form.offer_workshops(workshop_seats(edition.id), holding)


def _applicant(form: RegistrationForm, language: str) -> capacity.Applicant:
    return capacity.Applicant(
        first_name=form.first_name.data,
        last_name=form.last_name.data,
        email=form.email.data,
        organisation=form.organisation_answer(),
        stakeholder_type=form.chosen_type,
        answers=form.answers(),
        dietary=form.dietary.data or "",
        accessibility=form.accessibility.data or "",
        listed=bool(form.listed.data),
        language=language,
        workshop_ids=tuple(form.workshops.data or ()),
    )


def _registration_limit() -> str:
    return current_app.config["REGISTRATION_RATE_LIMIT"]


def _sent_by_a_person(form: RegistrationForm) -> bool:
    """The robot checks of robots.py; a refusal is shown on the form, as typed."""
    if form.website.data:
        form.website.errors = [*form.website.errors, robots.honeypot_message()]
        return False
    refused = robots.refusal(form.started.data)
    if refused:
        form.form_errors.append(refused)
        form.started.data = robots.kept_or_new(form.started.data)
        return False
    return True


def _shown_form(edition: Edition, seats: list[WorkshopSeats], started: str) -> str:
    """The form as shown to a visitor: prefilled from the query, showing the moment `started`."""
    form = RegistrationForm()
    form.process(request.args)  # links may prefill fields, e.g. ?stakeholder_type=clinician
    form.language.data = form.language.data or str(get_locale())
    form.started.data = started
    form.website.data = ""
    workshops = form.offer_workshops(seats, holding=set())
    return render_template(FORM_TEMPLATE, edition=edition, form=form, workshops=workshops)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_registration_limit, methods=["POST"])
def register() -> Response | str | tuple[str, int]:
    edition = edition_or_404()
    state = edition.registration_state()
    if state != "open":
        return render_template("registration/closed.html", edition=edition, state=state)
    seats = workshop_seats(edition.id)
    if request.method != "POST" and request.args:
        return _shown_form(edition, seats, robots.started_token())
    if request.method != "POST":
        return form_page.blank_form(seats, functools.partial(_shown_form, edition, seats))
    form = RegistrationForm()
    workshops = form.offer_workshops(seats, holding=set())
    valid = form.validate_on_submit()
    # Asked even of a form with mistakes, so a refusal is shown with them.
    if not _sent_by_a_person(form):
        valid = False
    if valid:
        language = form.language.data or str(get_locale())
        try:
            registration = capacity.register(edition.id, _applicant(form, language))
        except capacity.AlreadyRegistered:
            return render_template("registration/already.html", edition=edition)
        except DomainError as refused:
            show_refusal(form, refused)
        else:
            return redirect(url_for(".page", token=registration.token), code=303)
    return render_template(FORM_TEMPLATE, edition=edition, form=form, workshops=workshops), 422


@bp.errorhandler(RateLimitExceeded)
def too_many_registrations(error: RateLimitExceeded) -> tuple[str, int]:
    """Too many forms sent from one network address: the form again, as typed, with the wait."""
    edition = edition_or_404()
    form = RegistrationForm()
    workshops = _workshop_choices(form, edition, holding=set())
    limit = limiter.current_limit
    wait = max(1, int(limit.reset_at - time.time())) if limit else 60
    form.form_errors.append(
        _(
            "Too many registrations were sent from your network address in a short time. "
            "Please try again in %(seconds)d s.",
            seconds=wait,
        )
    )
    response = render_template(FORM_TEMPLATE, edition=edition, form=form, workshops=workshops)
    return response, 429


@bp.errorhandler(CSRFError)
def expired_form(error: CSRFError) -> tuple[str, int]:
    """An expired or missing CSRF token: the form again, as typed, with a message."""
    edition = edition_or_404()
    if request.endpoint == "registration.edit":
        registration = _registration_or_404(request.view_args["token"])
        form = EditForm(stakeholder_type=registration.stakeholder_type)
        template, context = "registration/edit.html", {"registration": registration}
        holding = {w.id for w in registration.workshops}
    elif request.endpoint in ("registration.cancel", "registration.erase"):
        registration = _registration_or_404(request.view_args["token"])
        form = ConfirmForm()
        template = f"registration/{request.endpoint.split('.')[1]}.html"
        context = {"registration": registration}
        holding = set()
    elif request.endpoint == "registration.confirm_address":
        registration = _registration_or_404(request.view_args["token"])
        form = ConfirmForm()
        try:
            change = addresses.read_change(registration, request.view_args["change"])
        except DomainError:
            abort(410)
        template = "registration/address.html"
        context = {"registration": registration, "new_email": change.new_email}
        holding = set()
    else:
        form = RegistrationForm()
        template, context, holding = FORM_TEMPLATE, {}, set()
    workshops = _workshop_choices(form, edition, holding) if hasattr(form, "workshops") else []
    form.form_errors.append(
        _("This form had expired (or cookies are blocked). Please check it and send it again.")
    )
    return render_template(
        template, edition=edition, form=form, workshops=workshops, **context
    ), 400


@bp.get("/registration/<token>")
def page(token: str) -> str:
    registration = _registration_or_404(token)
    return render_template(
        "registration/page.html",
        registration=registration,
        edition=registration.edition,
        answers=registration.answers,
        types=StakeholderType,
    )


@bp.get("/registration/<token>/qr.svg")
def qr(token: str) -> Response:
    registration = _registration_or_404(token)
    if registration.is_cancelled:
        abort(404)
    svg = documents.qr_code_svg(
        registration, _("Check-in code of %(name)s", name=registration.full_name)
    )
    return Response(svg, mimetype="image/svg+xml")


@bp.get("/registration/<token>/badge.pdf")
def badge(token: str) -> Response:
    registration = _registration_or_404(token)
    if not registration.is_confirmed:
        abort(404)
    return Response(
        documents.badge_file(registration),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="badge-{registration.reference}.pdf"'},
    )


@bp.get("/registration/<token>/agenda.ics")
def agenda(token: str) -> Response:
    registration = _registration_or_404(token)
    if registration.is_cancelled:
        abort(404)
    return Response(
        documents.agenda_file(registration),
        content_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="agenda.ics"'},
    )


@bp.route("/registration/<token>/edit", methods=["GET", "POST"])
def edit(token: str) -> Response | str | tuple[str, int]:
    registration = _registration_or_404(token)
    return edit_page(
        registration,
        actor=None,
        template="registration/edit.html",
        done_url=url_for(".page", token=token),
        done_message=_("Your changes are saved."),
    )


def edit_page(
    registration: Registration,
    *,
    actor: int | None,
    template: str,
    done_url: str,
    done_message: str,
    type_editable: bool = False,
) -> Response | tuple[str, int]:
    """Change a registration's details and workshops: the attendee's page and the organisers'."""
    if registration.is_cancelled:
        abort(404)
    form = EditForm(stakeholder_type=registration.stakeholder_type, type_editable=type_editable)
    if request.method == "GET":
        form.process(obj=registration, data={**registration.answers})
        form.workshops.data = [w.id for w in registration.workshops]
        form.language.data = registration.language
    # Their own workshops stay choosable even when full (a waitlisted wish included).
    holding = {w.id for w in registration.workshops}
    workshops = _workshop_choices(form, registration.edition, holding)
    if form.validate_on_submit():
        try:
            updated = capacity.update(
                registration.id,
                _applicant(form, form.language.data or registration.language),
                actor=actor,
            )
        except DomainError as refused:
            show_refusal(form, refused)
        else:
            flash(done_message)
            if addresses.email_key(form.email.data) != updated.email_key:
                flash(
                    _(
                        "We have sent a link to %(address)s: your address changes when you "
                        "open it.",
                        address=form.email.data.strip(),
                    )
                )
            return redirect(done_url, code=303)
    status = 422 if request.method == "POST" else 200
    return render_template(
        template,
        registration=registration,
        edition=registration.edition,
        form=form,
        workshops=workshops,
    ), status


@bp.route("/registration/<token>/address/<change>", methods=["GET", "POST"])
def confirm_address(token: str, change: str) -> Response | tuple[str, int]:
    """The link mailed to a new address: a button to confirm it (a GET changes nothing, as
    mail scanners open links)."""
    registration = _registration_or_404(token)
    form = ConfirmForm()
    try:
        new_email = addresses.read_change(registration, change).new_email
        if form.validate_on_submit():
            addresses.confirm_change(registration.id, change)
            flash(_("Your e-mail address is now %(address)s.", address=new_email))
            return redirect(url_for(".page", token=token), code=303)
    except DomainError as refused:
        return render_template(
            "registration/address.html",
            registration=registration,
            edition=registration.edition,
            refusals=[v.message for v in refused.violations],
        ), 410
    return render_template(
        "registration/address.html",
        registration=registration,
        edition=registration.edition,
        new_email=new_email,
        form=form,
    ), 200


@bp.route("/registration/<token>/cancel", methods=["GET", "POST"])
def cancel(token: str) -> Response | str:
    registration = _registration_or_404(token)
    form = ConfirmForm()
    if registration.is_cancelled:
        return redirect(url_for(".page", token=token), code=303)
    if form.validate_on_submit():
        capacity.cancel(registration.id)
        flash(_("Your registration is cancelled. We have sent you a confirmation."))
        return redirect(url_for(".page", token=token), code=303)
    return render_template(
        "registration/cancel.html",
        registration=registration,
        edition=registration.edition,
        form=form,
    )


@bp.route("/registration/<token>/erase", methods=["GET", "POST"])
def erase(token: str) -> Response | str:
    """RGPD: the attendee deletes their registration and everything about them."""
    registration = _registration_or_404(token)
    form = ConfirmForm()
    if form.validate_on_submit():
        edition = registration.edition
        privacy.erase(registration.id)
        return render_template("registration/erased.html", edition=edition)
    return render_template(
        "registration/erase.html",
        registration=registration,
        edition=registration.edition,
        form=form,
    )


@bp.route("/registration/find", methods=["GET", "POST"])
@limiter.limit(_registration_limit, methods=["POST"])
def find() -> str:
    """A lost link mailed again: the same answer whether the address is registered or not."""
    edition = edition_or_404()
    form = FindForm()
    sent = form.validate_on_submit()
    if sent:
        addresses.mail_lost_link(edition.id, form.email.data)
    return render_template("registration/find.html", edition=edition, form=form, sent=sent)


@bp.get("/registration/<token>/data.json")
def data(token: str) -> Response:
    registration = _registration_or_404(token)
    return Response(
        privacy.personal_data_json(registration),
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="my-registration.json"'},
    )
