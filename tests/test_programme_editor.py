"""The programme editor (/admin/programme…): sessions, clashes, changes, rooms, tracks, speakers.

Every change is made as an organiser's browser makes it (the form, its CSRF
token, the redirect), then checked in the database and on the public pages,
which the test app serves without caching (PROGRAMME_CACHE_SECONDS=0).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from html.parser import HTMLParser

import icalendar
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from eventday.accounts.models import Role
from eventday.extensions import db
from eventday.mail import OutboxMail
from eventday.programme.demo import DEMO_DAY
from eventday.programme.models import (
    Edition,
    ProgrammeChange,
    Room,
    Session,
    SessionStatus,
    Speaker,
    Track,
)
from eventday.registration import capacity
from tests.conftest import PARIS
from tests.test_exports import register
from tests.test_users_admin import (
    csrf_token,
    field_errors,
    flashes,
    post_form,
    signed_in,
    text,
    visible,
)

DAY = DEMO_DAY.isoformat()
INTERFERON = "Atelier : interpréter la signature interféron en pratique clinique"
CAPILLAROSCOPY = "Atelier : capillaroscopie dans la sclérodermie systémique"
POSTER_PRIZE = "Prix des meilleurs posters"
NEW_SESSION = "/admin/programme/sessions/new"
EDITOR = "/admin/programme/"
BAD_CLOCK = "Write the time as HH:MM, e.g. 09:30."
HOSTILE_TITLE = '<script>alert("x")</script> & <b>gras</b>'


@dataclasses.dataclass(frozen=True)
class Demo:
    """The demo edition's ids, by name or title."""

    edition: int
    rooms: dict[str, int]
    tracks: dict[str, int]
    speakers: dict[str, int]
    sessions: dict[str, int]


@pytest.fixture
def ids(app: Flask, demo: int) -> Demo:
    with app.app_context():

        def by_name(model: type, column: str) -> dict[str, int]:
            rows = db.session.execute(
                select(getattr(model, column), model.id).where(model.edition_id == demo)
            )
            return dict(rows.all())

        return Demo(
            edition=demo,
            rooms=by_name(Room, "name"),
            tracks=by_name(Track, "name"),
            speakers=by_name(Speaker, "name"),
            sessions=by_name(Session, "title"),
        )


@pytest.fixture
def organiser(app: Flask, demo: int) -> FlaskClient:
    return signed_in(app, Role.ORGANISER)


class FormValues(HTMLParser):
    """What a browser sends back from the page's first form of class "registration-form"."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self._state = "before"
        self._select: str | None = None
        self._textarea: str | None = None
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form" and self._state == "before":
            if "registration-form" in (attributes.get("class") or ""):
                self._state = "inside"
            return
        if self._state != "inside":
            return
        name = attributes.get("name") or ""
        if tag == "input":
            checkable = attributes.get("type") in ("checkbox", "radio")
            if not checkable or "checked" in attributes:
                self.values.setdefault(name, []).append(attributes.get("value") or "")
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attributes:
            self.values.setdefault(self._select, []).append(attributes.get("value") or "")
        elif tag == "textarea":
            self._textarea = name
            self.values[name] = [""]

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._state == "inside":
            self._state = "after"
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            value = self.values[self._textarea][0]
            self.values[self._textarea][0] = value.removeprefix("\r\n").removeprefix("\n")
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self._state == "inside":
            self.values[self._textarea][0] += data


def session_fields(**changes: object) -> dict[str, str | list[str]]:
    """A complete session form: a workshop at 19:00–20:00 on the demo day, no room."""
    fields = {
        "title": "Atelier : lire une biopsie cutanée",
        "kind": "workshop",
        "day": DAY,
        "starts_at": "19:00",
        "ends_at": "20:00",
        "room_id": "",
        "track_id": "",
        "capacity": "",
        "abstract": "",
        **changes,
    }
    return {
        name: [str(v) for v in value] if isinstance(value, list) else str(value)
        for name, value in fields.items()
    }


def create(client: FlaskClient, **changes: object):
    return post_form(client, NEW_SESSION, NEW_SESSION, session_fields(**changes))


def edit(client: FlaskClient, session_id: int, **changes: object):
    """Open a session's form, change some fields, save (as a browser sends the form back).

    The form shows its times wrongly (see test_the_edit_form_shows_the_session_in_local_time),
    so they are typed again as HH:MM, as an organiser has to.
    """
    path = f"/admin/programme/sessions/{session_id}"
    page = client.get(path)
    assert page.status_code == 200
    values = FormValues(text(page)).values
    row = session_row(client.application, session_id)
    values["starts_at"] = row.starts_at.astimezone(PARIS).strftime("%H:%M")
    values["ends_at"] = row.ends_at.astimezone(PARIS).strftime("%H:%M")
    values.update({name: str(value) for name, value in changes.items()})
    return client.post(path, data=values)


def press(client: FlaskClient, session_id: int, action: str):
    """One of the buttons under a session's form: cancel, delete, notify."""
    path = f"/admin/programme/sessions/{session_id}"
    return post_form(client, path, f"{path}/{action}")


def session_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Session))


def session_row(app: Flask, session_id: int) -> Session | None:
    with app.app_context():
        found = db.session.get(Session, session_id)
        if found is not None:
            _ = found.speakers, found.room
            db.session.expunge_all()
        return found


def calendar_events(client: FlaskClient) -> dict[str, icalendar.Event]:
    """/programme.ics parsed back: its events by title."""
    response = client.get("/programme.ics")
    assert response.status_code == 200
    assert response.content_type == "text/calendar; charset=utf-8"
    parsed = icalendar.Calendar.from_ical(response.data)
    return {str(event["SUMMARY"]): event for event in parsed.events}


def programme_json(client: FlaskClient) -> dict:
    response = client.get("/programme.json")
    assert response.status_code == 200
    return response.get_json()


def json_session(client: FlaskClient, title: str) -> dict | None:
    return next((s for s in programme_json(client)["sessions"] if s["title"] == title), None)


def session_cards(page: str, title: str) -> list[str]:
    """The opening tags of the public programme's cards that show `title`."""
    cards = re.findall(r'(<article class="session [^"]*"[^>]*>)(.*?)</article>', page, re.S)
    return [opening for opening, body in cards if visible(body).count(title)]


# --- creating a session ------------------------------------------------------------------------


def test_an_organiser_creates_a_session_that_the_public_calendar_shows(
    app: Flask, organiser: FlaskClient, ids: Demo
) -> None:
    speakers = [ids.speakers["Dr Léa Nguyen"], ids.speakers["Dr Inès Haddad"]]
    answer = create(
        organiser,
        room_id=ids.rooms["Salle Dausset"],
        track_id=ids.tracks["Maladies rares"],
        speaker_ids=speakers,
        capacity="12",
        abstract="Lames commentées, en petit groupe.",
    )
    assert answer.status_code == 303
    created_id = int(
        re.fullmatch(r"/admin/programme/sessions/(\d+)", answer.headers["Location"])[1]
    )

    row = session_row(app, created_id)
    assert row.title == "Atelier : lire une biopsie cutanée"
    assert row.kind == "workshop"
    assert (row.starts_at, row.ends_at) == (
        dt.datetime(2027, 1, 25, 18, 0, tzinfo=dt.UTC),
        dt.datetime(2027, 1, 25, 19, 0, tzinfo=dt.UTC),
    )
    assert row.room_id == ids.rooms["Salle Dausset"]
    assert row.track_id == ids.tracks["Maladies rares"]
    assert sorted(s.id for s in row.speakers) == sorted(speakers)
    assert (row.capacity, row.abstract) == (12, "Lames commentées, en petit groupe.")
    assert (row.status, row.sequence) == (SessionStatus.SCHEDULED, 0)

    event = calendar_events(organiser)["Atelier : lire une biopsie cutanée"]
    assert event["DTSTART"].dt == dt.datetime(2027, 1, 25, 19, 0, tzinfo=PARIS)
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event["DTEND"].dt == dt.datetime(2027, 1, 25, 20, 0, tzinfo=PARIS)
    assert str(event["LOCATION"]).startswith("Salle Dausset")
    assert "Dr Léa Nguyen" in str(event["DESCRIPTION"])
    assert event["SEQUENCE"] == 0
    public = organiser.get("/programme")
    assert session_cards(text(public), "Atelier : lire une biopsie cutanée")


def test_the_new_session_form_offers_the_edition_s_rooms_tracks_and_speakers(
    organiser: FlaskClient, ids: Demo
) -> None:
    page = text(organiser.get(NEW_SESSION))

    def options(select: str) -> dict[str, str]:
        found = re.search(rf'<select id="{select}" name="{select}">(.*?)</select>', page, re.S)
        pairs = re.findall(r'<option(?: selected)? value="([^"]*)">([^<]*)</option>', found[1])
        return {value: visible(label) for value, label in pairs}

    assert options("room_id") == {"": "—"} | {str(i): name for name, i in ids.rooms.items()}
    assert options("track_id") == {"": "—"} | {str(i): name for name, i in ids.tracks.items()}
    assert options("day") == {DAY: "Monday 25 January 2027"}  # the reader's way, not ISO
    boxes = set(re.findall(r'name="speaker_ids" type="checkbox" value="(\d+)"', page))
    assert boxes == {str(i) for i in ids.speakers.values()}
    page = text(organiser.get(f"{NEW_SESSION}?lang=fr"))
    assert options("day") == {DAY: "lundi 25 janvier 2027"}


def test_a_room_clash_is_refused_next_to_the_room_naming_the_other_session(
    app: Flask, organiser: FlaskClient, ids: Demo
) -> None:
    before = session_count(app)
    answer = create(
        organiser, starts_at="11:30", ends_at="12:00", room_id=ids.rooms["Salle Pasteur"]
    )
    assert answer.status_code == 422
    assert field_errors(answer, "room_id") == [
        f"Salle Pasteur is already taken at that time by “{INTERFERON}” (11:00–12:15)."
    ]
    assert session_count(app) == before
    assert "Atelier : lire une biopsie cutanée" not in calendar_events(organiser)


def test_sessions_that_only_touch_do_not_clash(organiser: FlaskClient, ids: Demo) -> None:
    answer = create(
        organiser, starts_at="12:15", ends_at="12:45", room_id=ids.rooms["Salle Pasteur"]
    )
    assert answer.status_code == 303


def test_a_speaker_clash_is_refused_next_to_the_speakers(
    app: Flask, organiser: FlaskClient, ids: Demo
) -> None:
    before = session_count(app)
    answer = create(
        organiser,
        starts_at="12:00",
        ends_at="12:30",
        speaker_ids=[ids.speakers["Dr Jürgen Østergaard"], ids.speakers["Dr Léa Nguyen"]],
    )
    assert answer.status_code == 422
    assert field_errors(answer, "speaker_ids") == [
        f"Dr Jürgen Østergaard already speaks at that time in “{INTERFERON}” (11:00–12:15)."
    ]
    assert field_errors(answer, "room_id") == []
    assert session_count(app) == before


@pytest.mark.parametrize("typed", ["9h30", "09.30", "9:30", "09H30", " 09:30 "])
def test_a_start_time_may_be_written_the_french_way(
    app: Flask, organiser: FlaskClient, typed: str
) -> None:
    answer = create(organiser, starts_at=typed, ends_at="10:15")
    assert answer.status_code == 303
    created = json_session(organiser, "Atelier : lire une biopsie cutanée")
    assert created["start"] == "2027-01-25T09:30:00+01:00"
    assert created["end"] == "2027-01-25T10:15:00+01:00"


@pytest.mark.parametrize("field", ["starts_at", "ends_at"])
@pytest.mark.parametrize("typed", ["25:00", "24:00", "09:60", "neuf heures", "9:5", ""])
def test_a_time_that_is_not_a_clock_time_is_refused_next_to_its_field(
    app: Flask, organiser: FlaskClient, field: str, typed: str
) -> None:
    before = session_count(app)
    answer = create(organiser, **{field: typed})
    assert answer.status_code == 422
    errors = field_errors(answer, field)
    assert len(errors) == 1
    assert errors[0] in (BAD_CLOCK, "This field is required.")
    other = "ends_at" if field == "starts_at" else "starts_at"
    assert field_errors(answer, other) == []
    assert session_count(app) == before


@pytest.mark.parametrize(("start", "end"), [("15:00", "14:00"), ("15:00", "15:00")])
def test_an_end_before_the_start_is_refused_next_to_the_end(
    app: Flask, organiser: FlaskClient, start: str, end: str
) -> None:
    before = session_count(app)
    answer = create(organiser, starts_at=start, ends_at=end)
    assert answer.status_code == 422
    assert field_errors(answer, "ends_at") == ["The session must end after it starts."]
    assert session_count(app) == before


def test_a_refused_form_keeps_what_was_typed(organiser: FlaskClient, ids: Demo) -> None:
    answer = create(organiser, starts_at="25:00", abstract="Mon résumé")
    values = FormValues(text(answer)).values
    assert values["title"] == ["Atelier : lire une biopsie cutanée"]
    assert values["starts_at"] == ["25:00"]
    assert values["abstract"] == ["Mon résumé"]


# --- changing, cancelling, deleting ------------------------------------------------------------


def test_the_edit_form_shows_the_session_in_local_time(organiser: FlaskClient, ids: Demo) -> None:
    path = f"/admin/programme/sessions/{ids.sessions[INTERFERON]}"
    values = FormValues(text(organiser.get(path))).values
    assert values["title"] == [INTERFERON]
    assert values["day"] == [DAY]
    assert values["room_id"] == [str(ids.rooms["Salle Pasteur"])]
    assert values["speaker_ids"] == [str(ids.speakers["Dr Jürgen Østergaard"])]
    assert values["capacity"] == ["50"]
    assert (values["starts_at"], values["ends_at"]) == (["11:00"], ["12:15"])
    assert organiser.post(path, data=values).status_code == 303


def test_moving_a_session_to_another_room_raises_its_sequence_and_is_listed_as_a_change(
    app: Flask, organiser: FlaskClient, ids: Demo
) -> None:
    prize = ids.sessions[POSTER_PRIZE]
    before = calendar_events(organiser)[POSTER_PRIZE]
    assert "Programme changes" in visible(text(organiser.get("/programme/changes")))

    answer = edit(organiser, prize, room_id=str(ids.rooms["Salle Pasteur"]))
    assert answer.status_code == 303

    after = calendar_events(organiser)[POSTER_PRIZE]
    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1
    assert str(after["LOCATION"]).startswith("Salle Pasteur")
    assert json_session(organiser, POSTER_PRIZE)["room"] == "Salle Pasteur"
    assert "Salle Pasteur" in visible(text(organiser.get(f"/programme/{prize}")))

    changes = text(organiser.get("/programme/changes"))
    assert POSTER_PRIZE in visible(changes)
    assert "Room : Amphithéâtre Charcot → Salle Pasteur" in visible(changes)
    assert "<del>Amphithéâtre Charcot</del>" in changes
    with app.app_context():
        logged = db.session.scalars(select(ProgrammeChange)).all()
        assert [(c.session_id, c.changes) for c in logged] == [
            (prize, {"room": ["Amphithéâtre Charcot", "Salle Pasteur"]})
        ]


def test_saving_a_session_unchanged_keeps_its_sequence(
    app: Flask, organiser: FlaskClient, ids: Demo
) -> None:
    prize = ids.sessions[POSTER_PRIZE]
    assert edit(organiser, prize).status_code == 303
    assert calendar_events(organiser)[POSTER_PRIZE]["SEQUENCE"] == 0
    assert "No change so far." in visible(text(organiser.get("/programme/changes")))


def test_a_cancelled_session_stays_in_the_calendar_and_is_struck_through(
    app: Flask, organiser: FlaskClient, ids: Demo
) -> None:
    prize = ids.sessions[POSTER_PRIZE]
    answer = press(organiser, prize, "cancel")
    assert answer.status_code == 303
    assert session_row(app, prize).status == SessionStatus.CANCELLED

    event = calendar_events(organiser)[POSTER_PRIZE]
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == 1
    assert json_session(organiser, POSTER_PRIZE)["status"] == "cancelled"

    cards = session_cards(text(organiser.get("/programme")), POSTER_PRIZE)
    assert cards
    assert all("is-cancelled" in card for card in cards)
    stylesheet = organiser.get("/static/css/eventday.css")
    assert re.search(r"\.is-cancelled \.session-title\s*\{[^}]*line-through", text(stylesheet))
    stylesheet.close()
    assert "This session is cancelled." in visible(text(organiser.get(f"/programme/{prize}")))
    assert "Cancelled" in visible(text(organiser.get("/programme/changes")))


def test_a_cancelled_session_frees_its_room(organiser: FlaskClient, ids: Demo) -> None:
    press(organiser, ids.sessions[INTERFERON], "cancel")
    answer = create(
        organiser, starts_at="11:30", ends_at="12:00", room_id=ids.rooms["Salle Pasteur"]
    )
    assert answer.status_code == 303


def test_a_workshop_that_attendees_chose_cannot_be_deleted(
    app: Flask, organiser: FlaskClient, ids: Demo
) -> None:
    workshop = ids.sessions[CAPILLAROSCOPY]
    register(app, ids.edition, "Aline", workshops=(workshop,))

    answer = press(organiser, workshop, "delete")
    assert answer.status_code == 303
    page = organiser.get(answer.headers["Location"])
    assert (
        "error",
        "1 registered attendees chose this workshop: cancel it instead, so they and their "
        "calendars are told.",
    ) in flashes(page)
    assert session_row(app, workshop) is not None
    assert CAPILLAROSCOPY in calendar_events(organiser)


def test_a_session_nobody_chose_is_deleted_everywhere(
    app: Flask, organiser: FlaskClient, ids: Demo
) -> None:
    workshop = ids.sessions[CAPILLAROSCOPY]
    answer = press(organiser, workshop, "delete")
    assert answer.status_code == 303
    assert ("info", "Session deleted.") in flashes(organiser.get(answer.headers["Location"]))
    assert session_row(app, workshop) is None
    assert CAPILLAROSCOPY not in calendar_events(organiser)
    assert json_session(organiser, CAPILLAROSCOPY) is None
    assert organiser.get(f"/programme/{workshop}").status_code == 404


def test_a_workshop_chosen_only_by_cancelled_registrations_can_be_deleted(
    app: Flask, organiser: FlaskClient, ids: Demo
) -> None:
    workshop = ids.sessions[CAPILLAROSCOPY]
    gone = register(app, ids.edition, "Aline", workshops=(workshop,))
    with app.app_context():
        capacity.cancel(gone)

    answer = press(organiser, workshop, "delete")
    assert ("info", "Session deleted.") in flashes(organiser.get(answer.headers["Location"]))
    assert session_row(app, workshop) is None


def test_writing_to_a_workshop_s_attendees_mails_each_confirmed_one_in_their_language(
    app: Flask, organiser: FlaskClient, ids: Demo
) -> None:
    workshop = ids.sessions[CAPILLAROSCOPY]
    other = ids.sessions[INTERFERON]
    register(app, ids.edition, "Alice", language="en", workshops=(workshop,))
    register(app, ids.edition, "Bruno", language="fr", workshops=(workshop,))
    register(app, ids.edition, "Chloé", language="fr", workshops=(other,))
    # Awaiting approval: holds no seat in the workshop yet.
    register(app, ids.edition, "Dana", stakeholder_type="industry", workshops=(workshop,))
    cancelled = register(app, ids.edition, "Eric", workshops=(workshop,))
    with app.app_context():
        capacity.cancel(cancelled)
        mails_before = db.session.scalar(select(func.max(OutboxMail.id)))
    edit(organiser, workshop, starts_at="11:15")

    answer = press(organiser, workshop, "notify")
    assert answer.status_code == 303
    assert ("info", "2 attendees were written to.") in flashes(
        organiser.get(answer.headers["Location"])
    )
    with app.app_context():
        sent = db.session.scalars(
            select(OutboxMail).where(OutboxMail.id > mails_before).order_by(OutboxMail.recipient)
        ).all()
        edition_name = db.session.get_one(Edition, ids.edition).name
    assert [(m.recipient, m.kind, m.language) for m in sent] == [
        ("alice.lefevre@example.org", "session_changed", "en"),
        ("bruno.lefevre@example.org", "session_changed", "fr"),
    ]
    alice, bruno = sent
    assert alice.subject == f"A session of your programme has changed · {edition_name}"
    assert bruno.subject == f"Une session de votre programme a changé · {edition_name}"
    assert f"The session “{CAPILLAROSCOPY}”, which you chose, has changed" in alice.body
    assert "11:15–12:15" in alice.body
    assert "Salle Claude-Bernard" in alice.body
    assert CAPILLAROSCOPY in bruno.body
    assert "which you chose" not in bruno.body


# --- rooms, tracks and speakers ----------------------------------------------------------------


def add(client: FlaskClient, what: str, **fields: str):
    """Fill in one of the editor's "Add" forms (fields prefixed room-, track-, speaker-)."""
    prefix = what.removesuffix("s")
    if what == "tracks":
        fields = {"colour": "#4a5568", **fields}  # the colour field's default, sent back as is
    data = {f"{prefix}-{name}": value for name, value in fields.items()}
    return post_form(client, EDITOR, f"/admin/programme/{what}", data)


def names(app: Flask, model: type) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(select(model.name)))


def test_a_new_room_is_added_and_offered_at_once(
    app: Flask, organiser: FlaskClient, ids: Demo
) -> None:
    answer = add(organiser, "rooms", name="Salle Lwoff", capacity="25")
    assert answer.status_code == 303
    page = organiser.get(EDITOR)
    assert ("info", "Room added.") in flashes(page)
    with app.app_context():
        room = db.session.scalars(select(Room).where(Room.name == "Salle Lwoff")).one()
        assert (room.edition_id, room.capacity) == (ids.edition, 25)
    assert "Salle Lwoff" in visible(text(organiser.get(NEW_SESSION)))
    assert {"name": "Salle Lwoff", "capacity": 25} in programme_json(organiser)["rooms"]


def test_a_new_track_and_speaker_are_added(app: Flask, organiser: FlaskClient, ids: Demo) -> None:
    assert add(organiser, "tracks", name="Pédiatrie", colour="#1A2B3C").status_code == 303
    added = add(organiser, "speakers", name="Dr Ada Roux", affiliation="CHU de Rennes")
    assert added.status_code == 303
    with app.app_context():
        track = db.session.scalars(select(Track).where(Track.name == "Pédiatrie")).one()
        assert track.colour == "#1a2b3c"
        speaker = db.session.scalars(select(Speaker).where(Speaker.name == "Dr Ada Roux")).one()
        assert speaker.affiliation == "CHU de Rennes"
    form = visible(text(organiser.get(NEW_SESSION)))
    assert "Pédiatrie" in form
    assert "Dr Ada Roux (CHU de Rennes)" in form


@pytest.mark.parametrize(
    ("what", "name", "message"),
    [
        ("rooms", "Salle Pasteur", "There is already a room of that name."),
        ("tracks", "Maladies rares", "There is already a track of that name."),
    ],
)
def test_a_second_room_or_track_of_the_same_name_is_refused(
    app: Flask, organiser: FlaskClient, ids: Demo, what: str, name: str, message: str
) -> None:
    model = Room if what == "rooms" else Track
    before = names(app, model)
    answer = add(organiser, what, name=f" {name} ")
    assert answer.status_code == 303
    assert ("error", f"Name: {message}") in flashes(organiser.get(EDITOR))
    assert names(app, model) == before


@pytest.mark.parametrize("colour", ["red", "#12345", "#12345g", "1a2b3c", "#1a2b3c4"])
def test_a_track_colour_not_written_rrggbb_is_refused(
    app: Flask, organiser: FlaskClient, ids: Demo, colour: str
) -> None:
    add(organiser, "tracks", name="Pédiatrie", colour=colour)
    errors = [message for kind, message in flashes(organiser.get(EDITOR)) if kind == "error"]
    assert len(errors) == 1
    assert errors[0].startswith("Colour (#RRGGBB): ")
    assert "Pédiatrie" not in names(app, Track)


@pytest.mark.parametrize(
    ("what", "name", "reason"),
    [
        ("rooms", "Salle Pasteur", "2 sessions take place in this room: move them first."),
        ("tracks", "Patients et société", "3 sessions belong to this track: change them first."),
        ("speakers", "Zoé Perrin", "This speaker is in 2 sessions: take them out first."),
    ],
)
def test_deleting_a_room_track_or_speaker_in_use_is_refused_with_the_reason(
    app: Flask, organiser: FlaskClient, ids: Demo, what: str, name: str, reason: str
) -> None:
    item = getattr(ids, what)[name]
    answer = post_form(organiser, EDITOR, f"/admin/programme/{what}/{item}/delete")
    assert answer.status_code == 303
    assert ("error", reason) in flashes(organiser.get(EDITOR))
    assert name in names(app, {"rooms": Room, "tracks": Track, "speakers": Speaker}[what])


@pytest.mark.parametrize("what", ["rooms", "tracks", "speakers"])
def test_deleting_an_unused_room_track_or_speaker_works(
    app: Flask, organiser: FlaskClient, ids: Demo, what: str
) -> None:
    model = {"rooms": Room, "tracks": Track, "speakers": Speaker}[what]
    add(organiser, what, name="Inutile")
    with app.app_context():
        item = db.session.scalars(select(model.id).where(model.name == "Inutile")).one()
    answer = post_form(organiser, EDITOR, f"/admin/programme/{what}/{item}/delete")
    assert answer.status_code == 303
    assert ("info", "Deleted.") in flashes(organiser.get(EDITOR))
    assert "Inutile" not in names(app, model)
    assert "Inutile" not in visible(text(organiser.get(NEW_SESSION)))


# --- who may edit, and hostile text ------------------------------------------------------------


def test_a_check_in_desk_account_opens_no_page_of_the_editor(
    app: Flask, ids: Demo, organiser: FlaskClient
) -> None:
    desk = signed_in(app, Role.CHECKIN)
    token = csrf_token(desk, "/admin/checkin")
    unused_room = ids.rooms["Salle Dausset"]
    values = {
        "session_id": ids.sessions[CAPILLAROSCOPY],
        "item_id": unused_room,
        "what": "rooms",
    }
    before = (session_count(app), names(app, Room), calendar_events(organiser).keys())
    walked = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin/programme"):
            continue
        path = rule.rule
        for name, value in values.items():
            path = re.sub(rf"<[^>]*:?{name}>", str(value), path)
        for method in sorted(rule.methods & {"GET", "POST"}):
            data = {"csrf_token": token, **session_fields(), "room-name": "X", "track-name": "X"}
            answer = desk.open(path, method=method, data=data if method == "POST" else None)
            assert answer.status_code == 403, (method, path, answer.status_code)
            walked.add(rule.endpoint)
    assert walked >= {
        "programme_admin.index",
        "programme_admin.session",
        "programme_admin.cancel_session",
        "programme_admin.delete_session",
        "programme_admin.notify",
        "programme_admin.add_room",
        "programme_admin.add_track",
        "programme_admin.add_speaker",
        "programme_admin.delete",
    }
    assert (session_count(app), names(app, Room), calendar_events(organiser).keys()) == before


def test_html_in_a_title_is_shown_as_text_in_the_editor_and_the_public_pages(
    app: Flask, organiser: FlaskClient, ids: Demo
) -> None:
    answer = create(organiser, title=HOSTILE_TITLE)
    assert answer.status_code == 303
    created = answer.headers["Location"]
    session_id = int(created.rsplit("/", 1)[1])
    assert session_row(app, session_id).title == HOSTILE_TITLE

    for path in (EDITOR, created, "/programme", f"/programme/{session_id}"):
        page = text(organiser.get(path))
        assert "<script>alert" not in page, path
        assert "<b>gras</b>" not in page, path
        assert "&lt;script&gt;alert(" in page, path
        assert HOSTILE_TITLE in visible(page), path
    assert HOSTILE_TITLE in calendar_events(organiser)
