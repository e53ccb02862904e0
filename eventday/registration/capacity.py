"""Seats: the edition's capacity, each stakeholder type's quota, workshop seats, the waitlist.

Who holds a seat: a confirmed registration holds one seat of the edition, one
of its type's quota and one seat in each workshop it chose. A registration
awaiting approval or on the waitlist holds none; it is placed when approved or
promoted, if it fits then. "Fits" means a free seat in the edition, room in its
type's quota, and a free seat in each of its workshops.

How it holds under concurrency: every function that changes a registration
runs inside `write_transaction(edition_id)` (see database.py), and counts the
seats only after taking that lock. Two people asking for the last seat at the
same moment are served one after the other: the second sees the first's seat
taken and is waitlisted. The mails each change causes are written to the
outbox in the same transaction, then delivered once it has committed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy import select

from eventday import audit, mail
from eventday.database import utcnow, write_transaction
from eventday.domain import Violation
from eventday.extensions import db
from eventday.programme.models import Edition, Session
from eventday.registration import addresses, tokens
from eventday.registration.models import (
    Registration,
    RegistrationStatus,
)
from eventday.registration.seats import (
    RegistrationRefused,
    Seats,
    chosen_workshops,
    count_seats,
    full_workshops,
    refuse_full,
)
from eventday.registration.type_rules import TypeRule, type_rules, write_type_rules


class AlreadyRegistered(Exception):
    """This address already has a registration for the edition (its manage link was mailed)."""


@dataclasses.dataclass(frozen=True)
class Applicant:
    """What a person typed in the registration form, already checked field by field."""

    first_name: str
    last_name: str
    email: str
    organisation: str
    stakeholder_type: str
    answers: dict[str, str]
    dietary: str = ""
    accessibility: str = ""
    listed: bool = False
    language: str = "fr"
    workshop_ids: tuple[int, ...] = ()


def set_type_rules(edition_id: int, chosen: dict[str, TypeRule], actor: int | None = None) -> None:
    """Each type's quota and approval rule; a lower quota waitlists nobody already in."""
    with write_transaction(edition_id):
        changes = write_type_rules(edition_id, chosen)
        if changes:
            audit.record(edition_id, actor, "type_rules", None, changes)
        outbox = refill(edition_id, actor)
    mail.deliver(outbox)


def refill(edition_id: int, actor: int | None) -> list[int]:
    """In the caller's write transaction, after more room was made (a higher quota or
    capacity): the first waitlisted who now fit are confirmed; their mails' ids."""
    promoted = _promote(db.session.get_one(Edition, edition_id), actor)
    return [mail.enqueue(p, mail.MailKind.PROMOTED) for p in promoted]


def _new_reference(edition: Edition) -> str:
    while True:
        reference = tokens.new_reference(edition.start_date.year)
        if db.session.scalar(select(Registration.id).where(Registration.reference == reference)):
            continue
        return reference


def register(edition_id: int, applicant: Applicant, now: dt.datetime | None = None) -> Registration:
    """Take a registration: confirmed, waitlisted or awaiting approval; mails the attendee.

    Raises RegistrationRefused (closed, workshop full or overlapping) or
    AlreadyRegistered (the manage link is mailed to that address instead).
    """
    now = now or utcnow()
    with write_transaction(edition_id):
        edition = db.session.get_one(Edition, edition_id)
        state = edition.registration_state(now)
        if state != "open":
            raise RegistrationRefused(
                [
                    Violation(
                        "",
                        _("Registration is not open yet.")
                        if state == "not_yet"
                        else _("Registration is closed."),
                    )
                ]
            )
        email_key = addresses.email_key(applicant.email)
        existing = db.session.scalars(
            select(Registration).where(
                Registration.edition_id == edition_id, Registration.email_key == email_key
            )
        ).first()
        already = existing is not None and not existing.is_cancelled
        if already:
            outbox = addresses.mail_manage_link(existing)
        else:
            # A cancelled (or declined) registration may start again, at the back of the queue.
            registration = _create(edition, applicant, email_key, now, reusing=existing)
            outbox = [mail.enqueue(registration, mail.MailKind.for_status(registration.status))]
    mail.deliver(outbox)
    if already:
        raise AlreadyRegistered(applicant.email)
    return registration


def _create(
    edition: Edition,
    applicant: Applicant,
    email_key: str,
    now: dt.datetime,
    reusing: Registration | None = None,
) -> Registration:
    seats = count_seats(edition.id)
    workshops = chosen_workshops(edition.id, applicant.workshop_ids, seats.by_workshop)
    rule = type_rules(edition)[applicant.stakeholder_type]
    if rule.needs_approval:
        status = RegistrationStatus.PENDING_APPROVAL
    elif seats.fits(edition, rule, applicant.stakeholder_type, ()):
        full = full_workshops(seats, workshops)
        if full:
            raise refuse_full(full)
        status = RegistrationStatus.CONFIRMED
    else:
        status = RegistrationStatus.WAITLISTED
    registration = reusing or Registration(edition_id=edition.id)
    registration.token = tokens.new_token()
    registration.reference = _new_reference(edition)
    registration.consent_at = registration.created_at = now
    registration.status = status
    registration.checked_in_at = None
    _apply(registration, applicant, email_key, workshops, now)
    db.session.add(registration)
    db.session.flush()
    return registration


def _apply(
    registration: Registration,
    applicant: Applicant,
    email_key: str,
    workshops: list[Session],
    now: dt.datetime,
) -> None:
    """What the attendee (or an organiser) wrote, onto the registration."""
    registration.first_name = applicant.first_name
    registration.last_name = applicant.last_name
    registration.email = applicant.email.strip()
    registration.email_key = email_key
    registration.organisation = applicant.organisation
    registration.stakeholder_type = applicant.stakeholder_type
    registration.answers = dict(applicant.answers)
    registration.dietary = applicant.dietary
    registration.accessibility = applicant.accessibility
    registration.listed = applicant.listed
    registration.language = applicant.language
    registration.refresh_name_key()
    registration.workshops = workshops
    registration.updated_at = now


def _snapshot(registration: Registration) -> dict[str, object]:
    """What the audit log compares before and after a change."""
    return {
        "first_name": registration.first_name,
        "last_name": registration.last_name,
        "email": registration.email,
        "organisation": registration.organisation,
        "stakeholder_type": registration.stakeholder_type,
        # A question left empty is no answer, whether the form sent it blank or not at all.
        "answers": {name: value for name, value in registration.answers.items() if value},
        "dietary": registration.dietary,
        "accessibility": registration.accessibility,
        "listed": registration.listed,
        "language": registration.language,
        "status": registration.status,
        "workshops": sorted(w.id for w in registration.workshops),
    }


def update(registration_id: int, applicant: Applicant, actor: int | None = None) -> Registration:
    """Change an attendee's details and workshops; an organiser may change their type too.

    `actor` is the organiser's account (None: the attendee on their own page,
    who keeps their stakeholder type). A new type is admitted as a new
    registration would be (see `_retype`).
    """
    edition_id = db.session.get_one(Registration, registration_id).edition_id
    with write_transaction(edition_id):
        registration = db.session.get_one(Registration, registration_id)
        if registration.is_cancelled:
            raise RegistrationRefused([Violation("", _("This registration is cancelled."))])
        email_key = addresses.email_key(applicant.email)
        new_address = None
        if email_key != registration.email_key and actor is None:
            # On their own page: the new address is theirs once they open the link mailed to
            # it, and the page answers the same whether another registration uses it or not.
            new_address = applicant.email
            applicant = dataclasses.replace(applicant, email=registration.email)
            email_key = registration.email_key
        elif email_key != registration.email_key:
            addresses.refuse_if_taken(registration, email_key)
        seats = count_seats(edition_id)
        workshops = chosen_workshops(edition_id, applicant.workshop_ids, seats.by_workshop)
        if registration.is_confirmed:
            full = full_workshops(seats, workshops, holding=(w.id for w in registration.workshops))
            if full:
                raise refuse_full(full)
        retyped = applicant.stakeholder_type != registration.stakeholder_type
        status = registration.status
        if retyped:
            if actor is None:
                raise RegistrationRefused(
                    [Violation("stakeholder_type", _("Only the organisers can change a profile."))]
                )
            status = _retype(registration, applicant.stakeholder_type, workshops, seats)
        before = _snapshot(registration)
        freed = {w.id for w in registration.workshops} - {w.id for w in workshops}
        _apply(registration, applicant, email_key, workshops, utcnow())
        db.session.flush()
        changes = audit.diff(before, _snapshot(registration))
        if changes:
            audit.record(edition_id, actor, "edit", registration.id, changes)
        outbox = []
        if status != registration.status:
            _move(registration, status, "retype", actor)
            db.session.flush()
            outbox.append(mail.enqueue(registration, mail.MailKind.for_status(status)))
        # A workshop seat given up, or a place in the old type's quota, may be
        # what a waitlisted attendee was waiting for.
        promoted = (
            _promote(registration.edition, actor)
            if retyped or (freed and registration.is_confirmed)
            else []
        )
        outbox += [mail.enqueue(p, mail.MailKind.PROMOTED) for p in promoted]
        if new_address is not None:
            outbox += addresses.ask_to_change(registration, new_address)
    mail.deliver(outbox)
    return registration


def _retype(
    registration: Registration, new_type: str, workshops: Sequence[Session], seats: Seats
) -> str:
    """The status a registration takes when an organiser changes its stakeholder type.

    A confirmed attendee stays confirmed (the organiser's change is the
    approval) if the new type's quota has room, else the change is refused;
    one awaiting approval is confirmed or waitlisted when the new type needs
    no approval; a waitlisted one keeps their place in the queue.
    """
    rule = type_rules(registration.edition)[new_type]
    quota = rule.seats(registration.edition.capacity)
    if registration.is_confirmed:
        if quota is not None and seats.by_type[new_type] >= quota:
            raise RegistrationRefused(
                [
                    Violation(
                        "stakeholder_type",
                        _(
                            "This profile's quota is full (%(quota)d seats): raise it in the "
                            "edition settings first.",
                            quota=quota,
                        ),
                    )
                ]
            )
        return registration.status
    if registration.status == RegistrationStatus.PENDING_APPROVAL and not rule.needs_approval:
        held = [w.id for w in workshops]
        fits = seats.fits(registration.edition, rule, new_type, held)
        return RegistrationStatus.CONFIRMED if fits else RegistrationStatus.WAITLISTED
    return registration.status


def _move(registration: Registration, status: str, action: str, actor: int | None) -> None:
    """Change a registration's status, and say so in the audit log (same transaction)."""
    audit.record(
        registration.edition_id,
        actor,
        action,
        registration.id,
        {"status": [registration.status, str(status)]},
    )
    registration.status = status
    registration.updated_at = utcnow()


def cancel(registration_id: int, actor: int | None = None) -> list[Registration]:
    """Cancel a registration; its seat goes to the first waitlisted attendees that fit.

    Returns the registrations promoted (each is mailed).
    """
    edition_id = db.session.get_one(Registration, registration_id).edition_id
    with write_transaction(edition_id):
        registration = db.session.get_one(Registration, registration_id)
        promoted: list[Registration] = []
        outbox: list[int] = []
        if not registration.is_cancelled:
            held_seat = registration.is_confirmed
            _move(registration, RegistrationStatus.CANCELLED, "cancel", actor)
            db.session.flush()
            outbox.append(mail.enqueue(registration, mail.MailKind.CANCELLED))
            if held_seat:
                promoted = _promote(registration.edition, actor)
                outbox += [mail.enqueue(p, mail.MailKind.PROMOTED) for p in promoted]
    mail.deliver(outbox)
    return promoted


def promote_waiting(edition_id: int, actor: int | None = None) -> list[Registration]:
    """Inside the caller's write transaction: freed seats to the first waitlisted that fit."""
    return _promote(db.session.get_one(Edition, edition_id), actor)


def _promote(edition: Edition, actor: int | None) -> list[Registration]:
    seats = count_seats(edition.id)
    rules = type_rules(edition)
    waiting = db.session.scalars(
        select(Registration)
        .where(
            Registration.edition_id == edition.id,
            Registration.status == RegistrationStatus.WAITLISTED,
        )
        .order_by(Registration.created_at, Registration.id)
    ).all()
    promoted = []
    for candidate in waiting:
        workshops = [w.id for w in candidate.workshops]
        rule = rules[candidate.stakeholder_type]
        if not seats.fits(edition, rule, candidate.stakeholder_type, workshops):
            continue
        seats.take(candidate.stakeholder_type, workshops)
        _move(candidate, RegistrationStatus.CONFIRMED, "promote", actor)
        promoted.append(candidate)
    db.session.flush()
    return promoted


def decide(registration_id: int, approve: bool, actor: int | None = None) -> Registration:
    """An organiser approves (confirmed if it fits, else waitlisted) or declines a registration."""
    edition_id = db.session.get_one(Registration, registration_id).edition_id
    with write_transaction(edition_id):
        registration = db.session.get_one(Registration, registration_id)
        if registration.status != RegistrationStatus.PENDING_APPROVAL:
            raise RegistrationRefused(
                [Violation("", _("This registration is not awaiting approval."))]
            )
        if approve:
            seats = count_seats(edition_id)
            rule = type_rules(registration.edition)[registration.stakeholder_type]
            workshops = [w.id for w in registration.workshops]
            fits = seats.fits(registration.edition, rule, registration.stakeholder_type, workshops)
            status = RegistrationStatus.CONFIRMED if fits else RegistrationStatus.WAITLISTED
            _move(registration, status, "approve", actor)
            kind = mail.MailKind.APPROVED
        else:
            _move(registration, RegistrationStatus.CANCELLED, "decline", actor)
            kind = mail.MailKind.DECLINED
        db.session.flush()
        outbox = [mail.enqueue(registration, kind)]
    mail.deliver(outbox)
    return registration


def promote(registration_id: int, actor: int | None = None) -> Registration:
    """An organiser moves one waitlisted attendee to confirmed, if a seat fits them."""
    edition_id = db.session.get_one(Registration, registration_id).edition_id
    with write_transaction(edition_id):
        registration = db.session.get_one(Registration, registration_id)
        if registration.status != RegistrationStatus.WAITLISTED:
            raise RegistrationRefused([Violation("", _("This registration is not waitlisted."))])
        seats = count_seats(edition_id)
        rule = type_rules(registration.edition)[registration.stakeholder_type]
        workshops = [w.id for w in registration.workshops]
        if not seats.fits(registration.edition, rule, registration.stakeholder_type, workshops):
            raise RegistrationRefused(
                [Violation("", _("No seat fits this attendee (capacity, quota or workshop)."))]
            )
        _move(registration, RegistrationStatus.CONFIRMED, "promote", actor)
        db.session.flush()
        outbox = [mail.enqueue(registration, mail.MailKind.PROMOTED)]
    mail.deliver(outbox)
    return registration


def resend(registration_id: int, actor: int | None = None) -> None:
    """Send the attendee the mail of their current status again (with badge and agenda)."""
    registration = db.session.get_one(Registration, registration_id)
    with write_transaction(registration.edition_id):
        registration = db.session.get_one(Registration, registration_id)
        audit.record(registration.edition_id, actor, "resend", registration.id)
        outbox = [mail.enqueue(registration, mail.MailKind.for_status(registration.status))]
    mail.deliver(outbox)


def carry_over(source_id: int, target_id: int, actor: int | None) -> None:
    """A new edition made from an old one keeps its profiles' quotas and approvals."""
    source = db.session.get_one(Edition, source_id)
    slug, rules = source.slug, type_rules(source)
    set_type_rules(target_id, rules, actor)
    with write_transaction(target_id):
        target = db.session.get_one(Edition, target_id)
        audit.record(target_id, actor, "copy_edition", None, {"from": [slug, target.slug]})
