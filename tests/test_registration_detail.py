"""A registration's page for organisers: when it was made, the mails sent, the attendee's page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from eventday.extensions import db
from eventday.mail import OutboxMail
from eventday.registration import capacity
from eventday.registration.models import Registration
from tests.conftest import make_edition
from tests.test_exports import register
from tests.test_users_admin import signed_in, text, visible


@pytest.fixture
def edition(app: Flask) -> int:
    with app.app_context():
        return make_edition().id


@pytest.fixture
def organiser(app: Flask, edition: int) -> FlaskClient:
    return signed_in(app, "organiser")


def section(page: str, title_id: str) -> str:
    """The visible text of the section headed by `title_id`."""
    found = re.search(rf'<section aria-labelledby="{title_id}">(.*?)</section>', page, re.S)
    assert found, title_id
    return visible(found.group(1))


def details(page: str) -> dict[str, str]:
    facts = re.search(r'<dl class="facts">(.*?)</dl>', page, re.S).group(1)
    return {
        visible(term): visible(value)
        for term, value in re.findall(r"<dt>(.*?)</dt><dd[^>]*>(.*?)</dd>", facts, re.S)
    }


def test_the_page_says_when_the_registration_was_made_in_local_time(
    organiser: FlaskClient, edition: int, app: Flask
) -> None:
    # 2026-12-01 12:00 UTC is 13:00 in Paris.
    registration_id = register(app, edition, "Hélène", "Lefèvre")
    page = text(organiser.get(f"/admin/registrations/{registration_id}?lang=fr"))
    status = re.search(r'<section class="status[^"]*">(.*?)</section>', page, re.S).group(1)
    assert "Inscription le mardi 1 décembre 2026 à 13:00" in visible(status)
    english = text(organiser.get(f"/admin/registrations/{registration_id}?lang=en"))
    assert "Registered on Tuesday 1 December 2026 at 13:00" in visible(english)


def test_the_mail_language_is_named_in_the_readers_words(
    organiser: FlaskClient, edition: int, app: Flask
) -> None:
    registration_id = register(app, edition, "Hélène", language="en")
    page = f"/admin/registrations/{registration_id}"
    assert details(text(organiser.get(f"{page}?lang=fr")))["Langue de nos e-mails"] == "anglais"
    assert details(text(organiser.get(f"{page}?lang=en")))["Language for our e-mails"] == "English"


def test_the_mails_sent_to_the_attendee_are_listed_with_their_delivery(
    organiser: FlaskClient, edition: int, app: Flask
) -> None:
    registration_id = register(app, edition, "Hélène")
    with app.app_context():
        capacity.resend(registration_id)
        first, second = db.session.scalars(
            select(OutboxMail.id)
            .where(OutboxMail.registration_id == registration_id)
            .order_by(OutboxMail.id)
        ).all()
        # The first one went out; the second one was refused once, and waits for a new try.
        db.session.execute(
            update(OutboxMail)
            .where(OutboxMail.id == first)
            .values(sent_at=dt.datetime(2026, 12, 1, 12, 1, tzinfo=dt.UTC))
        )
        db.session.execute(
            update(OutboxMail)
            .where(OutboxMail.id == second)
            .values(sent_at=None, attempts=1, last_error="SMTPRecipientsRefused: mailbox full")
        )
        db.session.commit()
        capacity.cancel(registration_id)
        db.session.execute(
            update(OutboxMail)
            .where(OutboxMail.registration_id == registration_id, OutboxMail.id > second)
            .values(sent_at=None, attempts=0)
        )
        db.session.commit()
    page = text(organiser.get(f"/admin/registrations/{registration_id}?lang=fr"))
    mails = re.search(r'aria-labelledby="mails-title">(.*?)</section>', page, re.S).group(1)
    rows = [
        [visible(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", mails, re.S)
    ]
    assert rows[0] == ["E-mail", "Rédigé", "Envoi"]
    assert [row[0] for row in rows[1:]] == [
        "Inscription annulée",
        "Inscription confirmée",
        "Inscription confirmée",
    ]
    assert rows[1][2] == "En attente d’envoi"
    assert rows[2][2] == (
        "Non envoyé après 1 essai : il sera retenté. SMTPRecipientsRefused: mailbox full"
    )
    assert rows[3][2] == "Envoyé le 1 déc. 2026 13:01"
    assert all(re.fullmatch(r"\d{1,2} \w+\.? 20\d\d \d\d:\d\d", row[1]) for row in rows[1:])


def test_the_page_links_to_the_attendees_own_page_and_says_it_is_private(
    organiser: FlaskClient, edition: int, app: Flask
) -> None:
    registration_id = register(app, edition, "Hélène")
    with app.app_context():
        token = db.session.get_one(Registration, registration_id).token
    page = text(organiser.get(f"/admin/registrations/{registration_id}"))
    own = section(page, "own-page-title")
    assert f'href="/registration/{token}"' in page
    assert "A private link" in own
    assert "Give it to this attendee only." in own
    assert app.test_client().get(f"/registration/{token}").status_code == 200
