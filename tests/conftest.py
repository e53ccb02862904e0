"""Fixtures: an app on a fresh database per test, on SQLite and again on PostgreSQL.

The PostgreSQL runs use EVENTDAY_TEST_DATABASE_URL (set by .ci/run); each test
gets a schema of its own, dropped afterwards. Without that variable they are
skipped, and pytest's summary says why.
"""

from __future__ import annotations

import contextlib
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
from sqlalchemy import Table, create_engine, select, text

from eventday import create_app
from eventday.editions.lifecycle import EditionDraft, create_edition
from eventday.extensions import db
from eventday.programme import rules
from eventday.programme.models import Edition

PG_URL = os.environ.get("EVENTDAY_TEST_DATABASE_URL")
PARIS = ZoneInfo("Europe/Paris")
PUBLIC_URL = "https://journee.example.org"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_kind(request: pytest.FixtureRequest) -> str:
    """Each database test runs on SQLite, then on PostgreSQL when it is configured."""
    if request.param == "postgresql" and not PG_URL:
        pytest.skip("PostgreSQL run skipped: EVENTDAY_TEST_DATABASE_URL is not set")
    return request.param


def _schema_url(schema: str) -> str:
    separator = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{separator}options=-csearch_path%3D{schema}"


@contextlib.contextmanager
def _new_schema() -> Iterator[str]:
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def database_url(database_kind: str, tmp_path: Path) -> Iterator[str]:
    """A database of the test's own, empty: for tests that migrate it or serve it."""
    if database_kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'eventday-test.sqlite3'}"
        return
    with _new_schema() as schema:
        yield _schema_url(schema)


@pytest.fixture(scope="session")
def shared_schema() -> Iterator[str]:
    """One PostgreSQL schema per test process, its tables made once (models' create_all)."""
    with _new_schema() as schema:
        url = _schema_url(schema)
        maker = make_app(url)
        with maker.app_context():
            db.create_all()
            db.engine.dispose()
        yield url


@pytest.fixture
def app_database_url(database_kind: str, tmp_path: Path, request: pytest.FixtureRequest):
    """The `app` fixture's database. On PostgreSQL the process's shared schema, emptied after
    each test (TRUNCATE … RESTART IDENTITY: ids start at 1 again), which is far quicker
    than a schema and its tables per test; on SQLite a file of the test's own."""
    if database_kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'eventday-test.sqlite3'}"
        return
    url = request.getfixturevalue("shared_schema")
    yield url
    engine = create_engine(url)
    tables = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
    with engine.begin() as connection:
        # A connection the test left open would make TRUNCATE wait for ever: fail instead.
        connection.execute(text("SET LOCAL lock_timeout = '20s'"))
        connection.execute(text(f"TRUNCATE TABLE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


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
        # scrypt takes 0.1 s a hash and again a check: the tests sign in thousands of times.
        # tests/test_password_rules.py checks that accounts get scrypt outside the tests.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        **config,
    }
    return create_app(settings)


@pytest.fixture
def app(app_database_url: str) -> Iterator[Flask]:
    app = make_app(app_database_url)
    if app_database_url.startswith("sqlite"):
        with app.app_context():
            db.create_all()  # PostgreSQL's shared schema has its tables already
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


@pytest.fixture(scope="session")
def pg_demo_rows() -> list[tuple[Table, list[dict]]]:
    """The demo edition's rows, loaded once per test process into a schema of its own."""
    from eventday.programme.demo import load_demo

    with _new_schema() as schema:
        loader = make_app(_schema_url(schema))
        with loader.app_context():
            db.create_all()
            load_demo()
            rows = [
                (table, [dict(row) for row in db.session.execute(select(table)).mappings()])
                for table in db.metadata.sorted_tables
            ]
            db.session.remove()
            db.engine.dispose()
    return [(table, found) for table, found in rows if found]


def _copy_demo_rows(rows: list[tuple[Table, list[dict]]]) -> int:
    """The demo's rows into the app's (empty) database, its id sequences moved past them;
    some thirty times quicker than loading the demo again (a second instead of 30 ms)."""
    with db.engine.begin() as connection:
        for table, found in rows:
            connection.execute(table.insert(), found)
        for table, _found in rows:
            if "id" in table.c and table.c.id.primary_key:
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                        f'(SELECT max(id) FROM "{table.name}"))'
                    )
                )
    return db.session.scalar(select(Edition.id).where(Edition.is_current))


@pytest.fixture
def demo(app: Flask, request: pytest.FixtureRequest) -> int:
    """The demo edition loaded; returns its id."""

    database_url = app.config["SQLALCHEMY_DATABASE_URI"]
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
        return _copy_demo_rows(request.getfixturevalue("pg_demo_rows"))


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
