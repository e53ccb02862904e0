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

How a SQLite file keeps personal data to itself: the database file is made
0600 before SQLite first opens it (SQLite gives its -wal and -shm the same
mode), `secure_delete` overwrites deleted values with zeros, and
`empty_sqlite_log()` empties the write-ahead log, whose older frames still
hold what was erased.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext, suppress
from typing import Any

from flask import Flask, current_app
from sqlalchemy import DateTime, Engine, event, text
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeDecorator

from eventday.extensions import db

SQLITE_BUSY_TIMEOUT_MS = 15_000
# The database and every copy of it: personal data, for the account that runs eventday only.
PRIVATE_FILE_MODE = 0o600


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


def _sqlite_file(engine: Engine) -> str | None:
    """The path of a SQLite engine's database file (None: in memory, or a file: URI)."""
    path = engine.url.database
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    return path


def keep_private(path: str) -> None:
    """Make a SQLite database file (created now if missing) and its -wal and -shm 0600.

    Before SQLite opens the file: SQLite creates the -wal and -shm with the
    database file's mode, so a new database is private from its first byte;
    one made before with the umask's 0644 is put right, companions included.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_CREAT, PRIVATE_FILE_MODE)
    except FileNotFoundError:
        return  # no such folder: SQLite's own error will say so
    try:
        if os.fstat(descriptor).st_mode & 0o777 != PRIVATE_FILE_MODE:
            os.fchmod(descriptor, PRIVATE_FILE_MODE)
    finally:
        os.close(descriptor)
    for companion in (f"{path}-wal", f"{path}-shm"):
        with suppress(FileNotFoundError):
            if os.stat(companion).st_mode & 0o777 != PRIVATE_FILE_MODE:
                os.chmod(companion, PRIVATE_FILE_MODE)


def _configure_sqlite(engine: Engine) -> None:
    path = _sqlite_file(engine)
    if path is not None:

        @event.listens_for(engine, "do_connect")
        def before_connect(dialect: Any, connection_record: Any, cargs: Any, cparams: Any) -> None:
            keep_private(path)

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
        # Deleted and replaced values are overwritten with zeros, not left in free space
        # for anyone with the file to read (erasure, RGPD).
        cursor.execute("PRAGMA secure_delete = ON")
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
    path = _sqlite_file(engine)
    if path is None:
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


def empty_sqlite_log() -> None:
    """Copy SQLite's write-ahead log into the database file and empty it; elsewhere nothing.

    Run after erasing: the log's older frames still hold the values erased
    (secure_delete has zeroed them in the newest copy of each page only).
    TRUNCATE waits, up to the busy timeout, for readers of older frames to
    finish; if one outlasts it the log stays whole, and a warning says so.
    """
    engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    with _sqlite_writer_queue(engine):
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            busy = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            cursor.close()
        finally:
            connection.close()
    if busy:
        current_app.logger.warning(
            "the SQLite write-ahead log could not be emptied (a reader kept it busy): "
            "erased values stay in it until its next checkpoint"
        )
