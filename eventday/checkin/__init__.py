"""The check-in desk: one scan of a badge's code, and the log of every scan.

How it holds with several desks: each scan runs inside `write_transaction`
(the edition's write lock), reads the registration's check-in time after
taking the lock and sets it only if empty, so two desks scanning the same
badge at the same moment get exactly one `ok`; the other gets
`already_checked_in` with the first time and desk. A desk that retries after
a network hiccup sends the same nonce and gets the first answer again, kept in
the scan log, instead of a false `already_checked_in`. Every scan is logged,
failed ones too; one that matched no registration without the code: what was
typed (an altered reference, a name) would stay, tied to nobody who could have
it erased. Its answer names nobody, and is all a retry needs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
from typing import Any
from zoneinfo import ZoneInfo

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import ForeignKey, Index, Row, String, Text, bindparam, func, or_, select
from sqlalchemy.orm import Mapped, mapped_column

from eventday import audit
from eventday.database import UTCDateTime, utcnow, write_transaction
from eventday.extensions import db
from eventday.i18n import fold
from eventday.programme.models import Edition, Session
from eventday.registration.labels import stakeholder_label
from eventday.registration.models import Registration, RegistrationStatus, registration_workshops
from eventday.registration.tokens import checkin_code, read_checkin_code
from eventday.validation import like_pattern, without_controls

MAX_CODE = 200
MAX_DESK = 60
MAX_NONCE = 100


class ScanResult(enum.StrEnum):
    OK = "ok"
    ALREADY_CHECKED_IN = "already_checked_in"
    INVALID = "invalid"
    CANCELLED = "cancelled"
    NOT_CONFIRMED = "not_confirmed"


class CheckinScan(db.Model):
    """One scan at a desk, whatever its result; `answer` is what the desk was told."""

    __tablename__ = "checkin_scans"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"))
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL")
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    code: Mapped[str] = mapped_column(String(MAX_CODE))
    desk: Mapped[str] = mapped_column(String(MAX_DESK), default="")
    nonce: Mapped[str | None] = mapped_column(String(MAX_NONCE))
    result: Mapped[str] = mapped_column(String(30))
    answer: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_checkin_scans_edition_id_nonce", "edition_id", "nonce", unique=True),
    )


@dataclasses.dataclass(frozen=True)
class Scan:
    code: str
    desk: str = ""
    nonce: str | None = None


# Who a code names, as the desk shows them; read before the lock (it does not change at the door).
_PERSON = (
    Registration.id,
    Registration.reference,
    Registration.first_name,
    Registration.last_name,
    Registration.organisation,
    Registration.stakeholder_type,
)


@dataclasses.dataclass(frozen=True)
class _Holder:
    """The badge's holder: who they are (read before the lock) and their state (under it)."""

    person: Row[Any]
    workshops: list[str]
    status: str
    checked_in_at: dt.datetime | None
    checked_in_desk: str


def _attendee(holder: _Holder) -> dict[str, Any]:
    person = holder.person
    confirmed = holder.status == RegistrationStatus.CONFIRMED
    return {
        "reference": person.reference,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "organisation": person.organisation,
        "stakeholder_type": person.stakeholder_type,
        "stakeholder_label": stakeholder_label(person.stakeholder_type),
        "status": holder.status,
        "workshops": holder.workshops,
        "badge_url": url_for("registrations_admin.badge", registration_id=person.id)
        if confirmed
        else None,
        # Where the desk's "undo" button posts, should this check-in be a mistake.
        "undo_url": url_for("admin.undo_checkin", registration_id=person.id) if confirmed else None,
    }


def _answer(
    result: ScanResult,
    message: str,
    holder: _Holder | None = None,
    checked_in_at: dt.datetime | None = None,
) -> dict[str, Any]:
    return {
        "result": result.value,
        "attendee": _attendee(holder) if holder is not None else None,
        "checked_in_at": checked_in_at.isoformat() if checked_in_at else None,
        "message": message,
    }


def scan(edition_id: int, request: Scan, user_id: int | None) -> dict[str, Any]:
    """Check in the holder of `request.code`; the answer of CONTRACT.md's scan endpoint.

    The desks wait on each other only for the few statements under the lock.
    Every statement is built once (below), on the columns it needs: at the
    door, a scan's cost is mostly what it asks the database.
    """
    code = without_controls(request.code).strip()[:MAX_CODE]
    desk = without_controls(request.desk).strip()[:MAX_DESK]
    nonce = without_controls(request.nonce or "").strip()[:MAX_NONCE] or None
    person, workshops, zone = None, [], None
    reference = read_checkin_code(code, edition_id)
    if reference is not None:
        person = db.session.execute(
            _FIND_PERSON, {"edition_id": edition_id, "reference": reference}
        ).first()
        if person is not None:
            workshops = list(db.session.scalars(_WORKSHOP_TITLES, {"registration_id": person.id}))
            zone = db.session.get_one(Edition, edition_id).zone
    with write_transaction(edition_id):
        if nonce is not None:
            earlier = db.session.scalar(_EARLIER_ANSWER, {"edition_id": edition_id, "nonce": nonce})
            if earlier is not None:
                return json.loads(earlier)
        holder = None
        if person is not None:
            # None: erased by its attendee since it was looked up; then the code is invalid.
            state = db.session.execute(_STATE, {"registration_id": person.id}).first()
            holder = _Holder(person, workshops, *state) if state is not None else None
            person = person if state is not None else None
        now = utcnow()
        answer = _decide(holder, zone, now)
        if answer["result"] == ScanResult.OK:
            db.session.execute(_CHECK_IN, {"registration_id": person.id, "at": now, "desk": desk})
            audit.record(
                edition_id,
                user_id,
                "checkin",
                person.id,
                {"checked_in_at": [None, answer["checked_in_at"]], "desk": [None, desk]},
            )
        db.session.execute(
            _LOG_SCAN,
            {
                "edition_id": edition_id,
                "registration_id": person.id if person is not None else None,
                "user_id": user_id,
                "code": code if person is not None else "",
                "desk": desk,
                "nonce": nonce,
                "result": answer["result"],
                "answer": json.dumps(answer, ensure_ascii=False),
                "created_at": now,
            },
        )
    return answer


_registrations = Registration.__table__
_scans = CheckinScan.__table__
_sessions = Session.__table__
_FIND_PERSON = select(*(_registrations.c[c.key] for c in _PERSON)).where(
    _registrations.c.edition_id == bindparam("edition_id"),
    _registrations.c.reference == bindparam("reference"),
)
_WORKSHOP_TITLES = (
    select(_sessions.c.title)
    .join(registration_workshops, registration_workshops.c.session_id == _sessions.c.id)
    .where(registration_workshops.c.registration_id == bindparam("registration_id"))
    .order_by(_sessions.c.starts_at)
)
_EARLIER_ANSWER = select(_scans.c.answer).where(
    _scans.c.edition_id == bindparam("edition_id"), _scans.c.nonce == bindparam("nonce")
)
_STATE = select(
    _registrations.c.status, _registrations.c.checked_in_at, _registrations.c.checked_in_desk
).where(_registrations.c.id == bindparam("registration_id"))
_CHECK_IN = (
    _registrations.update()
    .where(_registrations.c.id == bindparam("registration_id"))
    .values(checked_in_at=bindparam("at"), checked_in_desk=bindparam("desk"))
)
_LOG_SCAN = _scans.insert()


def _decide(holder: _Holder | None, zone: ZoneInfo | None, now: dt.datetime) -> dict[str, Any]:
    if holder is None:
        return _answer(ScanResult.INVALID, _("Unknown or altered code: not a badge of this day."))
    if holder.status == RegistrationStatus.CANCELLED:
        return _answer(ScanResult.CANCELLED, _("This registration was cancelled."), holder)
    if holder.status != RegistrationStatus.CONFIRMED:
        return _answer(
            ScanResult.NOT_CONFIRMED,
            _("This registration is not confirmed (waiting list or approval)."),
            holder,
        )
    if holder.checked_in_at is not None:
        return _answer(
            ScanResult.ALREADY_CHECKED_IN,
            _(
                "Already checked in at %(time)s, desk %(desk)s.",
                time=holder.checked_in_at.astimezone(zone).strftime("%H:%M"),
                desk=holder.checked_in_desk or "—",
            ),
            holder,
            holder.checked_in_at,
        )
    return _answer(ScanResult.OK, _("Welcome!"), holder, now)


def search(edition_id: int, text: str, limit: int = 20) -> list[Registration]:
    """Registrations whose name, organisation or reference contains `text` (forgotten badge)."""
    words = [w for w in without_controls(text).strip().lower().split() if w][:4]
    if not words:
        return []
    query = select(Registration).where(Registration.edition_id == edition_id)
    for word in words:
        pattern = like_pattern(word)
        query = query.where(
            or_(
                # name_key is folded: "lefevre" finds Lefèvre, "EMILIE" finds Émilie.
                Registration.name_key.like(like_pattern(fold(word)), escape="\\"),
                func.lower(Registration.organisation).like(pattern, escape="\\"),
                func.lower(Registration.reference).like(pattern, escape="\\"),
            )
        )
    return list(db.session.scalars(query.order_by(Registration.name_key).limit(limit)))


def undo(edition_id: int, registration_id: int, actor: int | None = None) -> None:
    """Take back a check-in made by mistake."""
    with write_transaction(edition_id):
        registration = db.session.get(Registration, registration_id)
        if registration is None or registration.edition_id != edition_id:
            raise LookupError(registration_id)
        if registration.checked_in_at is not None:
            audit.record(
                edition_id,
                actor,
                "undo_checkin",
                registration.id,
                {"checked_in_at": [registration.checked_in_at.isoformat(), None]},
            )
        registration.checked_in_at = None
        registration.checked_in_desk = ""


def code_of(edition_id: int, registration_id: int) -> str | None:
    """The check-in code of a registration found by name (a forgotten badge)."""
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.edition_id != edition_id:
        return None
    return checkin_code(edition_id, registration.reference)


def counts(edition_id: int) -> tuple[int, int]:
    """(checked in, confirmed) for the desk's header, in one query."""
    arrived, confirmed = db.session.execute(
        select(
            func.count().filter(Registration.checked_in_at.is_not(None)),
            func.count().filter(Registration.status == RegistrationStatus.CONFIRMED),
        ).where(Registration.edition_id == edition_id)
    ).one()
    return arrived or 0, confirmed or 0
