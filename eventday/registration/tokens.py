"""Secrets in attendee URLs and signed check-in codes (what a badge's QR code holds).

Attendee URLs carry `token`, 256 bits from `secrets.token_urlsafe(32)`: knowing
it is the only way in, so it is never derived from anything else.

A check-in code, version 1, reads `EV1-<edition id>-<reference>-<MAC>`:
the MAC is the first 128 bits of HMAC-SHA256 over "EV1|<edition id>|<reference>",
written in base32 (A-Z, 2-7), with a key derived from the app's secret key for
this use only. It holds no personal data and is checked without the database:
any altered character, or a code of another edition, fails the MAC or the
edition test. Only capitals, digits and '-' appear, so the QR code uses its
compact alphanumeric mode and a handheld scanner types the same characters on
any keyboard layout; lower case typed by a scanner is accepted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from flask import current_app

CODE_VERSION = "EV1"
MAC_BYTES = 16
# Crockford's base32 without I, L, O, U: no letter is read as a digit at the desk.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH = 5
CODE_PATTERN = re.compile(r"EV1-([0-9]{1,10})-([A-Z0-9]{2,8}-[A-Z0-9]{3,10})-[A-Z2-7]{26}")


# What a token in a URL may look like (new_token's are 43 characters); anything else is
# refused before the database is asked.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,100}")


def new_token() -> str:
    return secrets.token_urlsafe(32)


def new_reference(year: int) -> str:
    """A short reference such as RD27-7KQ3P (the caller makes sure it is unused)."""
    suffix = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return f"RD{year % 100:02d}-{suffix}"


def _key() -> bytes:
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, b"eventday check-in codes v1", hashlib.sha256).digest()


def _mac(edition_id: int, reference: str) -> str:
    message = f"{CODE_VERSION}|{edition_id}|{reference}".encode()
    digest = hmac.new(_key(), message, hashlib.sha256).digest()[:MAC_BYTES]
    return base64.b32encode(digest).decode().rstrip("=")


def checkin_code(edition_id: int, reference: str) -> str:
    return f"{CODE_VERSION}-{edition_id}-{reference}-{_mac(edition_id, reference)}"


def read_checkin_code(code: str, edition_id: int) -> str | None:
    """The reference a code carries if it is genuine and of this edition, else None.

    The code must be exactly the one we made (case aside): no other spelling of
    the same numbers or letters is accepted.
    """
    candidate = code.strip()
    if not candidate.isascii():
        return None
    candidate = candidate.upper()
    match = CODE_PATTERN.fullmatch(candidate)
    if match is None or int(match.group(1)) != edition_id:
        return None
    reference = match.group(2)
    if not hmac.compare_digest(candidate, checkin_code(edition_id, reference)):
        return None
    return reference
