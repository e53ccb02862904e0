"""Registrations an organiser makes by hand for speakers, staff and guests.

Such a registration skips the registration window, the edition's capacity, its type's
quota and approval: it is confirmed at once, and from then on holds a seat like any other
(so it counts against the capacity that attendees register into). It is taken inside
`write_transaction(edition_id)` as every registration (see capacity.py), so a seat
counted afterwards by anyone sees it; it is mailed its confirmation in that transaction.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from sqlalchemy import select

from eventday import audit, mail
from eventday.database import utcnow, write_transaction
from eventday.domain import Violation
from eventday.extensions import db
from eventday.programme.models import Edition, Speaker
from eventday.registration import addresses, tokens
from eventday.registration.capacity import (
    Applicant,
    RegistrationRefused,
    _apply,
    _new_reference,
)
from eventday.registration.labels import ROLE_LABELS
from eventday.registration.models import Registration, RegistrationStatus


def register_by_hand(
    edition_id: int,
    applicant: Applicant,
    role: str,
    speaker_id: int | None = None,
    *,
    actor: int | None = None,
    now: dt.datetime | None = None,
) -> Registration:
    """A confirmed registration with `role`, linked to the programme's speaker if given.

    Raises RegistrationRefused when the address already has a registration that is not
    cancelled, or the speaker is not one of the edition's.
    """
    now = now or utcnow()
    if role not in ROLE_LABELS:
        raise RegistrationRefused([Violation("role", _("Choose a role."))])
    with write_transaction(edition_id):
        edition = db.session.get_one(Edition, edition_id)
        speaker = _speaker_of(edition_id, speaker_id) if role == "speaker" else None
        email_key = addresses.email_key(applicant.email)
        existing = db.session.scalars(
            select(Registration).where(
                Registration.edition_id == edition_id, Registration.email_key == email_key
            )
        ).first()
        if existing is not None and not existing.is_cancelled:
            raise RegistrationRefused(
                [Violation("email", _("This address already has a registration."))]
            )
        registration = existing or Registration(edition_id=edition_id)
        registration.token = tokens.new_token()
        registration.reference = _new_reference(edition)
        registration.consent_at = registration.created_at = now
        registration.status = RegistrationStatus.CONFIRMED
        registration.checked_in_at = None
        registration.role = role
        _apply(registration, applicant, email_key, [], now)
        registration.speakers = [speaker] if speaker else []
        db.session.add(registration)
        db.session.flush()
        audit.record(edition_id, actor, "register_by_hand", registration.id, {"role": [None, role]})
        outbox = [mail.enqueue(registration, mail.MailKind.CONFIRMED)]
    mail.deliver(outbox)
    return registration


def _speaker_of(edition_id: int, speaker_id: int | None) -> Speaker | None:
    if speaker_id is None:
        return None
    speaker = db.session.get(Speaker, speaker_id)
    if speaker is None or speaker.edition_id != edition_id:
        raise RegistrationRefused(
            [Violation("speaker_id", _("This speaker is not in the programme."))]
        )
    return speaker
