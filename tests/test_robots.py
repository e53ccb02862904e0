"""The registration form keeps robots off without a captcha: honeypot, fill time, rate limit.

Each refusal shows the form again with what was typed and a message, and
writes nothing; a person who sends the form again gets through.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from eventday.extensions import db
from eventday.mail import OutboxMail
from eventday.registration import robots
from eventday.registration.models import Registration
from tests.conftest import make_app, make_edition
from tests.test_registration_form import csrf_token, html, person, registered_token, submit
from tests.test_users_admin import english_client

STARTED = re.compile(r'id="started" name="started" type="hidden" value="([^"]*)"')


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    """An app with the robot checks as in production: 3 s at least, 3 forms a minute."""
    app = make_app(database_url, REGISTRATION_MIN_SECONDS=3, REGISTRATION_RATE_LIMIT="3 per minute")
    with app.app_context():
        db.create_all()
        make_edition()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return english_client(app)


def written(app: Flask) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Registration)),
            db.session.scalar(select(func.count()).select_from(OutboxMail)),
        )


def started_of(page: str) -> str:
    found = STARTED.search(page)
    assert found, "the form carries no start time"
    return found.group(1)


def shown_seconds_ago(app: Flask, seconds: float) -> str:
    with app.test_request_context():
        return robots.started_token(time.time() - seconds)


def test_the_form_carries_a_signed_start_and_a_field_people_never_reach(
    client: FlaskClient,
) -> None:
    page = html(client.get("/register"))
    assert started_of(page)
    trap = re.search(r'<div class="trap" aria-hidden="true">(.*?)</div>', page, re.S)
    assert trap, "no hidden trap"
    assert 'name="website"' in trap.group(1)
    assert 'tabindex="-1"' in trap.group(1)


def test_a_form_sent_back_at_once_is_shown_again_as_typed(app: Flask, client: FlaskClient) -> None:
    page = html(client.get("/register"))
    started = started_of(page)
    answer = submit(client, {**person(first_name="Zoë"), "started": started})
    assert answer.status_code == 422
    shown = html(answer)
    assert "quicker than a person can fill this form" in shown
    assert 'value="Zoë"' in shown
    # The time already spent counts: the same start comes back.
    assert started_of(shown) == started
    assert written(app) == (0, 0)


def test_a_form_filled_in_a_human_time_registers(app: Flask, client: FlaskClient) -> None:
    answer = submit(client, {**person(), "started": shown_seconds_ago(app, 5)})
    registered_token(answer)
    assert written(app) == (1, 1)


@pytest.mark.parametrize("started", ["", "1700000000.0", "eyJhbGciOiJub25lIn0.forged.sig"])
def test_a_missing_or_forged_start_is_refused_and_replaced(
    app: Flask, client: FlaskClient, started: str
) -> None:
    answer = submit(client, {**person(), "started": started})
    assert answer.status_code == 422
    replaced = started_of(html(answer))
    assert replaced != started
    with app.test_request_context():
        assert robots.refusal(replaced)  # genuine, and just issued
        assert robots.refusal(replaced, now=time.time() + 5) is None
    assert written(app) == (0, 0)


def test_a_filled_honeypot_is_refused_next_to_it_and_shown_to_be_emptied(
    app: Flask, client: FlaskClient
) -> None:
    fields = {**person(), "started": shown_seconds_ago(app, 30), "website": "http://spam.example"}
    answer = submit(client, fields)
    assert answer.status_code == 422
    shown = html(answer)
    assert re.search(
        r'<input autocomplete="off" id="website" name="website" type="text" '
        r'value="http://spam.example">\s*<p class="field-errors">Leave this field empty.</p>',
        shown,
    ), shown[shown.find("website") - 200 :][:600]
    assert '<div class="trap"' not in shown  # now visible, with its message
    assert written(app) == (0, 0)

    fields["website"] = ""
    registered_token(submit(client, fields))
    assert written(app) == (1, 1)


def test_an_address_sending_too_many_forms_is_told_how_long_to_wait(
    app: Flask, client: FlaskClient
) -> None:
    started = shown_seconds_ago(app, 30)
    for number in range(3):
        fields = {**person(email=f"personne{number}@example.org"), "started": started}
        registered_token(submit(client, fields))
    token = csrf_token(client)
    answer = submit(client, {**person(first_name="Élodie", email="elodie@example.org")}, token)
    assert answer.status_code == 429
    shown = html(answer)
    wait = re.search(r"Please try again in (\d+) s\.", shown)
    assert wait and 1 <= int(wait.group(1)) <= 60
    assert 'value="Élodie"' in shown
    assert written(app) == (3, 3)
    # Reading the form is never limited.
    assert client.get("/register").status_code == 200


def test_the_rate_limit_can_be_turned_off(database_url: str) -> None:
    app = make_app(database_url, RATELIMIT_ENABLED=False, REGISTRATION_RATE_LIMIT="1 per minute")
    with app.app_context():
        db.create_all()
        make_edition()
    client = english_client(app)
    for number in range(3):
        registered_token(submit(client, person(email=f"p{number}@example.org")))
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def test_a_start_older_than_a_day_is_refused_and_replaced(app: Flask, client: FlaskClient) -> None:
    stale = shown_seconds_ago(app, robots.MAX_AGE_SECONDS + 60)
    answer = submit(client, {**person(first_name="Zoë"), "started": stale})
    assert answer.status_code == 422
    shown = html(answer)
    assert "This form was opened a long time ago." in shown
    assert 'value="Zoë"' in shown
    assert started_of(shown) != stale
    assert written(app) == (0, 0)
