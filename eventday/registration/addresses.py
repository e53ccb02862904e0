"""An attendee's e-mail address: a new one is confirmed through a link mailed to it, and the
link to an existing registration is mailed to an address at most once an hour.

Neither tells a visitor whether an address is registered. An attendee who types a new
address on their page gets the same answer whether another registration uses it or not:
"we have sent a link to that address". Only whoever reads that mailbox learns more, when
they open the link, and they own the address. The link is signed (itsdangerous, a salt of
its own), names the registration and its address at the time, and lasts two days: once the
address has changed again, an older link changes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, select

from eventday import audit, mail
from eventday.database import utcnow, write_transaction
from eventday.domain import DomainError, Violation
from eventday.extensions import db
from eventday.registration.models import Registration
from eventday.urls import absolute_url

SALT = "eventday.registration.address-change"
LINK_LIFETIME = dt.timedelta(days=2)
# Anyone can type an address into /register: the existing registration's link goes to that
# mailbox at most this often, so the form cannot be used to flood it. Likewise an attendee's
# page sends at most a few confirmation links an hour (enough for a typo or two).
MANAGE_LINK_INTERVAL = dt.timedelta(hours=1)
CONFIRMATIONS_PER_HOUR = 3


class AddressRefused(DomainError):
    pass


@dataclasses.dataclass(frozen=True)
class AddressChange:
    registration_id: int
    new_email: str


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)


def email_key(address: str) -> str:
    """How addresses are compared: one registration per address and edition."""
    return address.strip().lower()


def refuse_if_taken(registration: Registration, key: str, field: str = "email") -> None:
    """AddressRefused if another registration of the edition uses that address already.

    Said only to organisers, and to whoever opened the link mailed to that address."""
    taken = db.session.scalar(
        select(Registration.id).where(
            Registration.edition_id == registration.edition_id,
            Registration.email_key == key,
            Registration.id != registration.id,
        )
    )
    if taken is not None:
        raise AddressRefused(
            [Violation(field, _("Another registration already uses this address."))]
        )


def ask_to_change(registration: Registration, new_email: str) -> list[int]:
    """Mail a confirmation link to `new_email` (in the caller's transaction); the mail's ids.

    The registration keeps its address until the link is opened. Past a few links in the
    hour, none is sent, and the page says the same (it cannot say more without telling).
    """
    if _mailed_within_the_hour(registration, mail.MailKind.CONFIRM_ADDRESS) >= (
        CONFIRMATIONS_PER_HOUR
    ):
        return []
    signed = _serializer().dumps([registration.id, _fingerprint(registration), new_email.strip()])
    return [
        mail.enqueue(
            registration,
            mail.MailKind.CONFIRM_ADDRESS,
            recipient=new_email.strip(),
            new_email=new_email.strip(),
            confirm_url=absolute_url(
                "registration.confirm_address", token=registration.token, change=signed
            ),
        )
    ]


def read_change(registration: Registration, signed: str) -> AddressChange:
    """What a confirmation link asks; AddressRefused if it is forged, expired or stale."""
    try:
        registration_id, fingerprint, new_email = _serializer().loads(
            signed, max_age=int(LINK_LIFETIME.total_seconds())
        )
    except (BadSignature, ValueError, TypeError):
        raise _stale() from None
    if registration_id != registration.id or fingerprint != _fingerprint(registration):
        raise _stale()
    return AddressChange(registration_id, str(new_email))


def confirm_change(registration_id: int, signed: str) -> Registration:
    """Give the registration the address its link names (it proves the mailbox is theirs)."""
    edition_id = db.session.get_one(Registration, registration_id).edition_id
    with write_transaction(edition_id):
        registration = db.session.get_one(Registration, registration_id)
        if registration.is_cancelled:
            raise _stale()
        change = read_change(registration, signed)
        new_key = email_key(change.new_email)
        refuse_if_taken(registration, new_key, field="")
        audit.record(
            edition_id,
            None,
            "edit",
            registration.id,
            audit.diff({"email": registration.email}, {"email": change.new_email}),
        )
        registration.email = change.new_email
        registration.email_key = new_key
        registration.updated_at = utcnow()
    return registration


def mail_manage_link(existing: Registration) -> list[int]:
    """The link to `existing` for its address, unless it was mailed within the hour."""
    if _mailed_within_the_hour(existing, mail.MailKind.MANAGE_LINK):
        return []
    return [mail.enqueue(existing, mail.MailKind.MANAGE_LINK)]


def _mailed_within_the_hour(registration: Registration, kind: mail.MailKind) -> int:
    return db.session.scalar(
        select(func.count()).where(
            mail.OutboxMail.registration_id == registration.id,
            mail.OutboxMail.kind == kind,
            mail.OutboxMail.created_at > utcnow() - MANAGE_LINK_INTERVAL,
        )
    )


def _fingerprint(registration: Registration) -> str:
    """The address a link was made for, without writing it into the link (which is signed,
    not encrypted: anyone holding it can read what it carries)."""
    return hashlib.sha256(registration.email_key.encode()).hexdigest()[:16]


def _stale() -> AddressRefused:
    return AddressRefused(
        [
            Violation(
                "",
                _(
                    "This link no longer works (it has expired, or the address has changed "
                    "since). Change your address again from your page."
                ),
            )
        ]
    )


def mail_lost_link(edition_id: int, email: str) -> None:
    """The manage link mailed to `email` if a registration of the edition uses it (at most
    once an hour); nothing otherwise, and the caller is told nothing either way."""
    with write_transaction(edition_id):
        found = db.session.scalars(
            select(Registration).where(
                Registration.edition_id == edition_id,
                Registration.email_key == email_key(email),
            )
        ).first()
        outbox = mail_manage_link(found) if found is not None and not found.is_cancelled else []
    mail.deliver(outbox)
