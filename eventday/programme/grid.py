"""Lays the programme out as a rooms × time table, one per day.

Rows are the intervals between consecutive start or end times of the day's
sessions; each session spans the rows it covers. A room normally has one
column; if two of its sessions overlap (a cancelled one and its replacement),
it gets a second lane rather than hiding one. A session without a room runs
across the rooms when it overlaps nothing, or when it is for everyone (a
break, a meal…): then it spans every column free at its time, and goes round
the columns of what overlaps it (a workshop running through the coffee
break), in as many parts as those columns cut it into. Any other session
without a room goes to an "elsewhere" column, as does one for everyone that
finds every column taken.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from itertools import groupby
from zoneinfo import ZoneInfo

from eventday.programme.models import Room, Session


@dataclasses.dataclass
class Cell:
    session: Session | None
    rowspan: int = 1
    colspan: int = 1
    # A session across the rooms cut by another's column: this part is not its first.
    continued: bool = False


@dataclasses.dataclass
class Column:
    room: Room | None  # None: the "elsewhere" column
    span: int


@dataclasses.dataclass
class Row:
    starts_at: dt.datetime
    ends_at: dt.datetime
    cells: list[Cell]


@dataclasses.dataclass
class DayGrid:
    date: dt.date
    columns: list[Column]
    rows: list[Row]
    sessions: list[Session]

    @property
    def width(self) -> int:
        return max(1, sum(column.span for column in self.columns))


def build_grid(sessions: Sequence[Session], zone: ZoneInfo) -> list[DayGrid]:
    """One DayGrid per local day that has sessions, in date order."""
    ordered = sorted(sessions, key=lambda s: (s.starts_at, s.ends_at, s.id))

    def local_day(session: Session) -> dt.date:
        return session.starts_at.astimezone(zone).date()

    return [
        _build_day(day, list(day_sessions)) for day, day_sessions in groupby(ordered, key=local_day)
    ]


def _across_the_rooms(sessions: list[Session]) -> list[Session]:
    """The sessions without a room drawn across the rooms: each one that overlaps nothing, and
    each one for everyone, unless it overlaps one already drawn so (in time order)."""
    across: list[Session] = []
    for session in sessions:
        if session.room_id is not None or any(session.overlaps(a) for a in across):
            continue
        alone = not any(o is not session and session.overlaps(o) for o in sessions)
        if alone or session.is_for_everyone:
            across.append(session)
    return across


def _runs(free: list[bool]) -> list[tuple[int, int]]:
    """The (first, length) of each run of consecutive free columns."""
    runs: list[tuple[int, int]] = []
    for position, is_free in enumerate(free):
        if not is_free:
            continue
        if runs and sum(runs[-1]) == position:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((position, 1))
    return runs


def _build_day(day: dt.date, sessions: list[Session]) -> DayGrid:
    across = _across_the_rooms(sessions)
    boundaries = sorted({s.starts_at for s in sessions} | {s.ends_at for s in sessions})
    index = {moment: i for i, moment in enumerate(boundaries)}
    row_count = len(boundaries) - 1

    # Lanes per group (a room's id, or None for elsewhere): each lane is the rows it has taken.
    lanes: dict[int | None, list[list[bool]]] = {}
    starts: dict[tuple[int, int | None, int], Cell] = {}

    def rows_of(session: Session) -> range:
        return range(index[session.starts_at], index[session.ends_at])

    def place(session: Session, group: int | None) -> None:
        rows = rows_of(session)
        taken_by_group = lanes.setdefault(group, [])
        free = [n for n, taken in enumerate(taken_by_group) if not any(taken[r] for r in rows)]
        if free:
            number = free[0]
        else:
            taken_by_group.append([False] * row_count)
            number = len(taken_by_group) - 1
        for r in rows:
            taken_by_group[number][r] = True
        starts[(rows.start, group, number)] = Cell(session, rowspan=len(rows))

    def free_lanes(session: Session) -> list[bool]:
        return [not any(lanes[g][n][r] for r in rows_of(session)) for g, n in positions()]

    room_of = {s.room_id: s.room for s in sessions if s.room is not None}

    def order() -> list[int | None]:
        rooms: list[int | None] = sorted(
            (key for key in lanes if key is not None),
            key=lambda key: (room_of[key].position, room_of[key].name),
        )
        return rooms + ([None] if None in lanes else [])

    def positions() -> list[tuple[int | None, int]]:
        return [(group, n) for group in order() for n in range(len(lanes[group]))]

    for session in sessions:
        if session not in across:
            place(session, session.room_id)
    for session in list(across):
        if positions() and not any(free_lanes(session)):  # every column is taken: elsewhere
            across.remove(session)
            place(session, None)

    lane_positions = positions()
    # Where each part of a session across the rooms starts, and the (row, column) it covers.
    parts: dict[tuple[int, int], Cell] = {}
    covered: set[tuple[int, int]] = set()
    for session in across:
        span = rows_of(session)
        runs = _runs(free_lanes(session)) if lane_positions else [(0, 1)]
        for number, (first, length) in enumerate(runs):
            parts[(span.start, first)] = Cell(session, len(span), length, continued=number > 0)
            covered.update((r, c) for r in span for c in range(first, first + length))

    rows = []
    for r in range(row_count):
        cells: list[Cell] = []
        for column, lane in enumerate(lane_positions or [None]):
            if (r, column) in parts:
                cells.append(parts[(r, column)])
            elif (r, column) in covered:
                continue
            elif lane is not None and (r, *lane) in starts:
                cells.append(starts[(r, *lane)])
            elif lane is None or not lanes[lane[0]][lane[1]][r]:
                cells.append(Cell(None))
        rows.append(Row(boundaries[r], boundaries[r + 1], cells))
    columns = [Column(room_of.get(key) if key else None, len(lanes[key])) for key in order()]
    return DayGrid(day, columns, rows, sessions)
