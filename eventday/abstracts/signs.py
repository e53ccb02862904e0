"""The printable sign of each poster's board: one A4 portrait page per poster.

From top to bottom: the edition's name, small; "Poster" and the board number,
as large as the page allows, to be read from across the room; the title
(marks dropped: `markup.plain`), the authors, the topic; then the QR code of
the poster's vote page, 90 mm square, with what to do in words under it and
the address itself, for a phone that scans nothing.

Drawn with the badges' own pieces (eventday/badges/pdf.py): their fonts and
CJK fallback, their text boxes that shrink a text to fit and cut it with an
ellipsis rather than overflow, and their QR drawing (a rectangle per run of
dark modules, its quiet zone kept white), scaled from the badge's size to the
sign's. The vote page's address comes from `eventday.urls.absolute_url`, so it
is the configured public address, never a request's Host.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from flask_babel import gettext as _
from fpdf.drawing_primitives import Transform
from fpdf.enums import Align

from eventday.abstracts import markup
from eventday.abstracts.models import Abstract
from eventday.badges import pdf as badges
from eventday.badges.pdf import GREY, TextBox, badge_document
from eventday.i18n import localised
from eventday.urls import absolute_url

PAGE_WIDTH_MM, PAGE_HEIGHT_MM = badges.A4_MM
MARGIN_MM = 15.0
WIDTH_MM = PAGE_WIDTH_MM - 2 * MARGIN_MM
QR_MM = 90.0
QR_X_MM = (PAGE_WIDTH_MM - QR_MM) / 2
QR_Y_MM = 178.0

EDITION = TextBox(MARGIN_MM, 10.0, WIDTH_MM, 6.0, max_pt=12, min_pt=8, colour=GREY)
POSTER = TextBox(MARGIN_MM, 18.0, WIDTH_MM, 10.0, max_pt=24, min_pt=14, align=Align.C)
BOARD = TextBox(MARGIN_MM, 28.0, WIDTH_MM, 58.0, max_pt=170, min_pt=60, bold=True, align=Align.C)
TITLE = TextBox(MARGIN_MM, 92.0, WIDTH_MM, 11.0, max_pt=26, min_pt=13, bold=True, max_lines=4)
AUTHORS = TextBox(MARGIN_MM, 140.0, WIDTH_MM, 7.0, max_pt=15, min_pt=9, max_lines=3)
TOPIC = TextBox(MARGIN_MM, 163.0, WIDTH_MM, 7.0, max_pt=13, min_pt=9, colour=GREY)
CALL_TO_VOTE = TextBox(
    MARGIN_MM, QR_Y_MM + QR_MM + 1.0, WIDTH_MM, 9.0, max_pt=18, min_pt=11, bold=True, align=Align.C
)
ADDRESS = TextBox(
    MARGIN_MM,
    QR_Y_MM + QR_MM + 10.0,
    WIDTH_MM,
    6.0,
    max_pt=11,
    min_pt=7,
    align=Align.C,
    colour=GREY,
)


@dataclasses.dataclass(frozen=True)
class Sign:
    """What one poster's sign shows, already in the organisers' language."""

    board: int
    title: str
    authors: str
    topic: str
    edition_name: str
    vote_url: str

    def texts(self) -> list[tuple[str, TextBox]]:
        return [
            (self.edition_name, EDITION),
            (_("Poster"), POSTER),
            (str(self.board), BOARD),
            (self.title, TITLE),
            (self.authors, AUTHORS),
            (self.topic, TOPIC),
            (_("Vote for the best poster: scan this code"), CALL_TO_VOTE),
            (self.vote_url, ADDRESS),
        ]


def sign_of(poster: Abstract) -> Sign:
    """The sign of an accepted poster that has a board number (in an app context)."""
    if poster.board_number is None:
        raise ValueError(f"{poster.label} has no board number")
    return Sign(
        board=poster.board_number,
        title=markup.plain(poster.title),
        authors=", ".join(author.name for author in poster.authors),
        topic=localised(poster.track, "name") if poster.track else "",
        edition_name=localised(poster.edition, "name"),
        vote_url=absolute_url("abstracts.vote", board=poster.board_number),
    )


def signs_pdf(signs: Sequence[Sign], *, created_at: dt.datetime | None = None) -> bytes:
    """One A4 page per sign, in the order given; no signs give one empty page."""
    texts = [text for sign in signs for text, _box in sign.texts()]
    with badge_document(badges.A4_MM, texts, created_at) as pdf:
        pdf.set_title(_("Posters' signs"))
        if not signs:
            pdf.add_page()
        for sign in signs:
            pdf.add_page()
            _draw_sign(pdf, sign)
        return bytes(pdf.output())


def _draw_sign(pdf: badges.FPDF, sign: Sign) -> None:
    for text, box in sign.texts():
        if text:
            badges.draw_text(pdf, text, box, 0.0, 0.0)
    # The badge's QR drawing at its own size, scaled about the page's corner to the sign's.
    scale = QR_MM / badges.QR_SIZE_MM
    with pdf.transform(Transform.scaling(scale).translate(QR_X_MM, QR_Y_MM)):
        badges.draw_qr(pdf, sign.vote_url, 0.0, 0.0)
