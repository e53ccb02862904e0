"""The scheduling rules: what the programme accepts, what it refuses, what each change records."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select

from eventday.extensions import db
from eventday.programme import rules
from eventday.programme.models import (
    Edition,
    Room,
    Session,
    SessionKind,
    SessionStatus,
    Speaker,
    Track,
    session_speakers,
)
from eventday.programme.rules import ScheduleError, SessionDraft, Violation
from tests.conftest import make_edition, make_session, paris

DAY = dt.date(2027, 1, 25)
NEXT_DAY = DAY + dt.timedelta(days=1)
DAY_BEFORE = DAY - dt.timedelta(days=1)


@pytest.fixture
def edition_id(app: Flask) -> Iterator[int]:
    """A one-day edition on DAY; the test body runs inside the app context."""
    with app.app_context():
        yield make_edition(DAY).id


def draft(starts_at: dt.datetime, ends_at: dt.datetime, **fields: object) -> SessionDraft:
    values: dict[str, object] = {"title": "Une session", "kind": "talk", **fields}
    return SessionDraft(starts_at=starts_at, ends_at=ends_at, **values)


def refusal(write: Callable[[], object]) -> list[Violation]:
    """The violations a write is refused with (it must be refused)."""
    with pytest.raises(ScheduleError) as refused:
        write()
    return refused.value.violations


def only_refusal(write: Callable[[], object]) -> Violation:
    [violation] = refusal(write)
    return violation


def count(table: object) -> int:
    return db.session.scalar(select(func.count()).select_from(table))


def programme_version(edition_id: int) -> int:
    return db.session.scalar(select(Edition.programme_version).where(Edition.id == edition_id))


def stored(session_id: int) -> Session:
    """The session as the database holds it now."""
    return db.session.get(Session, session_id, populate_existing=True)


def assert_stored_as(session_id: int, expected: SessionDraft) -> None:
    session = stored(session_id)
    assert session.title == expected.title.strip()
    assert session.kind == expected.kind
    assert session.starts_at == expected.starts_at
    assert session.ends_at == expected.ends_at
    assert session.room_id == expected.room_id
    assert session.track_id == expected.track_id
    assert sorted(s.id for s in session.speakers) == sorted(expected.speaker_ids)
    assert session.capacity == expected.capacity
    assert session.abstract == expected.abstract.strip()


# End after start


@pytest.mark.parametrize(
    ("start", "end"),
    [("10:00", "10:00"), ("11:00", "10:00")],
    ids=["ends-as-it-starts", "ends-before"],
)
def test_a_session_that_does_not_end_after_it_starts_is_refused(edition_id, start, end):
    violation = only_refusal(lambda: make_session(edition_id, DAY, start, end))

    assert violation.field == "ends_at"
    assert count(Session) == 0


def test_a_one_minute_session_is_accepted(edition_id):
    session = make_session(edition_id, DAY, "10:00", "10:01", title="Annonce")

    assert stored(session.id).ends_at - stored(session.id).starts_at == dt.timedelta(minutes=1)


# Within the edition's days, in the edition's time zone


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "field"),
    [
        (paris(DAY_BEFORE, "23:30"), paris(DAY, "00:30"), "starts_at"),
        (paris(DAY, "23:30"), paris(NEXT_DAY, "00:30"), "ends_at"),
        (paris(NEXT_DAY, "09:00"), paris(NEXT_DAY, "10:00"), "starts_at"),
        # 23:30 UTC on the last day is already 00:30 the next day in Paris.
        (
            dt.datetime.combine(DAY, dt.time(23, 30), tzinfo=dt.UTC),
            dt.datetime.combine(DAY, dt.time(23, 45), tzinfo=dt.UTC),
            "starts_at",
        ),
    ],
    ids=["starts-the-evening-before", "ends-after-midnight", "next-day", "after-midnight-in-paris"],
)
def test_a_session_outside_the_editions_day_is_refused(edition_id, starts_at, ends_at, field):
    violation = only_refusal(lambda: rules.save_session(edition_id, draft(starts_at, ends_at)))

    assert violation.field == field
    assert DAY.isoformat() in violation.message
    assert count(Session) == 0


@pytest.mark.parametrize(
    "day",
    [DAY, dt.date(2027, 3, 28), dt.date(2027, 10, 31)],
    ids=["winter-day", "clocks-go-forward", "clocks-go-back"],
)
def test_a_session_from_midnight_to_midnight_fills_the_day_and_is_accepted(app, day):
    with app.app_context():
        edition_id = make_edition(day).id
        whole_day = draft(paris(day, "00:00"), paris(day + dt.timedelta(days=1), "00:00"))

        session = rules.save_session(edition_id, whole_day)

        assert_stored_as(session.id, whole_day)


def test_a_time_written_in_utc_is_judged_in_the_editions_zone(edition_id):
    # 23:30 UTC the day before is 00:30 on the edition's day in Paris.
    early = draft(
        dt.datetime.combine(DAY_BEFORE, dt.time(23, 30), tzinfo=dt.UTC),
        dt.datetime.combine(DAY, dt.time(0, 30), tzinfo=dt.UTC),
        title="Veille de nuit",
    )

    session = rules.save_session(edition_id, early)

    assert stored(session.id).starts_at == paris(DAY, "00:30")


def test_a_two_day_edition_takes_sessions_on_both_days_and_across_the_night(app):
    with app.app_context():
        edition_id = make_edition(DAY, NEXT_DAY).id
        second_day = make_session(edition_id, NEXT_DAY, "09:00", "10:00", title="Jour 2")
        night = rules.save_session(
            edition_id,
            draft(paris(DAY, "22:00"), paris(NEXT_DAY, "01:00"), title="Nuit des posters"),
        )
        last_minute = rules.save_session(
            edition_id,
            draft(paris(NEXT_DAY, "23:00"), paris(NEXT_DAY + dt.timedelta(days=1), "00:00")),
        )

        assert {stored(s.id).title for s in (second_day, night, last_minute)} == {
            "Jour 2",
            "Nuit des posters",
            "Une session",
        }


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "field"),
    [
        (paris(DAY_BEFORE, "23:30"), paris(DAY, "00:30"), "starts_at"),
        (paris(NEXT_DAY, "23:30"), paris(NEXT_DAY + dt.timedelta(days=1), "00:30"), "ends_at"),
    ],
    ids=["before-the-first-day", "after-the-last-day"],
)
def test_a_two_day_edition_refuses_sessions_outside_its_two_days(app, starts_at, ends_at, field):
    with app.app_context():
        edition_id = make_edition(DAY, NEXT_DAY).id

        violation = only_refusal(lambda: rules.save_session(edition_id, draft(starts_at, ends_at)))

        assert violation.field == field
        assert DAY.isoformat() in violation.message
        assert NEXT_DAY.isoformat() in violation.message
        assert count(Session) == 0


# One session at a time in a room


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("09:30", "10:30"),
        ("10:30", "11:30"),
        ("10:15", "10:45"),
        ("09:00", "12:00"),
        ("10:00", "11:00"),
    ],
    ids=["starts-before", "ends-after", "inside", "around", "same-time"],
)
def test_a_room_taken_at_that_time_is_refused_naming_the_session_there(edition_id, start, end):
    amphi = rules.add_room(edition_id, "Amphi Charcot", 300).id
    make_session(
        edition_id, DAY, "10:00", "11:00", title="Génétique des maladies rares", room_id=amphi
    )

    violation = only_refusal(
        lambda: make_session(edition_id, DAY, start, end, title="Atelier", room_id=amphi)
    )

    assert violation.field == "room_id"
    assert "Amphi Charcot" in violation.message
    assert "Génétique des maladies rares" in violation.message
    # The clashing session's times, as the organiser knows them (Paris, not UTC).
    assert "10:00" in violation.message
    assert "11:00" in violation.message
    assert count(Session) == 1


def test_sessions_touching_end_to_start_in_one_room_are_accepted(edition_id):
    amphi = rules.add_room(edition_id, "Amphi Charcot").id
    make_session(edition_id, DAY, "10:00", "10:30", title="Ouverture", room_id=amphi)

    make_session(edition_id, DAY, "10:30", "11:00", title="Après", room_id=amphi)
    make_session(edition_id, DAY, "09:30", "10:00", title="Avant", room_id=amphi)

    assert set(db.session.scalars(select(Session.title).where(Session.room_id == amphi))) == {
        "Avant",
        "Ouverture",
        "Après",
    }


def test_the_same_time_in_two_rooms_is_accepted(edition_id):
    amphi = rules.add_room(edition_id, "Amphi Charcot").id
    salle = rules.add_room(edition_id, "Salle Pasteur").id

    make_session(edition_id, DAY, "10:00", "11:00", title="Atelier A", room_id=amphi)
    make_session(edition_id, DAY, "10:00", "11:00", title="Atelier B", room_id=salle)

    assert count(Session) == 2


def test_sessions_without_a_room_never_clash_over_one(edition_id):
    make_session(edition_id, DAY, "10:00", "11:00", title="Posters", kind="poster")
    make_session(edition_id, DAY, "10:00", "11:00", title="Pause", kind="break")

    assert count(Session) == 2


def test_a_cancelled_session_frees_its_room(edition_id):
    amphi = rules.add_room(edition_id, "Amphi Charcot").id
    cancelled = make_session(edition_id, DAY, "10:00", "11:00", title="Annulée", room_id=amphi)
    rules.cancel_session(edition_id, cancelled.id)

    replacement = make_session(
        edition_id, DAY, "10:00", "11:00", title="Remplaçante", room_id=amphi
    )

    assert stored(replacement.id).room_id == amphi
    assert stored(cancelled.id).status == SessionStatus.CANCELLED


def test_moving_a_session_over_its_own_old_time_is_not_a_clash(edition_id):
    amphi = rules.add_room(edition_id, "Amphi Charcot").id
    session = make_session(edition_id, DAY, "10:00", "11:00", title="Plénière", room_id=amphi)
    later = draft(paris(DAY, "10:30"), paris(DAY, "11:30"), title="Plénière", room_id=amphi)

    rules.save_session(edition_id, later, session.id)

    assert_stored_as(session.id, later)


def test_moving_a_session_onto_another_in_its_room_is_refused_and_keeps_it_in_place(edition_id):
    amphi = rules.add_room(edition_id, "Amphi Charcot").id
    make_session(edition_id, DAY, "10:00", "11:00", title="Génétique", room_id=amphi)
    moved = make_session(edition_id, DAY, "11:00", "12:00", title="Cardiologie", room_id=amphi)

    violation = only_refusal(
        lambda: rules.save_session(
            edition_id,
            draft(paris(DAY, "10:30"), paris(DAY, "11:30"), title="Cardiologie", room_id=amphi),
            moved.id,
        )
    )

    assert violation.field == "room_id"
    assert "Génétique" in violation.message
    assert stored(moved.id).starts_at == paris(DAY, "11:00")


# A plenary is for everyone: nothing else for everyone at the same time


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("plenary", "plenary"),
        ("plenary", "break"),
        ("plenary", "meal"),
        ("plenary", "round-table"),
        ("break", "plenary"),
        ("round-table", "plenary"),
    ],
)
def test_a_session_for_everyone_overlapping_a_plenary_is_refused_naming_it(
    edition_id, first, second
):
    amphi = rules.add_room(edition_id, "Amphi Charcot").id
    salle = rules.add_room(edition_id, "Salle Pasteur").id
    make_session(edition_id, DAY, "10:00", "11:00", title="Première", kind=first, room_id=amphi)

    violation = only_refusal(
        lambda: make_session(
            edition_id, DAY, "10:30", "11:30", title="Seconde", kind=second, room_id=salle
        )
    )

    assert violation.field == "starts_at"
    assert violation.message == (
        "Tout le monde est attendu à « Première » (10:00–11:00) à cette heure-là : une "
        "plénière ne peut pas chevaucher une autre session pour tous."
    )
    assert count(Session) == 1


@pytest.mark.parametrize("kind", ["workshop", "talk", "poster"])
def test_a_session_for_some_may_run_during_a_plenary(edition_id, kind):
    amphi = rules.add_room(edition_id, "Amphi Charcot").id
    salle = rules.add_room(edition_id, "Salle Pasteur").id
    make_session(edition_id, DAY, "10:00", "11:00", title="Plénière", kind="plenary", room_id=amphi)

    make_session(edition_id, DAY, "10:00", "11:00", title="En parallèle", kind=kind, room_id=salle)

    assert count(Session) == 2


def test_a_plenary_may_follow_a_break_and_replace_a_cancelled_plenary(edition_id):
    make_session(edition_id, DAY, "09:30", "10:00", title="Café", kind="break")
    cancelled = make_session(edition_id, DAY, "10:00", "11:00", title="Annulée", kind="plenary")
    rules.cancel_session(edition_id, cancelled.id)

    make_session(edition_id, DAY, "10:00", "11:00", title="Remplaçante", kind="plenary")

    assert count(Session) == 3


def test_turning_a_talk_into_a_plenary_over_a_break_is_refused_and_keeps_it(edition_id):
    make_session(edition_id, DAY, "10:30", "11:00", title="Pause café", kind="break")
    talk = make_session(edition_id, DAY, "10:00", "11:00", title="Exposé")

    violation = only_refusal(
        lambda: rules.save_session(
            edition_id,
            draft(paris(DAY, "10:00"), paris(DAY, "11:00"), title="Exposé", kind="plenary"),
            talk.id,
        )
    )

    assert "« Pause café » (10:30–11:00)" in violation.message
    assert stored(talk.id).kind == "talk"


# One session at a time for a speaker


@pytest.fixture
def busy_speaker(edition_id: int) -> tuple[int, int]:
    """Dr Amina Benali speaks 10:00-11:00 in Amphi Charcot; returns her id and Salle Pasteur's."""
    amphi = rules.add_room(edition_id, "Amphi Charcot").id
    salle = rules.add_room(edition_id, "Salle Pasteur").id
    benali = rules.add_speaker(edition_id, "Dr Amina Benali", "Inserm").id
    make_session(
        edition_id,
        DAY,
        "10:00",
        "11:00",
        title="Thérapie génique",
        room_id=amphi,
        speaker_ids=(benali,),
    )
    return benali, salle


@pytest.mark.parametrize(
    ("start", "end"),
    [("10:30", "11:30"), ("10:00", "11:00"), ("09:00", "12:00")],
    ids=["overlapping", "same-time", "around"],
)
def test_a_speaker_already_speaking_elsewhere_is_refused_naming_both(
    edition_id, busy_speaker, start, end
):
    benali, salle = busy_speaker

    violation = only_refusal(
        lambda: make_session(
            edition_id, DAY, start, end, title="Table ronde", room_id=salle, speaker_ids=(benali,)
        )
    )

    assert violation.field == "speaker_ids"
    assert "Amina Benali" in violation.message
    assert "Thérapie génique" in violation.message
    assert count(Session) == 1


def test_each_busy_speaker_is_named_and_no_free_one(edition_id, busy_speaker):
    benali, salle = busy_speaker
    dupont = rules.add_speaker(edition_id, "Dr Claire Dupont").id
    martin = rules.add_speaker(edition_id, "Pr Jean Martin").id
    make_session(edition_id, DAY, "10:00", "12:00", title="Posters", speaker_ids=(martin,))

    violations = refusal(
        lambda: make_session(
            edition_id,
            DAY,
            "10:30",
            "11:30",
            room_id=salle,
            speaker_ids=(dupont, martin, benali),
        )
    )

    assert [v.field for v in violations] == ["speaker_ids", "speaker_ids"]
    messages = " ".join(v.message for v in violations)
    assert "Amina Benali" in messages
    assert "Thérapie génique" in messages
    assert "Jean Martin" in messages
    assert "Posters" in messages
    assert "Claire Dupont" not in messages


def test_a_speaker_may_speak_right_after_their_previous_session(edition_id, busy_speaker):
    benali, salle = busy_speaker

    session = make_session(
        edition_id, DAY, "11:00", "12:00", title="Suite", room_id=salle, speaker_ids=(benali,)
    )

    assert [s.name for s in stored(session.id).speakers] == ["Dr Amina Benali"]


def test_a_cancelled_session_frees_its_speakers(edition_id, busy_speaker):
    benali, salle = busy_speaker
    rules.cancel_session(edition_id, db.session.scalar(select(Session.id)))

    session = make_session(
        edition_id, DAY, "10:00", "11:00", title="Remplaçante", room_id=salle, speaker_ids=(benali,)
    )

    assert [s.name for s in stored(session.id).speakers] == ["Dr Amina Benali"]


def test_a_room_clash_and_a_speaker_clash_are_both_reported(edition_id, busy_speaker):
    benali, _salle = busy_speaker
    amphi = db.session.scalar(select(Room.id).where(Room.name == "Amphi Charcot"))

    violations = refusal(
        lambda: make_session(
            edition_id, DAY, "10:30", "11:30", room_id=amphi, speaker_ids=(benali,)
        )
    )

    assert [v.field for v in violations] == ["room_id", "speaker_ids"]


# Workshop seats


@pytest.mark.parametrize(
    ("room_capacity", "seats"),
    [(30, 30), (30, 0), (None, 500)],
    ids=["as-many-as-the-room", "none", "room-without-capacity"],
)
def test_workshop_seats_that_fit_the_room_are_accepted(edition_id, room_capacity, seats):
    room = rules.add_room(edition_id, "Salle Pasteur", room_capacity).id

    session = make_session(
        edition_id, DAY, "14:00", "15:30", kind="workshop", room_id=room, capacity=seats
    )

    assert stored(session.id).capacity == seats


def test_workshop_seats_without_a_room_are_accepted(edition_id):
    session = make_session(edition_id, DAY, "14:00", "15:30", kind="workshop", capacity=40)

    assert stored(session.id).seats == 40


def test_more_workshop_seats_than_the_room_holds_are_refused(edition_id):
    room = rules.add_room(edition_id, "Salle Pasteur", 30).id

    violation = only_refusal(
        lambda: make_session(
            edition_id, DAY, "14:00", "15:30", kind="workshop", room_id=room, capacity=31
        )
    )

    assert violation.field == "capacity"
    assert "Salle Pasteur" in violation.message
    assert "31" in violation.message
    assert "30" in violation.message
    assert count(Session) == 0


def test_negative_workshop_seats_are_refused(edition_id):
    violation = only_refusal(
        lambda: make_session(edition_id, DAY, "14:00", "15:30", kind="workshop", capacity=-1)
    )

    assert violation.field == "capacity"


# Rooms, tracks and speakers belong to one edition

FOREIGN = {
    "room_id": lambda edition_id: rules.add_room(edition_id, "Salle du conseil").id,
    "track_id": lambda edition_id: rules.add_track(edition_id, "Neurologie").id,
    "speaker_ids": lambda edition_id: (rules.add_speaker(edition_id, "Dr Jean Martin").id,),
}
MISSING = {"room_id": 9999, "track_id": 9999, "speaker_ids": (9999,)}


@pytest.mark.parametrize("field", list(FOREIGN))
def test_a_room_track_or_speaker_of_another_edition_is_refused(edition_id, field):
    other_edition = make_edition(DAY, slug="autre-journee", state="draft").id
    foreign = FOREIGN[field](other_edition)

    violation = only_refusal(
        lambda: make_session(edition_id, DAY, "10:00", "11:00", **{field: foreign})
    )

    assert violation.field == field
    assert count(Session) == 0


@pytest.mark.parametrize("field", list(MISSING))
def test_a_room_track_or_speaker_that_does_not_exist_is_refused(edition_id, field):
    violation = only_refusal(
        lambda: make_session(edition_id, DAY, "10:00", "11:00", **{field: MISSING[field]})
    )

    assert violation.field == field


def test_a_room_of_another_edition_does_not_clash_with_ours(edition_id):
    other_edition = make_edition(DAY, slug="autre-journee", state="draft").id
    theirs = rules.add_room(other_edition, "Amphi Charcot").id
    ours = rules.add_room(edition_id, "Amphi Charcot").id
    make_session(other_edition, DAY, "10:00", "11:00", title="Leur plénière", room_id=theirs)

    session = make_session(edition_id, DAY, "10:00", "11:00", title="Notre plénière", room_id=ours)

    assert stored(session.id).room_id == ours


NOT_FOUND: dict[str, Callable[[int, int, int], object]] = {
    "unknown-edition": lambda ours, theirs, session_id: rules.save_session(
        theirs + ours + 1, draft(paris(DAY, "12:00"), paris(DAY, "13:00"))
    ),
    "edit-through-another-edition": lambda ours, theirs, session_id: rules.save_session(
        theirs, draft(paris(DAY, "12:00"), paris(DAY, "13:00")), session_id
    ),
    "cancel-through-another-edition": lambda ours, theirs, session_id: rules.cancel_session(
        theirs, session_id
    ),
    "cancel-unknown-session": lambda ours, theirs, session_id: rules.cancel_session(
        ours, session_id + 1
    ),
}


@pytest.mark.parametrize("write", list(NOT_FOUND))
def test_an_unknown_edition_or_session_is_not_found_and_nothing_changes(edition_id, write):
    other_edition = make_edition(DAY, slug="autre-journee", state="draft").id
    session = make_session(edition_id, DAY, "10:00", "11:00", title="Ouverture")

    with pytest.raises(LookupError):
        NOT_FOUND[write](edition_id, other_edition, session.id)

    assert stored(session.id).status == SessionStatus.SCHEDULED
    assert stored(session.id).title == "Ouverture"
    assert count(Session) == 1


# Title and kind


@pytest.mark.parametrize("title", ["", "   ", "x" * 301], ids=["empty", "blank", "too-long"])
def test_a_missing_or_too_long_title_is_refused(edition_id, title):
    violation = only_refusal(lambda: make_session(edition_id, DAY, "10:00", "11:00", title=title))

    assert violation.field == "title"
    assert count(Session) == 0


def test_a_too_long_title_is_refused_with_the_limit(edition_id):
    violation = only_refusal(
        lambda: make_session(edition_id, DAY, "10:00", "11:00", title="x" * 301)
    )

    assert "300" in violation.message


def test_a_title_of_the_longest_length_is_stored_without_surrounding_spaces(edition_id):
    session = make_session(edition_id, DAY, "10:00", "11:00", title=f"  {'x' * 300}\n")

    assert stored(session.id).title == "x" * 300


def test_an_unknown_kind_is_refused(edition_id):
    violation = only_refusal(
        lambda: make_session(edition_id, DAY, "10:00", "11:00", kind="keynote")
    )

    assert violation.field == "kind"
    assert count(Session) == 0


def test_every_kind_of_session_is_accepted(edition_id):
    for hour, kind in enumerate(SessionKind, start=8):
        make_session(edition_id, DAY, f"{hour:02d}:00", f"{hour:02d}:30", kind=kind.value)

    assert set(db.session.scalars(select(Session.kind))) == {kind.value for kind in SessionKind}


def test_every_broken_rule_is_reported_in_the_order_of_the_form(edition_id):
    edition = db.session.get(Edition, edition_id)
    bad = draft(paris(DAY, "11:00"), paris(DAY, "10:00"), title=" ", kind="keynote", capacity=-5)

    violations = rules.check_session(edition, bad)

    assert [v.field for v in violations] == ["title", "kind", "ends_at", "capacity"]


@pytest.mark.parametrize("naive", ["starts_at", "ends_at"])
def test_a_time_without_its_zone_is_a_programming_error(edition_id, naive):
    times = {"starts_at": paris(DAY, "10:00"), "ends_at": paris(DAY, "11:00")}
    times[naive] = times[naive].replace(tzinfo=None)

    with pytest.raises(ValueError, match=naive):
        rules.save_session(edition_id, draft(**times))

    assert count(Session) == 0
    with pytest.raises(ValueError, match=naive):
        rules.check_session(db.session.get(Edition, edition_id), draft(**times))


# SEQUENCE: calendar programs update an event only when it grows


@dataclasses.dataclass(frozen=True)
class Planned:
    """A session in Amphi Charcot (10:00-11:00, Dr Benali) and one in Salle Pasteur after it."""

    session_id: int
    draft: SessionDraft
    other_session_id: int
    rooms: tuple[int, int]
    tracks: tuple[int, int]
    speakers: tuple[int, int]


def plan(edition_id: int) -> Planned:
    rooms = (
        rules.add_room(edition_id, "Amphi Charcot").id,
        rules.add_room(edition_id, "Salle Pasteur").id,
    )
    tracks = (rules.add_track(edition_id, "Génétique").id, rules.add_track(edition_id, "Cardio").id)
    speakers = (
        rules.add_speaker(edition_id, "Dr Amina Benali").id,
        rules.add_speaker(edition_id, "Pr Jean Martin").id,
    )
    first = draft(
        paris(DAY, "10:00"),
        paris(DAY, "11:00"),
        title="Génétique des maladies rares",
        room_id=rooms[0],
        track_id=tracks[0],
        speaker_ids=(speakers[0],),
        abstract="Un état des lieux.",
    )
    session_id = rules.save_session(edition_id, first).id
    other = make_session(
        edition_id,
        DAY,
        "11:00",
        "12:00",
        title="Cardiologie",
        room_id=rooms[1],
        track_id=tracks[1],
        speaker_ids=(speakers[1],),
    )
    return Planned(session_id, first, other.id, rooms, tracks, speakers)


def as_utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC)


QUIET_EDITS: dict[str, Callable[[Planned], SessionDraft]] = {
    "same-again": lambda p: p.draft,
    "abstract": lambda p: dataclasses.replace(p.draft, abstract="Un résumé réécrit."),
    "speaker": lambda p: dataclasses.replace(p.draft, speaker_ids=(p.speakers[1],)),
    "track": lambda p: dataclasses.replace(p.draft, track_id=p.tracks[1]),
    "title-with-spaces-around": lambda p: dataclasses.replace(p.draft, title=f" {p.draft.title} "),
    "same-times-written-in-utc": lambda p: dataclasses.replace(
        p.draft, starts_at=as_utc(p.draft.starts_at), ends_at=as_utc(p.draft.ends_at)
    ),
}
VISIBLE_EDITS: dict[str, Callable[[Planned], SessionDraft]] = {
    "starts-earlier": lambda p: dataclasses.replace(p.draft, starts_at=paris(DAY, "09:30")),
    "ends-later": lambda p: dataclasses.replace(p.draft, ends_at=paris(DAY, "11:30")),
    "other-room": lambda p: dataclasses.replace(p.draft, room_id=p.rooms[1]),
    "no-room": lambda p: dataclasses.replace(p.draft, room_id=None),
    "title": lambda p: dataclasses.replace(p.draft, title="Maladies rares : le point"),
}


@pytest.mark.parametrize("edit", list(QUIET_EDITS))
def test_an_edit_that_calendars_need_not_show_keeps_the_sequence(edition_id, edit):
    planned = plan(edition_id)
    edited = QUIET_EDITS[edit](planned)

    rules.save_session(edition_id, edited, planned.session_id)

    assert_stored_as(planned.session_id, edited)
    assert stored(planned.session_id).sequence == 0


@pytest.mark.parametrize("edit", list(VISIBLE_EDITS))
def test_a_change_of_time_room_or_title_raises_the_sequence_by_one(edition_id, edit):
    planned = plan(edition_id)
    edited = VISIBLE_EDITS[edit](planned)

    rules.save_session(edition_id, edited, planned.session_id)

    assert_stored_as(planned.session_id, edited)
    assert stored(planned.session_id).sequence == 1


def test_each_visible_change_raises_the_sequence_again(edition_id):
    planned = plan(edition_id)
    # Each edit differs from the original draft, so also from the edit saved before it.
    for number, edit in enumerate(VISIBLE_EDITS.values(), start=1):
        rules.save_session(edition_id, edit(planned), planned.session_id)

        assert stored(planned.session_id).sequence == number


def test_cancelling_raises_the_sequence_once_and_keeps_the_session_listed(edition_id):
    planned = plan(edition_id)

    rules.cancel_session(edition_id, planned.session_id)
    rules.cancel_session(edition_id, planned.session_id)

    session = stored(planned.session_id)
    assert session.status == SessionStatus.CANCELLED
    assert session.sequence == 1
    assert session.title == "Génétique des maladies rares"


# programme_version: every write tells the caches


def test_every_write_raises_the_programme_version(edition_id):
    opening = draft(paris(DAY, "10:00"), paris(DAY, "11:00"), title="Ouverture")

    def first_session() -> int:
        return db.session.scalar(select(Session.id))

    writes = [
        lambda: rules.add_room(edition_id, "Amphi Charcot"),
        lambda: rules.add_track(edition_id, "Génétique"),
        lambda: rules.add_speaker(edition_id, "Dr Amina Benali"),
        lambda: rules.save_session(edition_id, opening),
        lambda: rules.save_session(
            edition_id, dataclasses.replace(opening, abstract="Mot d'accueil."), first_session()
        ),
        lambda: rules.save_session(
            edition_id, dataclasses.replace(opening, title="Accueil"), first_session()
        ),
        lambda: rules.cancel_session(edition_id, first_session()),
    ]
    for write in writes:
        before = programme_version(edition_id)
        write()
        assert programme_version(edition_id) == before + 1


def test_a_write_to_one_edition_leaves_another_editions_version_alone(edition_id):
    other_edition = make_edition(DAY, slug="autre-journee", state="draft").id
    before = programme_version(other_edition)

    rules.add_room(edition_id, "Amphi Charcot")

    assert programme_version(other_edition) == before


# A refused write writes nothing


def snapshot(edition_id: int) -> tuple[object, ...]:
    """What the database holds of the programme."""
    sessions = db.session.execute(
        select(
            Session.id,
            Session.title,
            Session.abstract,
            Session.starts_at,
            Session.ends_at,
            Session.room_id,
            Session.track_id,
            Session.status,
            Session.sequence,
        ).order_by(Session.id)
    ).all()
    links = db.session.execute(select(session_speakers).order_by(*session_speakers.c)).all()
    return (
        programme_version(edition_id),
        count(Room),
        count(Track),
        count(Speaker),
        sessions,
        links,
    )


REFUSED_WRITES: dict[str, tuple[type[Exception], Callable[[int, Planned], object]]] = {
    "new-session-in-a-taken-room": (
        ScheduleError,
        lambda edition_id, p: rules.save_session(
            edition_id, dataclasses.replace(p.draft, title="Intruse", speaker_ids=())
        ),
    ),
    "edit-onto-a-busy-speaker": (
        ScheduleError,
        lambda edition_id, p: rules.save_session(
            edition_id,
            dataclasses.replace(
                p.draft, title="Cardiologie", room_id=p.rooms[1], speaker_ids=(p.speakers[0],)
            ),
            p.other_session_id,
        ),
    ),
    "edit-of-every-field-without-a-title": (
        ScheduleError,
        lambda edition_id, p: rules.save_session(
            edition_id,
            SessionDraft(
                title="",
                kind="workshop",
                starts_at=paris(DAY, "15:00"),
                ends_at=paris(DAY, "16:00"),
                room_id=p.rooms[1],
                track_id=p.tracks[1],
                speaker_ids=(p.speakers[1],),
                abstract="Nouveau",
            ),
            p.session_id,
        ),
    ),
    "edit-with-a-naive-time": (
        ValueError,
        lambda edition_id, p: rules.save_session(
            edition_id,
            dataclasses.replace(p.draft, title="Autre", ends_at=dt.datetime(2027, 1, 25, 12)),
            p.session_id,
        ),
    ),
    "duplicate-room": (
        ScheduleError,
        lambda edition_id, p: rules.add_room(edition_id, "Amphi Charcot"),
    ),
    "track-with-a-bad-colour": (
        ScheduleError,
        lambda edition_id, p: rules.add_track(edition_id, "Neurologie", "red"),
    ),
    "speaker-without-a-name": (
        ScheduleError,
        lambda edition_id, p: rules.add_speaker(edition_id, " "),
    ),
}


@pytest.mark.parametrize("write", list(REFUSED_WRITES))
def test_a_refused_write_leaves_the_database_as_it_was(edition_id, write):
    planned = plan(edition_id)
    error, attempt = REFUSED_WRITES[write]
    before = snapshot(edition_id)

    with pytest.raises(error):
        attempt(edition_id, planned)

    assert snapshot(edition_id) == before


# Rooms


def test_rooms_are_stored_in_the_order_they_are_added(edition_id):
    for name in ("Amphi Charcot", "Salle Pasteur", "Bibliothèque"):
        rules.add_room(edition_id, name)

    assert list(db.session.scalars(select(Room.name).order_by(Room.position))) == [
        "Amphi Charcot",
        "Salle Pasteur",
        "Bibliothèque",
    ]


@pytest.mark.parametrize("again", ["Amphi Charcot", "  Amphi Charcot "])
def test_a_second_room_of_the_same_name_is_refused(edition_id, again):
    rules.add_room(edition_id, "Amphi Charcot", 300)

    violation = only_refusal(lambda: rules.add_room(edition_id, again, 20))

    assert violation.field == "name"
    assert count(Room) == 1


def test_another_edition_may_have_a_room_of_the_same_name(edition_id):
    other_edition = make_edition(DAY, slug="autre-journee", state="draft").id
    rules.add_room(other_edition, "Amphi Charcot")

    room = rules.add_room(edition_id, " Amphi Charcot ", 300)

    assert db.session.get(Room, room.id, populate_existing=True).name == "Amphi Charcot"
    assert count(Room) == 2


@pytest.mark.parametrize(
    ("name", "capacity", "field"),
    [
        ("Salle Pasteur", -1, "capacity"),
        ("", 20, "name"),
        ("  ", 20, "name"),
        ("x" * 121, 20, "name"),
    ],
    ids=["negative-capacity", "empty-name", "blank-name", "name-too-long"],
)
def test_a_room_with_a_bad_name_or_capacity_is_refused(edition_id, name, capacity, field):
    violation = only_refusal(lambda: rules.add_room(edition_id, name, capacity))

    assert violation.field == field
    assert count(Room) == 0


@pytest.mark.parametrize("capacity", [0, None])
def test_a_room_with_no_seats_or_no_known_capacity_is_accepted(edition_id, capacity):
    room = rules.add_room(edition_id, "Jardin", capacity)

    assert db.session.get(Room, room.id, populate_existing=True).capacity == capacity


# Tracks


@pytest.mark.parametrize("colour", ["red", "#12345", "#12345g", "#1234567", "123456", ""])
def test_a_track_colour_not_written_rrggbb_is_refused(edition_id, colour):
    violation = only_refusal(lambda: rules.add_track(edition_id, "Génétique", colour))

    assert violation.field == "colour"
    assert count(Track) == 0


def test_a_track_colour_with_a_trailing_newline_is_refused(edition_id):
    violation = only_refusal(lambda: rules.add_track(edition_id, "Génétique", "#a1b2c3\n"))

    assert violation.field == "colour"


def test_a_track_colour_is_stored_in_lowercase(edition_id):
    track = rules.add_track(edition_id, "Génétique", "#A1B2C3")

    assert db.session.get(Track, track.id, populate_existing=True).colour == "#a1b2c3"


def test_a_second_track_of_the_same_name_is_refused(edition_id):
    rules.add_track(edition_id, "Génétique")

    violation = only_refusal(lambda: rules.add_track(edition_id, "Génétique", "#000000"))

    assert violation.field == "name"
    assert count(Track) == 1


# Speakers


def test_a_speaker_is_stored_without_surrounding_spaces(edition_id):
    speaker = rules.add_speaker(edition_id, "  Dr Amina Benali ", " Inserm U1163 ")

    stored_speaker = db.session.get(Speaker, speaker.id, populate_existing=True)
    assert (stored_speaker.name, stored_speaker.affiliation) == ("Dr Amina Benali", "Inserm U1163")


@pytest.mark.parametrize("name", ["", "x" * 201], ids=["empty", "too-long"])
def test_a_speaker_without_a_name_or_with_a_too_long_one_is_refused(edition_id, name):
    violation = only_refusal(lambda: rules.add_speaker(edition_id, name))

    assert violation.field == "name"
    assert "200" in violation.message
    assert count(Speaker) == 0
