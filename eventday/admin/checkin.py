"""The check-in desk: one scan of a badge's code, and the log of every scan.

How it holds with several desks: each scan runs inside `write_transaction`
(the edition's write lock), reads the registration's check-in time after
taking the lock and sets it only if empty, so two desks scanning the same
badge at the same moment get exactly one `ok`; the other gets
`already_checked_in` with the first time and desk. A desk that retries after
a network hiccup sends the same nonce and gets the first answer again, kept in
the scan log, instead of a false `already_checked_in`. Every scan is logged,
failed ones too.
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
from sqlalchemy import ForeignKey, Index, String, Text, func, or_, select
from sqlalchemy.orm import Mapped, joinedload, mapped_column, selectinload

from eventday.admin import audit
from eventday.database import UTCDateTime, utcnow, write_transaction
from eventday.extensions import db
from eventday.i18n import fold
from eventday.registration.labels import stakeholder_label
from eventday.registration.models import Registration, RegistrationStatus
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


def _attendee(registration: Registration, workshops: list[str]) -> dict[str, Any]:
    return {
        "reference": registration.reference,
        "first_name": registration.first_name,
        "last_name": registration.last_name,
        "organisation": registration.organisation,
        "stakeholder_type": registration.stakeholder_type,
        "stakeholder_label": stakeholder_label(registration.stakeholder_type),
        "status": registration.status,
        "workshops": workshops,
        "badge_url": url_for("registrations_admin.badge", registration_id=registration.id)
        if registration.is_confirmed
        else None,
    }


def _answer(
    result: ScanResult,
    message: str,
    registration: Registration | None = None,
    checked_in_at: dt.datetime | None = None,
    workshops: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "result": result.value,
        "attendee": _attendee(registration, workshops or []) if registration is not None else None,
        "checked_in_at": checked_in_at.isoformat() if checked_in_at else None,
        "message": message,
    }


def scan(edition_id: int, request: Scan, user_id: int | None) -> dict[str, Any]:
    """Check in the holder of `request.code`; the answer of CONTRACT.md's scan endpoint."""
    code = without_controls(request.code).strip()[:MAX_CODE]
    desk = without_controls(request.desk).strip()[:MAX_DESK]
    nonce = without_controls(request.nonce or "").strip()[:MAX_NONCE] or None
    # Before the lock, what does not change at the door: who the code names, their workshops.
    registration_id, workshops, zone = None, [], None
    reference = read_checkin_code(code, edition_id)
    if reference is not None:
        found = db.session.scalars(
            select(Registration)
            .where(Registration.edition_id == edition_id, Registration.reference == reference)
            .options(selectinload(Registration.workshops), joinedload(Registration.edition))
        ).first()
        if found is not None:
            registration_id, zone = found.id, found.edition.zone
            workshops = [w.title for w in found.workshops]
    with write_transaction(edition_id):
        if nonce is not None:
            earlier = db.session.scalars(
                select(CheckinScan).where(
                    CheckinScan.edition_id == edition_id, CheckinScan.nonce == nonce
                )
            ).first()
            if earlier is not None:
                return json.loads(earlier.answer)
        # Under the lock, the registration as it is now (status, first check-in).
        registration = db.session.get(Registration, registration_id) if registration_id else None
        answer = _decide(registration, desk, workshops, zone)
        if answer["result"] == ScanResult.OK:
            audit.record(
                edition_id,
                user_id,
                "checkin",
                registration.id,
                {"checked_in_at": [None, answer["checked_in_at"]], "desk": [None, desk]},
            )
        db.session.add(
            CheckinScan(
                edition_id=edition_id,
                registration_id=registration.id if registration else None,
                user_id=user_id,
                code=code,
                desk=desk,
                nonce=nonce,
                result=answer["result"],
                answer=json.dumps(answer, ensure_ascii=False),
            )
        )
    return answer


def _decide(
    registration: Registration | None, desk: str, workshops: list[str], zone: ZoneInfo | None
) -> dict[str, Any]:
    if registration is None:
        return _answer(ScanResult.INVALID, _("Unknown or altered code: not a badge of this day."))
    if registration.status == RegistrationStatus.CANCELLED:
        return _answer(
            ScanResult.CANCELLED,
            _("This registration was cancelled."),
            registration,
            None,
            workshops,
        )
    if registration.status != RegistrationStatus.CONFIRMED:
        return _answer(
            ScanResult.NOT_CONFIRMED,
            _("This registration is not confirmed (waiting list or approval)."),
            registration,
            None,
            workshops,
        )
    if registration.checked_in_at is not None:
        where = registration.checked_in_desk
        return _answer(
            ScanResult.ALREADY_CHECKED_IN,
            _(
                "Already checked in at %(time)s, desk %(desk)s.",
                time=registration.checked_in_at.astimezone(zone).strftime("%H:%M"),
                desk=where or "—",
            ),
            registration,
            registration.checked_in_at,
            workshops,
        )
    registration.checked_in_at = utcnow()
    registration.checked_in_desk = desk
    return _answer(
        ScanResult.OK, _("Welcome!"), registration, registration.checked_in_at, workshops
    )


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
    """(checked in, confirmed) for the desk's header."""
    confirmed = db.session.scalar(
        select(func.count()).where(
            Registration.edition_id == edition_id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )
    arrived = db.session.scalar(
        select(func.count()).where(
            Registration.edition_id == edition_id, Registration.checked_in_at.is_not(None)
        )
    )
    return arrived or 0, confirmed or 0
