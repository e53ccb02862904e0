"""What the door keeps: every scan a desk made, and who attended which session."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from eventday.database import UTCDateTime, utcnow
from eventday.extensions import db

MAX_CODE = 200
MAX_DESK = 60
MAX_NONCE = 100


class ScanResult(enum.StrEnum):
    OK = "ok"
    ALREADY_CHECKED_IN = "already_checked_in"
    INVALID = "invalid"
    CANCELLED = "cancelled"
    NOT_CONFIRMED = "not_confirmed"
    NOT_ENROLLED = "not_enrolled"


class CheckinScan(db.Model):
    """One scan at a desk, whatever its result; `answer` is what the desk was told.

    `scanned_at` is the desk's own time for a scan it made while offline (sent
    later); `session_id` is the session whose door it was, None for the day's
    entrance.
    """

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
    scanned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The door's session as a note, not a link: deleting a session leaves its scans alone.
    session_id: Mapped[int | None] = mapped_column(Integer)
    # An offline desk admitted someone the server had already admitted: shown on the desks
    # and the dashboard with both times.
    admitted_twice: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        Index("ix_checkin_scans_edition_id_nonce", "edition_id", "nonce", unique=True),
        Index("ix_checkin_scans_edition_id_admitted_twice", "edition_id", "admitted_twice"),
    )


class SessionAttendance(db.Model):
    """Someone came through a session's door (a workshop's), once, at `attended_at`.

    `overridden`: an organiser let them in though they had not enrolled.
    """

    __tablename__ = "session_attendance"

    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True
    )
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    attended_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    desk: Mapped[str] = mapped_column(String(MAX_DESK), default="")
    overridden: Mapped[bool] = mapped_column(Boolean, default=False)
