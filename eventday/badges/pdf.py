"""Attendee badges as PDF: one 90 × 55 mm badge, or A4 sheets of ten to print and cut.

A badge (landscape, the common 90 × 55 mm badge-holder insert) shows the
edition's name small at the top left, the first and last names large and bold
under it, then the organisation (at most two lines); the QR code at the top
right with the reference under it; along the bottom edge, a band in the
stakeholder type's colour that says the type in words, so colour is never the
only sign. The QR code is drawn as filled rectangles, its quiet zone on white.
The organisers' logo, when they gave one, sits small in the bottom left corner
above the band: added once to the PDF and drawn by name on every badge, so a
thousand badges hold one copy of it.

Every text has a `TextBox`: it is printed at the largest size, in half-point
steps from the box's maximum down to its minimum, at which it fits the box's
width in at most the box's number of lines (broken between words). When even
the minimum does not fit, the text is cut and ends with an ellipsis, so no
name, however long, overflows its box or is clipped.

Fonts: DejaVu Sans, shipped in fonts/, so a fresh machine needs nothing
installed. When a text needs glyphs DejaVu lacks (Chinese, Japanese, Korean),
the first CJK font found at a well-known system path becomes a fallback. A
character no font covers is printed as U+FFFD (�), a visible sign that
something is missing, and fpdf2 is never left with a missing glyph to report.
Right-to-left runs are put in visual order here, because fpdf2 only does it
with its optional HarfBuzz shaping.

Text is always text: it goes to fpdf2's cell() without markdown and the
page-count alias is off, so "<script>", "**x**" or "{nb}" print as typed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import io
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from fpdf import FPDF
from fpdf.bidi import BidiParagraph
from fpdf.enums import Align
from fpdf.fonts import TTFFont
from fpdf.image_parsing import preload_image

from eventday.badges.qr import dark_runs, qr_matrix

Colour = tuple[int, int, int]

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
INK: Colour = (0, 0, 0)
GREY: Colour = (85, 85, 85)
WHITE: Colour = (255, 255, 255)
CUT_LINE: Colour = (200, 200, 200)
CUT_LINE_WIDTH_MM = 0.1

FONT_DIR = Path(__file__).with_name("fonts")
FONT_FAMILY = "DejaVuSans"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
CJK_FAMILY = "CJKFallback"
CJK_FONT_PATHS = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc"),
)
REPLACEMENT = "\ufffd"
ELLIPSIS = "…"
STEP_PT = 0.5

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
class TextBox:
    """Where a badge text goes (mm from the badge's top left corner) and how large it may be."""

    x: float
    y: float
    width: float
    line_height: float
    max_pt: float
    min_pt: float
    bold: bool = False
    max_lines: int = 1
    align: Align = Align.L
    colour: Colour = INK


@dataclasses.dataclass(frozen=True)
class Logo:
    """The organisers' logo as added to one PDF: its name there and its size on a badge."""

    name: str
    width: float
    height: float


@dataclasses.dataclass(frozen=True)
class FittedText:
    """A text as it is printed: its size in points and its lines, in reading order."""

    size_pt: float
    lines: tuple[str, ...]


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


@contextlib.contextmanager
def badge_document(
    page_size_mm: tuple[float, float],
    texts: Iterable[str] = (),
    created_at: dt.datetime | None = None,
) -> Iterator[FPDF]:
    """An empty PDF set up for badges: its fonts, a CJK fallback if one of `texts` needs it.

    fpdf2 keeps font files open until it writes the PDF; leaving the block closes
    them in any case (an error while drawing, a document only used to measure).
    """
    pdf = FPDF(unit="mm", format=page_size_mm)
    try:
        pdf.set_margin(0)
        pdf.c_margin = 0
        pdf.set_auto_page_break(False)
        pdf.alias_nb_pages(None)  # documented by fpdf2 as switching the "{nb}" alias off
        if created_at is not None:
            pdf.set_creation_date(created_at)
        for style, file_name in FONT_FILES.items():
            pdf.add_font(FONT_FAMILY, style, FONT_DIR / file_name)
        fallbacks = [FONT_FAMILY]  # a glyph missing in bold is taken from the regular face
        if any(not _covered(pdf, char) for text in texts for char in _normalise(text)):
            fallbacks += _add_cjk_font(pdf)
        pdf.set_fallback_fonts(fallbacks, exact_match=False)
        yield pdf
    finally:
        for font in pdf.fonts.values():
            if isinstance(font, TTFFont):
                font.close()


def fit_text(pdf: FPDF, text: str, box: TextBox) -> FittedText:
    """The size and lines `text` is printed in to fit `box`; leaves that font set on `pdf`.

    `pdf` comes from `badge_document`, whose fonts decide the widths.
    """
    text = _printable(pdf, text)
    largest = _largest_possible_pt(pdf, text, box)
    steps = int((box.max_pt - box.min_pt) / STEP_PT)
    for size in [box.max_pt - step * STEP_PT for step in range(steps + 1)]:
        if size > largest:
            continue
        _set_font(pdf, box, size)
        lines = _wrap_words(pdf, text, box.width, box.max_lines)
        if lines is not None:
            return FittedText(size, lines)
    _set_font(pdf, box, box.min_pt)
    return FittedText(box.min_pt, _cut_lines(pdf, text, box.width, box.max_lines))


def _largest_possible_pt(pdf: FPDF, text: str, box: TextBox) -> float:
    """A size `text` cannot fit `box` above, which saves measuring it at every larger size.

    Widths grow in proportion to the size, and the whole text (on one line) or
    its widest word (on several) must fit the box's width.
    """
    _set_font(pdf, box, box.max_pt)
    parts = [text] if box.max_lines == 1 else text.split(" ")
    widest = max(pdf.get_string_width(part) for part in parts)
    return box.max_pt if widest <= box.width else box.max_pt * box.width / widest


def _set_font(pdf: FPDF, box: TextBox, size_pt: float) -> None:
    pdf.set_font(FONT_FAMILY, "B" if box.bold else "", size_pt)


def _wrap_words(pdf: FPDF, text: str, width: float, max_lines: int) -> tuple[str, ...] | None:
    """`text` broken between words into lines of `width`, or None if that takes too many lines."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and pdf.get_string_width(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        elif pdf.get_string_width(word) <= width and len(lines) < max_lines:
            lines.append(word)
        else:
            return None
    return tuple(lines)


def _cut_lines(pdf: FPDF, text: str, width: float, max_lines: int) -> tuple[str, ...]:
    """`text` filling `max_lines` lines of `width`, the last one cut with an ellipsis."""
    lines: list[str] = []
    rest = text
    while rest and len(lines) < max_lines - 1:
        line, rest = _take_line(pdf, rest, width)
        lines.append(line)
    if rest or not lines:
        lines.append(_ellipsize(pdf, rest, width))
    return tuple(lines)


def _take_line(pdf: FPDF, text: str, width: float) -> tuple[str, str]:
    """The start of `text` that fits `width` (after a whole word when one fits) and the rest."""
    end = max(1, _longest_fitting(pdf, text, width, ""))
    if end < len(text):
        space = text.rfind(" ", 0, end + 1)
        if space > 0:
            end = space
    return text[:end].rstrip(), text[end:].lstrip()


def _ellipsize(pdf: FPDF, text: str, width: float) -> str:
    """`text` if it fits `width`, else its longest start that fits with an ellipsis after it."""
    if pdf.get_string_width(text) <= width:
        return text
    return text[: _longest_fitting(pdf, text, width, ELLIPSIS)].rstrip() + ELLIPSIS


def _longest_fitting(pdf: FPDF, text: str, width: float, suffix: str) -> int:
    """How many characters of `text`, followed by `suffix`, fit `width` (a binary search)."""
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if pdf.get_string_width(text[:middle].rstrip() + suffix) <= width:
            low = middle
        else:
            high = middle - 1
    return low


def _normalise(text: str) -> str:
    """`text` composed (NFC), control and format characters dropped, white space single."""
    text = unicodedata.normalize("NFC", text)
    kept = "".join(
        " " if char.isspace() else char
        for char in text
        if char.isspace() or unicodedata.category(char) not in ("Cc", "Cf")
    )
    return " ".join(kept.split())


def _printable(pdf: FPDF, text: str) -> str:
    """`text` normalised, each character no font of `pdf` has replaced by U+FFFD."""
    return "".join(char if _covered(pdf, char) else REPLACEMENT for char in _normalise(text))


def _covered(pdf: FPDF, char: str) -> bool:
    return any(isinstance(font, TTFFont) and ord(char) in font.cmap for font in pdf.fonts.values())


def _add_cjk_font(pdf: FPDF) -> list[str]:
    """Adds the first CJK font found on this machine; its family name in a list, or []."""
    for path in CJK_FONT_PATHS:
        if not path.is_file():
            continue
        try:
            pdf.add_font(CJK_FAMILY, "", path)
        except Exception:
            # A system font we do not ship may be one fpdf2 cannot read: try the next
            # one, and with none, U+FFFD stands for the characters it would have drawn.
            continue
        return [CJK_FAMILY]
    return []


def _visual_order(line: str) -> str:
    """`line` in the order its glyphs are drawn: right-to-left runs reversed (Unicode bidi)."""
    if not any(unicodedata.bidirectional(char) in ("R", "AL") for char in line):
        return line
    return BidiParagraph(line).get_reordered_string()


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


def _draw_badge(pdf: FPDF, badge: Badge, left: float, top: float, logo: Logo | None) -> None:
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


def draw_qr(pdf: FPDF, data: str, left: float, top: float) -> None:
    """The QR code of `data`, QR_SIZE_MM square with its quiet zone: a rectangle per dark run."""
    matrix = qr_matrix(data)
    module = QR_SIZE_MM / len(matrix)
    pdf.set_fill_color(*INK)
    for row, modules in enumerate(matrix):
        for column, length in dark_runs(modules):
            pdf.rect(left + column * module, top + row * module, length * module, module, "F")


def draw_text(pdf: FPDF, text: str, box: TextBox, left: float, top: float) -> None:
    fitted = fit_text(pdf, text, box)
    pdf.set_text_color(*box.colour)
    for index, line in enumerate(fitted.lines):
        pdf.set_xy(left + box.x, top + box.y + index * box.line_height)
        pdf.cell(box.width, box.line_height, _visual_order(line), align=box.align)
