"""Accepted abstracts in the programme: orals placed as talks through the scheduling rules
(clashes refused next to the field), board numbers by topic, the public /posters page, the
poster session's page and /programme.json with posters and authors, never an address."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from eventday.abstracts import decisions, people, placement, submission
from eventday.abstracts.models import Abstract, Call
from eventday.accounts.models import Role
from eventday.extensions import db
from eventday.mail import OutboxMail
from eventday.programme.models import Room, Session, Speaker, Track
from tests.conftest import make_session, paris
from tests.test_abstract_decisions import (
    DECISIONS,
    Day,
    abstract_row,
    add_abstract,
    make_day,
    release,
    stage,
    the_call,
)
from tests.test_users_admin import field_errors, post_form, signed_in, text

DAY = dt.date(2027, 1, 25)


@pytest.fixture
def day(app: Flask) -> Day:
    day = make_day(app)
    with app.app_context():
        db.session.add_all(
            [
                Room(edition_id=day.edition, name="Amphi A"),
                Room(edition_id=day.edition, name="Salle 2"),
            ]
        )
        db.session.commit()
    return day


@pytest.fixture
def organiser(app: Flask, day: Day) -> FlaskClient:
    return signed_in(app, Role.ORGANISER)


def room_id(app: Flask, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Room.id).where(Room.name == name))


def talk_page(abstract_id: int) -> str:
    return f"/admin/abstracts/decisions/{abstract_id}/talk"


def place(client: FlaskClient, abstract_id: int, start: str, room: int, minutes: int = 15):
    page = talk_page(abstract_id)
    data = {"day": DAY.isoformat(), "starts_at": start, "minutes": minutes, "room_id": room}
    return post_form(client, page, page, data)


def test_an_accepted_oral_becomes_a_talk_through_the_rules_which_refuse_a_taken_room(
    app: Flask, day: Day, organiser: FlaskClient
) -> None:
    oral = day.abstracts[1]
    stage(organiser, {oral: "oral"})
    release(organiser)
    amphi = room_id(app, "Amphi A")
    with app.app_context():
        make_session(day.edition, DAY, "10:00", "11:00", "Conférence plénière", room_id=amphi)
        # A speaker of the edition with the presenter's address (in another case) is reused.
        db.session.add(
            Speaker(edition_id=day.edition, name="C. Durand", email="DURAND1@lab.example")
        )
        db.session.commit()
    version = the_call(app, day.edition).book_version

    refused = place(organiser, oral, "10:30", amphi)
    assert refused.status_code == 422
    assert field_errors(refused, "room_id") == [
        "Amphi A is already taken at that time by “Conférence plénière” (10:00–11:00)."
    ]
    assert abstract_row(app, oral).session_id is None
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Session)) == 1

    placed = place(organiser, oral, "11:00", amphi, minutes=20)
    assert placed.status_code == 303
    session_id = abstract_row(app, oral).session_id
    with app.app_context():
        talk = db.session.get_one(Session, session_id)
        assert (talk.kind, talk.title, talk.track_id) == ("talk", "Interferon in lupus", None)
        assert talk.abstract == "Background. CD4+ cells of Interferon in lupus."
        assert (talk.starts_at, talk.ends_at) == (paris(DAY, "11:00"), paris(DAY, "11:20"))
        assert [s.name for s in talk.speakers] == ["C. Durand"]
        assert db.session.scalar(select(func.count()).select_from(Speaker)) == 1
    assert the_call(app, day.edition).book_version == version + 1

    moved = place(organiser, oral, "14:00", room_id(app, "Salle 2"))
    assert moved.status_code == 303
    with app.app_context():
        talk = db.session.get_one(Session, session_id)
        assert talk.starts_at == paris(DAY, "14:00")
        assert talk.sequence == 1

    removed = post_form(organiser, talk_page(oral), talk_page(oral) + "/remove")
    assert removed.status_code == 303
    assert abstract_row(app, oral).session_id is None
    with app.app_context():
        assert db.session.get(Session, session_id) is None


def test_a_new_speaker_is_the_presenter_with_the_first_institution_and_a_poster_is_no_talk(
    app: Flask, day: Day, organiser: FlaskClient
) -> None:
    oral, poster = day.abstracts[1], day.abstracts[2]
    stage(organiser, {oral: "oral", poster: "poster"})
    release(organiser)
    assert place(organiser, oral, "09:00", room_id(app, "Amphi A")).status_code == 303
    with app.app_context():
        speaker = db.session.scalars(select(Speaker)).one()
        assert (speaker.name, speaker.affiliation, speaker.email) == (
            "Camille Durand1",
            "Univ Paris",
            "durand1@lab.example",
        )
    refused = place(organiser, poster, "09:00", room_id(app, "Salle 2"))
    assert refused.status_code == 422
    assert "Only an abstract released as an oral is placed as a talk." in text(refused)


def boards(app: Flask, day: Day) -> dict[str, int | None]:
    with app.app_context():
        rows = db.session.execute(
            select(Abstract.title, Abstract.board_number).where(Abstract.edition_id == day.edition)
        )
        return dict(rows.all())


def test_board_numbers_go_by_topic_then_number_and_stay_for_posters_already_numbered(
    app: Flask, day: Day, organiser: FlaskClient
) -> None:
    with app.app_context():
        add_abstract(day.edition, 5, "No topic poster", decision="poster")
        add_abstract(
            day.edition,
            6,
            "Another immunology",
            decision="poster",
            track_id=day.tracks["Immunologie"],
        )
        db.session.commit()
    ids = day.abstracts
    stage(organiser, {ids[1]: "poster", ids[2]: "poster", ids[3]: "poster"})
    assert post_form(organiser, DECISIONS, "/admin/abstracts/decisions/boards").status_code == 303
    assert boards(app, day) == {
        "Tumour antigens": 1,  # Cancérologie before Immunologie
        "Interferon in lupus": 2,
        "B cells in myositis": 3,
        "Another immunology": 4,
        "No topic poster": 5,
        "A withdrawn one": None,
    }
    assert the_call(app, day.edition).book_version == 1

    # One poster becomes an oral, a new one comes: the boards given stay.
    with app.app_context():
        add_abstract(
            day.edition, 7, "Late immunology", decision="poster", track_id=day.tracks["Immunologie"]
        )
        db.session.commit()
    stage(organiser, {ids[1]: "oral"})
    with app.app_context():
        placement.number_boards(day.edition)
    numbered = boards(app, day)
    assert numbered["Interferon in lupus"] is None
    assert [numbered[t] for t in ("Tumour antigens", "B cells in myositis", "No topic poster")] == [
        1,
        3,
        5,
    ]
    assert numbered["Late immunology"] == 6

    renumbered = post_form(
        organiser, DECISIONS, "/admin/abstracts/decisions/boards", {"renumber": "y"}
    )
    assert renumbered.status_code == 303
    assert boards(app, day) == {
        "Tumour antigens": 1,
        "B cells in myositis": 2,
        "Another immunology": 3,
        "Late immunology": 4,
        "No topic poster": 5,
        "Interferon in lupus": None,
        "A withdrawn one": None,
    }


def authors_for(lines: list) -> list:
    return [list(line) for line in lines]


def test_authors_with_numbered_affiliations_share_a_number_for_a_shared_institution(
    app: Flask, day: Day
) -> None:
    with app.app_context():
        abstract = add_abstract(
            day.edition,
            9,
            "Shared",
            authors=[
                ("Léa", "Martin", "Univ Lyon\nCNRS UMR 5308"),
                ("Omar", "Benali", "Inserm U1111\nUniv Lyon"),
            ],
        )
        db.session.flush()
        listed = people.authors_with_affiliations(abstract)
    assert [(a.name, a.numbers, a.presenting) for a in listed.authors] == [
        ("Léa Martin", (1, 2), True),
        ("Omar Benali", (1, 3), False),
    ]
    assert listed.institutions == ["Univ Lyon", "CNRS UMR 5308", "Inserm U1111"]


def released_posters(app: Flask, day: Day, organiser: FlaskClient) -> int:
    """Abstracts 1 and 2 released as posters (numbered), 3 rejected, a poster session chosen;
    the poster session's id."""
    ids = day.abstracts
    with app.app_context():
        db.session.get_one(Abstract, ids[1]).title = "<i>IFNA2</i> in lupus"
        db.session.commit()
        poster_session = make_session(day.edition, DAY, "12:00", "13:30", "Posters", kind="poster")
        poster_session_id = poster_session.id
    stage(organiser, {ids[1]: "poster", ids[2]: "poster", ids[3]: "rejected"})
    post_form(organiser, DECISIONS, "/admin/abstracts/decisions/boards")
    chosen = post_form(
        organiser,
        DECISIONS,
        "/admin/abstracts/decisions/poster-session",
        {"session_id": poster_session_id},
    )
    assert chosen.status_code == 303
    return poster_session_id


def test_posters_are_public_only_once_the_decisions_are_released(
    app: Flask, day: Day, organiser: FlaskClient, client: FlaskClient
) -> None:
    released_posters(app, day, organiser)
    assert client.get("/posters").status_code == 404
    release(organiser)

    page = client.get("/posters?lang=en")
    assert page.status_code == 200
    body = text(page)
    assert "<i>IFNA2</i> in lupus" in body
    assert "Board 1" in body and "Board 2" in body
    assert "Tumour antigens" not in body  # rejected
    assert (
        '<strong>Camille Durand1</strong><span class="visually-hidden"> (presenting)</span>'
        "<sup>1,2</sup>" in body
    )
    assert "<li>Inserm U1234</li>" in body
    assert "@" not in body
    assert body.index("Board 1") < body.index("Board 2")
    assert "Panneau 1" in text(client.get("/posters?lang=fr"))
    french = signed_in(app, Role.ADMIN)
    french.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    assert "Décisions sur les résumés" in text(french.get(DECISIONS))


def test_the_programme_shows_the_posters_and_the_talks_authors_without_addresses(
    app: Flask, day: Day, organiser: FlaskClient, client: FlaskClient
) -> None:
    poster_session = released_posters(app, day, organiser)
    before = json.loads(client.get("/programme.json").data)
    assert all("posters" not in s for s in before["sessions"])
    with app.app_context():
        db.session.get_one(Abstract, day.abstracts[3]).decision = "oral"
        db.session.commit()
    with app.app_context():
        # Released by the CLI or another worker: the programme's version tells this one.
        decisions.release(day.edition)
    after = json.loads(client.get("/programme.json").data)
    assert [len(s.get("posters", [])) for s in after["sessions"]] == [2]
    assert place(organiser, day.abstracts[3], "15:00", room_id(app, "Amphi A")).status_code == 303

    raw = client.get("/programme.json").get_data(as_text=True)
    assert "@" not in raw
    sessions = {s["title"]: s for s in json.loads(raw)["sessions"]}
    posters = sessions["Posters"]["posters"]
    assert [(p["board"], p["title"]) for p in posters] == [
        (1, "IFNA2 in lupus"),
        (2, "B cells in myositis"),
    ]
    assert posters[0]["topic"] == "Immunologie"
    assert posters[0]["authors"] == [
        {"name": "Camille Durand1", "affiliations": [1, 2], "presenting": True}
    ]
    assert posters[0]["affiliations"] == ["Univ Paris", "Inserm U1234"]
    talk = sessions["Tumour antigens"]
    assert talk["authors"] == [
        {"name": "Camille Durand3", "affiliations": [1, 2], "presenting": True}
    ]
    assert "posters" not in talk

    page = text(client.get(f"/programme/{poster_session}?lang=en"))
    assert "<i>IFNA2</i> in lupus" in page and "Board 2" in page
    assert "@" not in page
    talk_page_html = text(client.get(f"/programme/{talk['id']}?lang=en"))
    assert "Camille Durand3" in talk_page_html and "Univ Paris" in talk_page_html


def test_only_a_poster_session_of_the_edition_can_show_the_posters(
    app: Flask, day: Day, organiser: FlaskClient
) -> None:
    with app.app_context():
        talk = make_session(day.edition, DAY, "09:00", "10:00", "Not posters")
        talk_id = talk.id
    answer = post_form(
        organiser, DECISIONS, "/admin/abstracts/decisions/poster-session", {"session_id": talk_id}
    )
    assert answer.status_code == 303
    assert "Choose a poster session of this edition." in text(organiser.get(DECISIONS))
    assert the_call(app, day.edition).poster_session_id is None
    with app.app_context():
        assert db.session.scalar(select(Call.poster_session_id)) is None
        assert db.session.scalar(select(func.count()).select_from(Track)) == 2


def test_the_presenter_learns_when_they_speak_and_a_withdrawn_talk_is_cancelled(
    app: Flask, day: Day, organiser: FlaskClient
) -> None:
    oral = day.abstracts[1]
    stage(organiser, {oral: "oral"})
    release(organiser)
    assert place(organiser, oral, "11:00", room_id(app, "Amphi A")).status_code == 303
    with app.app_context():
        told = db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "abstract_talk"))
        (mail,) = told.all()
        assert "11:00" in mail.body and "Amphi A" in mail.body
        token = abstract_row(app, oral).token
        session_id = abstract_row(app, oral).session_id
        submission.withdraw(token)
        talk = db.session.get_one(Session, session_id)
        assert talk.is_cancelled  # still listed, struck through, STATUS:CANCELLED


def test_a_talk_whose_decision_changes_after_the_release_is_cancelled(
    app: Flask, day: Day, organiser: FlaskClient
) -> None:
    oral = day.abstracts[1]
    stage(organiser, {oral: "oral"})
    release(organiser)
    place(organiser, oral, "11:00", room_id(app, "Amphi A"))
    session_id = abstract_row(app, oral).session_id
    stage(organiser, {oral: "poster"})
    release(organiser)
    with app.app_context():
        assert db.session.get_one(Session, session_id).is_cancelled
