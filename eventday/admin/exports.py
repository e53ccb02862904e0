"""The registrations as files: CSV for scripts, CSV for spreadsheets, and XLSX.

The script CSV (`/admin/registrations.csv`) is a stable interface: commas, the
fields' English names and codes, UTC times in ISO 8601. The spreadsheet CSV is
for people: semicolons (what French spreadsheets split on), headers and values
in the reader's language, times in the edition's zone. Both are UTF-8 with a
BOM, and defusedcsv neutralises any cell a spreadsheet would run as a formula.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Iterator
from zoneinfo import ZoneInfo

from defusedcsv import csv
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import selectinload

from eventday.admin.registrations import ANSWER_COLUMNS, RegistrationFilter
from eventday.checkin import attendance
from eventday.extensions import db
from eventday.i18n import local_datetime
from eventday.programme.models import Edition
from eventday.registration.labels import (
    FIELD_LABELS,
    answer_value,
    language_label,
    stakeholder_label,
    status_label,
)
from eventday.registration.models import Registration

CSV_HEADER = [
    "reference",
    "status",
    "stakeholder_type",
    "first_name",
    "last_name",
    "email",
    "organisation",
    *ANSWER_COLUMNS,
    "workshops",
    "dietary",
    "accessibility",
    "listed",
    "language",
    "created_at",
    "consent_at",
    "checked_in_at",
    "checked_in_desk",
    "sessions_attended",
]
# Spreadsheet columns are as wide as their longest text, within these bounds (characters).
COLUMN_WIDTHS = (8, 50)


def _fields(r: Registration, attended: dict[int, list[str]]) -> dict[str, object]:
    """A registration's exported values, by CSV_HEADER's names, before they are written out;
    `attended`: the sessions each registration's holder came to (checkin.attendance)."""
    return {
        "reference": r.reference,
        "status": r.status,
        "stakeholder_type": r.stakeholder_type,
        "first_name": r.first_name,
        "last_name": r.last_name,
        "email": r.email,
        "organisation": r.organisation,
        **{name: str(r.answers.get(name, "")) for name in ANSWER_COLUMNS},
        "workshops": [w.title for w in r.workshops],
        "dietary": r.dietary,
        "accessibility": r.accessibility,
        "listed": r.listed,
        "language": r.language,
        "created_at": r.created_at,
        "consent_at": r.consent_at,
        "checked_in_at": r.checked_in_at,
        "checked_in_desk": r.checked_in_desk,
        "sessions_attended": attended.get(r.id, []),
    }


def _as_code(value: object) -> str:
    """A value as scripts read it: yes/no, UTC times in ISO 8601."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, list):
        return " | ".join(value)
    return "" if value is None else str(value)


def _in_words(name: str, value: object, zone: ZoneInfo) -> str:
    """A value as people read it, in the page's language; times in the edition's zone."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dt.datetime):
        return local_datetime(value, zone, "short")
    if name == "status":
        return status_label(str(value))
    if name == "stakeholder_type":
        return stakeholder_label(str(value))
    if name == "language":
        return language_label(str(value))
    if name in ANSWER_COLUMNS and value:
        return answer_value(name, str(value))
    return _as_code(value)


def _registrations(edition_id: int, chosen: RegistrationFilter) -> Iterator[Registration]:
    return iter(
        db.session.scalars(chosen.query(edition_id).options(selectinload(Registration.workshops)))
    )


def _code_rows(edition_id: int, chosen: RegistrationFilter) -> Iterator[list[str]]:
    attended = attendance.titles_by_registration(edition_id)
    for registration in _registrations(edition_id, chosen):
        yield [_as_code(value) for value in _fields(registration, attended).values()]


def _csv(header: list[str], rows: Iterable[list[str]], delimiter: str) -> Iterator[str]:
    """CSV text, line by line: UTF-8 with a BOM, formula-like cells neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(header)
    yield "\ufeff" + flush()
    for row in rows:
        writer.writerow([_no_leading_control(value) for value in row])
        yield flush()


def _no_leading_control(value: str) -> str:
    # defusedcsv guards = + - @ | %; a leading tab or carriage return can hide one of them.
    return "'" + value if value[:1] in ("\t", "\r") else value


def csv_lines(edition_id: int, chosen: RegistrationFilter) -> Iterator[str]:
    """The export for scripts: commas, codes, ISO 8601 times (CONTRACT.md)."""
    return _csv(CSV_HEADER, _code_rows(edition_id, chosen), ",")


def spreadsheet_csv_lines(edition: Edition, chosen: RegistrationFilter) -> Iterator[str]:
    """The export for spreadsheets: semicolons, the reader's words, the edition's times."""
    header = [str(FIELD_LABELS[name]) for name in CSV_HEADER]

    def rows() -> Iterator[list[str]]:
        attended = attendance.titles_by_registration(edition.id)
        for registration in _registrations(edition.id, chosen):
            fields = _fields(registration, attended)
            yield [_in_words(name, value, edition.zone) for name, value in fields.items()]

    return _csv(header, rows(), ";")


def xlsx_file(edition_id: int, chosen: RegistrationFilter) -> bytes:
    """The script export's rows as a spreadsheet, every cell written as text, never as a
    formula; the header row stays in view and filters each column."""
    rows = [CSV_HEADER, *_code_rows(edition_id, chosen)]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("registrations")
    sheet.freeze_panes = "A2"
    # Widths go before the first row: a write-only sheet writes them ahead of its cells.
    for index, width in enumerate(_column_widths(rows), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in rows:
        sheet.append([_text_cell(sheet, value) for value in row])
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(CSV_HEADER))}{len(rows)}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _column_widths(rows: list[list[str]]) -> list[int]:
    """Each column as wide as its longest line (and the filter's button), within bounds."""
    narrowest, widest = COLUMN_WIDTHS
    longest = [
        max(len(line) for value in column for line in (value.splitlines() or [""]))
        for column in zip(*rows, strict=True)
    ]
    return [min(max(length + 3, narrowest), widest) for length in longest]


def _text_cell(sheet: object, value: str) -> WriteOnlyCell:
    # Typed as a string, "=…" stays text: openpyxl would otherwise store it as a formula.
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    return cell
