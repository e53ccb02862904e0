"""The desk's answer: nothing framed before the first scan, an undo button beside an `ok`."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from eventday.audit import AuditEntry
from eventday.extensions import db
from tests import test_checkin_desk as desk_tests
from tests.test_checkin_desk import (
    Attendee,
    answer_shown,
    arrivals,
    desk_form,
    page_token,
    scan_code,
    stored,
)

# The desk module's fixtures: a signed-in desk, and attendees in every state.
desk = desk_tests.desk
people = desk_tests.people

ANSWER = re.compile(r'<section id="answer" class="([^"]*)"[^>]*>(.*?)</section>', re.S)


def undo_form(page: str) -> tuple[str, dict[str, str]]:
    """The form inside the answer: where it posts, and its fields."""
    section = ANSWER.search(page).group(2)
    form = re.search(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', section, re.S)
    assert form, "no form beside the answer"
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form[2]))
    return form[1], fields


def undone_entries(app: Flask, registration_id: int) -> int:
    with app.app_context():
        found = db.session.scalars(
            select(AuditEntry).where(
                AuditEntry.registration_id == registration_id,
                AuditEntry.action == "undo_checkin",
            )
        )
        return len(found.all())


def test_before_the_first_scan_the_answer_is_empty_and_unframed(
    desk: FlaskClient, people: dict[str, Attendee]
) -> None:
    page = desk.get("/admin/checkin").get_data(as_text=True)
    classes, content = ANSWER.search(page).groups()
    assert classes == "answer"
    assert content.strip() == ""


def test_without_javascript_the_undo_button_beside_an_ok_takes_the_check_in_back(
    app: Flask, desk: FlaskClient, people: dict[str, Attendee]
) -> None:
    helene = people["helene"]
    page = desk_form(desk, code=helene.code, desk="Entrée Nord").get_data(as_text=True)
    assert answer_shown(page)[0] == "ok"
    action, fields = undo_form(page)
    assert action == f"/admin/checkin/{helene.id}/undo"
    assert fields["desk"] == "Entrée Nord"
    assert fields["csrf_token"]
    assert "Undo this check-in" in ANSWER.search(page).group(2)

    answer = desk.post(action, data=fields)
    assert answer.status_code == 303
    back = desk.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Check-in undone." in back
    assert arrivals(back) == (0, 2)
    assert stored(app, helene.id).checked_in_at is None
    assert undone_entries(app, helene.id) == 1


def test_only_an_ok_answer_offers_the_undo(desk: FlaskClient, people: dict[str, Attendee]) -> None:
    assert scan_code(desk, people["helene"].code)["result"] == "ok"
    again = desk_form(desk, code=people["helene"].code).get_data(as_text=True)
    assert answer_shown(again)[0] == "already_checked_in"
    assert "<form" not in ANSWER.search(again).group(2)
    waiting = desk_form(desk, code=people["paul"].code).get_data(as_text=True)
    assert "<form" not in ANSWER.search(waiting).group(2)


def test_the_desks_script_undoes_with_the_form_token_and_gets_the_new_count(
    app: Flask, desk: FlaskClient, people: dict[str, Attendee]
) -> None:
    helene, emilie = people["helene"], people["emilie"]
    assert scan_code(desk, emilie.code)["result"] == "ok"
    answer = scan_code(desk, helene.code, desk="Entrée Nord")
    assert answer["attendee"]["undo_url"] == f"/admin/checkin/{helene.id}/undo"
    token = page_token(desk)
    refused = desk.post(
        answer["attendee"]["undo_url"], data={"desk": "x"}, headers={"Accept": "application/json"}
    )
    assert refused.status_code == 400
    assert stored(app, helene.id).checked_in_at is not None

    undone = desk.post(
        answer["attendee"]["undo_url"],
        data={"csrf_token": token, "desk": "Entrée Nord"},
        headers={"Accept": "application/json", "X-CSRFToken": token},
    )
    assert undone.status_code == 200
    assert undone.get_json() == {"result": "undone", "message": "Check-in undone.", "arrived": 1}
    assert stored(app, helene.id).checked_in_at is None
    assert undone_entries(app, helene.id) == 1
    assert scan_code(desk, helene.code)["result"] == "ok"
