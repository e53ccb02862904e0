"""Personal data and its end (RGPD): an attendee downloads or erases what is held about them,
an edition is anonymised after the day, and a SQLite database is backed up while the app runs.

What is personal: a registration's names, addresses, organisation, answers,
needs, its token (the key to the attendee's page), the mails written to it,
the scans of its badge (their code and answer name the holder) and the
history's before → after values about it. What stays after anonymising: each
registration's stakeholder type, status, workshops, dates and check-in time,
so the dashboard's counts by type, the workshops' fill and the arrivals stay
true for next year's planning. On SQLite, erasing and anonymising end by
emptying the write-ahead log (see database.py), so what they removed is gone
from the disk too, not only from the tables.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, select, update

from eventday import audit, mail
from eventday.abstracts import retention
from eventday.audit import AuditEntry
from eventday.checkin import attendance
from eventday.checkin.models import CheckinScan
from eventday.database import empty_sqlite_log, keep_private, utcnow, write_transaction
from eventday.extensions import db
from eventday.mail import MailKind, OutboxMail
from eventday.programme.models import Edition
from eventday.registration import capacity, tokens
from eventday.registration.models import Registration


class NotYet(Exception):
    """The edition's day has not ended: anonymising would erase attendees still to come."""


def erase(registration_id: int) -> None:
    """Delete a registration and everything that names its attendee, at their request.

    A seat it held goes to the first waitlisted attendees that fit (mailed).
    The history keeps that a registration of that type was erased, not whose.
    """
    edition_id = db.session.get_one(Registration, registration_id).edition_id
    with write_transaction(edition_id):
        registration = db.session.get_one(Registration, registration_id)
        held_seat = registration.is_confirmed
        kind = registration.stakeholder_type
        _forget_traces(select(Registration.id).where(Registration.id == registration_id))
        db.session.delete(registration)
        db.session.flush()
        audit.record(edition_id, None, "erase", None, {"stakeholder_type": [kind, None]})
        promoted = capacity.promote_waiting(edition_id) if held_seat else []
        outbox = [mail.enqueue(p, mail.MailKind.PROMOTED) for p in promoted]
    empty_sqlite_log()
    mail.deliver(outbox)


def personal_data_json(registration: Registration) -> str:
    """Everything held about the attendee (their right of access), as JSON.

    The registration, the history's entries about it, the scans of its badge
    and the mails written to it, bodies included: the attendee was sent them.
    """
    edition = registration.edition
    history = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.registration_id == registration.id)
        .order_by(AuditEntry.id)
    )
    scans = db.session.scalars(
        select(CheckinScan)
        .where(CheckinScan.registration_id == registration.id)
        .order_by(CheckinScan.id)
    )
    mails = db.session.scalars(
        select(OutboxMail)
        .where(OutboxMail.registration_id == registration.id)
        .order_by(OutboxMail.id)
    )
    return json.dumps(
        {
            "edition": {"name": edition.name, "slug": edition.slug},
            "reference": registration.reference,
            "status": registration.status,
            "first_name": registration.first_name,
            "last_name": registration.last_name,
            "email": registration.email,
            "organisation": registration.organisation,
            "stakeholder_type": registration.stakeholder_type,
            "answers": registration.answers,
            "dietary": registration.dietary,
            "accessibility": registration.accessibility,
            "listed": registration.listed,
            "language": registration.language,
            "workshops": [
                {"id": w.id, "title": w.title, "start": edition.local(w.starts_at).isoformat()}
                for w in registration.workshops
            ],
            "consent_at": _when(registration.consent_at),
            "created_at": _when(registration.created_at),
            "updated_at": _when(registration.updated_at),
            "checked_in_at": _when(registration.checked_in_at),
            "checked_in_desk": registration.checked_in_desk,
            "badge_printed_at": _when(registration.badge_printed_at),
            "sessions_attended": [
                {
                    "id": came.session.id,
                    "title": came.session.title,
                    "at": _when(came.at),
                    "desk": came.desk,
                    "not_enrolled": came.overridden,
                }
                for came in attendance.of_registration(registration.id)
            ],
            "role": registration.role,
            "poster_votes": retention.votes_of(registration.id),
            "history": [
                {
                    "action": entry.action,
                    "at": _when(entry.created_at),
                    "by_organiser": entry.user_id is not None,
                    "changes": entry.changes,
                }
                for entry in history
            ],
            "scans": [
                {
                    "at": _when(scan.created_at),
                    "desk": scan.desk,
                    "code": scan.code,
                    "result": scan.result,
                    "answer": json.loads(scan.answer),
                }
                for scan in scans
            ],
            "mails": [
                {
                    "kind": outbox_mail.kind,
                    "recipient": outbox_mail.recipient,
                    "language": outbox_mail.language,
                    "subject": outbox_mail.subject,
                    "body": _mail_body(outbox_mail),
                    "created_at": _when(outbox_mail.created_at),
                    "sent_at": _when(outbox_mail.sent_at),
                    "state": _mail_state(outbox_mail),
                    "error": outbox_mail.last_error or None,
                }
                for outbox_mail in mails
            ],
        },
        ensure_ascii=False,
        indent=2,
    )


def _when(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _mail_body(outbox_mail: OutboxMail) -> str | None:
    """A mail's text; not that of a new address's confirmation, whose link proves that the
    mailbox is the attendee's: readable here, it would prove nothing (its kind, recipient and
    dates stay listed)."""
    if outbox_mail.kind == MailKind.CONFIRM_ADDRESS:
        return None
    return outbox_mail.body


def _mail_state(outbox_mail: OutboxMail) -> str:
    if outbox_mail.sent_at is not None:
        return "sent"
    return "failed" if outbox_mail.last_error else "waiting"


def retention_ends(edition: Edition) -> dt.date:
    """The day by which the edition's personal data is to be anonymised."""
    days = int(current_app.config["PERSONAL_DATA_RETENTION_DAYS"])
    return edition.end_date + dt.timedelta(days=days)


def anonymise(edition_id: int, now: dt.datetime | None = None, force: bool = False) -> int:
    """Remove the personal data of an edition's attendees; the number of registrations.

    Refused (NotYet) before the edition's last day has ended, unless `force`.
    Running it again changes nothing more.
    """
    now = now or utcnow()
    with write_transaction(edition_id):
        edition = db.session.get_one(Edition, edition_id)
        if now < edition.ends_at and not force:
            raise NotYet(edition.slug)
        ids = select(Registration.id).where(Registration.edition_id == edition_id)
        _forget_traces(ids)
        registrations = db.session.scalars(
            select(Registration).where(Registration.edition_id == edition_id)
        ).all()
        for registration in registrations:
            registration.token = tokens.new_token()  # old links now lead nowhere
            registration.first_name = registration.last_name = ""
            registration.email = ""
            registration.email_key = f"anonymised-{registration.id}"
            registration.name_key = ""
            registration.organisation = ""
            registration.answers = {}
            registration.dietary = registration.accessibility = ""
            registration.listed = False
        retention.forget(edition_id)
        edition.anonymised_at = now
        audit.record(
            edition_id, None, "anonymise", None, {"registrations": [None, len(registrations)]}
        )
    empty_sqlite_log()
    return len(registrations)


def _forget_traces(registration_ids: object) -> None:
    """Mails, badge scans and history values about these registrations (a subquery of ids)."""
    db.session.execute(
        delete(OutboxMail)
        .where(OutboxMail.registration_id.in_(registration_ids))
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(CheckinScan)
        .where(CheckinScan.registration_id.in_(registration_ids))
        .values(code="", answer="{}")
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(AuditEntry)
        .where(AuditEntry.registration_id.in_(registration_ids))
        .values(changes={})
        .execution_options(synchronize_session=False)
    )


def backup_sqlite(database: str, target: Path) -> Path:
    """A consistent copy of a SQLite database file, taken while the app writes to it.

    sqlite3's online backup API copies page by page and restarts if a writer
    changes a page it has copied, so the copy is one moment's state, WAL
    included. Written next to `target` then renamed, so a half-made copy is
    never mistaken for a backup, and made 0600 before a byte is copied, like
    the database. `target` may be a folder: a dated name is made.
    """
    if target.is_dir():
        target = target / f"eventday-{utcnow():%Y%m%d-%H%M%S}.sqlite3"
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    keep_private(str(partial))
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    copy = sqlite3.connect(partial)
    try:
        with copy:
            source.backup(copy, pages=1024)
        problems = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if problems != "ok":
            raise sqlite3.DatabaseError(f"the copy is damaged: {problems}")
    except BaseException:
        copy.close()
        partial.unlink(missing_ok=True)  # personal data: no half-copy left lying about
        raise
    finally:
        copy.close()
        source.close()
    os.replace(partial, target)
    return target
