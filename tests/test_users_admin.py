"""Organiser accounts (/admin/users/): who may manage them, creating, roles, switching off.

Also home to the helpers the organiser-page modules share: accounts, signing in
as a browser does, and reading messages next to fields and in flashes.
"""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from eventday.accounts.models import Role, User
from eventday.accounts.rules import create_user
from eventday.extensions import db
from tests.conftest import make_edition

PASSWORD = "correct horse battery staple"
CSRF_PATTERN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
FLASH = re.compile(r'<div class="(error-summary|flash)" role="status"><p>(.*?)</p></div>', re.S)
TAGS = re.compile(r"<[^>]+>")
WRONG_CREDENTIALS = "Wrong e-mail address or password."


# --- helpers shared by the organiser-page modules --------------------------------------------


def text(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def visible(fragment: str) -> str:
    """What a reader sees of an HTML fragment: tags dropped, entities decoded, spaces single."""
    return " ".join(html.unescape(TAGS.sub(" ", fragment)).split())


def add_account(app: Flask, email: str, role: str, active: bool = True) -> int:
    with app.app_context():
        user = create_user(email, role, PASSWORD)
        if not active:
            user.active = False
            db.session.commit()
        return user.id


def csrf_token(client: FlaskClient, path: str) -> str:
    """The CSRF token of the form on `path`, as a browser would send it back."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status)
    match = CSRF_PATTERN.search(text(response))
    assert match, f"{path} has no form with a CSRF token"
    return match.group(1)


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> TestResponse:
    return client.post(
        "/admin/login",
        data={
            "csrf_token": csrf_token(client, "/admin/login"),
            "email": email,
            "password": password,
        },
    )


def english_client(app: Flask) -> FlaskClient:
    """A browser asking for English, so messages read as the code writes them."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def signed_in(app: Flask, role: str, email: str | None = None) -> FlaskClient:
    """A browser signed in with a new account of `role`."""
    email = email or f"{role}@example.org"
    add_account(app, email, role)
    client = english_client(app)
    assert sign_in(client, email).status_code == 303
    return client


def field_errors(response: TestResponse, field_id: str) -> list[str]:
    """The messages shown next to one field (the list tied to it by aria-describedby)."""
    found = re.search(
        rf'<ul class="field-errors" id="{re.escape(field_id)}-errors">(.*?)</ul>',
        text(response),
        re.S,
    )
    if found is None:
        return []
    return [visible(item) for item in re.findall(r"<li>(.*?)</li>", found.group(1), re.S)]


def flashes(response: TestResponse) -> list[tuple[str, str]]:
    """The flashed messages of a page: ("error" | "info", text)."""
    return [
        ("error" if kind == "error-summary" else "info", visible(message))
        for kind, message in FLASH.findall(text(response))
    ]


def post_form(
    client: FlaskClient, form_page: str, action: str, data: dict[str, object] | None = None
) -> TestResponse:
    """Send the form found on `form_page` to `action` (its CSRF token read from the page)."""
    return client.post(action, data={"csrf_token": csrf_token(client, form_page), **(data or {})})


# --- this module's helpers -------------------------------------------------------------------


@pytest.fixture(autouse=True)
def edition(app: Flask) -> None:
    """An edition, so the other organiser pages a role may or may not open exist."""
    with app.app_context():
        make_edition()


def user_row(app: Flask, email: str) -> User | None:
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == email)).first()
        if user is not None:
            db.session.expunge(user)
        return user


def account_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def change(client: FlaskClient, user_id: int, what: str, role: str | None = None) -> TestResponse:
    """Press one account's "Change" (role) or "Disable"/"Enable" button on /admin/users/."""
    data = {"role": role} if role is not None else {}
    return post_form(client, "/admin/users/", f"/admin/users/{user_id}/{what}", data)


def new_account(**changes: str) -> dict[str, str]:
    return {
        "email": "claire.dubois@example.org",
        "name": "Claire Dubois",
        "role": "organiser",
        "password": "a long enough passphrase",
        **changes,
    }


# --- who may manage accounts -----------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.CHECKIN])
def test_only_administrators_open_the_accounts_pages(app: Flask, role: str) -> None:
    client = signed_in(app, role)
    target = add_account(app, "someone@example.org", Role.ORGANISER)
    token = csrf_token(client, "/admin/checkin")
    before = account_count(app)

    assert client.get("/admin/users/").status_code == 403
    created = client.post("/admin/users/", data={"csrf_token": token, **new_account()})
    assert created.status_code == 403
    for what, data in (("role", {"role": "admin"}), ("disable", {}), ("enable", {})):
        answer = client.post(f"/admin/users/{target}/{what}", data={"csrf_token": token, **data})
        assert answer.status_code == 403, what

    assert account_count(app) == before
    someone = user_row(app, "someone@example.org")
    assert (someone.role, someone.active) == (Role.ORGANISER, True)


def test_an_administrator_opens_the_accounts_page_listing_every_account(app: Flask) -> None:
    client = signed_in(app, Role.ADMIN)
    add_account(app, "desk@example.org", Role.CHECKIN)
    page = client.get("/admin/users/")
    assert page.status_code == 200
    listed = re.findall(r'<th scope="row">([^<]+)</th>', text(page))
    assert listed == ["admin@example.org", "desk@example.org"]


# --- creating an account ---------------------------------------------------------------------


def test_a_new_account_is_created_and_can_then_sign_in(app: Flask) -> None:
    client = signed_in(app, Role.ADMIN)
    answer = post_form(client, "/admin/users/", "/admin/users/", new_account())
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/admin/users/"
    page = client.get("/admin/users/")
    assert ("info", "Account created for claire.dubois@example.org.") in flashes(page)

    created = user_row(app, "claire.dubois@example.org")
    assert (created.name, created.role, created.active) == ("Claire Dubois", "organiser", True)
    assert "a long enough passphrase" not in created.password_hash

    newcomer = english_client(app)
    signed = sign_in(newcomer, "claire.dubois@example.org", "a long enough passphrase")
    assert signed.status_code == 303
    assert newcomer.get("/admin/registrations").status_code == 200


def test_an_address_that_already_has_an_account_is_refused(app: Flask) -> None:
    client = signed_in(app, Role.ADMIN)
    add_account(app, "claire.dubois@example.org", Role.CHECKIN)
    answer = post_form(
        client, "/admin/users/", "/admin/users/", new_account(email="Claire.Dubois@Example.org")
    )
    assert answer.status_code == 422
    assert field_errors(answer, "email") == ["There is already an account for this address."]
    assert account_count(app) == 2
    assert user_row(app, "claire.dubois@example.org").role == Role.CHECKIN


def test_a_password_under_ten_characters_is_refused_next_to_the_password(app: Flask) -> None:
    client = signed_in(app, Role.ADMIN)
    answer = post_form(client, "/admin/users/", "/admin/users/", new_account(password="short9chr"))
    assert answer.status_code == 422
    assert field_errors(answer, "password") == ["A password needs at least 10 characters."]
    assert field_errors(answer, "email") == []
    assert user_row(app, "claire.dubois@example.org") is None


# --- roles and switching accounts off --------------------------------------------------------


def test_changing_a_role_changes_what_the_account_may_open_at_once(app: Flask) -> None:
    admin = signed_in(app, Role.ADMIN)
    organiser = signed_in(app, Role.ORGANISER)
    organiser_id = user_row(app, "organiser@example.org").id
    assert organiser.get("/admin/registrations").status_code == 200

    answer = change(admin, organiser_id, "role", Role.CHECKIN)
    assert answer.status_code == 303
    assert ("info", "Account changed.") in flashes(admin.get("/admin/users/"))
    assert user_row(app, "organiser@example.org").role == Role.CHECKIN
    assert organiser.get("/admin/registrations").status_code == 403
    assert organiser.get("/admin/checkin").status_code == 200

    change(admin, organiser_id, "role", Role.ADMIN)
    assert user_row(app, "organiser@example.org").role == Role.ADMIN
    assert organiser.get("/admin/users/").status_code == 200


def test_an_unknown_role_is_refused(app: Flask) -> None:
    admin = signed_in(app, Role.ADMIN)
    organiser_id = add_account(app, "organiser@example.org", Role.ORGANISER)
    assert change(admin, organiser_id, "role", "superuser").status_code == 400
    assert user_row(app, "organiser@example.org").role == Role.ORGANISER


def test_a_disabled_account_can_no_longer_sign_in_nor_use_its_open_session(app: Flask) -> None:
    admin = signed_in(app, Role.ADMIN)
    organiser = signed_in(app, Role.ORGANISER)
    organiser_id = user_row(app, "organiser@example.org").id

    assert change(admin, organiser_id, "disable").status_code == 303
    assert user_row(app, "organiser@example.org").active is False
    page = admin.get("/admin/users/")
    assert "Disabled" in visible(text(page))

    # The browser still holds its session cookie: it is sent back to sign in.
    opened = organiser.get("/admin/registrations")
    assert opened.status_code == 302
    assert opened.headers["Location"].startswith("/admin/login")
    again = sign_in(english_client(app), "organiser@example.org")
    assert again.status_code == 401
    assert WRONG_CREDENTIALS in visible(text(again))

    assert change(admin, organiser_id, "enable").status_code == 303
    assert user_row(app, "organiser@example.org").active is True
    assert sign_in(english_client(app), "organiser@example.org").status_code == 303


LAST_ADMIN = "The last administrator cannot be removed or disabled."


@pytest.mark.parametrize(
    ("what", "role"), [("role", Role.ORGANISER), ("role", Role.CHECKIN), ("disable", None)]
)
def test_the_last_administrator_cannot_be_demoted_or_disabled(
    app: Flask, what: str, role: str | None
) -> None:
    admin = signed_in(app, Role.ADMIN)
    admin_id = user_row(app, "admin@example.org").id
    # A switched-off administrator does not count: nobody could use it.
    add_account(app, "retired@example.org", Role.ADMIN, active=False)

    answer = change(admin, admin_id, what, role)
    assert answer.status_code == 303
    assert ("error", LAST_ADMIN) in flashes(admin.get("/admin/users/"))
    kept = user_row(app, "admin@example.org")
    assert (kept.role, kept.active) == (Role.ADMIN, True)
    assert admin.get("/admin/users/").status_code == 200


def test_with_a_second_administrator_one_may_be_demoted(app: Flask) -> None:
    admin = signed_in(app, Role.ADMIN)
    other_id = add_account(app, "second@example.org", Role.ADMIN)
    assert change(admin, other_id, "role", Role.ORGANISER).status_code == 303
    assert user_row(app, "second@example.org").role == Role.ORGANISER


def test_an_administrator_cannot_disable_their_own_account(app: Flask) -> None:
    admin = signed_in(app, Role.ADMIN)
    admin_id = user_row(app, "admin@example.org").id
    add_account(app, "second@example.org", Role.ADMIN)

    change(admin, admin_id, "disable")
    assert ("error", "You cannot disable your own account.") in flashes(admin.get("/admin/users/"))
    assert user_row(app, "admin@example.org").active is True
    assert admin.get("/admin/users/").status_code == 200


def test_a_disabled_administrator_can_be_demoted_while_another_stays(app: Flask) -> None:
    admin = signed_in(app, Role.ADMIN)
    retired_id = add_account(app, "retired@example.org", Role.ADMIN, active=False)

    change(admin, retired_id, "role", Role.ORGANISER)
    assert user_row(app, "retired@example.org").role == Role.ORGANISER
    assert flashes(admin.get("/admin/users/")) == [("info", "Account changed.")]
