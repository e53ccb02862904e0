"""The programme grid: rooms across, time down, one table per local day, built with no database."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from eventday.programme.grid import DayGrid, build_grid
from eventday.programme.models import Room, Session, SessionStatus
from tests.conftest import PARIS, paris

DAY = dt.date(2027, 1, 25)
NEXT_DAY = DAY + dt.timedelta(days=1)

_ids = itertools.count(1)


def room(name: str, position: int) -> Room:
    return Room(id=next(_ids), name=name, position=position)


def session(
    title: str,
    start: str,
    end: str,
    in_room: Room | None = None,
    day: dt.date = DAY,
    end_day: dt.date | None = None,
    status: str = SessionStatus.SCHEDULED,
    kind: str = "talk",
) -> Session:
    """An unsaved session, with its times in UTC as the database gives them back."""
    return Session(
        id=next(_ids),
        title=title,
        kind=kind,
        starts_at=paris(day, start).astimezone(dt.UTC),
        ends_at=paris(end_day or day, end).astimezone(dt.UTC),
        room_id=in_room.id if in_room else None,
        room=in_room,
        status=status,
    )


def assert_table_is_whole(day: DayGrid) -> None:
    """What every table must hold, whatever the programme.

    Each row's cells, plus the cells of earlier rows reaching down into it,
    fill the width exactly; rows follow each other without gaps; each session
    of the day sits in exactly one cell, from the row where it starts to the
    row where it ends (a break cut by another session's column has more parts,
    each from its start to its end, only the first not marked `continued`).
    """
    reaching_down = [0] * len(day.rows)
    placed = []
    for number, row in enumerate(day.rows):
        assert row.starts_at < row.ends_at
        if number:
            assert row.starts_at == day.rows[number - 1].ends_at
        filled = sum(cell.colspan for cell in row.cells) + reaching_down[number]
        assert filled == day.width, f"row {number} at {row.starts_at} fills {filled} of {day.width}"
        for cell in row.cells:
            assert cell.rowspan >= 1
            assert number + cell.rowspan <= len(day.rows)
            for below in range(number + 1, number + cell.rowspan):
                reaching_down[below] += cell.colspan
            if cell.session is not None:
                if not cell.continued:
                    placed.append(cell.session)
                assert cell.session.starts_at == row.starts_at
                assert cell.session.ends_at == day.rows[number + cell.rowspan - 1].ends_at
    assert sorted(s.id for s in placed) == sorted(s.id for s in day.sessions)


def laid_out(sessions: Sequence[Session], zone: ZoneInfo = PARIS) -> list[DayGrid]:
    """build_grid's tables, each checked whole."""
    days = build_grid(sessions, zone)
    for day in days:
        assert_table_is_whole(day)
    return days


def titles(cells) -> list[str | None]:
    return [cell.session.title if cell.session else None for cell in cells]


def test_no_session_gives_no_table():
    assert laid_out([]) == []


def test_parallel_sessions_get_one_column_per_room_in_the_rooms_order():
    pasteur, charcot, curie = room("Salle Pasteur", 1), room("Amphi Charcot", 0), room("Curie", 2)
    sessions = [
        session("Atelier Curie", "14:00", "15:00", curie),
        session("Atelier Pasteur", "14:00", "15:00", pasteur),
        session("Atelier Charcot", "14:00", "15:00", charcot),
    ]

    [day] = laid_out(sessions)

    assert [column.room.name for column in day.columns] == [
        "Amphi Charcot",
        "Salle Pasteur",
        "Curie",
    ]
    assert [column.span for column in day.columns] == [1, 1, 1]
    assert day.width == 3
    assert [titles(row.cells) for row in day.rows] == [
        ["Atelier Charcot", "Atelier Pasteur", "Atelier Curie"]
    ]


def test_rooms_in_the_same_position_are_ordered_by_name():
    sessions = [
        session("B", "14:00", "15:00", room("Salle B", 0)),
        session("A", "14:00", "15:00", room("Salle A", 0)),
    ]

    [day] = laid_out(sessions)

    assert [column.room.name for column in day.columns] == ["Salle A", "Salle B"]


def test_a_session_spans_as_many_rows_as_the_time_slices_it_covers():
    charcot, pasteur = room("Amphi Charcot", 0), room("Salle Pasteur", 1)
    sessions = [
        session("Plénière", "09:00", "10:30", charcot),
        session("Atelier 1", "09:00", "09:30", pasteur),
        session("Atelier 2", "09:30", "10:00", pasteur),
        session("Atelier 3", "10:00", "10:30", pasteur),
        session("Clôture", "10:30", "11:00", charcot),
    ]

    [day] = laid_out(sessions)

    assert [row.starts_at for row in day.rows] == [
        paris(DAY, clock) for clock in ("09:00", "09:30", "10:00", "10:30")
    ]
    spans = {
        cell.session.title: cell.rowspan for row in day.rows for cell in row.cells if cell.session
    }
    assert spans == {"Plénière": 3, "Atelier 1": 1, "Atelier 2": 1, "Atelier 3": 1, "Clôture": 1}
    assert [titles(row.cells) for row in day.rows] == [
        ["Plénière", "Atelier 1"],
        ["Atelier 2"],
        ["Atelier 3"],
        ["Clôture", None],
    ]


def test_staggered_sessions_leave_empty_cells_where_a_room_is_free():
    charcot, pasteur = room("Amphi Charcot", 0), room("Salle Pasteur", 1)
    sessions = [
        session("Génétique", "09:00", "10:00", charcot),
        session("Cardiologie", "09:30", "10:30", pasteur),
    ]

    [day] = laid_out(sessions)

    assert [titles(row.cells) for row in day.rows] == [
        ["Génétique", None],
        ["Cardiologie"],
        [None],
    ]


def test_a_break_for_everyone_spans_the_whole_width():
    charcot, pasteur = room("Amphi Charcot", 0), room("Salle Pasteur", 1)
    sessions = [
        session("Génétique", "09:00", "10:00", charcot),
        session("Cardiologie", "09:00", "10:00", pasteur),
        session("Pause café", "10:00", "10:30"),
        session("Neurologie", "10:30", "12:00", charcot),
        session("Déjeuner", "12:00", "13:30"),
    ]

    [day] = laid_out(sessions)

    assert [column.room.name for column in day.columns] == ["Amphi Charcot", "Salle Pasteur"]
    rows_by_start = {row.starts_at: row for row in day.rows}
    for title, start in (("Pause café", "10:00"), ("Déjeuner", "12:00")):
        [cell] = rows_by_start[paris(DAY, start)].cells
        assert cell.session.title == title
        assert (cell.colspan, cell.rowspan) == (day.width, 1)


def test_a_roomless_session_beside_others_goes_to_an_elsewhere_column_placed_last():
    charcot, pasteur = room("Amphi Charcot", 0), room("Salle Pasteur", 1)
    sessions = [
        session("Posters dans le hall", "09:00", "11:00"),
        session("Génétique", "09:00", "10:00", charcot),
        session("Cardiologie", "10:00", "11:00", pasteur),
    ]

    [day] = laid_out(sessions)

    assert [column.room for column in day.columns] == [charcot, pasteur, None]
    assert day.width == 3
    assert titles(day.rows[0].cells) == ["Génétique", None, "Posters dans le hall"]
    assert titles(day.rows[1].cells) == [None, "Cardiologie"]


def test_overlapping_sessions_in_one_room_get_two_lanes_and_both_are_shown():
    charcot, pasteur = room("Amphi Charcot", 0), room("Salle Pasteur", 1)
    sessions = [
        session("Génétique (annulée)", "09:00", "10:00", charcot, status=SessionStatus.CANCELLED),
        session("Génétique (nouvel horaire)", "09:30", "10:30", charcot),
        session("Cardiologie", "09:00", "10:30", pasteur),
    ]

    [day] = laid_out(sessions)

    assert [(column.room, column.span) for column in day.columns] == [(charcot, 2), (pasteur, 1)]
    assert day.width == 3
    shown = {cell.session.title for row in day.rows for cell in row.cells if cell.session}
    assert {"Génétique (annulée)", "Génétique (nouvel horaire)"} <= shown


def test_a_freed_lane_is_used_again_rather_than_adding_a_third():
    charcot = room("Amphi Charcot", 0)
    sessions = [
        session("Longue", "09:00", "12:00", charcot),
        session("Courte 1", "09:30", "10:00", charcot),
        session("Courte 2", "10:00", "11:00", charcot),
    ]

    [day] = laid_out(sessions)

    assert [column.span for column in day.columns] == [2]


def test_sessions_on_two_local_days_give_two_tables_in_date_order():
    # 23:30 and 00:30 in Paris are both on 25 January in UTC: the day is Paris's.
    night_owls = session("Veillée", "00:30", "01:00", day=NEXT_DAY)
    late = session("Dernière séance", "23:30", "00:00", day=DAY, end_day=NEXT_DAY)
    assert late.starts_at.date() == night_owls.starts_at.date() == DAY

    days = laid_out([night_owls, late])

    assert [day.date for day in days] == [DAY, NEXT_DAY]
    assert [[s.title for s in day.sessions] for day in days] == [["Dernière séance"], ["Veillée"]]


def test_the_zone_given_decides_which_day_a_session_falls_on():
    charcot = room("Amphi Charcot", 0)
    sessions = [
        session("Dernière séance", "23:30", "00:00", charcot, day=DAY, end_day=NEXT_DAY),
        session("Veillée", "00:30", "01:00", charcot, day=NEXT_DAY),
    ]

    days = laid_out(sessions, ZoneInfo("UTC"))

    assert [day.date for day in days] == [DAY]
    assert len(days[0].rows) == 3


def test_a_full_day_with_every_kind_of_cell_keeps_its_table_whole():
    charcot, pasteur, curie = room("Amphi Charcot", 0), room("Salle Pasteur", 1), room("Curie", 2)
    sessions = [
        session("Accueil", "08:30", "09:00"),
        session("Ouverture", "09:00", "09:30", charcot),
        session("Génétique", "09:30", "11:00", charcot),
        session("Atelier A", "09:30", "10:15", pasteur),
        session("Atelier B", "10:15", "11:00", pasteur),
        session("Atelier C (annulé)", "09:45", "10:45", curie, status=SessionStatus.CANCELLED),
        session("Atelier C", "10:00", "11:00", curie),
        session("Posters", "10:30", "11:30"),
        session("Déjeuner", "12:00", "13:30"),
        session("Table ronde", "13:30", "15:00", charcot),
        session("Visite du laboratoire", "14:00", "15:00"),
    ]

    [day] = laid_out(sessions)

    assert [(column.room, column.span) for column in day.columns] == [
        (charcot, 1),
        (pasteur, 1),
        (curie, 2),
        (None, 1),
    ]


def test_a_gap_between_two_breaks_on_a_day_without_rooms_is_an_empty_cell():
    sessions = [session("Café", "10:00", "10:30"), session("Déjeuner", "12:00", "13:00")]

    [day] = laid_out(sessions)

    assert titles(day.rows[1].cells) == [None]


def parts(day: DayGrid, title: str) -> list[tuple[int, int, bool]]:
    """Where the cells of `title` are: (first column, columns spanned, continued)."""
    found = []
    reaching_down: dict[int, list[tuple[int, int]]] = {}
    for number, row in enumerate(day.rows):
        column = 0
        covered = sorted(reaching_down.get(number, []))
        for cell in row.cells:
            while covered and covered[0][0] == column:
                column += covered.pop(0)[1]
            if cell.session is not None and cell.session.title == title:
                found.append((column, cell.colspan, cell.continued))
            for below in range(number + 1, number + cell.rowspan):
                reaching_down.setdefault(below, []).append((column, cell.colspan))
            column += cell.colspan
    return found


def test_a_break_spans_the_rooms_a_workshop_running_through_it_leaves_free():
    charcot, pasteur, curie = room("Amphi Charcot", 0), room("Salle Pasteur", 1), room("Curie", 2)
    sessions = [
        session("Génétique", "09:00", "10:00", charcot),
        session("Cardiologie", "09:00", "10:00", pasteur),
        session("Atelier long", "09:00", "11:00", curie, kind="workshop"),
        session("Pause café", "10:00", "10:30", kind="break"),
        session("Neurologie", "10:30", "11:00", charcot),
    ]

    [day] = laid_out(sessions)

    assert [column.room for column in day.columns] == [charcot, pasteur, curie]
    assert parts(day, "Pause café") == [(0, 2, False)]
    assert parts(day, "Atelier long") == [(2, 1, False)]


def test_a_break_is_cut_in_two_around_a_workshop_in_a_middle_room():
    charcot, pasteur, curie = room("Amphi Charcot", 0), room("Salle Pasteur", 1), room("Curie", 2)
    sessions = [
        session("Génétique", "09:00", "10:00", charcot),
        session("Atelier long", "09:00", "11:00", pasteur, kind="workshop"),
        session("Déjeuner", "10:00", "11:00", kind="meal"),
        session("Immunologie", "09:00", "10:00", curie),
    ]

    [day] = laid_out(sessions)

    assert [column.room for column in day.columns] == [charcot, pasteur, curie]
    assert parts(day, "Déjeuner") == [(0, 1, False), (2, 1, True)]


def test_a_break_goes_round_a_posters_session_in_the_elsewhere_column():
    charcot, pasteur = room("Amphi Charcot", 0), room("Salle Pasteur", 1)
    sessions = [
        session("Génétique", "09:00", "10:00", charcot),
        session("Cardiologie", "09:00", "10:00", pasteur),
        session("Posters dans le hall", "09:00", "11:00", kind="poster"),
        session("Pause café", "10:00", "10:30", kind="break"),
    ]

    [day] = laid_out(sessions)

    assert [column.room for column in day.columns] == [charcot, pasteur, None]
    assert parts(day, "Pause café") == [(0, 2, False)]


def test_a_break_with_every_room_taken_goes_to_the_elsewhere_column():
    charcot = room("Amphi Charcot", 0)
    sessions = [
        session("Atelier long", "09:00", "11:00", charcot, kind="workshop"),
        session("Pause café", "10:00", "10:30", kind="break"),
    ]

    [day] = laid_out(sessions)

    assert [column.room for column in day.columns] == [charcot, None]
    assert parts(day, "Pause café") == [(1, 1, False)]


def test_two_overlapping_breaks_do_not_both_span_the_rooms():
    charcot = room("Amphi Charcot", 0)
    sessions = [
        session("Génétique", "09:00", "10:00", charcot),
        session("Café", "10:00", "10:45", kind="break"),
        session("Accueil des retardataires", "10:30", "11:00", kind="break"),
    ]

    [day] = laid_out(sessions)

    assert parts(day, "Café") == [(0, 1, False)]
    assert parts(day, "Accueil des retardataires") == [(1, 1, False)]
