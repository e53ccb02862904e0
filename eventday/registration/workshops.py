"""A workshop's attendees: who holds its seats, and writing to them when it changes."""

from __future__ import annotations

from sqlalchemy import select

from eventday import audit, mail
from eventday.database import write_transaction
from eventday.extensions import db
from eventday.programme.models import Session
from eventday.registration.models import Registration, RegistrationStatus, registration_workshops


def workshop_attendees(session_id: int) -> list[Registration]:
    """The confirmed attendees holding a seat in a workshop, by name."""
    return list(
        db.session.scalars(
            select(Registration)
            .join(
                registration_workshops, registration_workshops.c.registration_id == Registration.id
            )
            .where(
                registration_workshops.c.session_id == session_id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
            .order_by(Registration.name_key)
        )
    )


def tell_attendees(session: Session, actor: int | None) -> int:
    """Mail a workshop's attendees that it moved or was cancelled; how many were written to."""
    with write_transaction(session.edition_id):
        outbox = [
            mail.enqueue(r, mail.MailKind.SESSION_CHANGED, session=session)
            for r in workshop_attendees(session.id)
        ]
        audit.record(
            session.edition_id, actor, "notify_session", None, {"session": [None, session.title]}
        )
    mail.deliver(outbox)
    return len(outbox)
