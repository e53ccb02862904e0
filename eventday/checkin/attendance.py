"""Who attended which session: on a registration's page, per session, in the exports."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict

from sqlalchemy import func, select

from eventday.checkin.models import SessionAttendance
from eventday.extensions import db
from eventday.programme.models import Session, SessionKind, SessionStatus
from eventday.registration.models import Registration, RegistrationStatus, registration_workshops


@dataclasses.dataclass(frozen=True)
class Attended:
    session: Session
    at: dt.datetime
    desk: str
    overridden: bool


def of_registration(registration_id: int) -> list[Attended]:
    """The sessions a registration's holder came to, in the day's order."""
    rows = db.session.execute(
        select(Session, SessionAttendance)
        .join(SessionAttendance, SessionAttendance.session_id == Session.id)
        .where(SessionAttendance.registration_id == registration_id)
        .order_by(Session.starts_at)
    )
    return [Attended(s, a.attended_at, a.desk, a.overridden) for s, a in rows]


def titles_by_registration(edition_id: int) -> dict[int, list[str]]:
    """Each registration's attended sessions' titles, for the exports (one query)."""
    titles: dict[int, list[str]] = defaultdict(list)
    for registration_id, title in db.session.execute(
        select(SessionAttendance.registration_id, Session.title)
        .join(Session, Session.id == SessionAttendance.session_id)
        .where(Session.edition_id == edition_id)
        .order_by(Session.starts_at)
    ):
        titles[registration_id].append(title)
    return titles


@dataclasses.dataclass(frozen=True)
class SessionFill:
    session: Session
    enrolled: int | None  # None: a session nobody enrols in
    attended: int
    overridden: int

    @property
    def seats(self) -> int | None:
        return self.session.seats


def per_session(edition_id: int) -> list[SessionFill]:
    """Every session someone came to, or that takes enrolments: enrolled, came, seats."""
    came = {
        session_id: (count, overridden)
        for session_id, count, overridden in db.session.execute(
            select(
                SessionAttendance.session_id,
                func.count(),
                func.count().filter(SessionAttendance.overridden.is_(True)),
            )
            .join(Session, Session.id == SessionAttendance.session_id)
            .where(Session.edition_id == edition_id)
            .group_by(SessionAttendance.session_id)
        )
    }
    enrolled = dict(
        db.session.execute(
            select(registration_workshops.c.session_id, func.count())
            .join(Registration, Registration.id == registration_workshops.c.registration_id)
            .where(
                Registration.edition_id == edition_id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
            .group_by(registration_workshops.c.session_id)
        ).all()
    )
    sessions = db.session.scalars(
        select(Session)
        .where(Session.edition_id == edition_id, Session.status == SessionStatus.SCHEDULED)
        .order_by(Session.starts_at, Session.title)
    )
    return [
        SessionFill(
            s,
            enrolled.get(s.id, 0) if s.kind == SessionKind.WORKSHOP else None,
            came.get(s.id, (0, 0))[0],
            came.get(s.id, (0, 0))[1],
        )
        for s in sessions
        if s.kind == SessionKind.WORKSHOP or s.id in came
    ]


def attendees(session_id: int) -> list[tuple[Registration, SessionAttendance]]:
    """Who came to one session, by name, with when and where they were scanned."""
    rows = db.session.execute(
        select(Registration, SessionAttendance)
        .join(SessionAttendance, SessionAttendance.registration_id == Registration.id)
        .where(SessionAttendance.session_id == session_id)
        .order_by(Registration.name_key)
    )
    return [(registration, came) for registration, came in rows]
