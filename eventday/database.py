"""Database plumbing: aware UTC datetimes, engine set-up per dialect, write transactions.

How writes hold under concurrency: every domain function that changes shared
state (the programme, seats, check-ins) runs inside `write_transaction()`.
On SQLite it opens the transaction with BEGIN IMMEDIATE, which takes the
database's single write lock before the first read, so the checks made inside
see every earlier commit and no other writer can slip in between check and
write (other writers wait, up to the busy timeout). On PostgreSQL it locks the
edition's row (SELECT ... FOR UPDATE); every writer of that edition takes the
same lock first, so their check-then-write sequences run one after the other
under READ COMMITTED, each statement seeing the latest commits.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from flask import Flask
from sqlalchemy import DateTime, Engine, event, text
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeDecorator

from eventday.extensions import db

SQLITE_BUSY_TIMEOUT_MS = 15_000


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An aware datetime, stored as UTC and read back as aware UTC on every database.

    Naive datetimes are refused: a time without its zone is a bug waiting for
    the next daylight-saving change.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r} cannot be stored")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC)


def configure_engine(app: Flask) -> None:
    """Tune each engine for its dialect (SQLite: WAL, foreign keys, our own BEGIN)."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)


def _lower(value: str | None) -> str | None:
    return value.lower() if isinstance(value, str) else value


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN, so we can choose IMMEDIATE.
        dbapi_connection.isolation_level = None
        # SQLite's own lower() folds ASCII only: "É" must match "é" in searches too.
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get("sqlite_immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


_writer_locks: dict[str, tuple[threading.RLock, int]] = {}
_writer_locks_guard = threading.Lock()


@contextmanager
def _sqlite_writer_queue(engine: Engine) -> Iterator[None]:
    """Writers to one SQLite file wait in line on a lock file rather than polling.

    SQLite makes a blocked writer sleep and retry (1, 2, 5, 10… ms); with several
    gunicorn workers that back-off, not the work, sets the slowest answers. An
    exclusive flock wakes the next writer as soon as the previous one commits.
    A thread lock does the same between threads of one process, which share
    the file lock.
    """
    path = engine.url.database
    if not path or path == ":memory:" or path.startswith("file:"):
        yield
        return
    with _writer_locks_guard:
        if path not in _writer_locks:
            descriptor = os.open(f"{path}.writer-lock", os.O_RDWR | os.O_CREAT, 0o600)
            _writer_locks[path] = (threading.RLock(), descriptor)
        thread_lock, descriptor = _writer_locks[path]
    with thread_lock:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)


@contextmanager
def write_transaction(edition_id: int) -> Iterator[None]:
    """Run the block as one transaction that holds the edition's write lock.

    Commits when the block ends normally, rolls back on any exception. Any
    transaction the caller had open (reads only, by convention) is ended first
    so the lock is the first thing the new transaction takes.
    """
    session = db.session()
    if session.in_transaction():
        session.rollback()
    engine = db.engine
    queue = _sqlite_writer_queue(engine) if engine.dialect.name == "sqlite" else nullcontext()
    with queue:
        connection = session.connection(execution_options={"sqlite_immediate": True})
        if connection.dialect.name != "sqlite":
            connection.execute(
                text("SELECT id FROM editions WHERE id = :id FOR UPDATE"), {"id": edition_id}
            )
        try:
            yield
            session.commit()
        except BaseException:
            session.rollback()
            raise
