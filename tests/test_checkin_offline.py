"""What an offline desk sends when the network is back (`/admin/checkin/sync`), the roster it
keeps to decide on its own (`/admin/checkin/roster.json`), and double admissions."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from eventday.checkin.models import CheckinScan
from eventday.extensions import db
from tests import test_checkin_desk as desk_tests
from tests.test_checkin_desk import Attendee, page_token, scan_code, signed_in, stored

# The desk module's fixtures: a signed-in desk, and attendees in every state.
desk = desk_tests.desk
people = desk_tests.people


def sync(client: FlaskClient, body: Any) -> tuple[int, Any]:
    answer = client.post(
        "/admin/checkin/sync", json=body, headers={"X-CSRFToken": page_token(client)}
    )
    return answer.status_code, answer.get_json()


def ago(minutes: float) -> str:
    return (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes)).isoformat()


def altered(code: str) -> str:
    """The code with its last character changed (always changed, whatever it was)."""
    return code[:-1] + ("B" if code.endswith("A") else "A")


def queued(code: str, nonce: str, minutes_ago: float) -> dict[str, Any]:
    return {"code": code, "nonce": nonce, "at": ago(minutes_ago)}


def test_a_queue_is_admitted_at_the_times_it_was_scanned_one_answer_per_scan_in_order(
    app: Flask, desk: FlaskClient, people: dict[str, Attendee]
) -> None:
    helene, emilie, zoe = people["helene"], people["emilie"], people["zoe"]
    status, reply = sync(
        desk,
        {
            "desk": "Entrée Sud",
            "scans": [
                queued(helene.code, "s-1", 40),
                queued(emilie.code, "s-2", 30),
                queued(zoe.code, "s-3", 20),
                queued(altered(helene.code), "s-4", 10),
            ],
        },
    )
    assert status == 200
    assert [a["result"] for a in reply["answers"]] == ["ok", "ok", "cancelled", "invalid"]
    arrived = stored(app, helene.id)
    assert arrived.checked_in_desk == "Entrée Sud"
    told = dt.datetime.fromisoformat(reply["answers"][0]["checked_in_at"])
    assert told == arrived.checked_in_at
    assert dt.timedelta(minutes=39) < dt.datetime.now(dt.UTC) - told < dt.timedelta(minutes=41)


def test_a_badge_admitted_at_two_offline_desks_counts_once_at_the_earlier_time(
    app: Flask, desk: FlaskClient, people: dict[str, Attendee]
) -> None:
    helene = people["helene"]
    other = signed_in(app, "checkin", "desk2@example.org")
    _, north = sync(desk, {"desk": "Nord", "scans": [queued(helene.code, "n-1", 5)]})
    _, south = sync(other, {"desk": "Sud", "scans": [queued(helene.code, "s-1", 12)]})
    assert north["answers"][0]["result"] == "ok"
    second = south["answers"][0]
    assert second["result"] == "already_checked_in"
    assert "Admitted twice while a desk was offline" in second["message"]
    assert [a["desk"] for a in second["admitted_twice"]] == ["Sud", "Nord"]
    # The server keeps the earliest time: the south desk's, twelve minutes ago.
    arrived = stored(app, helene.id)
    assert arrived.checked_in_desk == "Sud"
    assert arrived.checked_in_at == dt.datetime.fromisoformat(second["checked_in_at"])
    assert dt.datetime.now(dt.UTC) - arrived.checked_in_at > dt.timedelta(minutes=11)
    # Both desks learn it from the roster they refresh, and the dashboard shows it.
    for client in (desk, other):
        twice = client.get("/admin/checkin/roster.json").get_json()["admitted_twice"]
        assert [(t["name"], len(t["admissions"])) for t in twice] == [("Hélène Dupont", 2)]
    organiser = signed_in(app, "organiser", "organiser@example.org")
    page = organiser.get("/admin/").get_data(as_text=True)
    assert "Admitted twice while a desk was offline" in page
    assert "Hélène Dupont" in page
    # Sent again (the answer was lost on the way): the same answers, nothing counted twice.
    _, again = sync(other, {"desk": "Sud", "scans": [queued(helene.code, "s-1", 12)]})
    assert again["answers"] == south["answers"]
    with app.app_context():
        flagged = db.session.scalars(select(CheckinScan).where(CheckinScan.admitted_twice)).all()
        assert len(flagged) == 1


def test_an_offline_scan_of_a_badge_already_admitted_online_is_reported_twice(
    app: Flask, desk: FlaskClient, people: dict[str, Attendee]
) -> None:
    helene = people["helene"]
    assert scan_code(desk, helene.code, desk="Nord")["result"] == "ok"
    _, reply = sync(desk, {"desk": "Sud", "scans": [queued(helene.code, "late", 0)]})
    assert reply["answers"][0]["result"] == "already_checked_in"
    assert reply["answers"][0]["admitted_twice"][0]["desk"] == "Nord"
    assert stored(app, helene.id).checked_in_desk == "Nord"


def test_a_desk_clock_in_the_future_or_days_behind_counts_when_the_scan_arrives(
    app: Flask, desk: FlaskClient, people: dict[str, Attendee]
) -> None:
    ahead = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)).isoformat()
    behind = (dt.datetime.now(dt.UTC) - dt.timedelta(days=30)).isoformat()
    _, reply = sync(
        desk,
        {
            "desk": "Nord",
            "scans": [
                {"code": people["helene"].code, "nonce": "a", "at": ahead},
                {"code": people["emilie"].code, "nonce": "b", "at": behind},
            ],
        },
    )
    for answer in reply["answers"]:
        assert answer["result"] == "ok"
        told = dt.datetime.fromisoformat(answer["checked_in_at"])
        assert abs(dt.datetime.now(dt.UTC) - told) < dt.timedelta(minutes=1)


def test_one_desk_scanning_a_badge_twice_offline_is_no_double_admission(
    app: Flask, desk: FlaskClient, people: dict[str, Attendee]
) -> None:
    code = people["helene"].code
    _, reply = sync(desk, {"desk": "Nord", "scans": [queued(code, "a", 5), queued(code, "b", 10)]})
    assert [a["result"] for a in reply["answers"]] == ["ok", "already_checked_in"]
    assert "admitted_twice" not in reply["answers"][1]
    # The earliest time is kept all the same.
    assert (
        reply["answers"][1]["checked_in_at"]
        == stored(app, people["helene"].id).checked_in_at.isoformat()
    )
    with app.app_context():
        assert not db.session.scalars(select(CheckinScan).where(CheckinScan.admitted_twice)).all()


def test_times_and_sessions_beyond_any_date_or_id_are_not_an_error(
    desk: FlaskClient, people: dict[str, Attendee]
) -> None:
    code = people["helene"].code
    scans = [
        {"code": code, "nonce": "y1", "at": "0001-01-01T00:00:00+05:00"},
        {"code": code, "nonce": "y9", "at": "9999-12-31T23:59:59-05:00", "session": 2**63},
        {"code": code, "nonce": "big", "session": 10**30},
    ]
    status, reply = sync(desk, {"desk": "Nord", "scans": scans})
    assert status == 200
    assert [a["result"] for a in reply["answers"]] == [
        "ok",
        "already_checked_in",
        "already_checked_in",
    ]


def test_a_replayed_scan_whose_attendee_was_erased_is_invalid_not_empty(
    app: Flask, desk: FlaskClient, people: dict[str, Attendee]
) -> None:
    sync(desk, {"desk": "Nord", "scans": [queued(people["helene"].code, "gone", 1)]})
    with app.app_context():
        db.session.execute(update(CheckinScan).values(answer="{}"))
        db.session.commit()
    _, reply = sync(desk, {"desk": "Nord", "scans": [queued(people["helene"].code, "gone", 1)]})
    assert reply["answers"][0]["result"] == "invalid"
    assert reply["answers"][0]["message"]


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        {"desk": "Nord"},
        {"desk": "Nord", "scans": "EV1-1-RD27-AAAAA-XXXX"},
        {"desk": "Nord", "scans": [{"code": "x"}] * 2001},
    ],
)
def test_a_sync_that_is_not_a_queue_is_refused_with_a_message(
    desk: FlaskClient, people: dict[str, Attendee], body: Any
) -> None:
    status, reply = sync(desk, body)
    assert status == 400
    assert reply["message"]


def test_items_of_a_queue_that_are_not_scans_get_an_invalid_answer_each(
    desk: FlaskClient, people: dict[str, Attendee]
) -> None:
    _, reply = sync(
        desk,
        {
            "desk": ["not", "a", "name"],
            "scans": [
                "text",
                {"code": 12, "at": "yesterday"},
                {"code": people["helene"].code, "at": 7, "session": "a", "nonce": ["x"]},
            ],
        },
    )
    assert [a["result"] for a in reply["answers"]] == ["invalid", "invalid", "ok"]


def test_the_roster_names_badges_by_a_digest_of_their_code_and_holds_no_more(
    app: Flask, desk: FlaskClient, people: dict[str, Attendee]
) -> None:
    answer = desk.get("/admin/checkin/roster.json")
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "private, no-store"
    assert answer.headers["X-CSRFToken"]
    roster = answer.get_json()
    helene = people["helene"]
    key = hashlib.sha256(helene.code.encode()).hexdigest()
    entry = next(e for e in roster["attendees"] if e["key"] == key)
    assert set(entry) == {
        "key",
        "first_name",
        "last_name",
        "organisation",
        "stakeholder_label",
        "status",
        "workshops",
        "checked_in_at",
        "checked_in_desk",
        "attended",
    }
    assert (entry["first_name"], entry["status"], entry["checked_in_at"]) == (
        "Hélène",
        "confirmed",
        None,
    )
    body = answer.get_data(as_text=True)
    assert helene.code not in body and "@example.org" not in body
    assert len(entry["workshops"]) == 1
    # Unchanged: a 304 against the ETag; a check-in changes it.
    etag = answer.headers["ETag"]
    unchanged = desk.get("/admin/checkin/roster.json", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    scan_code(desk, helene.code, desk="Nord")
    changed = desk.get("/admin/checkin/roster.json", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    entry = next(e for e in changed.get_json()["attendees"] if e["key"] == key)
    assert entry["checked_in_desk"] == "Nord"


def test_the_desk_page_is_an_installable_app_with_its_service_worker(
    desk: FlaskClient, people: dict[str, Attendee]
) -> None:
    page = desk.get("/admin/checkin").get_data(as_text=True)
    assert 'rel="manifest" href="/admin/checkin/manifest.webmanifest"' in page
    manifest = desk.get("/admin/checkin/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    body = manifest.get_json()
    assert body["start_url"] == body["scope"] == "/admin/checkin"
    assert {i["sizes"] for i in body["icons"]} == {"192x192", "512x512"}
    worker = desk.get("/admin/checkin/sw.js")
    assert worker.mimetype == "text/javascript"
    assert worker.headers["Service-Worker-Allowed"] == "/admin/checkin"
    script = worker.get_data(as_text=True)
    for icon in body["icons"]:
        assert icon["src"] in script
        icon_file = desk.get(icon["src"])
        assert (icon_file.status_code, icon_file.mimetype) == (200, "image/png")
        icon_file.close()


def test_signing_out_tells_the_browser_to_forget_the_desks_copy(desk: FlaskClient) -> None:
    answer = desk.post("/admin/logout", data={"csrf_token": page_token(desk)})
    assert answer.status_code == 303
    assert answer.headers["Clear-Site-Data"] == '"cache", "storage"'
