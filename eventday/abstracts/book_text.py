"""Text for the book of abstracts: what the font can print, spans in their faces, words
measured once and cut where a line must end (book_layout draws them).

fpdf2's own `write()` breaks lines too, but took some 7 s for 300 abstracts; measuring
each word once and breaking here takes a fraction of it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

from fpdf import FPDF

from eventday.abstracts.markup import runs

FAMILY = "DejaVuSans"
REPLACEMENT = "\ufffd"
TOKEN = re.compile(r"\n|[^\S\n]+|\S+")
VPOS = {"": "LINE", "sup": "SUP", "sub": "SUB"}
ELLIPSIS = "…"


class Span(NamedTuple):
    """Text in one face ("", "B", "I", "BI", "U"), size and position ("LINE", "SUP", "SUB")."""

    text: str
    size: float
    style: str = ""
    vpos: str = "LINE"


def fit(pdf: FPDF, text: str, width: float) -> str:
    """`text` printable, cut with an ellipsis if it is wider than `width` on one line."""
    text = printable(pdf, " ".join(text.split()))
    if pdf.get_string_width(text) <= width:
        return text
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if pdf.get_string_width(text[:middle].rstrip() + ELLIPSIS) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + ELLIPSIS


def printable(pdf: FPDF, text: str) -> str:
    """`text` composed (NFC), with U+FFFD for each character DejaVu Sans lacks.

    Tabs become spaces, other control and format characters go; line breaks stay.
    """
    text = unicodedata.normalize("NFC", text)
    cmap = pdf.fonts[FAMILY.lower()].cmap
    odd = {
        ord(char): stand_in(char)
        for char in set(text)
        if char != "\n" and (ord(char) not in cmap or stand_in(char) != REPLACEMENT)
    }
    return text.translate(odd) if odd else text


def stand_in(char: str) -> str:
    """What a character the font lacks, or a control character, prints as."""
    if char in "\t\r":
        return " "
    return "" if unicodedata.category(char) in ("Cc", "Cf") else REPLACEMENT


def marked(source: str, size: float, style: str = "") -> list[Span]:
    """`source`'s runs (markup.runs) as spans: italics oblique, <sup>/<sub> raised or lowered."""
    return [
        Span(run.text, size, style + ("I" if run.italic else ""), VPOS[run.mark])
        for run in runs(source)
    ]


Measured = tuple[Span, float]


def words(
    pdf: FPDF, spans: Iterable[Span], width: Callable[[Span, str], float]
) -> Iterator[tuple[Measured | None, list[Measured] | None]]:
    """Each word with the space before it (None at a paragraph's start); (None, None) for "\n".

    A word may span several spans ("CD4" and a raised "+"); spaces in a row are one.
    """
    space: Measured | None = None
    word: list[Measured] = []
    for span in spans:
        for token in TOKEN.findall(printable(pdf, span.text)):
            if token != "\n" and not token.isspace():
                word.append((span._replace(text=token), width(span, token)))
                continue
            if word:
                yield space, word
                space, word = None, []
            if token == "\n":
                yield None, None
            else:
                space = (span._replace(text=" "), width(span, " "))
    if word:
        yield space, word


def cut(
    word: list[Measured], first: float, room: float, width: Callable[[Span, str], float]
) -> Iterator[Measured | None]:
    """The word's pieces, cut between characters (None where a line ends) when it is wider
    than `room`, the first line having `first` left."""
    if sum(wide for _span, wide in word) <= room:
        yield from word
        return
    left = first
    for span, _wide in word:
        for char in span.text:
            wide = width(span, char)
            if wide > left and left < room:
                yield None
                left = room
            yield span._replace(text=char), wide
            left -= wide


def merged(line: list[Measured]) -> list[Measured]:
    """Neighbouring pieces in the same face, size and position joined into one."""
    merged: list[Measured] = []
    for span, wide in line:
        if merged and merged[-1][0][1:] == span[1:]:
            previous, previous_wide = merged[-1]
            merged[-1] = (previous._replace(text=previous.text + span.text), previous_wide + wide)
        else:
            merged.append((span, wide))
    return merged
