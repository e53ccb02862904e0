"""Fixtures: an app on a fresh database per test, on SQLite and again on PostgreSQL.

The PostgreSQL runs use EVENTDAY_TEST_DATABASE_URL (set by .ci/run); each test
gets a schema of its own, dropped afterwards. Without that variable they are
skipped, and pytest's summary says why.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, select, text

from eventday import create_app
from eventday.editions.lifecycle import EditionDraft, create_edition
from eventday.extensions import db
from eventday.programme import rules
from eventday.programme.models import Edition

PG_URL = os.environ.get("EVENTDAY_TEST_DATABASE_URL")
PARIS = ZoneInfo("Europe/Paris")
PUBLIC_URL = "https://journee.example.org"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'eventday-test.sqlite3'}"
        return
    if not PG_URL:
        pytest.skip("PostgreSQL run skipped: EVENTDAY_TEST_DATABASE_URL is not set")
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def make_app(database_url: str, **config: object) -> Flask:
    settings = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "PROGRAMME_CACHE_SECONDS": 0,
        "PUBLIC_URL": PUBLIC_URL,
        # The test client speaks plain http, where Secure cookies are not sent back.
        "SECURE_COOKIES": False,
        # Tests post the registration form at once; tests/test_robots.py checks the delay.
        "REGISTRATION_MIN_SECONDS": 0,
        # Tests post many forms from one address; tests/test_robots.py checks the limit.
        "REGISTRATION_RATE_LIMIT": "1000 per minute",
        "ABSTRACT_RATE_LIMIT": "1000 per minute",
        # A thread drawing the book would outlive the test's database; one test asks for it.
        "BOOK_DRAW_LATER": False,
        **config,
    }
    return create_app(settings)


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    app = make_app(database_url)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database holding the demo edition, made once and copied for each test."""
    from eventday.programme.demo import load_demo

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    template = make_app(f"sqlite:///{path}")
    with template.app_context():
        db.create_all()
        load_demo()
        db.session.remove()
        db.engine.dispose()
    return path


@pytest.fixture
def demo(app: Flask, database_url: str, request: pytest.FixtureRequest) -> int:
    """The demo edition loaded; returns its id."""
    from eventday.programme.demo import load_demo

    with app.app_context():
        if database_url.startswith("sqlite:///"):
            # Loading the demo takes some thirty write transactions: copy it instead.
            db.session.remove()
            db.engine.dispose()
            target = Path(database_url.removeprefix("sqlite:///"))
            for leftover in (Path(f"{target}-wal"), Path(f"{target}-shm")):
                leftover.unlink(missing_ok=True)
            shutil.copyfile(request.getfixturevalue("demo_template"), target)
            return db.session.scalar(select(Edition.id).where(Edition.is_current))
        return load_demo().id


def paris(day: dt.date, clock: str) -> dt.datetime:
    hours, minutes = map(int, clock.split(":"))
    return dt.datetime.combine(day, dt.time(hours, minutes), tzinfo=PARIS)


def make_edition(
    start: dt.date = dt.date(2027, 1, 25),
    end: dt.date | None = None,
    slug: str = "test-day",
    state: str = "current",
) -> Edition:
    """A bare edition (call inside an app context); a current one archives the former."""
    return create_edition(
        EditionDraft(
            name="Journée d'essai",
            slug=slug,
            start_date=start,
            end_date=end or start,
            venue_name="Hôpital d'essai",
            venue_address="1 rue de l'Exemple, 75013 Paris",
        ),
        state=state,
    )


def make_session(
    edition_id: int,
    day: dt.date,
    start: str,
    end: str,
    title: str = "Une session",
    kind: str = "talk",
    **fields: object,
):
    """Save a session through the rules (call inside an app context)."""
    return rules.save_session(
        edition_id,
        rules.SessionDraft(
            title=title,
            kind=kind,
            starts_at=paris(day, start),
            ends_at=paris(day, end),
            **fields,
        ),
    )
