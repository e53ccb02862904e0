"""The public programme's rendered answers, kept in each worker until the programme changes.

The programme is read far more often than it changes, so each worker keeps
what it rendered (HTML per language, .ics, .json, per filter) with its ETag.
Whether the programme changed is one small query on the current edition's
`programme_version`, asked at most once every PROGRAMME_CACHE_SECONDS; a
change made anywhere shows in every worker within that delay (0 in tests:
asked on every request).

Two levels: `get()` keeps rendered bodies for the views; `reply()` and
`keep_reply()` keep whole HTTP answers (status, headers, body) for the WSGI
fast path in `fastpath.py`, which answers repeated calendar and JSON requests
before Flask is involved at all. Both are bounded in entries and bytes, so
odd Host headers or filter values cannot grow a worker without limit.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import current_app
from sqlalchemy import select

from eventday.extensions import db
from eventday.programme.models import Edition

MAX_ENTRIES = 256
MAX_BYTES = 48 * 1024 * 1024


@dataclasses.dataclass(frozen=True)
class Rendered:
    body: bytes
    etag: str


@dataclasses.dataclass(frozen=True)
class ProgrammeState:
    edition_id: int
    version: int


@dataclasses.dataclass(frozen=True)
class Reply:
    """A whole 200 answer, replayed as it was (headers included) by the fast path."""

    status: str
    headers: list[tuple[str, str]]
    body: bytes
    etag: str
    not_modified_headers: list[tuple[str, str]]


class _Bounded:
    """A least-recently-used dict bounded by its number of entries and their bytes."""

    def __init__(self) -> None:
        self.entries: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self.size = 0

    def get(self, key: Hashable) -> object | None:
        found = self.entries.get(key)
        if found is None:
            return None
        self.entries.move_to_end(key)
        return found[0]

    def put(self, key: Hashable, value: object, size: int) -> None:
        old = self.entries.pop(key, None)
        if old is not None:
            self.size -= old[1]
        self.entries[key] = (value, size)
        self.size += size
        while len(self.entries) > MAX_ENTRIES or self.size > MAX_BYTES:
            _, (_, dropped) = self.entries.popitem(last=False)
            self.size -= dropped

    def clear(self) -> None:
        self.entries.clear()
        self.size = 0


class ProgrammeCache:
    def __init__(self, check_seconds: float) -> None:
        self.check_seconds = check_seconds
        self._lock = threading.Lock()
        self._bodies = _Bounded()
        self._replies = _Bounded()
        self._state: ProgrammeState | None = None
        self._checked_at = float("-inf")

    def state(self) -> ProgrammeState | None:
        """The current edition and its programme version (None: no current edition)."""
        now = time.monotonic()
        if now - self._checked_at < self.check_seconds:
            return self._state
        row = db.session.execute(
            select(Edition.id, Edition.programme_version).where(Edition.is_current)
        ).first()
        state = ProgrammeState(row.id, row.programme_version) if row else None
        with self._lock:
            if state != self._state:
                self._bodies.clear()
                self._replies.clear()
                self._state = state
            self._checked_at = now
        return state

    def invalidate(self) -> None:
        with self._lock:
            self._bodies.clear()
            self._replies.clear()
            self._checked_at = float("-inf")

    def get(self, key: Hashable, build: Callable[[], bytes]) -> Rendered:
        with self._lock:
            rendered = self._bodies.get(key)
        if isinstance(rendered, Rendered):
            return rendered
        body = build()
        rendered = Rendered(body, hashlib.blake2b(body, digest_size=12).hexdigest())
        with self._lock:
            self._bodies.put(key, rendered, len(body))
        return rendered

    def reply(self, key: Hashable) -> Reply | None:
        """A kept answer for `key`, only while the programme state is known to be fresh."""
        if time.monotonic() - self._checked_at >= self.check_seconds:
            return None
        with self._lock:
            found = self._replies.get(key)
        return found if isinstance(found, Reply) else None

    def keep_reply(self, key: Hashable, state: ProgrammeState, reply: Reply) -> None:
        with self._lock:
            if state == self._state:
                self._replies.put(key, reply, len(reply.body))


def programme_cache() -> ProgrammeCache:
    return current_app.extensions["eventday_programme_cache"]
