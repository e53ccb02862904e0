"""The headers of a mail that leaves: no attendee's or organiser's text can add another one.

A subject holds the organisers' wording and attendees' values (a first name,
an edition's name); an address is typed by the attendee. None of them may put
a Reply-To:, a Bcc: or any other header onto the SMTP wire. The email package
alone does not promise it on every Python we support: up to 3.11.9
(CVE-2024-6923) it decodes an encoded word (`=?utf-8?b?…?=`) found in a
header value while folding it and writes what it holds, line breaks included,
as it is. So the defence does not rest on the interpreter; it holds in three
steps, the first and the last each enough against that bug on its own:

1. `header_text` makes a value plain text before it is placed in a header:
   one line (every line break, U+2028 included, and every control character
   become a space) and no encoded word: a zero-width space goes between the
   `=` and the `?` of each `=?`, so no parser sees one start, and a reader
   sees the same text. The policy then encodes that text itself, and what it
   encodes holds no line break to give back.
2. `address` leaves an address as it is but refuses one that a header would
   read otherwise (an encoded word, a list, a line break).
3. `wire_bytes` writes the message, reads those bytes back as a receiving
   server would (policy.SMTP) and refuses them unless every part has exactly
   the headers that were set and no value holds a line break. The bytes it
   checked are the bytes sent.

Encoding the values ourselves (email.header.Header with a charset) was not
enough: EmailMessage's policy refuses Header objects, and a string of encoded
words given to it is decoded and folded again, by the very code that had the
bug.
"""

from __future__ import annotations

import io
import unicodedata
from email import policy
from email.generator import BytesGenerator
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser

ENCODED_WORD_START = "=?"
# Invisible, and not whitespace: the text reads the same and stays one word.
ZERO_WIDTH_SPACE = "\u200b"


class UnsafeHeaders(ValueError):
    """A mail whose headers would not leave as they were set: it is not sent."""


def header_text(value: str) -> str:
    """`value` as plain text for a header: one line, no control character, no encoded word."""
    spaced = "".join(" " if unicodedata.category(char) == "Cc" else char for char in value)
    return " ".join(spaced.split()).replace(ENCODED_WORD_START, f"={ZERO_WIDTH_SPACE}?")


def address(value: str) -> Address:
    """`value` as the one address a header shows; UnsafeHeaders if a header would read another."""
    try:
        addresses = policy.SMTP.header_factory("To", value).addresses
    except ValueError as error:
        raise UnsafeHeaders(f"{value!r} is not an address for a header: {error}") from None
    if [one.addr_spec for one in addresses] != [value]:
        raise UnsafeHeaders(f"{value!r} would be read as {addresses!r}")
    return addresses[0]


def wire_bytes(message: EmailMessage, utf8: bool) -> bytes:
    """The message's bytes for SMTP, once they read back with exactly the headers that were set.

    Raises UnsafeHeaders when they do not. `utf8`: headers written as UTF-8, for
    a server that takes SMTPUTF8, as smtplib does for an address that is not ASCII.
    """
    written = io.BytesIO()
    BytesGenerator(written, policy=message.policy.clone(utf8=utf8)).flatten(message, linesep="\r\n")
    wire = written.getvalue()
    read_back = BytesParser(policy=policy.SMTP).parsebytes(wire)
    intended = [part.keys() for part in message.walk()]
    received = [part.keys() for part in read_back.walk()]
    if received != intended:
        raise UnsafeHeaders(f"the headers {received} would leave instead of {intended}")
    for part in read_back.walk():
        for name, value in part.items():
            text = str(value)
            # splitlines knows every line break (CR, LF, U+2028, NEL…).
            if "".join(text.splitlines()) != text:
                raise UnsafeHeaders(f"{name} would leave with a line break: {text!r}")
    return wire
