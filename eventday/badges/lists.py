"""Printable A4 lists for the day (participants, welcome desk): a title and a table.

Cells are left-aligned: justified, a short cell's few words would stand far apart.
Each column is as wide as its content asks (`column_widths`), so a reference or a
tick is not given the room of an organisation's name; a longer text wraps.
Fonts and text clean-up are the badges' own (see text.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from fpdf import FPDF
from fpdf.enums import Align
from fpdf.fonts import FontFace

from eventday.badges.pdf import A4_MM
from eventday.badges.text import FONT_FAMILY, badge_document, printable

MARGIN_MM = 15
TABLE_PT = 9
CELL_SLACK_MM = 1.0  # added to a measured width, so a text that fits is not wrapped by rounding


def list_pdf(
    title: str,
    subtitle: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    created_at: dt.datetime | None = None,
) -> bytes:
    """The list as a PDF, its table going on from page to page under repeated headings."""
    texts = [title, subtitle, *headers, *(cell for row in rows for cell in row)]
    with badge_document(A4_MM, texts, created_at) as pdf:
        pdf.set_margin(MARGIN_MM)
        pdf.c_margin = 1
        pdf.set_auto_page_break(True, margin=MARGIN_MM)
        pdf.add_page()
        for text, style, size, height in ((title, "B", 16, 8), (subtitle, "", 10, 6)):
            pdf.set_font(FONT_FAMILY, style, size)
            pdf.multi_cell(
                0, height, printable(pdf, text), align=Align.L, new_x="LMARGIN", new_y="NEXT"
            )
        pdf.ln(3)
        heading = [printable(pdf, text) for text in headers]
        body = [[printable(pdf, text) for text in values] for values in rows]
        widths = column_widths(_natural_widths(pdf, heading, body), pdf.epw)
        pdf.set_font(FONT_FAMILY, "", TABLE_PT)
        with pdf.table(
            headings_style=FontFace(emphasis="BOLD"),
            repeat_headings=1,
            text_align=Align.L,
            width=pdf.epw,
            col_widths=widths,
        ) as table:
            for values in [heading, *body]:
                row = table.row()
                for text in values:
                    row.cell(text)
        return bytes(pdf.output())


def _natural_widths(pdf: FPDF, heading: list[str], body: list[list[str]]) -> list[float]:
    """How wide (mm) each column's widest text is on one line, its cell's padding included."""
    widths = []
    for index, header in enumerate(heading):
        pdf.set_font(FONT_FAMILY, "B", TABLE_PT)
        widest = pdf.get_string_width(header)
        pdf.set_font(FONT_FAMILY, "", TABLE_PT)
        widest = max([widest, *(pdf.get_string_width(row[index]) for row in body)])
        widths.append(widest + 2 * pdf.c_margin + CELL_SLACK_MM)
    return widths


def column_widths(natural: Sequence[float], total: float) -> list[float]:
    """Column widths (mm) that add up to `total`, from each column's `natural` width.

    When everything fits on one line, each column gets its natural width and the spare
    room in proportion. Otherwise the columns narrower than an equal share of the room
    keep their natural width (found again each time a column is set aside, as the share
    grows), and the wider ones divide what is left in proportion, their text wrapping.
    """
    if sum(natural) <= total:
        return [width * total / sum(natural) for width in natural]
    kept: dict[int, float] = {}
    while True:
        shared = [i for i in range(len(natural)) if i not in kept]
        room = total - sum(kept.values())
        narrow = {i: natural[i] for i in shared if natural[i] <= room / len(shared)}
        if not narrow:
            break
        kept |= narrow
    weight = sum(natural[i] for i in shared)
    return [kept.get(i, room * natural[i] / weight) for i in range(len(natural))]
