"""Signing out, a new password and switching an account off end every session of it.

Each test plays the outside client the security review describes: a copy of the session
cookie, saved while it worked, is sent again afterwards from another browser.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse

from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, Table, select, text
from werkzeug.test import TestResponse

from eventday.accounts.models import Role, User
from eventday.extensions import db
from tests.conftest import make_app
from tests.test_users_admin import (
    PASSWORD,
    add_account,
    change,
    csrf_token,
    english_client,
    post_form,
    sign_in,
    signed_in,
    user_row,
)

NEW_PASSWORD = "une phrase de passe toute neuve"


def saved_cookie(client: FlaskClient) -> str:
    """The session cookie as the browser holds it now (what a thief would copy)."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def replayed(app: Flask, cookie: str) -> FlaskClient:
    """Another browser, sending a copy of a saved session cookie."""
    client = english_client(app)
    client.set_cookie("session", cookie)
    return client


def sent_to_login(answer: TestResponse) -> bool:
    return (
        answer.status_code == 302
        and urllib.parse.urlsplit(answer.headers["Location"]).path == "/admin/login"
    )


def sign_out(client: FlaskClient) -> TestResponse:
    return post_form(client, "/admin/password", "/admin/logout")


def new_password(client: FlaskClient, current: str = PASSWORD) -> TestResponse:
    return post_form(
        client,
        "/admin/password",
        "/admin/password",
        {"current_password": current, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    )


# Signing out.


def test_a_cookie_saved_before_signing_out_signs_nobody_in_afterwards(app: Flask) -> None:
    client = signed_in(app, Role.ORGANISER)
    saved = saved_cookie(client)
    assert replayed(app, saved).get("/admin/").status_code == 200  # the copy works until then

    answer = sign_out(client)
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/admin/login"

    assert sent_to_login(replayed(app, saved).get("/admin/"))
    assert sent_to_login(replayed(app, saved).get("/admin/password"))
    assert sent_to_login(client.get("/admin/"))


def test_signing_out_ends_the_account_s_sessions_in_every_browser(app: Flask) -> None:
    laptop = signed_in(app, Role.ADMIN)
    desk = english_client(app)
    assert sign_in(desk, "admin@example.org").status_code == 303
    colleague = signed_in(app, Role.ORGANISER)

    sign_out(laptop)

    assert sent_to_login(desk.get("/admin/users/"))
    assert colleague.get("/admin/").status_code == 200  # another account's session goes on
    assert sign_in(desk, "admin@example.org").status_code == 303
    assert desk.get("/admin/users/").status_code == 200


# A new password.


def test_a_new_password_ends_the_other_sessions_and_keeps_this_one(app: Flask) -> None:
    client = signed_in(app, Role.CHECKIN)
    elsewhere = english_client(app)
    assert sign_in(elsewhere, "checkin@example.org").status_code == 303
    saved = saved_cookie(client)

    answer = new_password(client)
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/admin/password"

    assert client.get("/admin/password").status_code == 200
    assert sent_to_login(elsewhere.get("/admin/password"))
    assert sent_to_login(replayed(app, saved).get("/admin/password"))
    assert sign_in(english_client(app), "checkin@example.org").status_code == 401
    assert sign_in(english_client(app), "checkin@example.org", NEW_PASSWORD).status_code == 303


def test_a_refused_new_password_ends_no_session(app: Flask) -> None:
    client = signed_in(app, Role.ORGANISER)
    elsewhere = english_client(app)
    assert sign_in(elsewhere, "organiser@example.org").status_code == 303

    assert new_password(client, current="not my password").status_code == 422

    assert elsewhere.get("/admin/").status_code == 200
    assert sign_in(english_client(app), "organiser@example.org").status_code == 303


# Switching an account off.


def test_an_account_switched_off_loses_its_saved_cookies_even_once_switched_on(
    app: Flask,
) -> None:
    admin = signed_in(app, Role.ADMIN)
    organiser = signed_in(app, Role.ORGANISER)
    saved = saved_cookie(organiser)
    organiser_id = user_row(app, "organiser@example.org").id

    assert change(admin, organiser_id, "disable").status_code == 303
    assert sent_to_login(replayed(app, saved).get("/admin/"))

    assert change(admin, organiser_id, "enable").status_code == 303
    assert sent_to_login(replayed(app, saved).get("/admin/"))
    assert sent_to_login(organiser.get("/admin/"))
    assert sign_in(organiser, "organiser@example.org").status_code == 303
    assert organiser.get("/admin/").status_code == 200


def test_changing_a_role_keeps_the_account_s_sessions(app: Flask) -> None:
    admin = signed_in(app, Role.ADMIN)
    organiser = signed_in(app, Role.ORGANISER)
    organiser_id = user_row(app, "organiser@example.org").id
    assert change(admin, organiser_id, "role", Role.CHECKIN).status_code == 303
    assert organiser.get("/admin/").status_code == 403  # the new role holds at once
    assert organiser.get("/admin/password").status_code == 200


# The CSRF token.


def test_signing_in_gives_the_session_a_new_csrf_token(app: Flask) -> None:
    add_account(app, "organiser@example.org", Role.ORGANISER)
    client = english_client(app)
    before = csrf_token(client, "/admin/login")
    answer = client.post(
        "/admin/login",
        data={"csrf_token": before, "email": "organiser@example.org", "password": PASSWORD},
    )
    assert answer.status_code == 303

    # The token of the page signed in from (which a third party could have planted)
    # no longer passes; the signed-in pages' token does.
    assert client.post("/admin/logout", data={"csrf_token": before}).status_code == 400
    assert client.get("/admin/").status_code == 200
    assert sign_out(client).status_code == 303


# Accounts that existed before the upgrade.


def insert(table: str, **values: object) -> None:
    """A row written as the schema of the moment has it (the models are ahead of it)."""
    reflected = Table(table, MetaData(), autoload_with=db.session.connection())
    db.session.execute(reflected.insert().values(**values))


def test_the_upgrade_gives_each_existing_account_a_key_of_its_own_and_keeps_its_history(
    database_url: str,
) -> None:
    app = make_app(database_url)
    now = dt.datetime(2026, 1, 5, 9, 0)
    day = dt.date(2026, 1, 26)
    with app.app_context():
        upgrade(revision="0010_edition_anonymised")
        insert(
            "editions", id=1, name="Journée", slug="journee", start_date=day, end_date=day,
            timezone="Europe/Paris", venue_name="Hôpital", venue_address="Paris",
            description="", is_current=True, programme_version=1, created_at=now, updated_at=now,
        )
        for user_id in (1, 2):
            insert(
                "users", id=user_id, email=f"o{user_id}@example.org", name="",
                password_hash="x", role="organiser", active=True, created_at=now,
            )
        insert("audit_log", edition_id=1, user_id=1, action="edit", changes={}, created_at=now)
        db.session.commit()

        upgrade()
        keys = db.session.scalars(select(User.session_key).order_by(User.id)).all()
        assert len(keys) == 2 and len(set(keys)) == 2
        assert all(len(key) >= 40 for key in keys)
        # Rebuilding the table on SQLite would have set the history's reference to NULL.
        assert db.session.scalar(text("SELECT user_id FROM audit_log")) == 1
        db.session.commit()

        downgrade(revision="0010_edition_anonymised")
        assert db.session.scalar(text("SELECT count(*) FROM users")) == 2
        assert db.session.scalar(text("SELECT user_id FROM audit_log")) == 1
        db.session.remove()
        db.engine.dispose()
