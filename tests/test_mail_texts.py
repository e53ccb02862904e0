"""Organisers write their own wording of each mail, in French and English (/admin/edition/mails).

The wording is set through the page as a browser sends it, then checked in the
mails the next registrations get: the organisers' subject and message replace
the standard ones in the attendee's language, while the link, the reference
and the workshops are still added.
"""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from eventday.accounts.models import Role
from eventday.audit import AuditEntry
from eventday.extensions import db
from eventday.mail import OutboxMail
from eventday.mail_texts import MailText
from eventday.programme.models import Edition
from eventday.registration import capacity
from eventday.registration.models import Registration
from tests.conftest import make_edition, make_session
from tests.test_edition_settings import COPY, SETTINGS
from tests.test_exports import register
from tests.test_users_admin import field_errors, post_form, signed_in, text, visible

CONFIRMED = "/admin/edition/mails/confirmed"
DAY = dt.date(2027, 1, 25)


@pytest.fixture
def edition(app: Flask) -> int:
    with app.app_context():
        return make_edition().id


@pytest.fixture
def organiser(app: Flask, edition: int) -> FlaskClient:
    return signed_in(app, Role.ORGANISER)


def last_mail(app: Flask, registration_id: int) -> OutboxMail:
    with app.app_context():
        mail = db.session.scalars(
            select(OutboxMail)
            .where(OutboxMail.registration_id == registration_id)
            .order_by(OutboxMail.id.desc())
        ).first()
        db.session.expunge(mail)
        return mail


def write(client: FlaskClient, path: str = CONFIRMED, **fields: str):
    values = {"subject_fr": "", "body_fr": "", "subject_en": "", "body_en": "", **fields}
    return post_form(client, path, path, values)


def test_the_list_shows_every_kind_of_mail_with_its_standard_wording(
    organiser: FlaskClient,
) -> None:
    page = organiser.get("/admin/edition/mails")
    assert page.status_code == 200
    shown = visible(text(page))
    assert "Registration confirmed" in shown
    assert "A chosen session moved or was cancelled" in shown
    assert "Your wording" not in shown


def test_the_organisers_wording_reaches_the_next_mails_in_each_language(
    app: Flask, edition: int, organiser: FlaskClient
) -> None:
    with app.app_context():
        workshop = make_session(
            edition,
            DAY,
            "14:00",
            "15:00",
            "Atelier <b>capillaroscopie</b>",
            "workshop",
            capacity=20,
        ).id
    answer = write(
        organiser,
        subject_fr="Bienvenue {first_name} — {edition}",
        body_fr="Chère {first_name} {last_name}, votre place ({reference}) est {status}.",
        subject_en="Welcome {first_name}",
    )
    assert answer.status_code == 303
    assert "Your wording" in visible(text(organiser.get("/admin/edition/mails")))

    french = register(
        app, edition, "Hélène", "O'Brien-Ødegård", language="fr", workshops=(workshop,)
    )
    english = register(app, edition, "Mary", "Smith", language="en")
    with app.app_context():
        reference = db.session.get_one(Registration, french).reference
    mail_fr, mail_en = last_mail(app, french), last_mail(app, english)

    assert mail_fr.subject == "Bienvenue Hélène — Journée d'essai"
    assert "Chère Hélène O'Brien-Ødegård, votre place (RD27-" in mail_fr.body
    assert "est confirmée." in mail_fr.body
    assert "Votre inscription est confirmée. Votre badge" not in mail_fr.body
    # The facts are still there: the workshop (as typed, no markup), the link, the reference.
    assert "Atelier <b>capillaroscopie</b>" in mail_fr.body
    assert "/registration/" in mail_fr.body
    assert f"({reference})" in mail_fr.body
    assert f"Référence : {reference}" in mail_fr.body

    # English: their subject, and the standard message (no English message was written).
    assert mail_en.subject == "Welcome Mary"
    assert "Your registration is confirmed." in mail_en.body

    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "mail_text")).one()
        assert entry.user_id is not None


def test_an_unknown_value_is_refused_next_to_its_field_and_nothing_is_kept(
    app: Flask, organiser: FlaskClient
) -> None:
    answer = write(organiser, body_en="Dear {frist_name}, see you on {date}.")
    assert answer.status_code == 422
    errors = field_errors(answer, "body_en")
    assert errors and "{frist_name}" in errors[0]
    assert "Dear {frist_name}, see you on {date}." in text(answer)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MailText)) == 0


def test_emptying_a_field_brings_the_standard_wording_back(
    app: Flask, edition: int, organiser: FlaskClient
) -> None:
    assert write(organiser, body_en="Our own words.").status_code == 303
    assert write(organiser).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MailText)) == 0
    english = register(app, edition, "Mary", "Smith", language="en")
    assert "Your registration is confirmed." in last_mail(app, english).body


def test_the_preview_shows_the_mail_as_it_is_sent_with_markup_as_text(
    organiser: FlaskClient,
) -> None:
    assert write(organiser, body_fr="<script>alert(1)</script> Bonjour {first_name}").status_code
    page = text(organiser.get(CONFIRMED))
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Bonjour Camille" in page
    assert "<script>alert(1)" not in page


def test_the_session_change_mail_names_the_session(
    app: Flask, edition: int, organiser: FlaskClient
) -> None:
    with app.app_context():
        make_session(edition, DAY, "14:00", "15:00", "Atelier : capillaroscopie")
    path = "/admin/edition/mails/session_changed"
    assert write(organiser, path, body_en="{session} now: {when}.").status_code == 303
    preview = visible(text(organiser.get(path)))
    assert "Atelier : capillaroscopie now:" in preview
    assert "14:00–15:00." in preview
    # {session} means nothing in another mail.
    refused = write(organiser, body_en="{session}")
    assert refused.status_code == 422


def test_an_unknown_kind_of_mail_is_not_found(organiser: FlaskClient) -> None:
    assert organiser.get("/admin/edition/mails/nothing").status_code == 404


def test_a_new_edition_starts_with_last_years_wording(
    app: Flask, edition: int, organiser: FlaskClient
) -> None:
    assert write(organiser, body_fr="Nos propres mots.").status_code == 303
    fields = {
        "copy-name": "Journée 2028",
        "copy-slug": "journee-2028",
        "copy-start_date": "2028-01-24",
    }
    assert post_form(organiser, SETTINGS, COPY, fields).status_code == 303
    with app.app_context():
        rows = db.session.scalars(select(MailText).order_by(MailText.edition_id)).all()
        assert [(r.kind, r.language, r.body) for r in rows] == [
            ("confirmed", "fr", "Nos propres mots."),
            ("confirmed", "fr", "Nos propres mots."),
        ]
        assert rows[0].edition_id != rows[1].edition_id


def test_a_check_in_account_cannot_change_the_mails(app: Flask, edition: int) -> None:
    desk = signed_in(app, Role.CHECKIN)
    assert desk.get(CONFIRMED).status_code == 403
    assert desk.post(CONFIRMED, data={"body_fr": "x"}).status_code in (400, 403)


def test_an_approval_onto_the_waiting_list_keeps_the_standard_wording(
    app: Flask, edition: int, organiser: FlaskClient
) -> None:
    path = "/admin/edition/mails/approved"
    assert (
        write(organiser, path, body_en="Your seat is confirmed, {first_name}.").status_code == 303
    )
    confirmed = register(app, edition, "Inès", "Haddad", stakeholder_type="industry")
    waiting = register(app, edition, "Marc", "Petit", stakeholder_type="industry")
    with app.app_context():
        db.session.get_one(Edition, edition).capacity = 1
        db.session.commit()
        capacity.decide(confirmed, approve=True)
        capacity.decide(waiting, approve=True)
    assert "Your seat is confirmed, Inès." in last_mail(app, confirmed).body
    waitlisted = last_mail(app, waiting).body
    assert "Your seat is confirmed" not in waitlisted
    assert "you are on the waiting list" in waitlisted
