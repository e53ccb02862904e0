"""Rooms, tracks and speakers: adding, changing and deleting them, with what each change records."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from eventday.database import utcnow, write_transaction
from eventday.domain import Violation
from eventday.editions import images
from eventday.extensions import db
from eventday.programme.models import Edition, Room, Session, SessionStatus, Speaker, Track
from eventday.programme.rules.checks import ScheduleError, describe, refuse_if_used
from eventday.programme.rules.traces import record_change, shortened, touch_programme

NAME_MAX = 120
COLOUR_PATTERN = re.compile(r"#[0-9a-fA-F]{6}")


def _check_name(name: str, limit: int = NAME_MAX) -> str:
    name = name.strip()
    if not name or len(name) > limit:
        raise ScheduleError(
            [Violation("name", _("A name of 1 to %(n)d characters is needed.", n=limit))]
        )
    return name


def _check_seats(capacity: int | None) -> None:
    if capacity is not None and capacity < 0:
        raise ScheduleError([Violation("capacity", _("Seats cannot be negative."))])


def _check_colour(colour: str) -> None:
    if not COLOUR_PATTERN.fullmatch(colour):
        raise ScheduleError([Violation("colour", _("A colour is written #RRGGBB."))])


def _refuse_taken_name(
    model: type[Room] | type[Track], edition_id: int, name: str, own_id: int | None = None
) -> None:
    query = select(model.id).where(model.edition_id == edition_id, model.name == name)
    if own_id is not None:
        query = query.where(model.id != own_id)
    if db.session.scalar(query):
        message = (
            _("There is already a room of that name.")
            if model is Room
            else _("There is already a track of that name.")
        )
        raise ScheduleError([Violation("name", message)])


def _in_edition(model: type[Room] | type[Track] | type[Speaker], edition_id: int, item_id: int):
    item = db.session.get(model, item_id)
    if item is None or item.edition_id != edition_id:
        raise LookupError(item_id)
    return item


def _room_facts(room: Room) -> dict[str, Any]:
    return {"name": room.name, "capacity": room.capacity}


def _track_facts(track: Track) -> dict[str, Any]:
    return {"name": track.name, "colour": track.colour}


def _speaker_facts(speaker: Speaker) -> dict[str, Any]:
    return {
        "name": speaker.name,
        "affiliation": speaker.affiliation or None,
        "bio": shortened(speaker.bio) or None,
        "bio_en": shortened(speaker.bio_en) or None,
        "photo": speaker.photo_digest or None,
    }


SPEAKER_PHOTO_SIDE = 400


def _set_private(
    speaker: Speaker, email: str, bio_en: str, photo: bytes | None, remove_photo: bool
) -> None:
    """The speaker's address, English bio and photo (re-encoded: never the bytes sent)."""
    speaker.email, speaker.bio_en = email.strip(), bio_en.strip()
    if photo:
        try:
            speaker.photo = images.clean_image(photo, SPEAKER_PHOTO_SIDE)
        except images.ImageRefused as refused:
            raise ScheduleError([Violation("photo", str(refused))]) from refused
        speaker.photo_digest = images.digest(speaker.photo)
    elif remove_photo:
        speaker.photo, speaker.photo_digest = None, ""


def add_room(
    edition_id: int,
    name: str,
    capacity: int | None = None,
    *,
    actor: int | None = None,
    name_en: str = "",
) -> Room:
    with write_transaction(edition_id):
        name = _check_name(name)
        name_en = _check_name(name_en) if name_en.strip() else ""
        _check_seats(capacity)
        _refuse_taken_name(Room, edition_id, name)
        position = db.session.scalar(
            select(func.count()).select_from(Room).where(Room.edition_id == edition_id)
        )
        room = Room(
            edition_id=edition_id, name=name, name_en=name_en, capacity=capacity, position=position
        )
        db.session.add(room)
        touch_programme(edition_id)
        record_change(edition_id, actor, "room_add", {}, _room_facts(room), "name")
        db.session.flush()
    return room


def add_track(
    edition_id: int,
    name: str,
    colour: str = "#4a5568",
    *,
    actor: int | None = None,
    name_en: str = "",
) -> Track:
    with write_transaction(edition_id):
        name = _check_name(name)
        name_en = _check_name(name_en) if name_en.strip() else ""
        _check_colour(colour)
        _refuse_taken_name(Track, edition_id, name)
        track = Track(edition_id=edition_id, name=name, name_en=name_en, colour=colour.lower())
        db.session.add(track)
        touch_programme(edition_id)
        record_change(edition_id, actor, "track_add", {}, _track_facts(track), "name")
        db.session.flush()
    return track


def add_speaker(
    edition_id: int,
    name: str,
    affiliation: str = "",
    bio: str = "",
    *,
    email: str = "",
    bio_en: str = "",
    photo: bytes | None = None,
    actor: int | None = None,
) -> Speaker:
    with write_transaction(edition_id):
        name = _check_name(name, limit=200)
        speaker = Speaker(
            edition_id=edition_id, name=name, affiliation=affiliation.strip(), bio=bio.strip()
        )
        _set_private(speaker, email, bio_en, photo, remove_photo=False)
        db.session.add(speaker)
        touch_programme(edition_id)
        record_change(edition_id, actor, "speaker_add", {}, _speaker_facts(speaker), "name")
        db.session.flush()
    return speaker


def _delete(
    edition_id: int,
    model: type[Room] | type[Track] | type[Speaker],
    item_id: int,
    uses: Callable[[Any], tuple[int, str]],
    action: str,
    facts: Callable[[Any], dict[str, Any]],
    actor: int | None,
) -> None:
    """Delete a room, track or speaker, refused while sessions use it (`uses`: how many, and
    the refusal that says so)."""
    with write_transaction(edition_id):
        item = _in_edition(model, edition_id, item_id)
        refuse_if_used(*uses(item))
        record_change(edition_id, actor, action, facts(item), {}, "name")
        db.session.delete(item)
        touch_programme(edition_id)


def _sessions_with(column: Any, item_id: int) -> int:
    return db.session.scalar(select(func.count()).where(column == item_id))


def delete_room(edition_id: int, room_id: int, *, actor: int | None = None) -> None:
    def uses(room: Room) -> tuple[int, str]:
        n = _sessions_with(Session.room_id, room.id)
        return n, _("%(n)d sessions take place in this room: move them first.", n=n)

    _delete(edition_id, Room, room_id, uses, "room_delete", _room_facts, actor)


def delete_track(edition_id: int, track_id: int, *, actor: int | None = None) -> None:
    def uses(track: Track) -> tuple[int, str]:
        n = _sessions_with(Session.track_id, track.id)
        return n, _("%(n)d sessions belong to this track: change them first.", n=n)

    _delete(edition_id, Track, track_id, uses, "track_delete", _track_facts, actor)


def delete_speaker(edition_id: int, speaker_id: int, *, actor: int | None = None) -> None:
    def uses(speaker: Speaker) -> tuple[int, str]:
        n = len(speaker.sessions)
        return n, _("This speaker is in %(n)d sessions: take them out first.", n=n)

    _delete(edition_id, Speaker, speaker_id, uses, "speaker_delete", _speaker_facts, actor)


def update_room(
    edition_id: int,
    room_id: int,
    name: str,
    capacity: int | None,
    *,
    actor: int | None = None,
    name_en: str = "",
) -> Room:
    """Rename a room or change its seats (never below a workshop's seats held there)."""
    with write_transaction(edition_id):
        room = _in_edition(Room, edition_id, room_id)
        name = _check_name(name)
        name_en = _check_name(name_en) if name_en.strip() else ""
        _refuse_taken_name(Room, edition_id, name, own_id=room_id)
        _check_seats(capacity)
        if capacity is not None:
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
                                other=describe(db.session.get_one(Edition, edition_id), too_big),
                                seats=too_big.capacity,
                            ),
                        )
                    ]
                )
        before = _room_facts(room)
        renamed = (room.name, room.name_en) != (name, name_en)
        room.name, room.name_en, room.capacity = name, name_en, capacity
        if renamed:  # the room is in every LOCATION: calendars must learn the new name
            for session in db.session.scalars(select(Session).where(Session.room_id == room_id)):
                session.sequence += 1
                session.updated_at = utcnow()
        touch_programme(edition_id)
        record_change(edition_id, actor, "room_edit", before, _room_facts(room), "name")
    return room


def update_track(
    edition_id: int,
    track_id: int,
    name: str,
    colour: str,
    *,
    actor: int | None = None,
    name_en: str = "",
) -> Track:
    with write_transaction(edition_id):
        track = _in_edition(Track, edition_id, track_id)
        name = _check_name(name)
        name_en = _check_name(name_en) if name_en.strip() else ""
        _check_colour(colour)
        _refuse_taken_name(Track, edition_id, name, own_id=track_id)
        before = _track_facts(track)
        track.name, track.name_en, track.colour = name, name_en, colour.lower()
        touch_programme(edition_id)
        record_change(edition_id, actor, "track_edit", before, _track_facts(track), "name")
    return track


def update_speaker(
    edition_id: int,
    speaker_id: int,
    name: str,
    affiliation: str = "",
    bio: str = "",
    *,
    email: str | None = None,
    bio_en: str | None = None,
    photo: bytes | None = None,
    remove_photo: bool = False,
    actor: int | None = None,
) -> Speaker:
    """Change a speaker; `email` and `bio_en` left None keep what the speaker has."""
    with write_transaction(edition_id):
        speaker = _in_edition(Speaker, edition_id, speaker_id)
        before = _speaker_facts(speaker)
        speaker.name = _check_name(name, limit=200)
        speaker.affiliation, speaker.bio = affiliation.strip(), bio.strip()
        _set_private(
            speaker,
            speaker.email if email is None else email,
            speaker.bio_en if bio_en is None else bio_en,
            photo,
            remove_photo,
        )
        for session in speaker.sessions:  # the DESCRIPTION names the speakers
            session.updated_at = utcnow()
        touch_programme(edition_id)
        record_change(edition_id, actor, "speaker_edit", before, _speaker_facts(speaker), "name")
    return speaker
