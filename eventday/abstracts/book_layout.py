"""The book of abstracts drawn as an A4 PDF with fpdf2: cover, contents, abstracts, index.

book.py decides what the book holds (`Contents`, already grouped and numbered);
this module only draws it. Page 1 is the cover; the contents follow on pages
reserved before the abstracts are drawn (fpdf2's `insert_toc_placeholder`),
as many as its entries need at one line each (`contents_pages` and the
drawing share `_contents_slot`), so every page number printed in the contents
and in the index is the page the reader turns to.

An abstract's text is drawn run by run (`markup.runs`): italics in the oblique
face, superscripts and subscripts with fpdf2's `char_vpos`; lines are broken
here (`_Drawing.flow`), each word measured once. Each new abstract
starts a page when less than `KEEP_TOGETHER_MM` is left, so a title never sits
alone at a page's foot. Text is always text (no markdown, no "{nb}" alias);
a character DejaVu Sans lacks prints as U+FFFD, a visible sign, never a
missing glyph.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import TTFFont
from fpdf.outline import OutlineSection

from eventday.abstracts.book_text import (
    FAMILY,
    Measured,
    Span,
    cut,
    fit,
    marked,
    merged,
    printable,
    words,
)
from eventday.abstracts.markup import plain
from eventday.badges.pdf import FONT_DIR
from eventday.i18n import fold

if TYPE_CHECKING:
    from eventday.abstracts.book import Contents, Entry, Part

FONTS = {
    "": "DejaVuSans.ttf",
    "B": "DejaVuSans-Bold.ttf",
    "I": "DejaVuSans-Oblique.ttf",
    "BI": "DejaVuSans-BoldOblique.ttf",
}
# fpdf2's default sizes of raised and lowered text, against the line's.
SCALES = {"SUP": 0.7, "SUB": 0.7}
MARGIN_MM = 20.0
PAGE_HEIGHT_MM = 297.0
CONTENTS_LINE_MM = 5.0
CONTENTS_HEADING_MM = 16.0
INDEX_LINE_MM = 4.6
INDEX_COLUMN_GAP_MM = 8.0
BODY_PT = 9.5
BODY_LINE_MM = 4.6
KEEP_TOGETHER_MM = 60.0
GREY = (85, 85, 85)


class _Document(FPDF):
    def footer(self) -> None:
        if self.page_no() == 1:
            return
        self.set_y(-12)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(*GREY)
        self.cell(0, 4, str(self.page_no()), align="C")
        self.set_text_color(0)


def draw(book: Contents) -> bytes:
    """The book as PDF bytes."""
    pdf = _Document(unit="mm", format="A4")
    try:
        pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
        pdf.set_auto_page_break(True, MARGIN_MM)
        pdf.c_margin = 0
        pdf.alias_nb_pages(None)  # "{nb}" in a title prints as typed
        pdf.set_lang("fr")
        for style, file_name in FONTS.items():
            pdf.add_font(FAMILY, style, FONT_DIR / file_name)
        pdf.set_title(printable(pdf, f"{book.edition_name} — {book.kind}"))
        _Drawing(pdf, book).run()
        return bytes(pdf.output())
    finally:
        for font in pdf.fonts.values():
            if isinstance(font, TTFFont):
                font.close()


def contents_pages(entries: int) -> int:
    """The pages the contents need for `entries` lines (the first page also holds its title)."""
    return _contents_slot(entries - 1)[0] + 1 if entries else 1


def _contents_slot(number: int) -> tuple[int, float]:
    """Where contents line `number` (from 0) goes: its page after the first one, its y."""
    first = int((PAGE_HEIGHT_MM - 2 * MARGIN_MM - CONTENTS_HEADING_MM) // CONTENTS_LINE_MM)
    if number < first:
        return 0, MARGIN_MM + CONTENTS_HEADING_MM + number * CONTENTS_LINE_MM
    page, line = divmod(number - first, int((PAGE_HEIGHT_MM - 2 * MARGIN_MM) // CONTENTS_LINE_MM))
    return page + 1, MARGIN_MM + line * CONTENTS_LINE_MM


class _Drawing:
    """One drawing of one book: the pages each author's abstracts start on, for the index."""

    def __init__(self, pdf: FPDF, book: Contents) -> None:
        self.pdf = pdf
        self.book = book
        self.author_pages: dict[str, list[int]] = {}
        self.widths: dict[tuple[str, str], float] = {}  # at 1 pt, by text and face

    def run(self) -> None:
        self.cover()
        self.pdf.add_page()
        entries = 1 + sum(
            1 + len(part.topics) + sum(len(topic.entries) for topic in part.topics)
            for part in self.book.parts
        )
        # Leaves a fresh page after the contents' reserved ones.
        self.pdf.insert_toc_placeholder(self.contents, pages=contents_pages(entries))
        for part in self.book.parts:
            self.part(part)
        self.index()

    def font(self, size: float, style: str = "") -> None:
        self.pdf.set_font(FAMILY, style, size)

    def text(self, height: float, text: str) -> None:
        self.pdf.multi_cell(
            0, height, printable(self.pdf, text), new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )

    def cover(self) -> None:
        pdf = self.pdf
        pdf.add_page()
        pdf.set_y(90)
        self.font(24, "B")
        pdf.multi_cell(0, 11, printable(pdf, self.book.edition_name), align="C", new_x=XPos.LMARGIN)
        pdf.ln(6)
        self.font(16)
        pdf.multi_cell(0, 8, self.book.kind, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(14)
        self.font(12)
        for line in (self.book.dates, *self.book.venue):
            pdf.multi_cell(0, 6, printable(pdf, line), align="C", new_x=XPos.LMARGIN)
            pdf.ln(6)
        pdf.set_y(PAGE_HEIGHT_MM - MARGIN_MM - 10)
        self.font(9)
        pdf.set_text_color(*GREY)
        pdf.multi_cell(0, 5, self.book.note, align="C")
        pdf.set_text_color(0)

    def contents(self, pdf: FPDF, outline: list[OutlineSection]) -> None:
        """The contents, drawn last on its reserved pages: one line per section."""
        first_page = pdf.page
        self.font(16, "B")
        pdf.set_xy(MARGIN_MM, MARGIN_MM)
        pdf.cell(0, 8, self.book.contents_title)
        width = pdf.w - 2 * MARGIN_MM
        for number, section in enumerate(outline):
            page, y = _contents_slot(number)
            while pdf.page < first_page + page:
                pdf.add_page()
            indent = 6.0 * section.level
            self.font(9.5 if section.level else 10, "B" if section.level == 0 else "")
            number = str(section.page_number)
            room = width - indent - pdf.get_string_width(number) - 4
            pdf.set_xy(MARGIN_MM + indent, y)
            link = pdf.add_link(page=section.page_number)
            pdf.cell(room, CONTENTS_LINE_MM, fit(pdf, section.name, room), link=link)
            pdf.set_xy(MARGIN_MM, y)
            pdf.cell(width, CONTENTS_LINE_MM, number, align="R", link=link)
        last = first_page + contents_pages(len(outline)) - 1
        while pdf.page < last:
            pdf.add_page()

    def new_page(self) -> None:
        """A page break, unless nothing is drawn on this page yet."""
        if self.pdf.y > MARGIN_MM + 0.01:
            self.pdf.add_page()

    def part(self, part: Part) -> None:
        pdf = self.pdf
        self.new_page()
        pdf.start_section(printable(pdf, part.title), level=0)
        self.font(16, "B")
        self.text(8, part.title)
        if part.subtitle:
            self.font(10)
            pdf.set_text_color(*GREY)
            self.text(5, part.subtitle)
            pdf.set_text_color(0)
        pdf.ln(4)
        for topic in part.topics:
            self.keep_together()
            pdf.start_section(printable(pdf, topic.name), level=1)
            self.font(13, "B")
            self.text(7, topic.name)
            pdf.ln(3)
            for entry in topic.entries:
                self.entry(entry)

    def keep_together(self) -> None:
        if self.pdf.y > PAGE_HEIGHT_MM - MARGIN_MM - KEEP_TOGETHER_MM:
            self.pdf.add_page()

    def entry(self, entry: Entry) -> None:
        pdf = self.pdf
        self.keep_together()
        heading = f"{entry.label} · {entry.board}" if entry.board else entry.label
        pdf.start_section(
            printable(pdf, f"{heading}  {' '.join(plain(entry.title).split())}"), level=2
        )
        self.font(8.5, "B")
        pdf.set_text_color(*GREY)
        self.text(4.5, heading)
        pdf.set_text_color(0)
        self.flow(marked(entry.title, 11.5, "B"), 5.6)
        pdf.ln(2)
        for author in entry.authors:
            pages = self.author_pages.setdefault(author.index_name, [])
            if pdf.page not in pages:
                pages.append(pdf.page)
        last = len(entry.authors) - 1
        self.flow(
            (
                span
                for position, author in enumerate(entry.authors)
                for span in (
                    Span(author.name, 10, "U" if author.presenting else ""),
                    Span(",".join(map(str, author.numbers)), 10, vpos="SUP"),
                    Span(", " if position < last else "", 10),
                )
            ),
            5.2,
        )
        pdf.ln(1.3)
        self.flow(
            (
                span
                for number, institution in enumerate(entry.affiliations, start=1)
                for span in (Span(str(number), 8, vpos="SUP"), Span(f" {institution}\n", 8))
            ),
            4,
        )
        if entry.keywords:
            pdf.ln(1)
            self.flow((Span(f"{self.book.keywords_label} ", 8, "B"), Span(entry.keywords, 8)), 4)
        pdf.ln(2)
        self.flow(marked(entry.body, BODY_PT), BODY_LINE_MM)
        pdf.ln(3)
        pdf.set_draw_color(200)
        pdf.line(MARGIN_MM + 40, pdf.y, pdf.w - MARGIN_MM - 40, pdf.y)
        pdf.ln(5)

    def flow(self, spans: Iterable[Span], height: float) -> None:
        """`spans` from the left margin, broken between words into lines of the page's width.

        fpdf2's `write` measures its line again for each character it adds; here
        each word is measured once (cached), so a book of 300 abstracts draws in
        seconds. A word wider than the page is cut between characters.
        """
        room = self.pdf.epw
        line: list[tuple[Span, float]] = []
        used = 0.0
        for space, word in words(self.pdf, spans, self.width):
            if word is None:
                self.draw_line(line, height)
                line, used = [], 0.0
                continue
            wide = sum(width for _span, width in word)
            gap = space[1] if space is not None and line else 0.0
            if line and used + gap + wide > room:
                self.draw_line(line, height)
                line, used, gap = [], 0.0, 0.0
            if gap:
                line.append(space)
            for piece in cut(word, room - used - gap, room, self.width):
                if piece is None:
                    self.draw_line(line, height)
                    line, used, gap = [], 0.0, 0.0
                else:
                    line.append(piece)
                    used += piece[1]
            used += gap
        if line:
            self.draw_line(line, height)

    def width(self, span: Span, text: str) -> float:
        style = span.style.replace("U", "")
        unit = self.widths.get((text, style))
        if unit is None:
            self.font(10, style)
            unit = self.widths[text, style] = self.pdf.get_string_width(text) / 10
        return unit * span.size * SCALES.get(span.vpos, 1.0)

    def draw_line(self, line: list[Measured], height: float) -> None:
        """One line of pieces side by side, on one baseline (raised or lowered pieces aside).

        Each piece sets its own font: fpdf2 2.8 may leave a raised or lowered
        piece's smaller size as the document's.
        """
        pdf = self.pdf
        if pdf.will_page_break(height):
            pdf.add_page()
        top, x = pdf.y, pdf.l_margin
        for span, width in merged(line):
            self.font(span.size, span.style)
            pdf.char_vpos = span.vpos
            pdf.set_xy(x, top)
            pdf.cell(width, height, span.text)
            x += width
        pdf.char_vpos = "LINE"
        pdf.set_xy(pdf.l_margin, top + height)

    def index(self) -> None:
        """Every author, by last then first name, with the pages their abstracts start on."""
        pdf = self.pdf
        self.new_page()
        pdf.start_section(self.book.index_title, level=0)
        self.font(16, "B")
        self.text(8, self.book.index_title)
        pdf.ln(4)
        top = pdf.y
        column = (pdf.w - 2 * MARGIN_MM - INDEX_COLUMN_GAP_MM) / 2
        left = 0
        self.font(8.5)
        for name in sorted(self.author_pages, key=lambda name: (fold(name), name)):
            if pdf.y + INDEX_LINE_MM > PAGE_HEIGHT_MM - MARGIN_MM:
                if left:
                    pdf.add_page()
                    top = MARGIN_MM
                left = 1 - left
                pdf.set_y(top)
            x = MARGIN_MM + left * (column + INDEX_COLUMN_GAP_MM)
            pages = ", ".join(map(str, self.author_pages[name]))
            room = column - pdf.get_string_width(pages) - 3
            pdf.set_x(x)
            pdf.cell(room, INDEX_LINE_MM, fit(pdf, name, room))
            pdf.set_x(x)
            pdf.cell(column, INDEX_LINE_MM, pages, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
