"""One rule for every new password, on the password page, in create-user and for administrators.

A password is long enough, not one of the most common passwords (zxcvbn's list), not a
common one padded with digits and signs, and does not hold the account's address.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import select
from werkzeug.test import TestResponse

from eventday.accounts.models import Role, User
from eventday.accounts.passwords import password_violations
from eventday.extensions import db
from tests.conftest import make_app
from tests.test_users_admin import (
    PASSWORD,
    english_client,
    field_errors,
    flashes,
    post_form,
    sign_in,
    signed_in,
    text,
    user_row,
)

COMMON = "This password is one of the most common ones: please choose another."
HOLDS_ADDRESS = "The password must not contain the e-mail address."
GUESSABLE = (
    "This password is too easy to guess (a repeat, a sequence or a row of the keyboard): "
    "please choose another."
)
COMMON_PASSWORDS = ["password1234", "motdepasse123", "Azertyuiop", "Soleil2024!", "1234567890"]
GOOD_PASSWORDS = [PASSWORD, "une phrase de passe toute neuve", "Vg7#kq2!Lm9x"]


@pytest.fixture
def in_english(tmp_path: Path) -> Iterator[None]:
    """An app context speaking English, for the rule alone (it reads no database)."""
    app = make_app(f"sqlite:///{tmp_path / 'unused.sqlite3'}")
    with app.app_context(), force_locale("en"):
        yield


def messages(password: str, email: str = "claire.dubois@example.org") -> list[str]:
    return [v.message for v in password_violations(password, email) if v.field == "password"]


# The rule itself.


@pytest.mark.parametrize("password", COMMON_PASSWORDS)
def test_a_common_password_or_one_padded_with_digits_is_refused(
    in_english: None, password: str
) -> None:
    assert messages(password) == [COMMON]


@pytest.mark.parametrize("password", ["0000000000", "aaaaaaaaaaaa", "abcdefghij", "zxcvbnm,./"])
def test_a_repeat_a_sequence_or_a_keyboard_row_is_refused(in_english: None, password: str):
    [message] = messages(password)
    assert message in (COMMON, GUESSABLE)


@pytest.mark.parametrize("password", GOOD_PASSWORDS)
def test_a_long_uncommon_password_is_accepted(in_english: None, password: str) -> None:
    assert messages(password) == []


def test_a_short_password_is_refused_for_its_length_first(in_english: None) -> None:
    assert messages("soleil") == ["A password needs at least 10 characters."]


@pytest.mark.parametrize("password", ["claire.dubois2026", "Mon CLAIRE.DUBOIS à moi"])
def test_a_password_holding_the_address_s_local_part_is_refused(
    in_english: None, password: str
) -> None:
    assert messages(password) == [HOLDS_ADDRESS]


def test_a_short_local_part_found_by_chance_in_a_password_does_not_count(
    in_english: None,
) -> None:
    assert messages("correct horse battery staple", "cor@example.org") == []


# The password page, for every role.


def change_password(
    client: FlaskClient, current: str, new: str, again: str | None = None
) -> TestResponse:
    return post_form(
        client,
        "/admin/password",
        "/admin/password",
        {"current_password": current, "password": new, "password_again": again or new},
    )


@pytest.mark.parametrize("role", list(Role))
def test_every_role_finds_its_password_page_in_the_header(app: Flask, role: str) -> None:
    client = signed_in(app, role)
    page = client.get("/admin/password")
    assert page.status_code == 200
    assert 'href="/admin/password"' in text(page)
    for name in ("current_password", "password", "password_again"):
        assert f'name="{name}"' in text(page)


def test_a_common_new_password_is_refused_next_to_the_field_and_nothing_changes(
    app: Flask,
) -> None:
    client = signed_in(app, Role.CHECKIN)
    answer = change_password(client, PASSWORD, "motdepasse123")
    assert answer.status_code == 422
    assert field_errors(answer, "password") == [COMMON]
    assert field_errors(answer, "current_password") == []
    assert "motdepasse123" not in text(answer)  # passwords are never typed back in
    assert PASSWORD not in text(answer)
    assert sign_in(english_client(app), "checkin@example.org").status_code == 303


def test_the_password_page_answers_in_the_organiser_s_language(app: Flask) -> None:
    client = signed_in(app, Role.ORGANISER)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    answer = change_password(client, PASSWORD, "password1234")
    assert answer.status_code == 422
    assert field_errors(answer, "password") == [
        "Ce mot de passe fait partie des plus courants : choisissez-en un autre."
    ]


def test_a_wrong_current_password_is_refused_next_to_it(app: Flask) -> None:
    client = signed_in(app, Role.ORGANISER)
    answer = change_password(client, "not my password", "une phrase de passe toute neuve")
    assert answer.status_code == 422
    assert field_errors(answer, "current_password") == ["This is not your current password."]
    assert sign_in(english_client(app), "organiser@example.org").status_code == 303


def test_two_different_new_passwords_are_refused_next_to_the_second(app: Flask) -> None:
    client = signed_in(app, Role.ORGANISER)
    answer = change_password(client, PASSWORD, "une phrase toute neuve", "une autre phrase")
    assert answer.status_code == 422
    assert field_errors(answer, "password_again") == ["The two new passwords differ."]
    assert sign_in(english_client(app), "organiser@example.org").status_code == 303


def test_a_new_password_holding_the_address_is_refused(app: Flask) -> None:
    client = signed_in(app, Role.ADMIN, email="claire.dubois@example.org")
    answer = change_password(client, PASSWORD, "claire.dubois-2026")
    assert answer.status_code == 422
    assert field_errors(answer, "password") == [HOLDS_ADDRESS]


def test_a_good_new_password_is_kept_and_said_so(app: Flask) -> None:
    client = signed_in(app, Role.ORGANISER)
    answer = change_password(client, PASSWORD, "une phrase de passe toute neuve")
    assert answer.status_code == 303
    assert flashes(client.get("/admin/password")) == [
        ("info", "Your password has been changed; your other sessions are signed out.")
    ]
    stored = user_row(app, "organiser@example.org")
    assert stored.check_password("une phrase de passe toute neuve")
    assert "toute neuve" not in stored.password_hash


# eventday create-user and the administrators' page: the same rule.


def test_create_user_refuses_a_common_password(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["create-user", "marie.curie@example.org", "--role", "admin", "--password-stdin"],
        input="motdepasse123\n",
    )
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert f"Error: {COMMON}" in result.output
    with app.app_context():
        assert db.session.scalars(select(User)).all() == []


def test_an_administrator_creating_an_account_with_a_common_password_is_refused(
    app: Flask,
) -> None:
    admin = signed_in(app, Role.ADMIN)
    answer = post_form(
        admin,
        "/admin/users/",
        "/admin/users/",
        {
            "email": "claire.dubois@example.org",
            "name": "Claire Dubois",
            "role": "organiser",
            "password": "password1234",
        },
    )
    assert answer.status_code == 422
    assert field_errors(answer, "password") == [COMMON]
    page = text(answer)
    assert re.search(r'name="email"[^>]*value="claire.dubois@example.org"', page)
    assert re.search(r'name="name"[^>]*value="Claire Dubois"', page)
    assert "password1234" not in page
    assert user_row(app, "claire.dubois@example.org") is None


def test_accounts_get_a_scrypt_hash_outside_the_tests(tmp_path: Path) -> None:
    from eventday.accounts.rules import create_user

    app = make_app(f"sqlite:///{tmp_path / 'hash.sqlite3'}", PASSWORD_HASH_METHOD=None)
    with app.app_context():
        db.create_all()
        user = create_user("claire.dubois@example.org", Role.ORGANISER, "un long mot de passe rare")
        assert user.password_hash.startswith("scrypt:")
        assert user.check_password("un long mot de passe rare")
        db.session.remove()
        db.engine.dispose()
