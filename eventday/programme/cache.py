"""The public programme's rendered bodies, kept in each worker until the programme changes.

The programme is read far more often than it changes, so each worker keeps
what it rendered (HTML, .ics, .json) with its ETag. Whether the programme
changed is one small query on the current edition's `programme_version`,
asked at most once every PROGRAMME_CACHE_SECONDS; a change made anywhere
shows in every worker within that delay (0 in tests: asked on every request).
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

MAX_ENTRIES = 512


@dataclasses.dataclass(frozen=True)
class Rendered:
    body: bytes
    etag: str


@dataclasses.dataclass(frozen=True)
class ProgrammeState:
    edition_id: int
    version: int


class ProgrammeCache:
    def __init__(self, check_seconds: float) -> None:
        self.check_seconds = check_seconds
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, Rendered] = OrderedDict()
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
                self._entries.clear()
                self._state = state
            self._checked_at = now
        return state

    def invalidate(self) -> None:
        with self._lock:
            self._entries.clear()
            self._checked_at = float("-inf")

    def get(self, key: Hashable, build: Callable[[], bytes]) -> Rendered:
        with self._lock:
            rendered = self._entries.get(key)
            if rendered is not None:
                self._entries.move_to_end(key)
                return rendered
        body = build()
        rendered = Rendered(body, hashlib.blake2b(body, digest_size=12).hexdigest())
        with self._lock:
            self._entries[key] = rendered
            while len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)
        return rendered


def programme_cache() -> ProgrammeCache:
    return current_app.extensions["eventday_programme_cache"]
