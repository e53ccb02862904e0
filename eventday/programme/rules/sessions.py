"""Saving, cancelling and deleting sessions, once the checks pass, with what each change records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from eventday.database import utcnow, write_transaction
from eventday.extensions import db
from eventday.programme.models import (
    Edition,
    ProgrammeChange,
    Room,
    Session,
    SessionStatus,
    Track,
)
from eventday.programme.rules.checks import (
    ScheduleError,
    SessionDraft,
    check_session,
    clock,
    refuse_if_used,
    speakers_of,
)
from eventday.programme.rules.traces import record, record_change, shortened, touch_programme


def _session_in(edition_id: int, session_id: int) -> Session:
    session = db.session.get(Session, session_id)
    if session is None or session.edition_id != edition_id:
        raise LookupError(f"no session {session_id} in edition {edition_id}")
    return session


def save_session(
    edition_id: int,
    draft: SessionDraft,
    session_id: int | None = None,
    *,
    actor: int | None = None,
) -> Session:
    """Create (no `session_id`) or change a session; raises ScheduleError, LookupError."""
    with write_transaction(edition_id):
        edition = db.session.get(Edition, edition_id)
        if edition is None:
            raise LookupError(f"no edition {edition_id}")
        session = _session_in(edition_id, session_id) if session_id is not None else None
        violations = check_session(edition, draft, session)
        if violations:
            raise ScheduleError(violations)

        title = draft.title.strip()
        before: dict[str, Any] = {}
        if session is None:
            session = Session(edition_id=edition_id, sequence=0)
            db.session.add(session)
        else:
            before = _facts(edition, session)
            changes = _visible_changes(edition, session, draft, title)
            if changes:
                session.sequence += 1
                db.session.add(
                    ProgrammeChange(edition_id=edition_id, session_id=session.id, changes=changes)
                )
        session.title = title
        session.kind = draft.kind
        session.abstract = draft.abstract.strip()
        session.title_en = draft.title_en.strip()
        session.abstract_en = draft.abstract_en.strip()
        session.starts_at = draft.starts_at
        session.ends_at = draft.ends_at
        session.room_id = draft.room_id
        session.track_id = draft.track_id
        session.capacity = draft.capacity
        session.speakers = speakers_of(edition, draft.speaker_ids)
        session.updated_at = utcnow()
        touch_programme(edition_id)
        db.session.flush()
        action = "session_edit" if before else "session_create"
        record_change(edition_id, actor, action, before, _facts(edition, session), "title")
    return session


def _facts(edition: Edition, session: Session) -> dict[str, Any]:
    """A session as the history writes it: its title, kind, time (edition-local ISO 8601, the
    reader's language shows it), room, track, speakers, seats and abstract."""
    room = db.session.get(Room, session.room_id) if session.room_id is not None else None
    track = db.session.get(Track, session.track_id) if session.track_id is not None else None
    return {
        "title": session.title,
        "kind": session.kind,
        "time": [
            edition.local(session.starts_at).isoformat(),
            edition.local(session.ends_at).isoformat(),
        ],
        "room": room.name if room else None,
        "track": track.name if track else None,
        "speakers": ", ".join(s.name for s in session.speakers) or None,
        "seats": session.capacity,
        "abstract": shortened(session.abstract) or None,
    }


def _visible_changes(
    edition: Edition, session: Session, draft: SessionDraft, title: str
) -> dict[str, list[str | None]]:
    """What calendars and attendees must learn: time, room or title, before → after."""

    def when(start: dt.datetime, end: dt.datetime) -> str:
        local = edition.local(start)
        return f"{local.date().isoformat()} {clock(edition, start)}–{clock(edition, end)}"

    def room_name(room_id: int | None) -> str | None:
        room = db.session.get(Room, room_id) if room_id is not None else None
        return room.name if room else None

    changes: dict[str, list[str | None]] = {}
    if (session.starts_at, session.ends_at) != (draft.starts_at, draft.ends_at):
        changes["time"] = [
            when(session.starts_at, session.ends_at),
            when(draft.starts_at, draft.ends_at),
        ]
    if session.room_id != draft.room_id:
        changes["room"] = [room_name(session.room_id), room_name(draft.room_id)]
    if session.title != title:
        changes["title"] = [session.title, title]
    return changes


def cancel_session(edition_id: int, session_id: int, *, actor: int | None = None) -> Session:
    """Cancel a session: it stays listed (struck through, STATUS:CANCELLED) and frees its room."""
    with write_transaction(edition_id):
        session = _session_in(edition_id, session_id)
        if not session.is_cancelled:
            db.session.add(
                ProgrammeChange(
                    edition_id=edition_id,
                    session_id=session.id,
                    changes={
                        "status": [SessionStatus.SCHEDULED.value, SessionStatus.CANCELLED.value]
                    },
                )
            )
            session.status = SessionStatus.CANCELLED
            session.sequence += 1
            session.updated_at = utcnow()
            touch_programme(edition_id)
            record(edition_id, actor, "session_cancel", {"title": [session.title] * 2})
    return session


def delete_session(edition_id: int, session_id: int, *, actor: int | None = None) -> None:
    """Delete a session nobody registered for; one with registered attendees must be cancelled."""
    from eventday.registration.models import (
        Registration,
        RegistrationStatus,
        registration_workshops,
    )

    with write_transaction(edition_id):
        session = _session_in(edition_id, session_id)
        held = db.session.scalar(
            select(func.count())
            .select_from(registration_workshops)
            .join(Registration, Registration.id == registration_workshops.c.registration_id)
            .where(
                registration_workshops.c.session_id == session_id,
                Registration.status != RegistrationStatus.CANCELLED,
            )
        )
        refuse_if_used(
            held,
            _(
                "%(n)d registered attendees chose this workshop: cancel it instead, so they "
                "and their calendars are told.",
                n=held,
            ),
        )
        record_change(edition_id, actor, "session_delete", {"title": session.title}, {}, "title")
        db.session.delete(session)
        touch_programme(edition_id)
