"""The report's tables as a spreadsheet (one sheet a table) and as a printable A4 summary."""

from __future__ import annotations

import io
from collections.abc import Sequence

from fpdf import FPDF
from fpdf.enums import Align
from fpdf.fonts import FontFace
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.cell.cell import Cell as XlsxCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from eventday.badges.lists import MARGIN_MM, TABLE_PT, column_widths
from eventday.badges.lists import _natural_widths as natural_widths
from eventday.badges.pdf import A4_MM, FONT_FAMILY, badge_document
from eventday.badges.pdf import _printable as printable
from eventday.statistics.tables import Cell, Share, Table, cell_text

PERCENT = "0.0%"
MAX_WIDTH = 60  # characters: a longer workshop title is cut on screen, not the column widened
SHEET_NAME_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def xlsx_file(tables: Sequence[Table]) -> bytes:
    """A sheet per table: its header frozen, counts and shares as numbers, texts as text."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        sheet = workbook.create_sheet(table.sheet.translate(SHEET_NAME_FORBIDDEN)[:31])
        lines = [table.headers, *table.lines]
        for row, values in enumerate(lines, start=1):
            for column, value in enumerate(values, start=1):
                _write(sheet.cell(row, column), value)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "B2"
        for column in range(len(table.headers)):
            longest = max(len(cell_text(values[column], "en")) for values in lines)
            sheet.column_dimensions[get_column_letter(column + 1)].width = min(
                longest + 2, MAX_WIDTH
            )
        if table.note:
            sheet.cell(sheet.max_row + 2, 1).value = _text(table.note)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write(cell: XlsxCell, value: Cell) -> None:
    if isinstance(value, Share):
        cell.value = value.value
        cell.number_format = PERCENT
    elif isinstance(value, int):
        cell.value = value
    elif value is not None:
        cell.value = _text(value)
        # Typed as a string, a title such as "=…" stays text: openpyxl would store a formula.
        cell.data_type = "s"


def _text(value: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def pdf_file(title: str, subtitle: str, tables: Sequence[Table], locale: str) -> bytes:
    """The same tables on A4, under the edition's name and date: figures written the reader's
    way and set on the right, each table's note under it."""
    texts = [title, subtitle]
    for table in tables:
        texts += [table.title, table.note, *table.headers]
        texts += [cell_text(cell, locale) for row in table.lines for cell in row]
    with badge_document(A4_MM, texts) as pdf:
        pdf.set_margin(MARGIN_MM)
        pdf.c_margin = 1
        pdf.set_auto_page_break(True, margin=MARGIN_MM)
        pdf.add_page()
        _paragraph(pdf, title, "B", 16)
        _paragraph(pdf, subtitle, "", 10)
        for table in tables:
            pdf.ln(4)
            _paragraph(pdf, table.title, "B", 12)
            _pdf_table(pdf, table, locale)
            if table.note:
                _paragraph(pdf, table.note, "", 8)
        return bytes(pdf.output())


def _paragraph(pdf: FPDF, text: str, style: str, size_pt: float) -> None:
    pdf.set_font(FONT_FAMILY, style, size_pt)
    pdf.multi_cell(
        0, size_pt * 0.5, printable(pdf, text), align=Align.L, new_x="LMARGIN", new_y="NEXT"
    )


def _pdf_table(pdf: FPDF, table: Table, locale: str) -> None:
    """The table as wide as the page, each column as its content asks (as the day's lists)."""
    aligns = [Align.R if figures else Align.L for figures in table.numeric]
    heading = [printable(pdf, text) for text in table.headers]
    body = [[printable(pdf, cell_text(cell, locale)) for cell in row] for row in table.lines]
    widths = column_widths(natural_widths(pdf, heading, body), pdf.epw)
    pdf.set_font(FONT_FAMILY, "", TABLE_PT)
    with pdf.table(
        headings_style=FontFace(emphasis="BOLD"),
        repeat_headings=1,
        width=pdf.epw,
        col_widths=widths,
    ) as printed:
        for values in [heading, *body]:
            row = printed.row()
            for align, text in zip(aligns, values, strict=True):
                row.cell(text, align=align)
