"""Lays the programme out as a rooms × time table, one per day.

Rows are the intervals between consecutive start or end times of the day's
sessions; each session spans the rows it covers. A room normally has one
column; if two of its sessions overlap (a cancelled one and its replacement),
it gets a second lane rather than hiding one. A session without a room that
overlaps nothing else runs for everyone (a break, lunch) and spans the whole
width; one that overlaps other sessions goes to an "elsewhere" column.
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


def _overlap(a: Session, b: Session) -> bool:
    return a.starts_at < b.ends_at and b.starts_at < a.ends_at


def build_grid(sessions: Sequence[Session], zone: ZoneInfo) -> list[DayGrid]:
    """One DayGrid per local day that has sessions, in date order."""
    ordered = sorted(sessions, key=lambda s: (s.starts_at, s.ends_at, s.id))

    def local_day(session: Session) -> dt.date:
        return session.starts_at.astimezone(zone).date()

    return [
        _build_day(day, list(day_sessions)) for day, day_sessions in groupby(ordered, key=local_day)
    ]


def _build_day(day: dt.date, sessions: list[Session]) -> DayGrid:
    full_width = {
        s.id
        for s in sessions
        if s.room_id is None and not any(o is not s and _overlap(s, o) for o in sessions)
    }
    boundaries = sorted({s.starts_at for s in sessions} | {s.ends_at for s in sessions})
    index = {moment: i for i, moment in enumerate(boundaries)}
    row_count = len(boundaries) - 1

    # Lanes per group (a room's id, or None for elsewhere): each lane is the rows it has taken.
    lanes: dict[int | None, list[list[bool]]] = {}
    starts: dict[tuple[int, int | None, int], Cell] = {}
    full_rows: dict[int, Cell] = {}
    covered_by_full: set[int] = set()
    for session in sessions:
        first, last = index[session.starts_at], index[session.ends_at]
        cell = Cell(session, rowspan=last - first)
        if session.id in full_width:
            full_rows[first] = cell
            covered_by_full.update(range(first, last))
            continue
        group = lanes.setdefault(session.room_id, [])
        free = [n for n, taken in enumerate(group) if not any(taken[first:last])]
        if free:
            number = free[0]
        else:
            group.append([False] * row_count)
            number = len(group) - 1
        group[number][first:last] = [True] * (last - first)
        starts[(first, session.room_id, number)] = cell

    room_of = {s.room_id: s.room for s in sessions if s.room is not None}
    order: list[int | None] = sorted(
        (key for key in lanes if key is not None),
        key=lambda key: (room_of[key].position, room_of[key].name),
    )
    if None in lanes:
        order.append(None)
    columns = [Column(room_of.get(key) if key else None, len(lanes[key])) for key in order]
    width = max(1, sum(column.span for column in columns))

    rows = []
    for r in range(row_count):
        cells: list[Cell] = []
        if r in full_rows:
            cell = full_rows[r]
            cell.colspan = width
            cells.append(cell)
        elif r in covered_by_full:
            pass
        elif not order:
            cells.append(Cell(None))
        else:
            for key in order:
                for number, taken in enumerate(lanes[key]):
                    if (r, key, number) in starts:
                        cells.append(starts[(r, key, number)])
                    elif not taken[r]:
                        cells.append(Cell(None))
        rows.append(Row(boundaries[r], boundaries[r + 1], cells))
    return DayGrid(day, columns, rows, sessions)
