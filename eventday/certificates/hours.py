"""How long a certificate says its holder attended.

Where the desk recorded attendance at sessions' doors, the sessions scanned
count; otherwise the day's programme from the arrival on. Either way the time
counted is the union of the sessions' times (parallel sessions count once),
breaks and meals left out: what continuing education counts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select

from eventday.checkin.models import SessionAttendance
from eventday.extensions import db
from eventday.programme.models import Session, SessionKind, SessionStatus

NOT_COUNTED = (SessionKind.BREAK, SessionKind.MEAL)


@dataclasses.dataclass(frozen=True)
class Attendance:
    minutes: int
    counted_from: str  # "sessions" or "day"


def union_minutes(intervals: Iterable[tuple[dt.datetime, dt.datetime]]) -> int:
    """Minutes covered by the intervals, overlaps counted once."""
    total, covered_until = dt.timedelta(), None
    for start, stop in sorted(intervals):
        if covered_until is not None:
            start = max(start, covered_until)
        if stop > start:
            total += stop - start
            covered_until = stop
    return total // dt.timedelta(minutes=1)


class Programme:
    """An edition's countable sessions and its attendance at doors, read once for many."""

    def __init__(self, edition_id: int) -> None:
        self.sessions = {
            s.id: (s.starts_at, s.ends_at)
            for s in db.session.execute(
                select(Session.id, Session.starts_at, Session.ends_at).where(
                    Session.edition_id == edition_id,
                    Session.status == SessionStatus.SCHEDULED,
                    Session.kind.not_in(NOT_COUNTED),
                )
            )
        }
        self.scanned: dict[int, list[int]] = {}
        for registration_id, session_id in db.session.execute(
            select(SessionAttendance.registration_id, SessionAttendance.session_id)
            .join(Session, Session.id == SessionAttendance.session_id)
            .where(Session.edition_id == edition_id)
        ):
            self.scanned.setdefault(registration_id, []).append(session_id)

    def attendance(self, registration_id: int, arrived_at: dt.datetime) -> Attendance:
        scanned = [
            self.sessions[i] for i in self.scanned.get(registration_id, ()) if i in self.sessions
        ]
        if scanned:
            return Attendance(union_minutes(scanned), "sessions")
        from_arrival = [
            (max(start, arrived_at), end)
            for start, end in self.sessions.values()
            if end > arrived_at
        ]
        return Attendance(union_minutes(from_arrival), "day")
