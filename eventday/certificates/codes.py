"""A certificate's verification code: 100 random bits, written in words a person can type.

Crockford's base32 in five groups of four (`7KQ3-P9XM-…`): no I, L, O or U, so
nothing is read as a digit; lower case and missing dashes are accepted when
checked. Knowing a code is the only way to its page, so it is never derived
from anything else; unknown codes get a 404 like forged ones.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
GROUPS, GROUP_LENGTH = 5, 4
SHAPE = re.compile(r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){4}")


def new_code() -> str:
    letters = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_LENGTH))
    return "-".join(letters[i : i + GROUP_LENGTH] for i in range(0, len(letters), GROUP_LENGTH))


def normalised(typed: str) -> str | None:
    """The code as stored, from what someone typed or scanned; None if it cannot be one."""
    letters = "".join(c for c in typed.upper() if c.isalnum())[: GROUPS * GROUP_LENGTH + 1]
    letters = letters.translate(str.maketrans("OIL", "011"))
    if len(letters) != GROUPS * GROUP_LENGTH or any(c not in ALPHABET for c in letters):
        return None
    return "-".join(letters[i : i + GROUP_LENGTH] for i in range(0, len(letters), GROUP_LENGTH))
