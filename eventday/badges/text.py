"""Printed text on badges and the documents that share their fonts: fonts, clean-up, fitting.

Every text has a `TextBox`: it is printed at the largest size, in half-point
steps from the box's maximum down to its minimum, at which it fits the box's
width in at most the box's number of lines (broken between words). When even
the minimum does not fit, the text is cut and ends with an ellipsis, so no
name, however long, overflows its box or is clipped. A document remembers how
it fitted each text in each box: a thousand badges repeat the edition's name,
the types and most organisations, and measuring is most of a badge's text work.

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
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

from fpdf import FPDF
from fpdf.bidi import BidiParagraph
from fpdf.enums import Align
from fpdf.fonts import TTFFont

Colour = tuple[int, int, int]

INK: Colour = (0, 0, 0)
GREY: Colour = (85, 85, 85)
WHITE: Colour = (255, 255, 255)

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


@dataclasses.dataclass(frozen=True)
class TextBox:
    """Where a text goes (mm from its badge's or page's top left corner), how large it may be."""

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
class FittedText:
    """A text as it is printed: its size in points and its lines, in reading order."""

    size_pt: float
    lines: tuple[str, ...]


class BadgeDocument(FPDF):
    """A PDF set up by `badge_document`, remembering how it fitted each text in each box."""

    def __init__(self, page_size_mm: tuple[float, float]) -> None:
        super().__init__(unit="mm", format=page_size_mm)
        self.fitted: dict[tuple[str, TextBox], FittedText] = {}


@contextlib.contextmanager
def badge_document(
    page_size_mm: tuple[float, float],
    texts: Iterable[str] = (),
    created_at: dt.datetime | None = None,
) -> Iterator[BadgeDocument]:
    """An empty PDF set up for badges: its fonts, a CJK fallback if one of `texts` needs it.

    fpdf2 keeps font files open until it writes the PDF; leaving the block closes
    them in any case (an error while drawing, a document only used to measure).
    """
    pdf = BadgeDocument(page_size_mm)
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


def draw_text(pdf: BadgeDocument, text: str, box: TextBox, left: float, top: float) -> None:
    """`text` fitted to `box`, the box placed from (`left`, `top`) mm on the current page."""
    fitted = fit_text(pdf, text, box)
    pdf.set_text_color(*box.colour)
    for index, line in enumerate(fitted.lines):
        pdf.set_xy(left + box.x, top + box.y + index * box.line_height)
        pdf.cell(box.width, box.line_height, _visual_order(line), align=box.align)


def fit_text(pdf: BadgeDocument, text: str, box: TextBox) -> FittedText:
    """The size and lines `text` is printed in to fit `box`; leaves that font set on `pdf`.

    `pdf` comes from `badge_document`, whose fonts decide the widths.
    """
    fitted = pdf.fitted.get((text, box))
    if fitted is None:
        fitted = pdf.fitted[text, box] = _fit(pdf, printable(pdf, text), box)
    _set_font(pdf, box, fitted.size_pt)
    return fitted


def _fit(pdf: FPDF, text: str, box: TextBox) -> FittedText:
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


def printable(pdf: FPDF, text: str) -> str:
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
