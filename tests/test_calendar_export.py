"""The programme as iCalendar and JSON: what calendar programs and scripts read back."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select
from werkzeug.test import TestResponse

from eventday.extensions import db
from eventday.programme import demo as demo_data
from eventday.programme import rules
from eventday.programme.demo import DEMO_DAY
from eventday.programme.models import Edition, Session
from tests.conftest import PUBLIC_URL, make_edition, make_session, paris

UTC = dt.UTC
PARIS = ZoneInfo("Europe/Paris")
DEMO_NAME = "9e Journée de recherche sur les maladies inflammatoires et auto-immunes"
SJOGREN_TALK = "Lymphocytes B naïfs et mémoire dans le syndrome de Sjögren"
DAY = dt.date(2027, 1, 25)  # make_edition's default day


def get_calendar(
    client: FlaskClient, path: str = "/programme.ics", **query: object
) -> tuple[TestResponse, icalendar.Calendar]:
    """The response and its body parsed by icalendar (the request must succeed)."""
    response = client.get(path, query_string=query)
    assert response.status_code == 200, response.data[:300]
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return response, icalendar.Calendar.from_ical(response.data)


def get_programme(client: FlaskClient, **query: object) -> dict:
    response = client.get("/programme.json", query_string=query)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def read_with_vobject(body: bytes) -> vobject.base.Component:
    """The calendar parsed by vobject, which builds its time zones from the file's VTIMEZONE."""
    # vobject keeps the first VTIMEZONE it saw per TZID for the whole process; forget it
    # so that this file's own VTIMEZONE is the one that gets tested.
    vobject.icalendar.registerTzid("Europe/Paris", None)
    return vobject.readOne(body.decode("utf-8"))


def events_by_uid(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for event in calendar.events}


def sequences(client: FlaskClient, path: str = "/programme.ics") -> dict[str, int]:
    _, calendar = get_calendar(client, path)
    return {str(event["UID"]): int(event["SEQUENCE"]) for event in calendar.events}


def raw_property_lines(body: bytes, name: str) -> list[str]:
    """The unfolded content lines of one property, as written."""
    unfolded = body.decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "")
    return [line for line in unfolded.split("\r\n") if line.split(";")[0].split(":")[0] == name]


def session_id(client: FlaskClient, title: str) -> int:
    (found,) = [s for s in get_programme(client)["sessions"] if s["title"] == title]
    return found["id"]


@pytest.fixture
def small(app: Flask) -> dict[str, int]:
    """An edition with two rooms and one scheduled talk in the first: their ids."""
    with app.app_context():
        edition = make_edition()
        first = rules.add_room(edition.id, "Salle Pasteur", 60)
        second = rules.add_room(edition.id, "Salle Dausset", 30)
        speaker = rules.add_speaker(edition.id, "Dr Léa Nguyen", "CHU de Bordeaux")
        talk = make_session(
            edition.id,
            DAY,
            "10:00",
            "11:00",
            title="Vascularites à ANCA",
            room_id=first.id,
            speaker_ids=(speaker.id,),
            abstract="Le point sur le traitement d'entretien.",
        )
        return {
            "edition": edition.id,
            "room": first.id,
            "other_room": second.id,
            "speaker": speaker.id,
            "session": talk.id,
        }


def talk_draft(small: dict[str, int], **changes: object) -> rules.SessionDraft:
    """The draft that saves the `small` talk as it is, with `changes`."""
    fields: dict[str, object] = {
        "title": "Vascularites à ANCA",
        "kind": "talk",
        "starts_at": paris(DAY, "10:00"),
        "ends_at": paris(DAY, "11:00"),
        "room_id": small["room"],
        "speaker_ids": (small["speaker"],),
        "abstract": "Le point sur le traitement d'entretien.",
    }
    return rules.SessionDraft(**{**fields, **changes})


# --- the whole programme as iCalendar ------------------------------------------------------


def test_programme_ics_is_a_calendar_named_after_the_edition(client, demo):
    response, calendar = get_calendar(client)

    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]).strip()
    assert str(calendar["X-WR-CALNAME"]) == DEMO_NAME
    assert [str(tz["TZID"]) for tz in calendar.timezones] == ["Europe/Paris"]


def test_programme_ics_has_one_complete_event_per_session(client, demo):
    _, calendar = get_calendar(client)
    sessions = get_programme(client)["sessions"]
    events = calendar.events

    assert len(sessions) == len(demo_data.SESSIONS)
    assert len(events) == len(sessions)
    uids = [str(event["UID"]) for event in events]
    assert len(set(uids)) == len(uids)
    by_url = {str(event["URL"]): event for event in events}
    for session in sessions:
        event = by_url[session["url"]]
        for name in ("UID", "DTSTAMP", "LAST-MODIFIED", "SEQUENCE", "LOCATION", "DESCRIPTION"):
            assert str(event[name]).strip(), (name, session["title"])
        assert str(event["SUMMARY"]) == session["title"]
        start = event["DTSTART"].dt
        end = event["DTEND"].dt
        assert start == dt.datetime.fromisoformat(session["start"])
        assert end == dt.datetime.fromisoformat(session["end"])
        assert start.astimezone(PARIS).date() == DEMO_DAY
        if session["room"]:
            assert session["room"] in str(event["LOCATION"])
        for speaker in session["speakers"]:
            assert speaker["name"] in str(event["DESCRIPTION"])
        assert event["DTSTAMP"].dt.utcoffset() == dt.timedelta(0)


def test_programme_ics_gives_wall_clock_times_with_tzid(client, demo):
    response, calendar = get_calendar(client)
    by_title = {str(e["SUMMARY"]): e for e in calendar.events}

    for start, end, _kind, title, *_ in demo_data.SESSIONS:
        event = by_title[title]
        assert event["DTSTART"].params["TZID"] == "Europe/Paris"
        assert event["DTEND"].params["TZID"] == "Europe/Paris"
        assert event["DTSTART"].dt.replace(tzinfo=None) == dt.datetime.combine(
            DEMO_DAY, dt.time.fromisoformat(start)
        ), title
        assert event["DTEND"].dt.replace(tzinfo=None) == dt.datetime.combine(
            DEMO_DAY, dt.time.fromisoformat(end)
        ), title
    talk = by_title[SJOGREN_TALK]
    assert talk["DTSTART"].dt.astimezone(UTC) == dt.datetime(2027, 1, 25, 10, 0, tzinfo=UTC)
    starts = raw_property_lines(response.data, "DTSTART")
    ends = raw_property_lines(response.data, "DTEND")
    # The events' DTSTARTs; the VTIMEZONE's own DTSTARTs are local times without TZID.
    event_starts = [line for line in starts if "TZID=" in line]
    assert len(event_starts) == len(calendar.events) == len(ends)
    assert all(line.startswith("DTEND;TZID=Europe/Paris:2027") for line in ends)
    assert all(line.startswith("DTSTART;TZID=Europe/Paris:2027") for line in event_starts)
    assert "DTSTART;TZID=Europe/Paris:20270125T110000" in starts


def test_vobject_reads_the_same_events(client, demo):
    response, calendar = get_calendar(client)
    parsed = read_with_vobject(response.data)

    by_icalendar = {str(e["UID"]): e["DTSTART"].dt for e in calendar.events}
    by_vobject = {e.uid.value: e.dtstart.value for e in parsed.vevent_list}
    assert len(parsed.vevent_list) == len(calendar.events) == len(demo_data.SESSIONS)
    assert by_vobject == by_icalendar
    assert parsed.x_wr_calname.value == DEMO_NAME


# --- time zones --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first_day", "expected_utc", "expected_offsets"),
    [
        # Clocks go forward on Sunday 28 March 2027 at 02:00.
        (dt.date(2027, 3, 27), ["09:00", "08:00"], ["+01:00", "+02:00"]),
        # Clocks go back on Sunday 31 October 2027 at 03:00.
        (dt.date(2027, 10, 30), ["08:00", "09:00"], ["+02:00", "+01:00"]),
    ],
    ids=["spring-forward", "fall-back"],
)
def test_session_times_follow_daylight_saving_time(
    app, client, first_day, expected_utc, expected_offsets
):
    days = [first_day, first_day + dt.timedelta(days=1)]
    with app.app_context():
        edition = make_edition(start=days[0], end=days[1])
        for day in days:
            make_session(edition.id, day, "10:00", "11:00", title=f"Séance du {day.day}")

    response, calendar = get_calendar(client)
    starts = sorted(event["DTSTART"].dt for event in calendar.events)
    assert [s.astimezone(UTC) for s in starts] == [
        dt.datetime.combine(day, dt.time.fromisoformat(clock), tzinfo=UTC)
        for day, clock in zip(days, expected_utc, strict=True)
    ]
    written = raw_property_lines(response.data, "DTSTART")
    for day in days:
        assert f"DTSTART;TZID=Europe/Paris:{day:%Y%m%d}T100000" in written
    # vobject reads the times through the file's own VTIMEZONE, not the system's tz database.
    parsed = read_with_vobject(response.data)
    assert sorted(e.dtstart.value.astimezone(UTC) for e in parsed.vevent_list) == [
        s.astimezone(UTC) for s in starts
    ]

    sessions = get_programme(client)["sessions"]
    assert [s["start"] for s in sessions] == [
        f"{day.isoformat()}T10:00:00{offset}"
        for day, offset in zip(days, expected_offsets, strict=True)
    ]
    assert [s["end"] for s in sessions] == [
        f"{day.isoformat()}T11:00:00{offset}"
        for day, offset in zip(days, expected_offsets, strict=True)
    ]


# --- UID and SEQUENCE ----------------------------------------------------------------------


def test_uid_is_the_same_in_every_export_of_a_session(client, demo):
    _, first = get_calendar(client)
    _, second = get_calendar(client)
    talk = session_id(client, SJOGREN_TALK)
    _, single = get_calendar(client, f"/programme/{talk}.ics")
    _, filtered = get_calendar(client, kind="talk")

    uid = str(next(e["UID"] for e in first.events if str(e["SUMMARY"]) == SJOGREN_TALK))
    assert [str(e["UID"]) for e in first.events] == [str(e["UID"]) for e in second.events]
    assert [str(e["UID"]) for e in single.events] == [uid]
    assert uid in events_by_uid(filtered)


def test_uid_domain_is_the_public_url_host(client, demo):
    _, calendar = get_calendar(client)

    domain = urlsplit(PUBLIC_URL).hostname
    assert domain == "journee.example.org"
    assert all(str(e["UID"]).rsplit("@", 1)[1] == domain for e in calendar.events)


def test_uid_survives_changes_to_the_session(app, client, small):
    before = set(sequences(client))
    with app.app_context():
        rules.save_session(
            small["edition"],
            talk_draft(small, title="Vascularites : le point", room_id=small["other_room"]),
            session_id=small["session"],
        )

    assert set(sequences(client)) == before


@pytest.mark.parametrize(
    "changes",
    [
        lambda small: {"room_id": small["other_room"]},
        lambda small: {"starts_at": paris(DAY, "14:00"), "ends_at": paris(DAY, "15:00")},
        lambda small: {"ends_at": paris(DAY, "11:30")},
        lambda small: {"title": "Vascularites à ANCA : traitement d'entretien"},
    ],
    ids=["room", "time", "end-time", "title"],
)
def test_sequence_grows_when_time_room_or_title_changes(app, client, small, changes):
    ((uid, before),) = sequences(client).items()
    with app.app_context():
        rules.save_session(small["edition"], talk_draft(small, **changes(small)), small["session"])

    after = sequences(client)[uid]
    assert after > before
    assert sequences(client, f"/programme/{small['session']}.ics")[uid] == after
    assert get_programme(client)["sessions"][0]["status"] == "scheduled"


def test_sequence_stays_when_only_the_abstract_changes(app, client, small):
    ((uid, before),) = sequences(client).items()
    with app.app_context():
        rules.save_session(
            small["edition"],
            talk_draft(small, abstract="Un nouveau résumé, plus détaillé."),
            small["session"],
        )

    _, calendar = get_calendar(client)
    (event,) = calendar.events
    assert str(event["UID"]) == uid
    assert int(event["SEQUENCE"]) == before
    assert "Un nouveau résumé, plus détaillé." in str(event["DESCRIPTION"])


def test_cancelled_session_stays_with_status_cancelled_and_higher_sequence(app, client, small):
    ((uid, before),) = sequences(client).items()
    with app.app_context():
        rules.cancel_session(small["edition"], small["session"])

    for path in ("/programme.ics", f"/programme/{small['session']}.ics"):
        _, calendar = get_calendar(client, path)
        (event,) = calendar.events
        assert str(event["UID"]) == uid
        assert str(event["STATUS"]) == "CANCELLED"
        assert int(event["SEQUENCE"]) > before
    (session,) = get_programme(client)["sessions"]
    assert session["status"] == "cancelled"
    assert session["title"] == "Vascularites à ANCA"


# --- ETag ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/programme.ics", "/programme.json", "/programme/{id}.ics"])
def test_etag_answers_304_until_the_programme_changes(app, client, small, path):
    path = path.format(id=small["session"])
    first = client.get(path)
    etag = first.headers.get("ETag")
    assert first.status_code == 200
    assert etag

    unchanged = client.get(path, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.data == b""
    assert unchanged.headers["ETag"] == etag

    with app.app_context():
        rules.save_session(
            small["edition"], talk_draft(small, title="Titre modifié"), small["session"]
        )

    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert "Titre modifié" in changed.get_data(as_text=True)
    assert changed.headers["ETag"] not in (None, etag)
    again = client.get(path, headers={"If-None-Match": changed.headers["ETag"]})
    assert again.status_code == 304


def test_etag_differs_between_filtered_calendars(client, demo):
    whole = client.get("/programme.ics")
    workshops = client.get("/programme.ics", query_string={"kind": "workshop"})

    assert whole.headers["ETag"] != workshops.headers["ETag"]
    answer = client.get(
        "/programme.ics",
        query_string={"kind": "workshop"},
        headers={"If-None-Match": whole.headers["ETag"]},
    )
    assert answer.status_code == 200


def test_weak_if_none_match_still_answers_304(client, small):
    etag = client.get("/programme.ics").headers["ETag"]

    answer = client.get("/programme.ics", headers={"If-None-Match": f"W/{etag}"})

    assert answer.status_code == 304


# --- text and format ------------------------------------------------------------------------


def test_non_ascii_text_survives_parsing(client, demo):
    response, calendar = get_calendar(client)
    summaries = {str(e["SUMMARY"]) for e in calendar.events}
    descriptions = "\n".join(str(e["DESCRIPTION"]) for e in calendar.events)
    parsed = read_with_vobject(response.data)

    assert SJOGREN_TALK in summaries
    assert "Clôture : les priorités de recherche du réseau" in summaries
    assert "Pr Hélène Marchand" in descriptions
    assert "Dr Mei Lin (林梅)" in descriptions
    assert "Dr Jürgen Østergaard" in descriptions
    assert SJOGREN_TALK in {e.summary.value for e in parsed.vevent_list}
    assert "Dr Mei Lin (林梅)" in "\n".join(e.description.value for e in parsed.vevent_list)
    assert str(calendar["X-WR-CALNAME"]) == DEMO_NAME


def test_lines_are_folded_to_75_octets_and_end_with_crlf(client, demo):
    body = client.get("/programme.ics").data

    assert body.startswith(b"BEGIN:VCALENDAR\r\n")
    assert body.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in body.replace(b"\r\n", b"")
    assert b"\r" not in body.replace(b"\r\n", b"")
    lines = body.split(b"\r\n")[:-1]
    assert max(len(line) for line in lines) <= 75
    # Folding never cuts a multi-octet character in two.
    for line in lines:
        line.decode("utf-8")
    assert any(line.startswith(b" ") for line in lines)


def test_html_in_a_title_is_text_in_ics_and_escaped_in_pages(app, client):
    title = "<script>alert(1)</script>"
    with app.app_context():
        edition = make_edition()
        talk = make_session(edition.id, DAY, "10:00", "11:00", title=title).id

    _, calendar = get_calendar(client)
    assert [str(e["SUMMARY"]) for e in calendar.events] == [title]
    for path in ("/programme", f"/programme/{talk}"):
        page = client.get(path).get_data(as_text=True)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, path
        assert "<script>alert" not in page, path
    assert get_programme(client)["sessions"][0]["title"] == title


def test_refresh_hints_are_iso_durations(client, small):
    body = client.get("/programme.ics").data

    assert raw_property_lines(body, "REFRESH-INTERVAL") == ["REFRESH-INTERVAL;VALUE=DURATION:PT1H"]
    assert raw_property_lines(body, "X-PUBLISHED-TTL") == ["X-PUBLISHED-TTL:PT1H"]


# --- filters -------------------------------------------------------------------------------

FILTERS = [
    pytest.param({"track": "Maladies rares"}, lambda s: s["track"] == "Maladies rares", id="track"),
    pytest.param({"kind": "workshop"}, lambda s: s["kind"] == "workshop", id="kind"),
    pytest.param({"room": "Salle Pasteur"}, lambda s: s["room"] == "Salle Pasteur", id="room"),
    pytest.param(
        {"kind": ["workshop", "round-table"]},
        lambda s: s["kind"] in ("workshop", "round-table"),
        id="two-kinds",
    ),
    pytest.param(
        {"track": ["Maladies rares", "Patients et société"]},
        lambda s: s["track"] in ("Maladies rares", "Patients et société"),
        id="two-tracks",
    ),
    pytest.param(
        {"track": "Maladies rares", "kind": "workshop"},
        lambda s: s["track"] == "Maladies rares" and s["kind"] == "workshop",
        id="track-and-kind",
    ),
]


@pytest.mark.parametrize(("query", "keep"), FILTERS)
def test_filtered_calendar_holds_only_the_chosen_sessions(client, demo, query, keep):
    everything = get_programme(client)["sessions"]
    expected = {s["url"] for s in everything if keep(s)}

    _, calendar = get_calendar(client, **query)
    filtered_json = get_programme(client, **query)["sessions"]

    assert 0 < len(expected) < len(everything)
    assert {str(e["URL"]) for e in calendar.events} == expected
    assert {s["url"] for s in filtered_json} == expected
    assert [str(tz["TZID"]) for tz in calendar.timezones] == ["Europe/Paris"]


@pytest.mark.parametrize(
    "query",
    [{"track": "Cardiologie"}, {"kind": "banquet"}, {"room": "Salle inconnue"}],
    ids=["track", "kind", "room"],
)
def test_unknown_filter_value_gives_an_empty_but_valid_calendar(client, demo, query):
    response, calendar = get_calendar(client, **query)
    document = get_programme(client, **query)

    assert calendar.events == []
    assert [str(tz["TZID"]) for tz in calendar.timezones] == ["Europe/Paris"]
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["X-WR-CALNAME"]) == DEMO_NAME
    assert read_with_vobject(response.data).contents.get("vevent", []) == []
    assert document["sessions"] == []
    assert document["edition"]["name"] == DEMO_NAME
    assert len(document["rooms"]) == 4


# --- /programme.json -----------------------------------------------------------------------


def test_programme_json_has_the_contract_keys(client, demo):
    document = get_programme(client)

    assert {"edition", "rooms", "sessions"} <= document.keys()
    edition = document["edition"]
    assert {"name", "slug", "timezone", "start", "end", "venue"} <= edition.keys()
    assert edition["name"] == DEMO_NAME
    assert edition["slug"] == "journee-2027"
    assert edition["timezone"] == "Europe/Paris"
    assert dt.datetime.fromisoformat(edition["start"]) == paris(DEMO_DAY, "00:00")
    assert dt.datetime.fromisoformat(edition["end"]) == paris(
        DEMO_DAY + dt.timedelta(days=1), "00:00"
    )
    assert "Hôpital universitaire Paris-Centre" in str(edition["venue"])
    assert [room["name"] for room in document["rooms"]] == [
        "Amphithéâtre Charcot",
        "Salle Pasteur",
        "Salle Claude-Bernard",
        "Salle Dausset",
    ]
    keys = {"id", "title", "kind", "start", "end", "room", "track", "speakers", "capacity"}
    keys |= {"status", "url"}
    for session in document["sessions"]:
        assert keys <= session.keys(), session
        assert session["status"] == "scheduled"
        for speaker in session["speakers"]:
            assert set(speaker) >= {"name", "affiliation"}
    workshop = next(s for s in document["sessions"] if s["title"].startswith("Atelier : capillaro"))
    assert workshop["kind"] == "workshop"
    assert workshop["capacity"] == 30
    assert workshop["room"] == "Salle Claude-Bernard"
    assert workshop["track"] == "Maladies rares"
    assert workshop["speakers"] == [
        {
            "name": "Pr François d'Almeida",
            "affiliation": "Service de dermatologie, hôpital universitaire Paris-Centre",
        }
    ]


def test_programme_json_times_are_aware_iso_8601(client, demo):
    sessions = get_programme(client)["sessions"]

    for session in sessions:
        start = dt.datetime.fromisoformat(session["start"])
        end = dt.datetime.fromisoformat(session["end"])
        assert start.utcoffset() == end.utcoffset() == dt.timedelta(hours=1)
        assert start < end
    opening = next(s for s in sessions if s["title"] == SJOGREN_TALK)
    assert opening["start"] == "2027-01-25T11:00:00+01:00"
    assert opening["end"] == "2027-01-25T11:20:00+01:00"


def test_programme_json_url_is_the_absolute_session_page(client, demo):
    sessions = get_programme(client)["sessions"]

    for session in sessions[:3] + sessions[-1:]:
        url = urlsplit(session["url"])
        assert f"{url.scheme}://{url.netloc}" == PUBLIC_URL
        assert url.path == f"/programme/{session['id']}"
        page = client.get(url.path)
        assert page.status_code == 200
        assert str(escape(session["title"])) in page.get_data(as_text=True)


# --- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/programme/999999.ics", "/programme/999999"])
def test_unknown_session_is_a_404_page(client, demo, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "<html" in response.get_data(as_text=True)


def test_session_of_another_edition_is_not_found(app, client, demo):
    with app.app_context():
        old_session = db.session.scalars(select(Session.id)).first()
        make_edition(start=dt.date(2028, 1, 24), slug="journee-2028")
        assert db.session.scalar(select(Edition.slug).where(Edition.is_current)) == ("journee-2028")

    assert client.get(f"/programme/{old_session}.ics").status_code == 404
    _, calendar = get_calendar(client)
    assert calendar.events == []
