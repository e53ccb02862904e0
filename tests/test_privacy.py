"""RGPD: an attendee erases their registration, `eventday anonymise` after the day,
`eventday backup` of a running SQLite database, and the retention period said.

"Gone" is checked the hard way: every row of every table is read back and
searched for the attendee's name, address and answers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from eventday import privacy
from eventday.accounts.models import Role
from eventday.admin import stats
from eventday.audit import AuditEntry
from eventday.checkin import desk as checkin_desk
from eventday.checkin.models import CheckinScan
from eventday.extensions import db
from eventday.programme.models import Edition
from eventday.registration import capacity
from eventday.registration.models import Registration
from eventday.registration.tokens import checkin_code
from tests.conftest import make_edition
from tests.test_exports import register, set_capacity, status_of
from tests.test_registration_form import csrf_token
from tests.test_users_admin import english_client, signed_in, text

SECRETS = ("Hélène", "Ødegård", "helene.odegard@example.org", "Université Paris Cité")


@pytest.fixture
def edition(app: Flask) -> int:
    with app.app_context():
        return make_edition().id


def everything_stored(app: Flask) -> str:
    """Every value of every row of every table, as one text."""
    with app.app_context():
        parts = []
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(select(table)).all():
                parts.extend(str(value) for value in row)
        return "\n".join(parts)


def helene(app: Flask, edition: int) -> int:
    """Hélène registers, is mailed, edited by an organiser, and checked in at the door."""
    registration_id = register(
        app, edition, "Hélène", "Ødegård", email="helene.odegard@example.org"
    )
    with app.app_context():
        registration = db.session.get_one(Registration, registration_id)
        capacity.update(
            registration_id,
            capacity.Applicant(
                first_name="Hélène",
                last_name="Ødegård",
                email="helene.odegard@example.org",
                organisation="Inserm",
                stakeholder_type="researcher",
                answers={"institution": "Université Paris Cité", "position": "phd"},
                language="en",
            ),
            actor=None,
        )
        code = checkin_code(edition, registration.reference)
    with app.test_request_context():  # the desk's answer links to the badge
        checkin_desk.scan(edition, checkin_desk.Scan(code, "Entrée 1", "n-1"), None)
    return registration_id


def token_of(app: Flask, registration_id: int) -> str:
    with app.app_context():
        return db.session.get_one(Registration, registration_id).token


# --- the attendee erases their registration ----------------------------------------------------


def test_an_attendee_erases_their_registration_and_nothing_names_them_any_more(
    app: Flask, edition: int
) -> None:
    registration_id = helene(app, edition)
    assert all(secret in everything_stored(app) for secret in SECRETS)
    token = token_of(app, registration_id)
    client = english_client(app)
    page = f"/registration/{token}/erase"

    assert "Erase my registration and my data" in text(client.get(f"/registration/{token}"))
    question = client.get(page)
    assert question.status_code == 200
    assert "This cannot be undone." in text(question)

    answer = client.post(page, data={"csrf_token": csrf_token(client, page)})
    assert answer.status_code == 200
    assert "Your registration and your data are erased." in text(answer)

    stored = everything_stored(app)
    for secret in SECRETS:
        assert secret not in stored
    assert client.get(f"/registration/{token}").status_code == 404
    with app.app_context():
        assert db.session.get(Registration, registration_id) is None
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "erase")).one()
        assert entry.changes == {"stakeholder_type": ["researcher", None]}


def test_erasing_needs_the_form_s_token(app: Flask, edition: int) -> None:
    registration_id = register(app, edition, "Hélène")
    client = english_client(app)
    answer = client.post(f"/registration/{token_of(app, registration_id)}/erase")
    assert answer.status_code == 400
    assert status_of(app, registration_id) == "confirmed"


def test_a_seat_freed_by_erasing_goes_to_the_waiting_list(app: Flask, edition: int) -> None:
    set_capacity(app, edition, 1)
    first = register(app, edition, "Hélène")
    waiting = register(app, edition, "Marc")
    assert status_of(app, waiting) == "waitlisted"
    with app.app_context():
        privacy.erase(first)
    assert status_of(app, waiting) == "confirmed"


# --- anonymising an edition after the day ------------------------------------------------------


def test_anonymise_is_refused_before_the_day_has_ended(app: Flask, edition: int) -> None:
    registration_id = helene(app, edition)
    result = app.test_cli_runner().invoke(args=["anonymise", "--edition", "test-day"])
    assert result.exit_code != 0
    assert "may still come" in result.output
    assert all(secret in everything_stored(app) for secret in SECRETS)
    assert status_of(app, registration_id) == "confirmed"


def test_anonymise_removes_personal_data_and_keeps_the_counts(app: Flask, edition: int) -> None:
    registration_id = helene(app, edition)
    register(app, edition, "Marc", stakeholder_type="clinician")
    industry = register(app, edition, "Chloé", stakeholder_type="industry")
    old_token = token_of(app, registration_id)
    with app.app_context():
        before = stats.overview(db.session.get_one(Edition, edition))
    after_the_day = dt.datetime(2027, 1, 26, 0, 0, tzinfo=dt.UTC)

    with app.app_context():
        assert privacy.anonymise(edition, now=after_the_day) == 3
    stored = everything_stored(app)
    for secret in (*SECRETS, "Marc", "Chloé", "Servier", "Rhumatologie"):
        assert secret not in stored, secret
    with app.app_context():
        edition_row = db.session.get_one(Edition, edition)
        assert edition_row.anonymised_at == after_the_day
        assert stats.overview(edition_row) == before
        checked_in = db.session.get_one(Registration, registration_id).checked_in_at
        assert checked_in is not None
    assert status_of(app, industry) == "pending_approval"
    assert english_client(app).get(f"/registration/{old_token}").status_code == 404

    # Again: nothing more to do, nothing breaks.
    with app.app_context():
        assert privacy.anonymise(edition, now=after_the_day) == 3
    dashboard = signed_in(app, Role.ORGANISER).get("/admin/")
    assert "personal data was removed" in text(dashboard)


def test_the_command_names_the_editions_it_knows(app: Flask, edition: int) -> None:
    result = app.test_cli_runner().invoke(args=["anonymise", "--edition", "nope"])
    assert result.exit_code != 0
    assert "No edition 'nope'. Editions: test-day." in result.output


def test_the_command_anonymises_with_force_and_says_how_many(app: Flask, edition: int) -> None:
    helene(app, edition)
    result = app.test_cli_runner().invoke(args=["anonymise", "--edition", "test-day", "--force"])
    assert result.exit_code == 0, result.output
    assert "Anonymised 1 registration(s) of 'test-day'" in result.output
    assert "Hélène" not in everything_stored(app)


# --- the retention period ----------------------------------------------------------------------


def test_the_privacy_notice_and_the_dashboard_state_the_retention_period(
    app: Flask, edition: int
) -> None:
    notice = text(english_client(app).get("/privacy"))
    assert "At the latest 90 days after the day" in notice
    dashboard = text(signed_in(app, Role.ORGANISER).get("/admin/"))
    assert "Personal data is kept until Sunday 25 April 2027 at the latest" in dashboard
    # Organisers are told what to do in words; the command is in the README, for whoever runs it.
    assert "ask whoever runs the server to remove it" in dashboard
    assert "eventday anonymise" not in dashboard


# --- backups -----------------------------------------------------------------------------------


def test_backup_copies_a_sqlite_database_while_registrations_arrive(
    app: Flask, edition: int, database_url: str, tmp_path: Path
) -> None:
    if not database_url.startswith("sqlite"):
        result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "copy.sqlite3")])
        assert result.exit_code != 0
        assert "pg_dump" in result.output
        return
    backups = tmp_path / "backups"
    backups.mkdir()
    stop = threading.Event()
    written = []

    def keep_registering() -> None:
        number = 0
        with app.app_context():
            while not stop.is_set():
                number += 1
                written.append(register(app, edition, f"Personne{number}", "Écrivain"))

    writer = threading.Thread(target=keep_registering)
    writer.start()
    try:
        while len(written) < 5:
            stop.wait(0.01)
        result = app.test_cli_runner().invoke(args=["backup", str(backups)])
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    copies = list(backups.iterdir())
    assert len(copies) == 1
    assert copies[0].name.startswith("eventday-") and copies[0].suffix == ".sqlite3"
    with sqlite3.connect(copies[0]) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        count = copy.execute("SELECT count(*) FROM registrations").fetchone()[0]
        mails = copy.execute("SELECT count(*) FROM outbox").fetchone()[0]
    # One moment's state: each registration with its mail, none half-written.
    assert 5 <= count <= len(written)
    assert mails == count


def test_backup_refuses_a_folder_that_does_not_exist(app: Flask, tmp_path: Path) -> None:
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "no" / "copy.sqlite3")])
    assert result.exit_code != 0
    assert "No folder" in result.output or "pg_dump" in result.output


def test_the_erase_page_of_an_unknown_token_is_not_found(client: FlaskClient) -> None:
    assert client.get("/registration/" + "x" * 43 + "/erase").status_code == 404


def test_no_registration_is_left_behind_by_erasing(app: Flask, edition: int) -> None:
    first = register(app, edition, "Hélène")
    register(app, edition, "Marc")
    with app.app_context():
        privacy.erase(first)
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 1


def test_a_badge_scanned_while_its_attendee_erases_it_is_invalid(
    app: Flask, edition: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    registration_id = register(app, edition, "Hélène")
    with app.app_context():
        code = checkin_code(edition, db.session.get_one(Registration, registration_id).reference)
    taking_the_lock = checkin_desk.write_transaction

    @contextlib.contextmanager
    def erased_meanwhile(edition_id: int) -> Iterator[None]:
        privacy.erase(registration_id)  # between the look-up and the lock
        with taking_the_lock(edition_id):
            yield

    monkeypatch.setattr(checkin_desk, "write_transaction", erased_meanwhile)
    with app.test_request_context():
        answer = checkin_desk.scan(edition, checkin_desk.Scan(code, "Entrée 1"), None)
    assert answer["result"] == "invalid"
    with app.app_context():
        scans = db.session.scalars(select(CheckinScan)).all()
        assert [(s.registration_id, s.result) for s in scans] == [(None, "invalid")]


def test_an_expired_erase_form_is_shown_again_not_the_registration_form(
    app: Flask, edition: int
) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    registration_id = register(app, edition, "Hélène")
    token = token_of(app, registration_id)
    answer = english_client(app).post(
        f"/registration/{token}/erase", data={"csrf_token": "expired"}
    )
    assert answer.status_code == 400
    page = text(answer)
    assert "Erase my registration and my data?" in page
    assert "This form had expired" in page
    assert status_of(app, registration_id) == "confirmed"
