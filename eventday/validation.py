"""Field checks shared by every form: clean text, names, e-mail addresses, identifiers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from wtforms import Field, Form, SelectChoice
from wtforms.validators import ValidationError

# RFC 5322 "atext" (and letters of any script) before the @: no comma, <, >, quote or space,
# which a mail header would read as a second address.
EMAIL_PATTERN = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
ORCID_PATTERN = re.compile(r"(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])")
ORCID_PREFIXES = ("https://orcid.org/", "http://orcid.org/", "orcid.org/")


def has_control_characters(text: str, allow_newlines: bool = False) -> bool:
    """Control characters, lone surrogates, and (on one line) the line and paragraph
    separators U+2028/U+2029, which mail headers and CSV readers take for line breaks."""
    if allow_newlines:
        allowed, refused = {"\n", "\r", "\t"}, ("Cc", "Cs")
    else:
        allowed, refused = set(), ("Cc", "Cs", "Zl", "Zp")
    return any(unicodedata.category(c) in refused and c not in allowed for c in text)


class CleanText:
    """Stripped text of at most `max_length` characters, without control characters or NUL."""

    def __init__(self, max_length: int, multiline: bool = False) -> None:
        self.max_length = max_length
        self.multiline = multiline

    def __call__(self, form: Form, field: Field) -> None:
        value = field.data or ""
        if has_control_characters(value, allow_newlines=self.multiline):
            raise ValidationError(_l("Please remove the invisible control characters."))
        if len(value) > self.max_length:
            raise ValidationError(
                _l(
                    "At most %(n)d characters, please (%(typed)d typed).",
                    n=self.max_length,
                    typed=len(value),
                )
            )


class PersonName:
    """A name: any script, apostrophes and hyphens welcome; at least one letter."""

    def __call__(self, form: Form, field: Field) -> None:
        value = field.data or ""
        if value and not any(unicodedata.category(c).startswith("L") for c in value):
            raise ValidationError(_l("A name needs at least one letter."))


class EmailAddress:
    def __call__(self, form: Form, field: Field) -> None:
        value = field.data or ""
        # An address is at most 254 octets (RFC 5321), not characters: "İ" is two, and its
        # lower case two characters, which the lower-cased key (254 characters) must hold.
        if value and (len(value.encode()) > 254 or not EMAIL_PATTERN.fullmatch(value)):
            raise ValidationError(
                _l("This does not look like an e-mail address (name@example.org).")
            )


def normalise_orcid(value: str) -> str:
    """The bare 16-character ORCID iD from what was typed (a URL or the iD)."""
    value = value.strip().upper()
    for prefix in ORCID_PREFIXES:
        if value.lower().startswith(prefix):
            value = value[len(prefix) :]
    match = ORCID_PATTERN.fullmatch(value)
    return "-".join(match.groups()) if match else value


def orcid_is_valid(orcid: str) -> bool:
    """ORCID's ISO 7064 MOD 11-2 check digit."""
    match = ORCID_PATTERN.fullmatch(orcid)
    if match is None:
        return False
    digits = "".join(match.groups())
    total = 0
    for digit in digits[:-1]:
        total = (total + int(digit)) * 2
    check = (12 - total % 11) % 11
    return digits[-1] == ("X" if check == 10 else str(check))


def rpps_is_valid(rpps: str) -> bool:
    """An RPPS number: 11 digits with a Luhn check digit."""
    if not re.fullmatch(r"\d{11}", rpps):
        return False
    total = 0
    for position, digit in enumerate(reversed(rpps)):
        value = int(digit)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def choices(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def without_controls(text: str) -> str:
    """`text` without control characters (NUL included), for values that reach a database."""
    return "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cs"))


def like_pattern(word: str) -> str:
    """A LIKE pattern finding `word` anywhere, its own % and _ taken literally (escape '\\')."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
