"""Signed check-in codes, references and attendee tokens (registration/tokens.py)."""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
import qrcode.util
from flask import Flask

from eventday.registration.tokens import (
    checkin_code,
    new_reference,
    new_token,
    read_checkin_code,
)
from tests.conftest import make_app

EDITION = 7
REFERENCE = "RD27-7KQ3S"
CODE_ALPHABET = string.ascii_uppercase + string.digits + "-"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
URL_SAFE = frozenset(string.ascii_letters + string.digits + "-_")


def app_with_key(tmp_path: Path, secret_key: str) -> Flask:
    # Codes need no database: the app only lends its secret key.
    return make_app(f"sqlite:///{tmp_path / 'unused.sqlite3'}", SECRET_KEY=secret_key)


@pytest.fixture
def code(tmp_path: Path) -> Iterator[str]:
    """The code of REFERENCE in edition EDITION; the test runs inside the app context."""
    with app_with_key(tmp_path, "test-secret-key-not-for-production").app_context():
        yield checkin_code(EDITION, REFERENCE)


def test_a_code_verifies_for_its_edition_and_reference(code: str) -> None:
    assert re.fullmatch(rf"EV1-{EDITION}-{REFERENCE}-[A-Z2-7]{{26}}", code)
    assert read_checkin_code(code, EDITION) == REFERENCE


def test_the_same_reference_gives_the_same_code(code: str) -> None:
    assert checkin_code(EDITION, REFERENCE) == code


@pytest.mark.parametrize(("made_for", "read_for"), [(7, 8), (8, 7), (1, 12), (12, 1), (12, 2)])
def test_a_code_of_another_edition_is_refused(code: str, made_for: int, read_for: int) -> None:
    other = checkin_code(made_for, REFERENCE)
    assert read_checkin_code(other, made_for) == REFERENCE
    assert read_checkin_code(other, read_for) is None


def test_a_code_for_another_reference_is_not_this_ones(code: str) -> None:
    other = checkin_code(EDITION, "RD27-7KQ3T")
    assert other != code
    assert read_checkin_code(other, EDITION) == "RD27-7KQ3T"
    forged = other.replace("RD27-7KQ3T", REFERENCE)
    assert read_checkin_code(forged, EDITION) is None


def test_every_single_character_change_is_refused(code: str) -> None:
    accepted = []
    for position, original in enumerate(code):
        for replacement in CODE_ALPHABET.replace(original, ""):
            altered = code[:position] + replacement + code[position + 1 :]
            if read_checkin_code(altered, EDITION) is not None:
                accepted.append(altered)
    assert accepted == []


def test_every_missing_or_swapped_character_is_refused(code: str) -> None:
    shortened = [code[:i] + code[i + 1 :] for i in range(len(code))]
    swapped = [
        code[:i] + code[i + 1] + code[i] + code[i + 2 :]
        for i in range(len(code) - 1)
        if code[i] != code[i + 1]
    ]
    assert [c for c in shortened + swapped if read_checkin_code(c, EDITION) is not None] == []


def test_a_code_typed_in_lower_case_is_accepted(code: str) -> None:
    assert read_checkin_code(code.lower(), EDITION) == REFERENCE
    mixed = "".join(c.lower() if i % 2 else c for i, c in enumerate(code))
    assert read_checkin_code(mixed, EDITION) == REFERENCE


@pytest.mark.parametrize("around", [" ", "\t", "\n", "\r\n", "  \t\r\n"])
def test_white_space_around_a_code_is_accepted(code: str, around: str) -> None:
    assert read_checkin_code(f"{around}{code}{around}", EDITION) == REFERENCE


def test_white_space_inside_a_code_is_refused(code: str) -> None:
    assert read_checkin_code(code.replace("-", " ", 1), EDITION) is None
    assert read_checkin_code(code[:20] + " " + code[20:], EDITION) is None


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        " ",
        "\n",
        "EV1",
        "EV1---",
        "EV1-7-RD27-7KQ3S",
        "EV1-7-RD27-7KQ3S-",
        f"EV1-7-RD27-7KQ3S-{'A' * 26}",
        f"EV2-7-RD27-7KQ3S-{'A' * 26}",
        f"EV1-99999999999-RD27-7KQ3S-{'A' * 26}",
        f"EV1--7-RD27-7KQ3S-{'A' * 26}",
        "RD27-7KQ3S",
        "https://journee.example.org/registration/abc",
        '{"code": "EV1-7-RD27-7KQ3S"}',
        "x" * 100_000,
        "EV1-7-" + "A" * 100_000,
        "\x00\x01\x02",
        "Ωμέγα-ß-ǅ-ﬀ",
        "EV1-7-RD27-7KQ3É-YSZ7KGBLOR42WH5AHM4Q5XCA2E",
        "🎫🎫🎫",
        "\ud800",
    ],
    ids=lambda g: repr(g[:20]),
)
def test_garbage_is_refused_without_raising(code: str, garbage: str) -> None:
    assert read_checkin_code(garbage, EDITION) is None


def test_a_code_made_with_another_secret_key_is_refused(code: str, tmp_path: Path) -> None:
    with app_with_key(tmp_path, "another-secret-key").app_context():
        elsewhere = checkin_code(EDITION, REFERENCE)
        assert read_checkin_code(elsewhere, EDITION) == REFERENCE
        assert read_checkin_code(code, EDITION) is None
    assert elsewhere != code
    assert read_checkin_code(elsewhere, EDITION) is None


@pytest.mark.parametrize(
    ("original", "altered"),
    [("EV1-7-", "EV1-07-"), ("EV1-7-", "EV1-\uff17-"), ("EV1-7-", "EV1-\u0667-"), ("3S-", "3ſ-")],
    ids=["leading-zero", "fullwidth-digit", "arabic-indic-digit", "long-s"],
)
def test_only_the_code_itself_verifies(code: str, original: str, altered: str) -> None:
    assert read_checkin_code(code.replace(original, altered), EDITION) is None


def test_codes_use_only_the_qr_alphanumeric_characters(code: str) -> None:
    codes = [checkin_code(edition, new_reference(2027)) for edition in (1, 42, 9_999_999)]
    for each in [code, *codes]:
        assert set(each) <= set(CODE_ALPHABET), each
        assert qrcode.util.QRData(each.encode()).mode == qrcode.util.MODE_ALPHA_NUM
        assert read_checkin_code(each, int(each.split("-")[1])) == "-".join(each.split("-")[2:4])


# References and tokens


@pytest.mark.parametrize(("year", "prefix"), [(2027, "RD27-"), (2031, "RD31-"), (2105, "RD05-")])
def test_a_reference_is_rd_the_year_and_five_unambiguous_characters(year: int, prefix: str) -> None:
    references = [new_reference(year) for _ in range(300)]
    pattern = re.compile(re.escape(prefix) + f"[{CROCKFORD}]{{5}}")
    assert [r for r in references if not pattern.fullmatch(r)] == []
    assert not set("".join(r[5:] for r in references)) & set("ILOU")
    assert len(set(references)) > 290


def test_a_token_is_43_url_safe_characters_and_never_repeats() -> None:
    tokens = [new_token() for _ in range(1000)]
    assert {len(t) for t in tokens} == {43}
    assert set("".join(tokens)) <= URL_SAFE
    assert len(set(tokens)) == 1000
