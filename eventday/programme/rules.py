"""The scheduling rules: the only way sessions, rooms, tracks and speakers are written.

A session is saved only when its end is after its start, it lies within the
edition's days (in the edition's time zone), its room is free, none of its
speakers is elsewhere at the same time, and a workshop's seats fit its room.
Touching intervals (10:00-10:30 then 10:30-11:00) do not clash. Cancelled
sessions occupy nothing. Every check and write runs inside one
`write_transaction`, so two organisers saving at once cannot both take the
same room: the second sees the first's session and is told so.

Every change raises the edition's `programme_version` in the same transaction,
which tells the caches of the public programme to rebuild. A change of time,
room or title (or a cancellation) raises the session's SEQUENCE, which tells
calendar programs to update the event they already hold.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from eventday.database import utcnow, write_transaction
from eventday.domain import DomainError, Violation
from eventday.extensions import db
from eventday.programme.models import (
    Edition,
    ProgrammeChange,
    Room,
    Session,
    SessionKind,
    SessionStatus,
    Speaker,
    Track,
    session_speakers,
)

TITLE_MAX = 300
NAME_MAX = 120
COLOUR_PATTERN = re.compile(r"#[0-9a-fA-F]{6}")


@dataclasses.dataclass(frozen=True)
class SessionDraft:
    """What an organiser (or the demo loader) wants a session to be."""

    title: str
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    room_id: int | None = None
    track_id: int | None = None
    speaker_ids: tuple[int, ...] = ()
    capacity: int | None = None
    abstract: str = ""


class ScheduleError(DomainError):
    """The programme's rules refuse the change."""


def _clock(edition: Edition, moment: dt.datetime) -> str:
    return edition.local(moment).strftime("%H:%M")


def _describe(edition: Edition, other: Session) -> str:
    return _(
        "“%(title)s” (%(start)s–%(end)s)",
        title=other.title,
        start=_clock(edition, other.starts_at),
        end=_clock(edition, other.ends_at),
    )


def _overlapping(edition: Edition, draft: SessionDraft, session_id: int | None):
    """The query for scheduled sessions of the edition that overlap the draft's time."""
    query = select(Session).where(
        Session.edition_id == edition.id,
        Session.status == SessionStatus.SCHEDULED,
        Session.starts_at < draft.ends_at,
        Session.ends_at > draft.starts_at,
    )
    if session_id is not None:
        query = query.where(Session.id != session_id)
    return query.order_by(Session.starts_at, Session.id)


def check_session(
    edition: Edition, draft: SessionDraft, session: Session | None = None
) -> list[Violation]:
    """Every rule the draft breaks, in the order of the form's fields."""
    violations: list[Violation] = []
    title = draft.title.strip()
    if not title:
        violations.append(Violation("title", _("A session needs a title.")))
    elif len(title) > TITLE_MAX:
        violations.append(
            Violation("title", _("The title is too long (at most %(n)d characters).", n=TITLE_MAX))
        )
    if draft.kind not in set(SessionKind):
        violations.append(Violation("kind", _("Unknown kind of session.")))

    for moment, field in ((draft.starts_at, "starts_at"), (draft.ends_at, "ends_at")):
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"{field} must be an aware datetime")
    if draft.ends_at <= draft.starts_at:
        violations.append(Violation("ends_at", _("The session must end after it starts.")))
    outside = (
        "starts_at"
        if not edition.starts_at <= draft.starts_at < edition.ends_at
        else "ends_at"
        if draft.ends_at > edition.ends_at
        else None
    )
    if outside:
        violations.append(
            Violation(
                outside,
                _(
                    "The session must take place during the edition (%(first)s to %(last)s).",
                    first=edition.start_date.isoformat(),
                    last=edition.end_date.isoformat(),
                ),
            )
        )

    room = db.session.get(Room, draft.room_id) if draft.room_id is not None else None
    if draft.room_id is not None and (room is None or room.edition_id != edition.id):
        violations.append(Violation("room_id", _("This room is not part of the edition.")))
        room = None
    if draft.track_id is not None:
        track = db.session.get(Track, draft.track_id)
        if track is None or track.edition_id != edition.id:
            violations.append(Violation("track_id", _("This track is not part of the edition.")))
    speakers = _speakers(edition, draft.speaker_ids)
    if len(speakers) != len(set(draft.speaker_ids)):
        violations.append(
            Violation("speaker_ids", _("A chosen speaker is not part of the edition."))
        )

    if draft.capacity is not None:
        if draft.capacity < 0:
            violations.append(Violation("capacity", _("Seats cannot be negative.")))
        elif room is not None and room.capacity is not None and draft.capacity > room.capacity:
            violations.append(
                Violation(
                    "capacity",
                    _(
                        "%(seats)d seats do not fit in %(room)s, which holds %(capacity)d.",
                        seats=draft.capacity,
                        room=room.name,
                        capacity=room.capacity,
                    ),
                )
            )

    occupies = session is None or not session.is_cancelled
    if occupies and draft.ends_at > draft.starts_at:
        violations.extend(_clashes(edition, draft, session, room, speakers))
    return violations


def _speakers(edition: Edition, speaker_ids: Sequence[int]) -> list[Speaker]:
    if not speaker_ids:
        return []
    return list(
        db.session.scalars(
            select(Speaker).where(
                Speaker.id.in_(set(speaker_ids)), Speaker.edition_id == edition.id
            )
        )
    )


def _clashes(
    edition: Edition,
    draft: SessionDraft,
    session: Session | None,
    room: Room | None,
    speakers: list[Speaker],
) -> list[Violation]:
    session_id = session.id if session else None
    violations = []
    if room is not None:
        other = db.session.scalars(
            _overlapping(edition, draft, session_id).where(Session.room_id == room.id)
        ).first()
        if other is not None:
            violations.append(
                Violation(
                    "room_id",
                    _(
                        "%(room)s is already taken at that time by %(other)s.",
                        room=room.name,
                        other=_describe(edition, other),
                    ),
                )
            )
    for speaker in speakers:
        other = db.session.scalars(
            _overlapping(edition, draft, session_id)
            .join(session_speakers, session_speakers.c.session_id == Session.id)
            .where(session_speakers.c.speaker_id == speaker.id)
        ).first()
        if other is not None:
            violations.append(
                Violation(
                    "speaker_ids",
                    _(
                        "%(speaker)s already speaks at that time in %(other)s.",
                        speaker=speaker.name,
                        other=_describe(edition, other),
                    ),
                )
            )
    return violations


def touch_programme(edition_id: int) -> None:
    """Raise the programme's version (in the caller's transaction): caches and calendars refresh."""
    db.session.execute(
        update(Edition)
        .where(Edition.id == edition_id)
        .values(programme_version=Edition.programme_version + 1)
    )


def save_session(edition_id: int, draft: SessionDraft, session_id: int | None = None) -> Session:
    """Create (no `session_id`) or change a session; raises ScheduleError, LookupError."""
    with write_transaction(edition_id):
        edition = db.session.get(Edition, edition_id)
        if edition is None:
            raise LookupError(f"no edition {edition_id}")
        session = None
        if session_id is not None:
            session = db.session.get(Session, session_id)
            if session is None or session.edition_id != edition_id:
                raise LookupError(f"no session {session_id} in edition {edition_id}")
        violations = check_session(edition, draft, session)
        if violations:
            raise ScheduleError(violations)

        title = draft.title.strip()
        if session is None:
            session = Session(edition_id=edition_id, sequence=0)
            db.session.add(session)
        else:
            changes = _visible_changes(edition, session, draft, title)
            if changes:
                session.sequence += 1
                db.session.add(
                    ProgrammeChange(edition_id=edition_id, session_id=session.id, changes=changes)
                )
        session.title = title
        session.kind = draft.kind
        session.abstract = draft.abstract.strip()
        session.starts_at = draft.starts_at
        session.ends_at = draft.ends_at
        session.room_id = draft.room_id
        session.track_id = draft.track_id
        session.capacity = draft.capacity
        session.speakers = _speakers(edition, draft.speaker_ids)
        session.updated_at = utcnow()
        touch_programme(edition_id)
        db.session.flush()
    return session


def _visible_changes(
    edition: Edition, session: Session, draft: SessionDraft, title: str
) -> dict[str, list[str | None]]:
    """What calendars and attendees must learn: time, room or title, before → after."""

    def when(start: dt.datetime, end: dt.datetime) -> str:
        local = edition.local(start)
        return f"{local.date().isoformat()} {_clock(edition, start)}–{_clock(edition, end)}"

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


def cancel_session(edition_id: int, session_id: int) -> Session:
    """Cancel a session: it stays listed (struck through, STATUS:CANCELLED) and frees its room."""
    with write_transaction(edition_id):
        session = db.session.get(Session, session_id)
        if session is None or session.edition_id != edition_id:
            raise LookupError(f"no session {session_id} in edition {edition_id}")
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
    return session


def _check_name(name: str, limit: int = NAME_MAX) -> str:
    name = name.strip()
    if not name or len(name) > limit:
        raise ScheduleError(
            [Violation("name", _("A name of 1 to %(n)d characters is needed.", n=limit))]
        )
    return name


def add_room(edition_id: int, name: str, capacity: int | None = None) -> Room:
    with write_transaction(edition_id):
        name = _check_name(name)
        if capacity is not None and capacity < 0:
            raise ScheduleError([Violation("capacity", _("Seats cannot be negative."))])
        if db.session.scalar(
            select(Room.id).where(Room.edition_id == edition_id, Room.name == name)
        ):
            raise ScheduleError([Violation("name", _("There is already a room of that name."))])
        position = len(
            db.session.scalars(select(Room.id).where(Room.edition_id == edition_id)).all()
        )
        room = Room(edition_id=edition_id, name=name, capacity=capacity, position=position)
        db.session.add(room)
        touch_programme(edition_id)
        db.session.flush()
    return room


def add_track(edition_id: int, name: str, colour: str = "#4a5568") -> Track:
    with write_transaction(edition_id):
        name = _check_name(name)
        if not COLOUR_PATTERN.fullmatch(colour):
            raise ScheduleError([Violation("colour", _("A colour is written #RRGGBB."))])
        if db.session.scalar(
            select(Track.id).where(Track.edition_id == edition_id, Track.name == name)
        ):
            raise ScheduleError([Violation("name", _("There is already a track of that name."))])
        track = Track(edition_id=edition_id, name=name, colour=colour.lower())
        db.session.add(track)
        touch_programme(edition_id)
        db.session.flush()
    return track


def add_speaker(edition_id: int, name: str, affiliation: str = "", bio: str = "") -> Speaker:
    with write_transaction(edition_id):
        name = _check_name(name, limit=200)
        speaker = Speaker(
            edition_id=edition_id, name=name, affiliation=affiliation.strip(), bio=bio.strip()
        )
        db.session.add(speaker)
        touch_programme(edition_id)
        db.session.flush()
    return speaker


def _refuse_if_used(count: int, message: str) -> None:
    if count:
        raise ScheduleError([Violation("", message)])


def delete_session(edition_id: int, session_id: int) -> None:
    """Delete a session nobody registered for; one with registered attendees must be cancelled."""
    from eventday.registration.models import (
        Registration,
        RegistrationStatus,
        registration_workshops,
    )

    with write_transaction(edition_id):
        session = db.session.get(Session, session_id)
        if session is None or session.edition_id != edition_id:
            raise LookupError(session_id)
        held = db.session.scalar(
            select(func.count())
            .select_from(registration_workshops)
            .join(Registration, Registration.id == registration_workshops.c.registration_id)
            .where(
                registration_workshops.c.session_id == session_id,
                Registration.status != RegistrationStatus.CANCELLED,
            )
        )
        _refuse_if_used(
            held,
            _(
                "%(n)d registered attendees chose this workshop: cancel it instead, so they "
                "and their calendars are told.",
                n=held,
            ),
        )
        db.session.delete(session)
        touch_programme(edition_id)


def delete_room(edition_id: int, room_id: int) -> None:
    with write_transaction(edition_id):
        room = db.session.get(Room, room_id)
        if room is None or room.edition_id != edition_id:
            raise LookupError(room_id)
        used = db.session.scalar(select(func.count()).where(Session.room_id == room_id))
        _refuse_if_used(used, _("%(n)d sessions take place in this room: move them first.", n=used))
        db.session.delete(room)
        touch_programme(edition_id)


def delete_track(edition_id: int, track_id: int) -> None:
    with write_transaction(edition_id):
        track = db.session.get(Track, track_id)
        if track is None or track.edition_id != edition_id:
            raise LookupError(track_id)
        used = db.session.scalar(select(func.count()).where(Session.track_id == track_id))
        _refuse_if_used(used, _("%(n)d sessions belong to this track: change them first.", n=used))
        db.session.delete(track)
        touch_programme(edition_id)


def delete_speaker(edition_id: int, speaker_id: int) -> None:
    with write_transaction(edition_id):
        speaker = db.session.get(Speaker, speaker_id)
        if speaker is None or speaker.edition_id != edition_id:
            raise LookupError(speaker_id)
        used = len(speaker.sessions)
        _refuse_if_used(used, _("This speaker is in %(n)d sessions: take them out first.", n=used))
        db.session.delete(speaker)
        touch_programme(edition_id)


def update_room(edition_id: int, room_id: int, name: str, capacity: int | None) -> Room:
    """Rename a room or change its seats (never below a workshop's seats held there)."""
    with write_transaction(edition_id):
        room = db.session.get(Room, room_id)
        if room is None or room.edition_id != edition_id:
            raise LookupError(room_id)
        name = _check_name(name)
        if db.session.scalar(
            select(Room.id).where(
                Room.edition_id == edition_id, Room.name == name, Room.id != room_id
            )
        ):
            raise ScheduleError([Violation("name", _("There is already a room of that name."))])
        if capacity is not None:
            if capacity < 0:
                raise ScheduleError([Violation("capacity", _("Seats cannot be negative."))])
            too_big = db.session.scalars(
                select(Session).where(
                    Session.room_id == room_id,
                    Session.capacity.is_not(None),
                    Session.capacity > capacity,
                    Session.status == SessionStatus.SCHEDULED,
                )
            ).first()
            if too_big is not None:
                raise ScheduleError(
                    [
                        Violation(
                            "capacity",
                            _(
                                "%(other)s has %(seats)d seats in this room: lower them first.",
                                other=_describe(db.session.get_one(Edition, edition_id), too_big),
                                seats=too_big.capacity,
                            ),
                        )
                    ]
                )
        renamed = room.name != name
        room.name, room.capacity = name, capacity
        if renamed:  # the room is in every LOCATION: calendars must learn the new name
            for session in db.session.scalars(select(Session).where(Session.room_id == room_id)):
                session.sequence += 1
                session.updated_at = utcnow()
        touch_programme(edition_id)
    return room


def update_track(edition_id: int, track_id: int, name: str, colour: str) -> Track:
    with write_transaction(edition_id):
        track = db.session.get(Track, track_id)
        if track is None or track.edition_id != edition_id:
            raise LookupError(track_id)
        name = _check_name(name)
        if not COLOUR_PATTERN.fullmatch(colour):
            raise ScheduleError([Violation("colour", _("A colour is written #RRGGBB."))])
        if db.session.scalar(
            select(Track.id).where(
                Track.edition_id == edition_id, Track.name == name, Track.id != track_id
            )
        ):
            raise ScheduleError([Violation("name", _("There is already a track of that name."))])
        track.name, track.colour = name, colour.lower()
        touch_programme(edition_id)
    return track


def update_speaker(
    edition_id: int, speaker_id: int, name: str, affiliation: str = "", bio: str = ""
) -> Speaker:
    with write_transaction(edition_id):
        speaker = db.session.get(Speaker, speaker_id)
        if speaker is None or speaker.edition_id != edition_id:
            raise LookupError(speaker_id)
        speaker.name = _check_name(name, limit=200)
        speaker.affiliation, speaker.bio = affiliation.strip(), bio.strip()
        for session in speaker.sessions:  # the DESCRIPTION names the speakers
            session.updated_at = utcnow()
        touch_programme(edition_id)
    return speaker
