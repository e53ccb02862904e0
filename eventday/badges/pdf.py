"""Attendee badges as PDF: one 90 × 55 mm badge, or A4 sheets of ten to print and cut.

A badge (landscape, the common 90 × 55 mm badge-holder insert) shows the
edition's name small at the top left, the first and last names large and bold
under it, then the organisation (at most two lines); the QR code at the top
right with the reference under it; along the bottom edge, a band in the
stakeholder type's colour that says the type in words, so colour is never the
only sign. The organisers' logo, when they gave one, sits small in the bottom
left corner above the band: added once to the PDF and drawn by name on every
badge, so a thousand badges hold one copy of it.

The QR code is vector, its quiet zone on white: one filled path of a rectangle
per run of dark modules, in a coordinate system of one unit per module, so
neighbouring modules share exact edges and no hairline shows between them.
How each text is fitted to its box, and the fonts, are text.py's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections.abc import Iterable, Sequence

from fpdf import FPDF
from fpdf.enums import Align
from fpdf.image_parsing import preload_image

from eventday.badges.qr import dark_runs, qr_matrix
from eventday.badges.text import (
    FONT_DIR,
    FONT_FAMILY,
    GREY,
    INK,
    WHITE,
    BadgeDocument,
    Colour,
    FittedText,
    TextBox,
    badge_document,
    draw_text,
    fit_text,
)
from eventday.badges.text import printable as _printable

# Other features' PDFs (day lists, posters' signs, the statistics' summary, the abstract
# book) import these from here: the names of this module, and of text.py they rely on.
__all__ = [
    "A4_MM",
    "BADGES_PER_SHEET",
    "BADGE_HEIGHT_MM",
    "BADGE_WIDTH_MM",
    "FONT_DIR",
    "FONT_FAMILY",
    "GREY",
    "QR_SIZE_MM",
    "ROLE_COLOURS",
    "TYPE_COLOURS",
    "Badge",
    "FittedText",
    "TextBox",
    "_printable",
    "badge_document",
    "badge_pdf",
    "badge_sheets_pdf",
    "draw_qr",
    "draw_text",
    "fit_text",
    "sheet_position",
]

BADGE_WIDTH_MM = 90.0
BADGE_HEIGHT_MM = 55.0
SHEET_COLUMNS = 2
SHEET_ROWS = 5
BADGES_PER_SHEET = SHEET_COLUMNS * SHEET_ROWS
A4_MM = (210.0, 297.0)

# Every colour keeps a contrast of at least 4.5:1 with the band's white text (WCAG AA).
TYPE_COLOURS: dict[str, Colour] = {
    "researcher": (29, 78, 216),  # blue, 6.7:1
    "clinician": (4, 120, 87),  # green, 5.5:1
    "association": (168, 67, 15),  # orange, 6.0:1
    "industry": (126, 34, 206),  # purple, 7.0:1
}
# A speaker's, a staff member's or a guest's band says their role instead of their type.
ROLE_COLOURS: dict[str, Colour] = {
    "speaker": (157, 23, 77),  # crimson, 7.9:1
    "staff": (17, 24, 39),  # near black, 17.7:1
    "guest": (71, 85, 105),  # slate, 7.6:1
}
CUT_LINE: Colour = (200, 200, 200)
CUT_LINE_WIDTH_MM = 0.1

BAND_HEIGHT_MM = 11.0
QR_SIZE_MM = 30.0  # quiet zone included: about 23.5 mm of modules for a version 3 code
QR_X_MM = BADGE_WIDTH_MM - 1.0 - QR_SIZE_MM
QR_Y_MM = 2.0
TEXT_X_MM = 4.0
TEXT_WIDTH_MM = QR_X_MM - 1.5 - TEXT_X_MM
# Between the organisation's two lines (which end at 34.9 mm) and the band.
LOGO_WIDTH_MM = 25.0
LOGO_HEIGHT_MM = 7.5
LOGO_Y_MM = BADGE_HEIGHT_MM - BAND_HEIGHT_MM - 1.0 - LOGO_HEIGHT_MM


@dataclasses.dataclass(frozen=True)
class Badge:
    """What one badge shows, already in the attendee's language."""

    first_name: str
    last_name: str
    organisation: str
    stakeholder_type: str
    type_label: str
    edition_name: str
    qr_data: str
    reference: str
    # "attendee", or the role an organiser gave (ROLE_COLOURS): then the band says the role.
    role: str = "attendee"

    def __post_init__(self) -> None:
        if self.stakeholder_type not in TYPE_COLOURS:
            raise ValueError(f"unknown stakeholder type {self.stakeholder_type!r}")

    @property
    def band_colour(self) -> Colour:
        return ROLE_COLOURS.get(self.role) or TYPE_COLOURS[self.stakeholder_type]


@dataclasses.dataclass(frozen=True)
class Logo:
    """The organisers' logo as added to one PDF: its name there and its size on a badge."""

    name: str
    width: float
    height: float


EDITION = TextBox(TEXT_X_MM, 3.0, TEXT_WIDTH_MM, 4.0, max_pt=7, min_pt=5, colour=GREY)
FIRST_NAME = TextBox(TEXT_X_MM, 8.0, TEXT_WIDTH_MM, 8.5, max_pt=20, min_pt=9, bold=True)
LAST_NAME = TextBox(TEXT_X_MM, 16.5, TEXT_WIDTH_MM, 8.5, max_pt=20, min_pt=9, bold=True)
ORGANISATION = TextBox(TEXT_X_MM, 26.5, TEXT_WIDTH_MM, 4.2, max_pt=10, min_pt=7, max_lines=2)
REFERENCE = TextBox(
    QR_X_MM, QR_Y_MM + QR_SIZE_MM, QR_SIZE_MM, 4.0, max_pt=7, min_pt=5, align=Align.C, colour=GREY
)
TYPE_LABEL = TextBox(
    TEXT_X_MM,
    BADGE_HEIGHT_MM - BAND_HEIGHT_MM,
    BADGE_WIDTH_MM - 2 * TEXT_X_MM,
    BAND_HEIGHT_MM,
    max_pt=14,
    min_pt=7,
    bold=True,
    align=Align.C,
    colour=WHITE,
)


def badge_pdf(
    badge: Badge, *, created_at: dt.datetime | None = None, logo: bytes | None = None
) -> bytes:
    """One badge on a page of its own size (90 × 55 mm), with the `logo` (a PNG) if given.

    The same badge and `created_at` always give the same bytes; without
    `created_at` the PDF says it was created now.
    """
    with badge_document((BADGE_WIDTH_MM, BADGE_HEIGHT_MM), _all_texts([badge]), created_at) as pdf:
        pdf.add_page()
        _draw_badge(pdf, badge, 0.0, 0.0, _add_logo(pdf, logo))
        return bytes(pdf.output())


def badge_sheets_pdf(
    badges: Sequence[Badge], *, created_at: dt.datetime | None = None, logo: bytes | None = None
) -> bytes:
    """The badges on A4 portrait sheets, ten a sheet (2 × 5, centred), in the order given.

    Each badge is outlined in thin light grey, the lines to cut along. No badges
    give one empty sheet, so the answer is always a valid PDF.
    """
    with badge_document(A4_MM, _all_texts(badges), created_at) as pdf:
        added = _add_logo(pdf, logo)
        for first in range(0, max(len(badges), 1), BADGES_PER_SHEET):
            pdf.add_page()
            for index, badge in enumerate(badges[first : first + BADGES_PER_SHEET]):
                left, top = sheet_position(index)
                _draw_badge(pdf, badge, left, top, added)
                pdf.set_draw_color(*CUT_LINE)
                pdf.set_line_width(CUT_LINE_WIDTH_MM)
                pdf.rect(left, top, BADGE_WIDTH_MM, BADGE_HEIGHT_MM)
        return bytes(pdf.output())


def sheet_position(index: int) -> tuple[float, float]:
    """The top left corner (mm) of the `index`-th badge of a sheet, row by row."""
    row, column = divmod(index, SHEET_COLUMNS)
    left = (A4_MM[0] - SHEET_COLUMNS * BADGE_WIDTH_MM) / 2 + column * BADGE_WIDTH_MM
    top = (A4_MM[1] - SHEET_ROWS * BADGE_HEIGHT_MM) / 2 + row * BADGE_HEIGHT_MM
    return left, top


def _all_texts(badges: Iterable[Badge]) -> list[str]:
    return [text for badge in badges for text, _ in _texts(badge)]


def _texts(badge: Badge) -> list[tuple[str, TextBox]]:
    return [
        (badge.edition_name, EDITION),
        (badge.first_name, FIRST_NAME),
        (badge.last_name, LAST_NAME),
        (badge.organisation, ORGANISATION),
        (badge.reference, REFERENCE),
        (badge.type_label, TYPE_LABEL),
    ]


def _add_logo(pdf: FPDF, png: bytes | None) -> Logo | None:
    """The logo added to `pdf` once (fpdf2 keeps it by name), sized to fit its corner."""
    if png is None:
        return None
    name, _, info = preload_image(pdf.image_cache, io.BytesIO(png))
    scale = min(LOGO_WIDTH_MM / info["w"], LOGO_HEIGHT_MM / info["h"])
    return Logo(name, info["w"] * scale, info["h"] * scale)


def _draw_badge(
    pdf: BadgeDocument, badge: Badge, left: float, top: float, logo: Logo | None
) -> None:
    """Draws `badge` with its top left corner at (`left`, `top`) mm on the current page."""
    pdf.set_fill_color(*badge.band_colour)
    band_top = top + BADGE_HEIGHT_MM - BAND_HEIGHT_MM
    pdf.rect(left, band_top, BADGE_WIDTH_MM, BAND_HEIGHT_MM, style="F")
    draw_qr(pdf, badge.qr_data, left + QR_X_MM, top + QR_Y_MM)
    if logo is not None:
        # Bottom-aligned, so a wide logo sits just above the band as a tall one does.
        y = top + LOGO_Y_MM + LOGO_HEIGHT_MM - logo.height
        pdf.image(logo.name, left + TEXT_X_MM, y, w=logo.width, h=logo.height)
    for text, box in _texts(badge):
        draw_text(pdf, text, box, left, top)


def draw_qr(pdf: FPDF, data: str, left: float, top: float, size_mm: float = QR_SIZE_MM) -> None:
    """The QR code of `data`, `size_mm` square with its quiet zone, its corner at (`left`, `top`).

    One filled path: a rectangle per run of dark modules, counted in modules from
    the code's top left corner (a `cm` maps them to the page's points).
    """
    matrix = qr_matrix(data)
    points_per_module = size_mm / len(matrix) * pdf.k
    runs = "\n".join(
        f"{column} {row} {length} 1 re"
        for row, modules in enumerate(matrix)
        for column, length in dark_runs(modules)
    )
    pdf.set_fill_color(*INK)
    # Raw operators, as fpdf2's own rect() writes them: a rect() call per run (some 200
    # a code) cost a thousand badges over two seconds, and fpdf2 has no public call
    # for a path of many rectangles short of its drawing API, slower still.
    pdf._out(
        f"q {points_per_module:.5f} 0 0 {-points_per_module:.5f} "
        f"{left * pdf.k:.2f} {(pdf.h - top) * pdf.k:.2f} cm\n{runs}\nf Q"
    )
