"""The check-in desk: the scan endpoint, the page without JavaScript, and desks scanning at once."""

from __future__ import annotations

import dataclasses
import datetime as dt
import http.cookiejar
import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import select, update

from eventday.accounts.models import User
from eventday.accounts.rules import create_user
from eventday.checkin.models import CheckinScan
from eventday.extensions import db
from eventday.programme.demo import load_demo
from eventday.programme.models import Edition, Session
from eventday.registration import capacity
from eventday.registration.models import Registration
from eventday.registration.tokens import checkin_code
from tests.conftest import make_app, make_edition
from tests.server import CSRF_PATTERN, NoRedirect, running_server

PASSWORD = "correct horse battery staple"
META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
PARIS = ZoneInfo("Europe/Paris")
WELCOME = "Welcome!"
INVALID = "Unknown or altered code: not a badge of this day."
# The secret key tests.server.running_server gives the server: codes must be signed with it.
SERVER_SECRET_KEY = "concurrency-test-key"


@dataclasses.dataclass(frozen=True)
class Attendee:
    id: int
    reference: str
    code: str
    first_name: str
    last_name: str


def person(
    first_name: str, last_name: str, stakeholder_type: str = "researcher", *workshop_ids: int
) -> capacity.Applicant:
    answers = {
        "researcher": {"institution": "Université Paris Cité", "position": "postdoc"},
        "clinician": {"specialty": "Médecine interne", "hospital": "Hôpital Cochin"},
        "industry": {"company": "Pharma SA", "job_title": "MSL"},
    }[stakeholder_type]
    ascii_name = first_name.encode("ascii", "ignore").decode().lower()
    return capacity.Applicant(
        first_name=first_name,
        last_name=last_name,
        email=f"{ascii_name}.{len(last_name)}@example.org",
        organisation="Inserm",
        stakeholder_type=stakeholder_type,
        answers=answers,
        language="en",
        workshop_ids=workshop_ids,
    )


def register(edition_id: int, applicant: capacity.Applicant) -> Attendee:
    """Register through the seats' rules (call inside an app context)."""
    registration = capacity.register(edition_id, applicant)
    return Attendee(
        registration.id,
        registration.reference,
        checkin_code(edition_id, registration.reference),
        registration.first_name,
        registration.last_name,
    )


@pytest.fixture
def people(app: Flask, demo: int) -> dict[str, Attendee]:
    """Two confirmed attendees, one cancelled, one waitlisted, one awaiting approval."""
    with app.app_context():
        workshop = db.session.scalars(
            select(Session).where(Session.kind == "workshop").order_by(Session.starts_at)
        ).first()
        found = {
            "helene": register(demo, person("Hélène", "Dupont", "researcher", workshop.id)),
            "emilie": register(demo, person("Émilie", "LÉVÊQUE", "clinician")),
            "zoe": register(demo, person("Zoé", "Martin")),
        }
        capacity.cancel(found["zoe"].id)
        db.session.get_one(Edition, demo).capacity = 2
        db.session.commit()
        found["paul"] = register(demo, person("Paul", "Attente"))
        found["farid"] = register(demo, person("Farid", "Industrie", "industry"))
    return found


def signed_in(app: Flask, role: str = "checkin", email: str = "desk@example.org") -> FlaskClient:
    with app.app_context():
        create_user(email, role, PASSWORD)
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    token = CSRF_PATTERN.search(client.get("/admin/login").get_data(as_text=True)).group(1)
    answer = client.post(
        "/admin/login", data={"csrf_token": token, "email": email, "password": PASSWORD}
    )
    assert answer.status_code == 303
    return client


@pytest.fixture
def desk(app: Flask, demo: int) -> FlaskClient:
    """A check-in desk's browser, signed in, at the demo edition."""
    return signed_in(app)


def page_token(client: FlaskClient) -> str:
    return META_CSRF.search(client.get("/admin/checkin").get_data(as_text=True)).group(1)


def scan(client: FlaskClient, body: Any, token: str | None = None) -> tuple[int, Any]:
    """POST the body as JSON to the scan endpoint, as checkin.js does; (status, JSON answer)."""
    headers = {"X-CSRFToken": token or page_token(client)}
    answer = client.post("/admin/checkin/scan", json=body, headers=headers)
    return answer.status_code, answer.get_json()


def scan_code(client: FlaskClient, code: str, desk: str = "", nonce: str | None = None) -> dict:
    body = {"code": code, "desk": desk}
    if nonce is not None:
        body["nonce"] = nonce
    status, answer = scan(client, body)
    assert status == 200
    return answer


def stored(app: Flask, registration_id: int) -> Registration:
    with app.app_context():
        registration = db.session.get_one(Registration, registration_id)
        db.session.expunge(registration)
        return registration


def scan_log(app: Flask) -> list[tuple]:
    with app.app_context():
        return [
            tuple(row)
            for row in db.session.execute(
                select(
                    CheckinScan.result,
                    CheckinScan.registration_id,
                    CheckinScan.desk,
                    CheckinScan.code,
                    CheckinScan.user_id,
                ).order_by(CheckinScan.id)
            )
        ]


def desk_user_id(app: Flask, email: str = "desk@example.org") -> int:
    with app.app_context():
        return db.session.scalars(select(User.id).where(User.email == email)).one()


# The scan endpoint.


def test_the_first_scan_checks_in_and_tells_the_desk_who_arrives(
    app: Flask, desk: FlaskClient, people: dict[str, Attendee]
) -> None:
    helene = people["helene"]
    answer = scan_code(desk, helene.code, desk="Entrée Nord")
    assert answer["result"] == "ok"
    assert answer["message"] == WELCOME
    attendee = answer["attendee"]
    assert (attendee["first_name"], attendee["last_name"]) == ("Hélène", "Dupont")
    assert attendee["reference"] == helene.reference
    assert attendee["organisation"] == "Inserm"
    assert attendee["stakeholder_type"] == "researcher"
    assert attendee["status"] == "confirmed"
    assert attendee["workshops"] == [
        "Atelier : interpréter la signature interféron en pratique clinique"
    ]
    registration = stored(app, helene.id)
    checked_in_at = dt.datetime.fromisoformat(answer["checked_in_at"])
    assert checked_in_at.utcoffset() is not None
    assert checked_in_at == registration.checked_in_at
    assert abs(dt.datetime.now(dt.UTC) - checked_in_at) < dt.timedelta(minutes=1)
    assert registration.checked_in_desk == "Entrée Nord"


def test_a_badge_scanned_again_is_already_checked_in_with_the_first_time_and_desk(
    app: Flask, desk: FlaskClient, people: dict[str, Attendee]
) -> None:
    helene = people["helene"]
    first = scan_code(desk, helene.code, desk="Entrée Nord")
    again = scan_code(desk, helene.code, desk="Entrée Sud")
    lower_case = scan_code(desk, helene.code.lower(), desk="Entrée Sud")
    for answer in (again, lower_case):
        assert answer["result"] == "already_checked_in"
        assert answer["checked_in_at"] == first["checked_in_at"]
        assert answer["attendee"]["reference"] == helene.reference
        first_time = dt.datetime.fromisoformat(first["checked_in_at"]).astimezone(PARIS)
        assert first_time.strftime("%H:%M") in answer["message"]
        assert "Entrée Nord" in answer["message"]
        assert "Entrée Sud" not in answer["message"]
    registration = stored(app, helene.id)
    assert registration.checked_in_desk == "Entrée Nord"
    assert registration.checked_in_at == dt.datetime.fromisoformat(first["checked_in_at"])


def test_a_repeated_nonce_gets_exactly_the_first_answer_again(
    app: Flask, desk: FlaskClient, people: dict[str, Attendee]
) -> None:
    code = people["helene"].code
    first = scan_code(desk, code, desk="Entrée Nord", nonce="a1b2c3")
    other_desk = signed_in(app, role="organiser", email="organiser@example.org")
    second = scan_code(other_desk, code, desk="Entrée Sud", nonce="d4e5f6")
    assert (first["result"], second["result"]) == ("ok", "already_checked_in")
    # The first desk's retry after a network hiccup: the same nonce, its own first answer.
    assert scan_code(desk, code, desk="Entrée Nord", nonce="a1b2c3") == first
    assert scan_code(other_desk, code, desk="Entrée Sud", nonce="d4e5f6") == second
    invalid = scan_code(desk, "EV1-0-RD27-AAAAA-" + "A" * 26, nonce="g7h8")
    assert invalid["result"] == "invalid"
    assert scan_code(desk, code, nonce="g7h8") == invalid


def single_character_changes(code: str) -> list[str]:
    """Every code one substituted or deleted character away (another letter for a letter…)."""
    alternatives = []
    for position, character in enumerate(code):
        if character.isdigit():
            replacement = "7" if character != "7" else "3"
        elif character.isalpha():
            replacement = "Q" if character != "Q" else "R"
        else:
            replacement = "A"
        alternatives.append(code[:position] + replacement + code[position + 1 :])
        alternatives.append(code[:position] + code[position + 1 :])
    return alternatives


def test_every_single_character_change_of_a_code_is_invalid(
    app: Flask, desk: FlaskClient, people: dict[str, Attendee]
) -> None:
    helene = people["helene"]
    altered = single_character_changes(helene.code)
    assert len(set(altered)) >= 2 * len(helene.code) - 5
    token = page_token(desk)
    for code in altered:
        status, answer = scan(desk, {"code": code, "desk": "Entrée Nord"}, token)
        assert status == 200
        assert (answer["result"], answer["attendee"], answer["checked_in_at"]) == (
            "invalid",
            None,
            None,
        ), code
        assert answer["message"] == INVALID
    assert stored(app, helene.id).checked_in_at is None
    assert scan_code(desk, helene.code)["result"] == "ok"


def test_a_forged_code_of_the_right_shape_is_invalid(
    app: Flask, desk: FlaskClient, people: dict[str, Attendee], demo: int, tmp_path: Path
) -> None:
    helene = people["helene"]
    # The same edition and reference, signed with another secret key.
    with make_app(f"sqlite:///{tmp_path / 'other.sqlite3'}", SECRET_KEY="guessed").app_context():
        signed_elsewhere = checkin_code(demo, helene.reference)
    forged = [
        f"EV1-{demo}-{helene.reference}-" + "A" * 26,
        f"EV1-{demo}-{helene.reference}-" + helene.code[-26:][::-1],
        signed_elsewhere,
        f"EV1-0{demo}-{helene.reference}-{helene.code[-26:]}",
        f"EV2-{demo}-{helene.reference}-{helene.code[-26:]}",
        helene.code + "A",
        f" {helene.code}\n{helene.code}",
    ]
    assert signed_elsewhere != helene.code
    for code in forged:
        assert scan_code(desk, code)["result"] == "invalid", code
    assert stored(app, helene.id).checked_in_at is None


def test_a_code_of_another_edition_is_invalid(
    app: Flask, desk: FlaskClient, people: dict[str, Attendee], demo: int
) -> None:
    with app.app_context():
        other_id = make_edition(slug="journee-2026").id
        # Creating an edition makes it the current one: the desk stays on the demo.
        db.session.execute(update(Edition).where(Edition.id != demo).values(state="archived"))
        db.session.execute(update(Edition).where(Edition.id == demo).values(state="current"))
        db.session.commit()
        elsewhere = register(other_id, person("Hélène", "Dupont"))
    helene = people["helene"]
    with app.app_context():
        same_reference_other_edition = checkin_code(other_id, helene.reference)
    for code in (elsewhere.code, same_reference_other_edition):
        assert scan_code(desk, code)["result"] == "invalid", code
    assert stored(app, elsewhere.id).checked_in_at is None
    assert stored(app, helene.id).checked_in_at is None


@pytest.mark.parametrize(
    ("who", "result"),
    [("zoe", "cancelled"), ("paul", "not_confirmed"), ("farid", "not_confirmed")],
    ids=["cancelled", "waitlisted", "awaiting approval"],
)
def test_only_a_confirmed_registration_is_checked_in(
    app: Flask, desk: FlaskClient, people: dict[str, Attendee], who: str, result: str
) -> None:
    attendee = people[who]
    for _ in range(2):
        answer = scan_code(desk, attendee.code, desk="Entrée Nord")
        assert answer["result"] == result
        assert answer["attendee"]["last_name"] == attendee.last_name
        assert answer["checked_in_at"] is None
    assert stored(app, attendee.id).checked_in_at is None


NOT_JSON = [
    ("EV1-1-RD27-AAAAA-" + "A" * 26, "text/plain"),
    ("code=EV1-1-RD27-AAAAA", "application/x-www-form-urlencoded"),
    ('{"code": "EV1-1-RD27-AAAAA"', "application/json"),
    ("", "application/json"),
]
# The endpoint answers 400 (not a 200 `invalid`) to JSON that is not an object or whose
# code is not a string: that is a broken client, not a badge.
NOT_AN_OBJECT_WITH_A_STRING_CODE = [
    [],
    ["EV1-1-RD27-AAAAA"],
    "EV1-1-RD27-AAAAA",
    12,
    None,
    {"code": 12},
    {"code": None},
    {"code": ["EV1-1-RD27-AAAAA"]},
]
ODD_STRING_CODES = [
    {},
    {"code": ""},
    {"code": "   "},
    {"code": "EV1-" + "9" * 5000},
    {"code": "Hélène Dupont ☺"},
    {"code": "EV1-1-RD27-AAAAA-AAAA", "desk": ["Entrée"], "nonce": {"n": 1}},
    {"code": "x", "desk": "D" * 500, "nonce": "N" * 500},
]


def test_a_body_that_is_not_json_is_a_bad_request(app: Flask, desk: FlaskClient) -> None:
    token = page_token(desk)
    for body, content_type in NOT_JSON:
        answer = desk.post(
            "/admin/checkin/scan",
            data=body,
            headers={"X-CSRFToken": token, "Content-Type": content_type},
        )
        assert answer.status_code == 400, body
    assert scan_log(app) == []


def test_json_that_is_not_an_object_with_a_string_code_is_a_bad_request(
    app: Flask, desk: FlaskClient
) -> None:
    token = page_token(desk)
    for body in NOT_AN_OBJECT_WITH_A_STRING_CODE:
        status, answer = scan(desk, body, token)
        assert (status, answer["error"]) == (400, 400), body
    assert scan_log(app) == []


def test_any_string_code_gets_a_200_answer(app: Flask, desk: FlaskClient) -> None:
    token = page_token(desk)
    for body in ODD_STRING_CODES:
        status, answer = scan(desk, body, token)
        assert status == 200, body
        assert answer == {
            "result": "invalid",
            "attendee": None,
            "checked_in_at": None,
            "message": INVALID,
        }
    assert [row[0] for row in scan_log(app)] == ["invalid"] * len(ODD_STRING_CODES)


@pytest.mark.parametrize("field", ["code", "desk", "nonce"])
def test_a_nul_character_in_a_scan_gets_a_200_answer(
    app: Flask,
    desk: FlaskClient,
    people: dict[str, Attendee],
    field: str,
    request: pytest.FixtureRequest,
) -> None:
    body = {"code": "EV1-\x00", "desk": "Entrée", "nonce": "n-1"}
    body[field] = body[field].replace("\x00", "") + "\x00"
    status, answer = scan(desk, body)
    assert status == 200
    assert answer["result"] == "invalid"


def test_a_scan_without_the_csrf_token_is_refused(
    app: Flask, desk: FlaskClient, people: dict[str, Attendee]
) -> None:
    code = people["helene"].code
    for headers in ({}, {"X-CSRFToken": "not-the-token"}):
        answer = desk.post("/admin/checkin/scan", json={"code": code}, headers=headers)
        assert answer.status_code == 400
        assert answer.get_json()["error"] == 400
    assert stored(app, people["helene"].id).checked_in_at is None
    assert scan_log(app) == []


def test_every_scan_is_logged_with_its_result_desk_and_user(
    app: Flask, desk: FlaskClient, people: dict[str, Attendee]
) -> None:
    helene, zoe, paul = people["helene"], people["zoe"], people["paul"]
    forged = f"EV1-1-{helene.reference}-" + "A" * 26
    scans = [
        (helene.code, "Entrée Nord", "ok", helene.id),
        (helene.code, "Entrée Sud", "already_checked_in", helene.id),
        (forged, "Entrée Sud", "invalid", None),
        (zoe.code, "Entrée Nord", "cancelled", zoe.id),
        (paul.code, "", "not_confirmed", paul.id),
    ]
    for code, where, result, _ in scans:
        assert scan_code(desk, code, desk=where)["result"] == result
    user_id = desk_user_id(app)
    assert scan_log(app) == [
        (result, registration_id, where, code if registration_id else "", user_id)
        for code, where, result, registration_id in scans
    ]


# The desk page, without JavaScript.


def desk_form(client: FlaskClient, **fields: str):
    token = CSRF_PATTERN.search(client.get("/admin/checkin").get_data(as_text=True)).group(1)
    return client.post("/admin/checkin", data={"csrf_token": token, **fields})


def answer_shown(page: str) -> tuple[str, list[str]]:
    """The answer section's result class and its lines of text."""
    section = re.search(
        r'<section id="answer" class="answer(?: answer-(\w+))?"[^>]*>(.*?)</section>', page, re.S
    )
    lines = [" ".join(line.split()) for line in re.findall(r"<p[^>]*>(.*?)</p>", section[2], re.S)]
    return section[1] or "", lines


def arrivals(page: str) -> tuple[int, int]:
    counted = re.search(r'id="desk-count"><strong>(\d+)</strong> / (\d+)', page)
    return int(counted[1]), int(counted[2])


def found_names(client: FlaskClient, query: str) -> list[str]:
    page = client.get("/admin/checkin", query_string={"q": query}).get_data(as_text=True)
    return re.findall(r'class="found-name">([^<]*)<', page)


def test_the_desk_page_carries_its_csrf_token_and_the_arrival_counts(
    desk: FlaskClient, people: dict[str, Attendee]
) -> None:
    page = desk.get("/admin/checkin")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    token = META_CSRF.search(html.split("</head>")[0]).group(1)
    assert arrivals(html) == (0, 2)
    status, answer = scan(desk, {"code": people["helene"].code}, token)
    assert (status, answer["result"]) == (200, "ok")
    assert arrivals(desk.get("/admin/checkin").get_data(as_text=True)) == (1, 2)


def test_the_desk_form_checks_in_without_javascript_and_shows_the_answer(
    app: Flask, desk: FlaskClient, people: dict[str, Attendee]
) -> None:
    helene = people["helene"]
    page = desk_form(desk, code=helene.code, desk="Entrée Nord")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    result, lines = answer_shown(html)
    assert result == "ok"
    assert lines[:2] == [WELCOME, "Hélène Dupont"]
    assert arrivals(html) == (1, 2)
    assert 'value="Entrée Nord"' in html
    assert stored(app, helene.id).checked_in_desk == "Entrée Nord"
    result, lines = answer_shown(
        desk_form(desk, code=helene.code, desk="Entrée Sud").get_data(as_text=True)
    )
    assert result == "already_checked_in"
    assert re.fullmatch(r"Already checked in at \d\d:\d\d, desk Entrée Nord\.", lines[0])
    result, lines = answer_shown(desk_form(desk, code="EV1-1-RD27-AAAAA").get_data(as_text=True))
    assert (result, lines) == ("invalid", [INVALID])


def test_the_desk_form_without_its_csrf_token_changes_nothing(
    app: Flask, desk: FlaskClient, people: dict[str, Attendee]
) -> None:
    answer = desk.post("/admin/checkin", data={"code": people["helene"].code})
    assert answer.status_code == 400
    assert stored(app, people["helene"].id).checked_in_at is None
    assert scan_log(app) == []


def test_search_finds_accented_names_whatever_the_case_and_references(
    desk: FlaskClient, people: dict[str, Attendee]
) -> None:
    assert found_names(desk, "héLène") == ["Dupont Hélène"]
    assert found_names(desk, "HÉLÈNE") == ["Dupont Hélène"]
    assert found_names(desk, "dupont hél") == ["Dupont Hélène"]
    assert found_names(desk, "zoé") == ["Martin Zoé"]
    assert found_names(desk, people["paul"].reference.lower()) == ["Attente Paul"]
    assert found_names(desk, people["farid"].reference) == ["Industrie Farid"]
    assert found_names(desk, "Durand") == []


@pytest.mark.parametrize("query", ["émilie", "lévêque", "Lévêque"])
def test_search_finds_names_that_start_with_an_accented_capital(
    app: Flask,
    desk: FlaskClient,
    people: dict[str, Attendee],
    query: str,
    request: pytest.FixtureRequest,
) -> None:
    assert found_names(desk, query) == ["LÉVÊQUE Émilie"]


def test_the_manual_check_in_button_checks_in_a_person_found_by_name(
    app: Flask, desk: FlaskClient, people: dict[str, Attendee]
) -> None:
    helene = people["helene"]
    page = desk.get("/admin/checkin", query_string={"q": "Dupont", "desk": "Accueil"})
    html = page.get_data(as_text=True)
    assert f'name="registration" value="{helene.id}"' in html
    result, lines = answer_shown(
        desk_form(desk, registration=str(helene.id), desk="Accueil").get_data(as_text=True)
    )
    assert (result, lines[:2]) == ("ok", [WELCOME, "Hélène Dupont"])
    registration = stored(app, helene.id)
    assert registration.checked_in_at is not None
    assert registration.checked_in_desk == "Accueil"
    html = desk.get("/admin/checkin", query_string={"q": "Dupont"}).get_data(as_text=True)
    assert f'action="/admin/checkin/{helene.id}/undo"' in html
    assert f'name="registration" value="{helene.id}"' not in html
    assert scan_log(app) == [
        ("ok", helene.id, "Accueil", helene.code, desk_user_id(app)),
    ]


def test_undo_clears_a_check_in_and_the_next_scan_is_ok_again(
    app: Flask, desk: FlaskClient, people: dict[str, Attendee]
) -> None:
    helene = people["helene"]
    assert scan_code(desk, helene.code, desk="Entrée Nord")["result"] == "ok"
    token = page_token(desk)
    assert desk.post(f"/admin/checkin/{helene.id}/undo").status_code == 400
    assert stored(app, helene.id).checked_in_at is not None
    answer = desk.post(
        f"/admin/checkin/{helene.id}/undo", data={"csrf_token": token, "desk": "Entrée Nord"}
    )
    assert answer.status_code == 303
    location = urllib.parse.urlsplit(answer.headers["Location"])
    assert location.path == "/admin/checkin"
    assert urllib.parse.parse_qs(location.query) == {"desk": ["Entrée Nord"]}
    assert "Check-in undone." in desk.get(answer.headers["Location"]).get_data(as_text=True)
    registration = stored(app, helene.id)
    assert (registration.checked_in_at, registration.checked_in_desk) == (None, "")
    again = scan_code(desk, helene.code, desk="Entrée Sud")
    assert again["result"] == "ok"
    assert stored(app, helene.id).checked_in_desk == "Entrée Sud"


def test_undo_of_a_registration_of_another_edition_is_not_found(
    app: Flask, desk: FlaskClient, demo: int
) -> None:
    with app.app_context():
        other_id = make_edition(slug="journee-2026").id
        db.session.execute(update(Edition).where(Edition.id != demo).values(state="archived"))
        db.session.execute(update(Edition).where(Edition.id == demo).values(state="current"))
        db.session.commit()
        elsewhere = register(other_id, person("Hélène", "Dupont"))
        db.session.get_one(Registration, elsewhere.id).checked_in_at = dt.datetime.now(dt.UTC)
        db.session.commit()
    answer = desk.post(f"/admin/checkin/{elsewhere.id}/undo", data={"csrf_token": page_token(desk)})
    assert answer.status_code == 404
    assert stored(app, elsewhere.id).checked_in_at is not None


# Several desks at once, against a real server.


class ServerDesk:
    """A desk's browser against the real server: its cookies and the page's CSRF token."""

    def __init__(self, base: str, email: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )
        with self.opener.open(base + "/admin/login", timeout=30) as page:
            token = CSRF_PATTERN.search(page.read().decode()).group(1)
        form = {"csrf_token": token, "email": email, "password": PASSWORD}
        try:
            self.opener.open(
                base + "/admin/login", urllib.parse.urlencode(form).encode(), timeout=30
            )
        except urllib.error.HTTPError as answer:
            assert answer.code == 303, answer.code
        else:
            raise AssertionError("signing in did not redirect")
        with self.opener.open(base + "/admin/checkin", timeout=30) as page:
            self.token = META_CSRF.search(page.read().decode()).group(1)

    def scan(self, code: str, desk: str, nonce: str) -> dict:
        request = urllib.request.Request(
            self.base + "/admin/checkin/scan",
            data=json.dumps({"code": code, "desk": desk, "nonce": nonce}).encode(),
            headers={"Content-Type": "application/json", "X-CSRFToken": self.token},
            method="POST",
        )
        with self.opener.open(request, timeout=60) as answer:
            assert answer.status == 200
            return json.loads(answer.read())


def scan_together(desks: list[ServerDesk], code: str) -> list[dict]:
    """The same badge scanned by every desk at the same moment, each with its own nonce."""
    start = threading.Barrier(len(desks))

    def fire(n: int) -> dict:
        start.wait(timeout=30)
        return desks[n].scan(code, f"Entrée {n}", f"{code}-{n}")

    with ThreadPoolExecutor(max_workers=len(desks)) as pool:
        return list(pool.map(fire, range(len(desks))))


def prepared_checkin(database_url: str, people: int) -> tuple[Flask, dict[int, str]]:
    """Migrate, load the demo, create four desk accounts; {registration id: code}."""
    app = make_app(database_url, SECRET_KEY=SERVER_SECRET_KEY)
    with app.app_context():
        try:
            upgrade()
            edition_id = load_demo().id
            for n in range(4):
                create_user(f"desk{n}@example.org", "checkin" if n % 2 else "organiser", PASSWORD)
            codes = {}
            for n in range(people):
                attendee = register(edition_id, person(f"Personne{n}", "D'Argentré"))
                codes[attendee.id] = attendee.code
        finally:
            db.session.remove()
            db.engine.dispose()
    return app, codes


def test_desks_scanning_the_same_badge_at_once_check_it_in_exactly_once(
    database_url: str, tmp_path: Path
) -> None:
    app, codes = prepared_checkin(database_url, people=10)
    with running_server(database_url, tmp_path) as base:
        desks = [ServerDesk(base, f"desk{n}@example.org") for n in range(4)]
        answers = {
            registration_id: scan_together(desks[: 2 + n % 3], code)
            for n, (registration_id, code) in enumerate(codes.items())
        }
    with app.app_context():
        try:
            for registration_id, given in answers.items():
                results = sorted(answer["result"] for answer in given)
                assert results == ["already_checked_in"] * (len(given) - 1) + ["ok"]
                [ok] = [answer for answer in given if answer["result"] == "ok"]
                assert {answer["checked_in_at"] for answer in given} == {ok["checked_in_at"]}
                registration = db.session.get_one(Registration, registration_id)
                assert registration.checked_in_at == dt.datetime.fromisoformat(ok["checked_in_at"])
                assert registration.checked_in_desk in {f"Entrée {n}" for n in range(4)}
                logged = db.session.scalars(
                    select(CheckinScan.result).where(CheckinScan.registration_id == registration_id)
                ).all()
                assert sorted(logged) == results
        finally:
            db.session.remove()
            db.engine.dispose()
