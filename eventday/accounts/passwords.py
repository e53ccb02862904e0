"""The rule every new organiser password follows, written once for every way one is set.

A password is long enough, is not one of the passwords people pick most, and does not
hold the account's own address. The common passwords are zxcvbn's ranked list (the
30,000 found most often in leaked password databases), kept with a maintained package
rather than by us. People meet a length rule by padding a common word with digits and
signs ("motdepasse123", "Soleil2024!"), so the word is also looked up without them. The
list leaves out repeats, sequences and keyboard rows ("0000000000", "abcdefghij",
"azertyuiop"), which zxcvbn's own estimate finds: a password it scores below 2 ("guessable
within a day by an attacker online") is refused too.
"""

from __future__ import annotations

import string

from flask_babel import gettext as _
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from eventday.domain import Violation

MIN_LENGTH = 10
COMMON_PASSWORDS = frozenset(FREQUENCY_LISTS["passwords"])  # lower-case, 4 characters or more
PADDING = string.digits + string.punctuation + string.whitespace
# Shorter local parts ("jo", "ana") turn up inside unrelated words by chance.
MIN_ADDRESS_PART = 4
MIN_SCORE = 2
# zxcvbn's time grows quickly with the length; a longer password is not guessable anyway.
ESTIMATED_LENGTH = 64


def password_violations(password: str, email: str) -> list[Violation]:
    """What is wrong with `password` as the new password of the account at `email`."""
    if len(password) < MIN_LENGTH:
        return [
            Violation(
                "password", _("A password needs at least %(n)d characters.", n=MIN_LENGTH)
            )
        ]
    folded = password.casefold()
    if {folded, folded.strip(PADDING)} & COMMON_PASSWORDS:
        return [
            Violation(
                "password",
                _("This password is one of the most common ones: please choose another."),
            )
        ]
    local_part = email.strip().casefold().partition("@")[0]
    if len(local_part) >= MIN_ADDRESS_PART and local_part in folded:
        return [Violation("password", _("The password must not contain the e-mail address."))]
    if zxcvbn(password[:ESTIMATED_LENGTH])["score"] < MIN_SCORE:
        return [
            Violation(
                "password",
                _(
                    "This password is too easy to guess (a repeat, a sequence or a row of "
                    "the keyboard): please choose another."
                ),
            )
        ]
    return []
