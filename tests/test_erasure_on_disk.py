"""Erased means gone from the disk too, a scan that matched nobody keeps nothing typed, and
data.json holds everything kept about its attendee (RGPD's right of access).

SQLite is read as an intruder with the disk would read it: the raw bytes of the
database file, its write-ahead log (-wal) and its index (-shm).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import downgrade, upgrade
from sqlalchemy import select
from sqlalchemy import text as sql

from eventday.accounts.models import User
from eventday.checkin.models import CheckinScan
from eventday.extensions import db
from eventday.programme.models import Edition
from eventday.registration import capacity
from eventday.registration.models import Registration
from eventday.registration.tokens import checkin_code
from tests.conftest import make_app
from tests.test_checkin_desk import scan_code
from tests.test_checkin_desk import signed_in as desk_signed_in
from tests.test_privacy import everything_stored
from tests.test_registration_form import (
    csrf_token,
    person,
    registered_token,
    set_edition,
    submit,
)
from tests.test_users_admin import english_client, text

EMAIL = "zephyrine.quillon-erase@example.org"
ANSWER = "Institut Quillonesque de Zarabande"
ORGANISATION = "Laboratoire Quillon-Zeta"
TYPED_AT_THE_DESK = "RD27-QUILLON-TYPED-BY-HAND"


@pytest.fixture
def edition_id(app: Flask, demo: int) -> int:
    """The demo edition with registration open now."""
    now = dt.datetime.now(dt.UTC)
    set_edition(
        app,
        demo,
        registration_opens_at=now - dt.timedelta(days=1),
        registration_closes_at=now + dt.timedelta(days=30),
    )
    return demo


def register_by_form(client: FlaskClient, first_name: str, email: str, institution: str) -> str:
    """Register as a browser does; the registration's token."""
    fields = person(first_name=first_name, email=email, institution=institution, language="en")
    return registered_token(submit(client, fields))


def registration_of(app: Flask, token: str) -> Registration:
    with app.app_context():
        registration = db.session.scalars(
            select(Registration).where(Registration.token == token)
        ).one()
        db.session.expunge(registration)
        return registration


def applicant_of(registration: Registration, **changes: object) -> capacity.Applicant:
    fields: dict[str, object] = {
        "first_name": registration.first_name,
        "last_name": registration.last_name,
        "email": registration.email,
        "organisation": registration.organisation,
        "stakeholder_type": registration.stakeholder_type,
        "answers": registration.answers,
        "language": registration.language,
        **changes,
    }
    return capacity.Applicant(**fields)


def erase_by_form(client: FlaskClient, token: str) -> None:
    page = f"/registration/{token}/erase"
    answer = client.post(page, data={"csrf_token": csrf_token(client, page)})
    assert answer.status_code == 200
    assert "Your registration and your data are erased." in text(answer)


def database_files(database_url: str) -> dict[str, bytes]:
    """The bytes on disk of a SQLite database: the file, its -wal and -shm (when they exist)."""
    path = Path(database_url.removeprefix("sqlite:///"))
    files = (path, Path(f"{path}-wal"), Path(f"{path}-shm"))
    return {file.name: file.read_bytes() for file in files if file.exists()}


def files_holding(database_url: str, value: str) -> list[str]:
    return [
        name for name, content in database_files(database_url).items() if value.encode() in content
    ]


def sqlite_only(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's own files; PostgreSQL's are the server's")


# --- erasing -----------------------------------------------------------------------------------


def test_an_erased_registration_is_in_no_file_of_the_sqlite_database(
    app: Flask, database_url: str, edition_id: int
) -> None:
    sqlite_only(database_url)
    client = english_client(app)
    token = register_by_form(client, "Zéphyrine", EMAIL, ANSWER)
    zephyrine = registration_of(app, token)
    desk = desk_signed_in(app)
    assert scan_code(desk, zephyrine.reference)["result"] == "invalid"  # typed by hand
    with app.app_context():
        code = checkin_code(edition_id, zephyrine.reference)
        organiser = db.session.scalars(select(User.id)).one()
        capacity.update(zephyrine.id, applicant_of(zephyrine, organisation=ORGANISATION), organiser)
    assert scan_code(desk, code)["result"] == "ok"  # the desk was told her organisation
    secrets = (EMAIL, token, ANSWER, ORGANISATION, zephyrine.reference)
    for secret in secrets:
        assert files_holding(database_url, secret), f"{secret} was never written: no test"

    erase_by_form(client, token)

    assert client.get(f"/registration/{token}").status_code == 404
    for secret in secrets:
        assert files_holding(database_url, secret) == [], secret
    assert Path(database_url.removeprefix("sqlite:///") + "-wal").stat().st_size == 0


def test_anonymising_empties_the_write_ahead_log_too(
    app: Flask, database_url: str, edition_id: int
) -> None:
    sqlite_only(database_url)
    token = register_by_form(english_client(app), "Zéphyrine", EMAIL, ANSWER)
    with app.app_context():
        slug = db.session.get_one(Edition, edition_id).slug
    result = app.test_cli_runner().invoke(args=["anonymise", "--edition", slug, "--force"])
    assert result.exit_code == 0, result.output
    for secret in (EMAIL, token, ANSWER):
        assert files_holding(database_url, secret) == [], secret


# --- a scan that matched nobody ----------------------------------------------------------------


def test_a_scan_that_matched_nobody_keeps_nothing_of_what_was_typed(
    app: Flask, database_url: str, edition_id: int
) -> None:
    desk = desk_signed_in(app)
    first = scan_code(desk, TYPED_AT_THE_DESK, desk="Entrée Nord", nonce="n-typed")
    assert first["result"] == "invalid"
    # The desk's retry after a network hiccup still gets its first answer.
    assert scan_code(desk, TYPED_AT_THE_DESK, desk="Entrée Nord", nonce="n-typed") == first

    assert TYPED_AT_THE_DESK not in everything_stored(app)
    with app.app_context():
        logged = db.session.execute(select(CheckinScan.code, CheckinScan.result)).all()
    assert [tuple(row) for row in logged] == [("", "invalid")]
    if database_url.startswith("sqlite"):
        assert files_holding(database_url, TYPED_AT_THE_DESK) == []


def test_scans_logged_before_forget_what_was_typed_on_upgrade(database_url: str) -> None:
    app = make_app(database_url)
    with app.app_context():
        upgrade()
        downgrade(revision="0011")  # a database from before: scans kept every code
        # The edition as that schema holds it (the models now describe a later one).
        now = dt.datetime(2026, 1, 5, 9, 0)
        edition_id = db.session.execute(
            sql(
                "INSERT INTO editions (name, slug, start_date, end_date, timezone, venue_name, "
                "venue_address, description, mail_note_fr, mail_note_en, is_current, "
                "programme_version, created_at, updated_at) VALUES ('Journée', 'journee', "
                ":day, :day, 'Europe/Paris', '', '', '', '', '', :yes, 0, :now, :now) "
                "RETURNING id"
            ),
            {"day": dt.date(2026, 1, 26), "now": now, "yes": True},
        ).scalar_one()
        db.session.execute(
            sql(
                "INSERT INTO checkin_scans (edition_id, code, desk, result, answer, created_at) "
                "VALUES (:edition, :code, '', 'invalid', '{}', :now)"
            ),
            {"edition": edition_id, "code": TYPED_AT_THE_DESK, "now": now},
        )
        db.session.commit()
        upgrade()
        assert db.session.scalars(select(CheckinScan.code)).all() == [""]
        db.session.remove()
        db.engine.dispose()


# --- data.json ---------------------------------------------------------------------------------


def test_data_json_holds_the_history_scans_and_mails_of_its_attendee_only(
    app: Flask, edition_id: int
) -> None:
    client = english_client(app)
    token = register_by_form(client, "Zéphyrine", EMAIL, ANSWER)
    other_token = register_by_form(client, "Barnabé", "barnabe.other@example.org", "Institut Autre")
    zephyrine, barnabe = registration_of(app, token), registration_of(app, other_token)
    desk = desk_signed_in(app)
    for registration in (zephyrine, barnabe):
        with app.app_context():
            code = checkin_code(registration.edition_id, registration.reference)
        assert scan_code(desk, code, desk="Entrée Nord")["result"] == "ok"
    with app.app_context():
        organiser = db.session.scalars(select(User.id)).one()
        capacity.update(zephyrine.id, applicant_of(zephyrine, organisation="CNRS"), organiser)

    answer = client.get(f"/registration/{token}/data.json")
    assert answer.status_code == 200
    data = json.loads(answer.get_data(as_text=True))

    assert data["email"] == EMAIL
    history = {entry["action"]: entry for entry in data["history"]}
    assert set(history) == {"checkin", "edit"}
    assert history["edit"]["changes"]["organisation"] == ["Inserm", "CNRS"]
    assert history["edit"]["by_organiser"] is True
    assert history["checkin"]["changes"]["desk"] == [None, "Entrée Nord"]
    assert [(s["result"], s["desk"]) for s in data["scans"]] == [("ok", "Entrée Nord")]
    assert data["scans"][0]["answer"]["attendee"]["reference"] == zephyrine.reference
    [mail] = data["mails"]
    assert (mail["kind"], mail["state"], mail["recipient"]) == ("confirmed", "sent", EMAIL)
    assert mail["subject"].startswith("Your registration is confirmed")
    assert f"/registration/{token}" in mail["body"]
    assert dt.datetime.fromisoformat(mail["sent_at"]).utcoffset() is not None
    whole = answer.get_data(as_text=True)
    for theirs in ("Barnabé", "barnabe.other@example.org", barnabe.reference, other_token):
        assert theirs not in whole
