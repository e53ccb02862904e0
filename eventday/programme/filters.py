"""The programme's filters (?track=…&kind=…&room=…), shared by the page, .ics and .json."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from werkzeug.datastructures import MultiDict

from eventday.programme.models import Room, Session, Track

FILTER_KEYS = ("track", "kind", "room")
# More values than this in one filter is not a person choosing: ignore the rest.
MAX_VALUES = 20


@dataclasses.dataclass(frozen=True)
class ProgrammeFilter:
    """Keep sessions whose track, kind and room are among the chosen values (empty: any)."""

    track: frozenset[str] = frozenset()
    kind: frozenset[str] = frozenset()
    room: frozenset[str] = frozenset()

    @classmethod
    def from_args(cls, args: MultiDict[str, str]) -> ProgrammeFilter:
        def values(key: str) -> frozenset[str]:
            chosen = (v.strip() for v in args.getlist(key)[:MAX_VALUES])
            return frozenset(v for v in chosen if v)

        return cls(**{key: values(key) for key in FILTER_KEYS})

    @property
    def active(self) -> bool:
        return bool(self.track or self.kind or self.room)

    def key(self) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(sorted(getattr(self, k))) for k in FILTER_KEYS)

    def query_args(self) -> list[tuple[str, str]]:
        return [(k, v) for k, values in zip(FILTER_KEYS, self.key(), strict=True) for v in values]

    def matches(self, session: Session) -> bool:
        # A track or room is named in French or in English, as the page or feed showed it.
        if self.track and not _named(session.track, self.track):
            return False
        if self.kind and session.kind not in self.kind:
            return False
        return not (self.room and not _named(session.room, self.room))

    def apply(self, sessions: Iterable[Session]) -> list[Session]:
        return [s for s in sessions if self.matches(s)]


def _named(place: Track | Room | None, names: frozenset[str]) -> bool:
    return place is not None and (
        place.name in names or bool(place.name_en) and place.name_en in names
    )


NO_FILTER = ProgrammeFilter()
