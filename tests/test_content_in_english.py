"""Content in two languages: English beside the French where organisers give it, on the
pages, in /programme.json and in .ics (?lang=en), the French wherever no English is given."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from flask import Flask

from eventday.extensions import db
from eventday.programme import rules
from eventday.programme.models import Edition
from tests.conftest import make_edition, make_session

DAY = dt.date(2027, 1, 25)


@pytest.fixture
def edition(app: Flask) -> int:
    with app.app_context():
        edition = make_edition(DAY)
        edition.name_en = "Research day on autoimmune diseases"
        edition.description_en = "A day of exchanges."
        db.session.commit()
        room = rules.add_room(edition.id, "Amphithéâtre", 300, name_en="Lecture hall")
        track = rules.add_track(edition.id, "Maladies rares", name_en="Rare diseases")
        make_session(
            edition.id,
            DAY,
            "10:00",
            "11:00",
            "Les lymphocytes T CAR dans le lupus",
            kind="workshop",
            room_id=room.id,
            track_id=track.id,
            capacity=30,
            abstract="Résumé en français.",
            title_en="CAR T cells in lupus",
            abstract_en="An abstract in English.",
        )
        make_session(edition.id, DAY, "12:00", "13:00", "Déjeuner", kind="meal")
        return edition.id


def _events(calendar: bytes) -> dict[str, icalendar.Event]:
    return {str(e["SUMMARY"]): e for e in icalendar.Calendar.from_ical(calendar).walk("VEVENT")}


def test_pages_show_the_english_where_given_and_the_french_otherwise(client, edition):
    english = client.get("/programme?lang=en").get_data(as_text=True)
    assert "CAR T cells in lupus" in english and "Les lymphocytes" not in english
    assert "Déjeuner" in english  # no English given: the French
    assert "Lecture hall" in english and "Rare diseases" in english
    assert "Research day on autoimmune diseases" in english
    french = client.get("/programme?lang=fr").get_data(as_text=True)
    assert "Les lymphocytes T CAR dans le lupus" in french and "CAR T cells" not in french
    session_page = client.get("/programme/1?lang=en").get_data(as_text=True)
    assert "An abstract in English." in session_page
    assert "Monday 25 January 2027" in client.get("/?lang=en").get_data(as_text=True)
    assert "lundi 25 janvier 2027" in client.get("/?lang=fr").get_data(as_text=True)


def test_the_json_follows_lang_and_is_french_by_default(client, edition):
    english = client.get("/programme.json?lang=en").get_json()
    workshop = next(s for s in english["sessions"] if s["kind"] == "workshop")
    assert (workshop["title"], workshop["track"], workshop["room"]) == (
        "CAR T cells in lupus",
        "Rare diseases",
        "Lecture hall",
    )
    assert workshop["abstract"] == "An abstract in English."
    assert english["edition"]["name"] == "Research day on autoimmune diseases"
    # A feed gives one language per address: French unless ?lang= says otherwise.
    default = client.get("/programme.json", headers={"Accept-Language": "en"}).get_json()
    assert next(s for s in default["sessions"] if s["kind"] == "workshop")["title"] == (
        "Les lymphocytes T CAR dans le lupus"
    )
    # The filters take a track as either language names it.
    for name in ("Rare diseases", "Maladies rares"):
        chosen = client.get("/programme.json", query_string={"track": name}).get_json()
        assert [s["kind"] for s in chosen["sessions"]] == ["workshop"]


def test_calendars_follow_lang_with_categories_in_words(client, edition):
    english = _events(client.get("/programme.ics?lang=en").data)
    workshop = english["CAR T cells in lupus"]
    assert [str(c) for c in workshop["CATEGORIES"].cats] == ["Workshop", "Rare diseases"]
    assert "Lecture hall" in str(workshop["LOCATION"])
    assert "An abstract in English." in str(workshop["DESCRIPTION"])
    french = _events(client.get("/programme.ics").data)
    atelier = french["Les lymphocytes T CAR dans le lupus"]
    assert [str(c) for c in atelier["CATEGORIES"].cats] == ["Atelier", "Maladies rares"]
    assert str(atelier["UID"]) == str(workshop["UID"])  # one event, two languages


def test_organisers_give_the_english_in_the_editor(app, client, edition):
    from tests.test_users_admin import post_form, signed_in

    organiser = signed_in(app, "organiser")
    page = organiser.get("/admin/programme/sessions/1").get_data(as_text=True)
    assert 'name="title_en"' in page and "CAR T cells in lupus" in page
    settings = organiser.get("/admin/edition/").get_data(as_text=True)
    assert 'name="name_en"' in settings
    answer = post_form(
        organiser,
        "/admin/programme/",
        "/admin/programme/rooms",
        {"room-name": "Salle B", "room-name_en": "Room B"},
    )
    assert answer.status_code == 303
    with app.app_context():
        edition_row = db.session.get_one(Edition, edition)
        assert [(r.name, r.name_en) for r in edition_row.rooms][-1] == ("Salle B", "Room B")
