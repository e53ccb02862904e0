"""What a session must satisfy before it is saved: every rule a draft breaks, and the clashes."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy import Select, select

from eventday.domain import DomainError, Violation
from eventday.extensions import db
from eventday.programme.models import (
    FOR_EVERYONE,
    Edition,
    Room,
    Session,
    SessionKind,
    SessionStatus,
    Speaker,
    Track,
    session_speakers,
)

TITLE_MAX = 300


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
    # The English beside the French ("": the French is shown in English too).
    title_en: str = ""
    abstract_en: str = ""


class ScheduleError(DomainError):
    """The programme's rules refuse the change."""


def refuse_if_used(count: int, message: str) -> None:
    """Refuse a deletion that would leave `count` things without what they use."""
    if count:
        raise ScheduleError([Violation("", message)])


def clock(edition: Edition, moment: dt.datetime) -> str:
    """A moment as the edition's wall clock shows it ("09:30")."""
    return edition.local(moment).strftime("%H:%M")


def describe(edition: Edition, other: Session) -> str:
    """A session as a refusal names it: its title and its hours."""
    return _(
        "“%(title)s” (%(start)s–%(end)s)",
        title=other.title,
        start=clock(edition, other.starts_at),
        end=clock(edition, other.ends_at),
    )


def _overlapping(edition: Edition, draft: SessionDraft, session_id: int | None) -> Select:
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
    if len(draft.title_en.strip()) > TITLE_MAX:
        violations.append(
            Violation(
                "title_en", _("The title is too long (at most %(n)d characters).", n=TITLE_MAX)
            )
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
    speakers = speakers_of(edition, draft.speaker_ids)
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


def speakers_of(edition: Edition, speaker_ids: Sequence[int]) -> list[Speaker]:
    """The edition's speakers among `speaker_ids` (others' are left out)."""
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
    everyone_elsewhere = _for_everyone_at_the_same_time(edition, draft, session_id)
    if everyone_elsewhere is not None:
        violations.append(everyone_elsewhere)
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
                        other=describe(edition, other),
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
                        other=describe(edition, other),
                    ),
                )
            )
    return violations


def _for_everyone_at_the_same_time(
    edition: Edition, draft: SessionDraft, session_id: int | None
) -> Violation | None:
    """A plenary is for everyone: no other session for everyone (a plenary, a round table, a
    break, a meal) may share its time. Workshops, talks and posters may."""
    if draft.kind == SessionKind.PLENARY:
        clashing = FOR_EVERYONE
    elif draft.kind in FOR_EVERYONE:
        clashing = {SessionKind.PLENARY}
    else:
        return None
    other = db.session.scalars(
        _overlapping(edition, draft, session_id).where(Session.kind.in_(sorted(clashing)))
    ).first()
    if other is None:
        return None
    return Violation(
        "starts_at",
        _(
            "Everyone is expected at %(other)s at that time: a plenary cannot overlap another "
            "session for everyone.",
            other=describe(edition, other),
        ),
    )
