"""The SQLite database, its -wal and -shm, and `eventday backup`'s copies are readable by
their owner only (0600), like the secret key: they hold every attendee's personal data."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from eventday.extensions import db
from tests.conftest import make_app, make_edition
from tests.test_exports import register


def mode(path: Path) -> int:
    return os.stat(path).st_mode & 0o777


def database_and_companions(path: Path) -> list[Path]:
    return [path, Path(f"{path}-wal"), Path(f"{path}-shm")]


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The umask most systems give (022): files are made 0644 unless asked otherwise."""
    before = os.umask(0o022)
    yield
    os.umask(before)


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "instance" / "eventday.sqlite3"


def app_writing_to(database: Path) -> Flask:
    """An app on `database` that has created its tables and registered someone."""
    app = make_app(f"sqlite:///{database}")
    with app.app_context():
        db.create_all()
        edition_id = make_edition().id
    register(app, edition_id, "Zéphyrine")
    return app


def test_a_new_database_and_its_log_are_the_owner_s_only(database: Path) -> None:
    database.parent.mkdir()
    app = app_writing_to(database)
    try:
        for path in database_and_companions(database):
            assert mode(path) == 0o600, f"{path}: {mode(path):o}"
    finally:
        with app.app_context():
            db.engine.dispose()


def test_a_database_made_before_readable_by_all_is_put_right(database: Path) -> None:
    database.parent.mkdir()
    earlier = sqlite3.connect(database)  # an older eventday, still holding its log open
    earlier.execute("PRAGMA journal_mode = WAL")
    earlier.execute("CREATE TABLE leftover (x)")
    earlier.commit()
    for path in database_and_companions(database):
        os.chmod(path, 0o644)
    app = app_writing_to(database)
    try:
        for path in database_and_companions(database):
            assert mode(path) == 0o600, f"{path}: {mode(path):o}"
    finally:
        earlier.close()
        with app.app_context():
            db.engine.dispose()


def test_backups_are_the_owner_s_only(database: Path, tmp_path: Path) -> None:
    database.parent.mkdir()
    app = app_writing_to(database)
    backups = tmp_path / "backups"
    backups.mkdir()
    older = backups / "copy.sqlite3"
    older.write_bytes(b"")
    older.chmod(0o644)
    try:
        for target in (backups, older):  # a dated copy in a folder, and over an older copy
            result = app.test_cli_runner().invoke(args=["backup", str(target)])
            assert result.exit_code == 0, result.output
    finally:
        with app.app_context():
            db.engine.dispose()
    copies = sorted(backups.iterdir())
    assert len(copies) == 2
    for copy in copies:
        assert mode(copy) == 0o600, f"{copy}: {mode(copy):o}"
