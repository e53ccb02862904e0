"""An abstract's text: plain text with the few marks biology needs, kept as typed.

Authors may write <i>…</i> (gene names, species), <sup>…</sup> and <sub>…</sub>
(CD4<sup>+</sup>, IFN-α<sub>2</sub>); every other tag and every attribute is
dropped when shown (nh3, the Rust ammonia sanitiser, does it: a regular
expression is not a safe HTML parser). The source is stored as typed, so an
author who edits sees what they wrote.

Words are counted as a person counts them: marks are not words, "IFN-α" and
"l'interféron" are one word each, a lone dash or a number between spaces is a
word only if it holds a letter or a digit.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import NamedTuple

import nh3
from markupsafe import Markup

ALLOWED_TAGS = {"i", "sup", "sub"}
# A tag as HTML reads one: "<" then the name at once ("IL-6 < TNF" is no tag).
TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)(?:\s[^<>]*)?/?>")
WORD = re.compile(r"[^\W_]", re.UNICODE)
PARAGRAPHS = re.compile(r"\n\s*\n")


def render(source: str) -> Markup:
    """The text as safe HTML: the three marks kept, paragraphs and line breaks shown."""
    paragraphs = [part.strip() for part in PARAGRAPHS.split(source) if part.strip()]
    # Each paragraph cleaned alone: a mark left open ends with its paragraph.
    cleaned = (
        nh3.clean(part, tags=ALLOWED_TAGS, attributes={}, link_rel=None) for part in paragraphs
    )
    return Markup("".join(f"<p>{part.replace(chr(10), '<br>')}</p>" for part in cleaned))


def inline(source: str) -> Markup:
    """A title with its marks, safe, on one line (titles may hold a gene name, CD4<sup>+</sup>)."""
    clean = nh3.clean(source, tags=ALLOWED_TAGS, attributes={}, link_rel=None)
    return Markup(" ".join(clean.split()))


def plain(source: str) -> str:
    """The text without its marks (for the programme, calendars, search)."""
    return html.unescape(nh3.clean(source, tags=set(), attributes={}, link_rel=None)).strip()


def word_count(source: str) -> int:
    """Words as a person counts them in the shown text (marks are not words)."""
    return sum(1 for word in plain(source).split() if WORD.search(word))


def unknown_tags(source: str) -> list[str]:
    """The tags typed that are not among the allowed marks, each once, in order."""
    seen: list[str] = []
    for match in TAG.finditer(source):
        name = match.group(1).lower()
        if name not in ALLOWED_TAGS and name not in seen:
            seen.append(name)
    return seen


class Run(NamedTuple):
    """A piece of text and its marks, for drawing it (the book of abstracts)."""

    text: str
    italic: bool
    mark: str  # "", "sup" or "sub"


def runs(source: str) -> Iterator[Run]:
    """The sanitised text as runs of plain, italic, superscript and subscript text.

    Marks may nest (<i>x<sup>2</sup></i>); a line break is a run of "\\n".
    """
    clean = nh3.clean(source, tags=ALLOWED_TAGS, attributes={}, link_rel=None)
    italic = 0
    mark: list[str] = []
    position = 0
    for match in re.finditer(r"<(/?)(i|sup|sub)>", clean):
        if match.start() > position:
            text = html.unescape(clean[position : match.start()])
            yield Run(text, italic > 0, mark[-1] if mark else "")
        closing, name = match.group(1) == "/", match.group(2)
        if name == "i":
            italic += -1 if closing else 1
        elif closing:
            if mark:
                mark.pop()
        else:
            mark.append(name)
        position = match.end()
    if position < len(clean):
        yield Run(html.unescape(clean[position:]), italic > 0, mark[-1] if mark else "")
