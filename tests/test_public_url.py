"""Absolute links come from EVENTDAY_PUBLIC_URL only: a request's Host never chooses them."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from eventday import create_app
from eventday.extensions import db
from eventday.mail import MailKind, OutboxMail
from eventday.programme.models import Edition
from eventday.registration import capacity
from eventday.registration.models import Registration
from eventday.urls import DEVELOPMENT_URL
from tests.conftest import PUBLIC_URL, make_app, make_edition
from tests.test_mail import applicant

ROOT = Path(__file__).resolve().parent.parent
CSRF_PATTERN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
EVIL = "http://evil.example"


def _app(database_url: str, public_url: str | None) -> Iterator[Flask]:
    app = make_app(database_url, PUBLIC_URL=public_url)
    with app.app_context():
        db.create_all()
        make_edition()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def unconfigured(database_url: str) -> Iterator[Flask]:
    """An app with no public URL, as `eventday run` without EVENTDAY_PUBLIC_URL."""
    yield from _app(database_url, None)


@pytest.fixture
def configured(database_url: str) -> Iterator[Flask]:
    yield from _app(database_url, PUBLIC_URL)


def _post_form(client: FlaskClient, path: str, data: dict[str, str], base_url: str):
    page = client.get(path, base_url=base_url).get_data(as_text=True)
    token = CSRF_PATTERN.search(page)
    assert token, page[:500]
    return client.post(path, data={"csrf_token": token.group(1), **data}, base_url=base_url)


def _form(email: str) -> dict[str, str]:
    return {
        "first_name": "Alice",
        "last_name": "Martin",
        "email": email,
        "organisation": "Inserm",
        "stakeholder_type": "researcher",
        "institution": "Université Paris Cité",
        "position": "postdoc",
        "consent": "y",
        "language": "fr",
    }


def _mails(app: Flask, kind: MailKind) -> list[OutboxMail]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMail).where(OutboxMail.kind == kind)))


def test_the_existing_registration_link_is_mailed_on_our_address_whatever_the_host(
    unconfigured: Flask,
):
    client = unconfigured.test_client()
    first = _post_form(client, "/register", _form("alice@example.org"), DEVELOPMENT_URL)
    assert first.status_code == 303
    again = _post_form(client, "/register", _form("alice@example.org"), EVIL)
    assert again.status_code in (200, 422)
    [mail] = _mails(unconfigured, MailKind.MANAGE_LINK)
    with unconfigured.app_context():
        token = db.session.scalar(select(Registration.token))
    assert f"{DEVELOPMENT_URL}/registration/{token}" in mail.body
    assert "evil.example" not in mail.body


def test_a_cancellation_from_another_host_mails_the_promoted_attendee_our_address(
    unconfigured: Flask,
):
    with unconfigured.app_context():
        edition = db.session.scalar(select(Edition))
        edition.capacity = 1
        db.session.commit()
        alice = capacity.register(edition.id, applicant("Alice"))
        bruno = capacity.register(edition.id, applicant("Bruno"))
        assert not bruno.is_confirmed
        alice_token, bruno_token = alice.token, bruno.token
    client = unconfigured.test_client()
    answer = _post_form(client, f"/registration/{alice_token}/cancel", {}, EVIL)
    assert answer.status_code == 303
    [promoted] = _mails(unconfigured, MailKind.PROMOTED)
    assert f"{DEVELOPMENT_URL}/registration/{bruno_token}" in promoted.body
    assert "evil.example" not in promoted.body


def test_a_host_we_do_not_serve_is_refused_and_writes_nothing(configured: Flask):
    client = configured.test_client()
    answer = client.post("/register", data=_form("alice@example.org"), base_url=EVIL)
    assert answer.status_code == 400
    assert "evil.example" not in answer.get_data(as_text=True)
    with configured.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 0
    for path in ("/", "/programme", "/register", "/healthz"):
        assert client.get(path, base_url=EVIL).status_code == 400, path
    assert client.get("/healthz", base_url=PUBLIC_URL).status_code == 200
    assert client.get("/healthz", base_url="http://127.0.0.1:8000").status_code == 200


@pytest.mark.parametrize("public_url", [None, PUBLIC_URL])
def test_calendar_links_are_the_same_for_every_host(database_url: str, public_url):
    app = make_app(database_url, PUBLIC_URL=public_url, TRUSTED_HOSTS=[])
    with app.app_context():
        db.create_all()
        from eventday.programme.demo import load_demo

        load_demo()
    client = app.test_client()
    answers = [
        client.get("/programme.json", base_url=host).get_json()
        for host in ("http://one.example.org", "http://two.example.org")
    ]
    assert answers[0] == answers[1]
    assert answers[0]["sessions"][0]["url"].startswith((public_url or DEVELOPMENT_URL) + "/")
    calendar = client.get("/programme.ics", base_url="http://three.example.org")
    assert b"three.example.org" not in calendar.data
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize(
    "bad", ["journee.example.org", "ftp://journee.example.org", "https://", "https://x:port"]
)
def test_an_unusable_public_url_stops_start_up_with_one_line(bad: str, tmp_path):
    with pytest.raises(SystemExit) as stopped:
        create_app({"PUBLIC_URL": bad, "SECRET_KEY": "k", "DATABASE_URL": "sqlite://"})
    assert str(stopped.value).startswith("eventday: EVENTDAY_PUBLIC_URL")
    assert "\n" not in str(stopped.value)


def test_make_serve_refuses_to_start_without_a_public_url(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVENTDAY_")}
    env["EVENTDAY_INSTANCE_PATH"] = str(tmp_path)
    env["PORT"] = "99999"  # were it to start, gunicorn could not bind: nothing is left running
    finished = subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/bin/eventday", "serve"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode != 0
    said = [line for line in finished.stderr.splitlines() if "EVENTDAY_PUBLIC_URL" in line]
    assert len(said) == 1, finished.stderr
    assert not (tmp_path / "eventday.sqlite3").exists()  # stopped before the migrations


def test_a_public_url_on_an_ipv6_address_serves_its_own_host(database_url: str):
    app = make_app(database_url, PUBLIC_URL="http://[::1]:8000")
    assert app.test_client().get("/healthz", headers={"Host": "[::1]:8000"}).status_code in (
        200,
        503,
    )
    with app.app_context():
        db.engine.dispose()
