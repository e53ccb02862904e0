"""A desk at a session's door: attendance for the enrolled, refusal (or an organiser's
override) for the others, the room's fill against its seats, and where it shows."""

from __future__ import annotations

import csv
import io
import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from eventday.checkin.models import SessionAttendance
from eventday.extensions import db
from eventday.programme.models import Session
from eventday.registration.models import Registration
from tests import test_checkin_desk as desk_tests
from tests.test_checkin_desk import Attendee, page_token, scan, signed_in, stored

# The desk module's fixtures: a signed-in desk (role "checkin"), attendees in every state.
desk = desk_tests.desk
people = desk_tests.people


@pytest.fixture
def workshop(app: Flask, people: dict[str, Attendee]) -> int:
    """The workshop Hélène enrolled in, with two seats."""
    with app.app_context():
        session = db.session.scalars(
            select(Session).where(Session.kind == "workshop").order_by(Session.starts_at)
        ).first()
        session.capacity = 2
        db.session.commit()
        return session.id


@pytest.fixture
def organiser(app: Flask, demo: int) -> FlaskClient:
    return signed_in(app, "organiser", "organiser@example.org")


def at_door(client: FlaskClient, code: str, session: int, **extra: object) -> dict:
    status, answer = scan(client, {"code": code, "desk": "Salle 2", "session": session, **extra})
    assert status == 200
    return answer


def attended(app: Flask, session_id: int) -> list[tuple[int, bool]]:
    with app.app_context():
        rows = db.session.execute(
            select(SessionAttendance.registration_id, SessionAttendance.overridden)
            .where(SessionAttendance.session_id == session_id)
            .order_by(SessionAttendance.registration_id)
        )
        return [tuple(row) for row in rows]


def test_an_enrolled_attendee_is_recorded_once_and_their_arrival_with_it(
    app: Flask, desk: FlaskClient, people: dict[str, Attendee], workshop: int
) -> None:
    helene = people["helene"]
    answer = at_door(desk, helene.code, workshop)
    assert answer["result"] == "ok"
    assert answer["session"]["id"] == workshop
    assert (answer["session"]["attended"], answer["session"]["seats"]) == (1, 2)
    assert attended(app, workshop) == [(helene.id, False)]
    # The day's arrival was not recorded yet: it is now, at the same time and desk.
    arrival = stored(app, helene.id)
    assert arrival.checked_in_desk == "Salle 2"
    assert arrival.checked_in_at.isoformat() == answer["checked_in_at"]
    again = at_door(desk, helene.code, workshop)
    assert again["result"] == "already_checked_in"
    assert "Already came in at" in again["message"]
    assert attended(app, workshop) == [(helene.id, False)]


def test_an_attendee_who_arrived_earlier_keeps_their_arrival(
    app: Flask, desk: FlaskClient, people: dict[str, Attendee], workshop: int
) -> None:
    helene = people["helene"]
    assert desk_tests.scan_code(desk, helene.code, desk="Entrée")["result"] == "ok"
    before = stored(app, helene.id).checked_in_at
    assert at_door(desk, helene.code, workshop)["result"] == "ok"
    after = stored(app, helene.id)
    assert (after.checked_in_at, after.checked_in_desk) == (before, "Entrée")


def test_someone_not_enrolled_is_refused_and_a_volunteer_cannot_override(
    app: Flask, desk: FlaskClient, people: dict[str, Attendee], workshop: int
) -> None:
    emilie = people["emilie"]
    answer = at_door(desk, emilie.code, workshop)
    assert answer["result"] == "not_enrolled"
    assert answer["attendee"]["last_name"] == "LÉVÊQUE"
    assert at_door(desk, emilie.code, workshop, override=True)["result"] == "not_enrolled"
    assert attended(app, workshop) == []
    assert stored(app, emilie.id).checked_in_at is None


def test_an_organiser_lets_someone_in_who_is_not_enrolled(
    app: Flask, organiser: FlaskClient, people: dict[str, Attendee], workshop: int
) -> None:
    emilie = people["emilie"]
    assert at_door(organiser, emilie.code, workshop)["result"] == "not_enrolled"
    answer = at_door(organiser, emilie.code, workshop, override=True)
    assert answer["result"] == "ok"
    assert "not enrolled" in answer["message"]
    assert attended(app, workshop) == [(emilie.id, True)]


def test_the_room_over_its_seats_is_said_and_cancelled_or_unconfirmed_are_refused(
    app: Flask, organiser: FlaskClient, people: dict[str, Attendee], workshop: int
) -> None:
    for name in ("helene", "emilie"):
        at_door(organiser, people[name].code, workshop, override=True)
    third = at_door(organiser, people["farid"].code, workshop, override=True)
    assert third["result"] == "not_confirmed"
    assert at_door(organiser, people["zoe"].code, workshop, override=True)["result"] == (
        "cancelled"
    )
    with app.app_context():
        extra = db.session.scalars(
            select(Registration).where(Registration.first_name == "Paul")
        ).one()
        extra.status = "confirmed"
        db.session.commit()
    over = at_door(organiser, people["paul"].code, workshop, override=True)
    assert over["result"] == "ok"
    assert (over["session"]["attended"], over["session"]["seats"]) == (3, 2)
    assert "over its capacity: 3 for 2 seats" in over["message"]


def test_a_session_of_another_edition_or_none_is_refused_as_invalid(
    desk: FlaskClient, people: dict[str, Attendee]
) -> None:
    answer = at_door(desk, people["helene"].code, 987654)
    assert answer["result"] == "invalid"
    assert answer["attendee"] is None


def test_a_talk_needs_no_enrolment(
    app: Flask, desk: FlaskClient, people: dict[str, Attendee]
) -> None:
    with app.app_context():
        talk = db.session.scalars(select(Session.id).where(Session.kind == "talk")).first()
    assert at_door(desk, people["emilie"].code, talk)["result"] == "ok"


def test_who_came_shows_on_the_registration_the_dashboard_the_exports_and_data_json(
    app: Flask, organiser: FlaskClient, people: dict[str, Attendee], workshop: int
) -> None:
    helene = people["helene"]
    at_door(organiser, helene.code, workshop)
    with app.app_context():
        title = db.session.get_one(Session, workshop).title
        token = db.session.get_one(Registration, helene.id).token
    detail = organiser.get(f"/admin/registrations/{helene.id}").get_data(as_text=True)
    assert "Sessions attended" in detail and title in detail
    dashboard = organiser.get("/admin/").get_data(as_text=True)
    assert "Who came to the sessions" in dashboard
    assert f"/admin/checkin/sessions/{workshop}" in dashboard
    listing = organiser.get(f"/admin/checkin/sessions/{workshop}").get_data(as_text=True)
    assert "Dupont Hélène" in listing
    export = organiser.get("/admin/registrations.csv").get_data(as_text=True)
    rows = {r["reference"]: r for r in csv.DictReader(io.StringIO(export.lstrip("\ufeff")))}
    assert rows[helene.reference]["sessions_attended"] == title
    assert rows[people["emilie"].reference]["sessions_attended"] == ""
    held = json.loads(organiser.get(f"/registration/{token}/data.json").get_data(as_text=True))
    assert [s["title"] for s in held["sessions_attended"]] == [title]


def test_the_desk_page_without_javascript_works_at_a_sessions_door(
    app: Flask, organiser: FlaskClient, people: dict[str, Attendee], workshop: int
) -> None:
    page = organiser.get(f"/admin/checkin?session={workshop}").get_data(as_text=True)
    assert "Door of" in page and 'id="override"' in page
    answer = organiser.post(
        "/admin/checkin",
        data={
            "csrf_token": page_token(organiser),
            "code": people["emilie"].code,
            "session": str(workshop),
            "override": "y",
        },
    ).get_data(as_text=True)
    assert "answer-ok" in answer
    assert attended(app, workshop) == [(people["emilie"].id, True)]
