"""Moving an edition to other days: every session goes along, at the same local times."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select

from eventday.database import utcnow
from eventday.extensions import db
from eventday.programme.models import Edition, ProgrammeChange, Session
from eventday.programme.rules.checks import SessionDraft
from eventday.programme.rules.sessions import _visible_changes


def same_local_time(moment: dt.datetime, zone: ZoneInfo, days: int) -> dt.datetime:
    """`moment` `days` later at the same wall-clock time in `zone`, whatever daylight-saving
    change lies between (09:00 in January is 09:00 in June, an hour less in UTC)."""
    local = moment.astimezone(zone)
    return dt.datetime.combine(local.date() + dt.timedelta(days=days), local.time(), tzinfo=zone)


def sessions_outside(edition: Edition, days: int, first: dt.date, last: dt.date) -> int:
    """How many sessions, moved by `days`, would fall outside the days `first` to `last`."""
    starts = dt.datetime.combine(first, dt.time(0), tzinfo=edition.zone)
    ends = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=edition.zone)
    sessions = db.session.scalars(select(Session).where(Session.edition_id == edition.id))
    return sum(
        1
        for s in sessions
        if not starts <= same_local_time(s.starts_at, edition.zone, days) < ends
        or same_local_time(s.ends_at, edition.zone, days) > ends
    )


def move_sessions(edition: Edition, days: int) -> int:
    """Move every session `days` later (earlier if negative), in the caller's transaction.

    All move together, so none can come to clash with another: each keeps its room, its
    speakers and its neighbours. Each scheduled one's SEQUENCE is raised and the move is a
    programme change, so calendars and attendees follow. The caller raises the programme's
    version and has checked the new days hold them (`sessions_outside`).
    """
    moved = 0
    for session in db.session.scalars(select(Session).where(Session.edition_id == edition.id)):
        starts = same_local_time(session.starts_at, edition.zone, days)
        ends = same_local_time(session.ends_at, edition.zone, days)
        if not session.is_cancelled:
            draft = SessionDraft(
                title=session.title,
                kind=session.kind,
                starts_at=starts,
                ends_at=ends,
                room_id=session.room_id,
            )
            changes = _visible_changes(edition, session, draft, session.title)
            db.session.add(
                ProgrammeChange(edition_id=edition.id, session_id=session.id, changes=changes)
            )
            session.sequence += 1
            moved += 1
        session.starts_at, session.ends_at = starts, ends
        session.updated_at = utcnow()
    return moved
