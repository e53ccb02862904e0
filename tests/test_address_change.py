"""Changing one's address is confirmed from the new mailbox, and nobody can probe addresses.

The attendee's edit page answers the same for an address another registration uses and for a
free one; the link mailed to the new address makes the change. /register mails the link to an
existing registration at most once an hour.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from eventday.extensions import db
from eventday.mail import OutboxMail
from eventday.registration import addresses
from eventday.registration.models import Registration
from tests.test_attendee_page import edit_form, register, reload, snapshot
from tests.test_registration_form import person, submit
from tests.test_users_admin import signed_in

LINK = re.compile(r"https://journee\.example\.org(/registration/[^/\s]+/address/\S+)")


def _details(app: Flask, registration: Registration) -> dict:
    """The registration's address and everything that hangs on it."""
    row = snapshot(app, registration)
    return {k: row[k] for k in ("email", "email_key", "token", "status", "reference")}


def _asked(app: Flask, recipient: str) -> list[str]:
    """The confirmation links mailed to `recipient` (paths), oldest first."""
    with app.app_context():
        bodies = db.session.scalars(
            select(OutboxMail.body)
            .where(OutboxMail.kind == "confirm_address", OutboxMail.recipient == recipient)
            .order_by(OutboxMail.id)
        )
        return [LINK.search(body).group(1) for body in bodies]


def _ask(client: FlaskClient, registration: Registration, address: str):
    form = edit_form(client, registration.token) | {"email": [address]}
    return client.post(f"/registration/{registration.token}/edit", data=form)


def _confirm(client: FlaskClient, path: str):
    """GET the link, then POST its button (with a valid form token, even where the page
    shows no button)."""
    page = client.get(path)
    edit = client.get(path.split("/address/")[0] + "/edit").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', edit)
    return page, client.post(path, data={"csrf_token": token.group(1) if token else ""})


def test_a_taken_and_a_free_address_get_the_same_answer_and_change_nothing(app, client, demo):
    alice = register(app, demo, 1)
    bruno = register(app, demo, 2)
    before = _details(app, bruno)

    taken = _ask(client, bruno, alice.email.upper())
    taken_page = client.get(taken.headers["Location"]).get_data(as_text=True)
    free = _ask(client, bruno, "bruno.new@example.org")
    free_page = client.get(free.headers["Location"]).get_data(as_text=True)

    assert (taken.status_code, free.status_code) == (303, 303)
    assert taken.headers["Location"] == free.headers["Location"]
    assert taken_page.replace(alice.email.upper(), "X") == free_page.replace(
        "bruno.new@example.org", "X"
    )
    assert _details(app, bruno) == before  # the address waits for its link
    assert len(_asked(app, alice.email.upper())) == 1
    assert len(_asked(app, "bruno.new@example.org")) == 1


def test_the_mailed_link_changes_the_address_after_a_click_and_only_once(app, client, demo):
    bruno = register(app, demo, 2)
    _ask(client, bruno, "bruno.new@example.org")
    [path] = _asked(app, "bruno.new@example.org")

    page, confirmed = _confirm(client, path)
    assert page.status_code == 200 and "bruno.new@example.org" in page.get_data(as_text=True)
    assert confirmed.status_code == 303
    assert reload(app, bruno).email == "bruno.new@example.org"
    with app.app_context():
        from eventday.audit import AuditEntry

        assert db.session.scalars(select(AuditEntry.action)).all()[-1] == "edit"

    again_page, again = _confirm(client, path)  # the address has changed since: void
    assert again_page.status_code == 410 and again.status_code == 410
    assert reload(app, bruno).email == "bruno.new@example.org"


def test_a_get_of_the_link_changes_nothing(app, client, demo):
    bruno = register(app, demo, 2)
    _ask(client, bruno, "bruno.new@example.org")
    [path] = _asked(app, "bruno.new@example.org")
    assert client.get(path).status_code == 200
    assert reload(app, bruno).email == bruno.email


def test_opening_the_link_for_a_taken_address_tells_its_owner_and_changes_nothing(
    app, client, demo
):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    alice = register(app, demo, 1)
    bruno = register(app, demo, 2)
    _ask(client, bruno, alice.email)
    [path] = _asked(app, alice.email)
    before = _details(app, bruno)
    _page, answer = _confirm(client, path)
    assert answer.status_code == 410
    assert "Another registration already uses this address" in answer.get_data(as_text=True)
    assert _details(app, bruno) == before


@pytest.mark.parametrize("how", ["altered", "other registration", "expired"])
def test_an_altered_misdirected_or_expired_link_does_nothing(app, client, demo, how, monkeypatch):
    alice = register(app, demo, 1)
    bruno = register(app, demo, 2)
    _ask(client, bruno, "bruno.new@example.org")
    [path] = _asked(app, "bruno.new@example.org")
    if how == "altered":
        path = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    elif how == "other registration":
        path = path.replace(bruno.token, alice.token)
    else:
        monkeypatch.setattr(addresses, "LINK_LIFETIME", dt.timedelta(seconds=-1))
    page, answer = _confirm(client, path)
    assert (page.status_code, answer.status_code) == (410, 410)
    assert reload(app, bruno).email == bruno.email
    assert reload(app, alice).email == alice.email


def test_organisers_change_an_address_at_once_and_are_told_when_it_is_taken(app, demo):
    alice = register(app, demo, 1)
    bruno = register(app, demo, 2)
    organiser = signed_in(app, "organiser")
    path = f"/admin/registrations/{bruno.id}/edit"
    form = edit_form(organiser, bruno.token) | {"stakeholder_type": ["researcher"]}
    refused = organiser.post(path, data=form | {"email": [alice.email]})
    assert refused.status_code == 422
    assert "already uses this address" in refused.get_data(as_text=True)
    changed = organiser.post(path, data=form | {"email": ["bruno.pro@example.org"]})
    assert changed.status_code == 303
    assert reload(app, bruno).email == "bruno.pro@example.org"


def test_the_existing_registration_link_is_mailed_at_most_once_an_hour(app, client, demo):
    submit(client, person(email="helene@example.org"))
    answers = [submit(client, person(email="HELENE@example.org")) for _ in range(3)]
    assert {a.status_code for a in answers} == {200}
    assert len({a.get_data() for a in answers}) <= 2  # the same page (but its form's token)

    def manage_links() -> list[OutboxMail]:
        with app.app_context():
            return db.session.scalars(
                select(OutboxMail).where(OutboxMail.kind == "manage_link")
            ).all()

    assert len(manage_links()) == 1
    with app.app_context():
        for sent in db.session.scalars(select(OutboxMail)):
            sent.created_at -= addresses.MANAGE_LINK_INTERVAL
        db.session.commit()
    submit(client, person(email="helene@example.org"))
    assert len(manage_links()) == 2


def test_the_confirmation_link_cannot_be_read_back_from_the_data_download(app, client, demo):
    bruno = register(app, demo, 2)
    _ask(client, bruno, "bruno.new@example.org")
    [path] = _asked(app, "bruno.new@example.org")
    data = client.get(f"/registration/{bruno.token}/data.json")
    assert data.status_code == 200
    assert path.rsplit("/", 1)[1] not in data.get_data(as_text=True)
    [mail] = [m for m in data.get_json()["mails"] if m["kind"] == "confirm_address"]
    assert (mail["recipient"], mail["body"]) == ("bruno.new@example.org", None)


def test_the_edit_page_cannot_flood_a_mailbox(app, client, demo):
    bruno = register(app, demo, 2)
    answers = [_ask(client, bruno, "victim@example.org") for _ in range(6)]
    assert {a.status_code for a in answers} == {303}
    assert len(_asked(app, "victim@example.org")) == addresses.CONFIRMATIONS_PER_HOUR


def test_an_expired_confirmation_form_is_shown_again_with_a_message(app, demo):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    bruno = register(app, demo, 2)
    _ask(client, bruno, "bruno.new@example.org")
    [path] = _asked(app, "bruno.new@example.org")
    answer = client.post(path, data={"csrf_token": "expired"})
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert "This form had expired" in page and "bruno.new@example.org" in page
    assert reload(app, bruno).email == bruno.email
