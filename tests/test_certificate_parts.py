"""The certificate's parts that need no database: its code, its hours, its PDF."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from flask import Flask
from pypdf import PdfReader

from eventday.certificates.codes import SHAPE, new_code, normalised
from eventday.certificates.hours import union_minutes
from eventday.certificates.pdf import CertificateText, certificate_pdf

PARIS = dt.timezone(dt.timedelta(hours=1))


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2027, 1, 25, hour, minute, tzinfo=PARIS)


def test_codes_are_random_typeable_and_read_back_from_what_a_person_types() -> None:
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(SHAPE.fullmatch(code) for code in codes)
    code = next(iter(codes))
    assert normalised(code.lower().replace("-", " ")) == code
    assert normalised(code + "X") is None
    assert normalised("7KQ3-P9XM") is None
    assert normalised("UUUU-UUUU-UUUU-UUUU-UUUU") is None  # U is not in the alphabet


@pytest.mark.parametrize(
    ("intervals", "minutes"),
    [
        ([], 0),
        ([(at(9), at(10))], 60),
        ([(at(9), at(10)), (at(9, 30), at(11))], 120),  # parallel sessions count once
        ([(at(14), at(15)), (at(9), at(10)), (at(14), at(14, 30))], 120),
        ([(at(9), at(12)), (at(10), at(11))], 180),  # one inside another
        ([(at(10), at(10))], 0),
    ],
)
def test_the_time_attended_is_the_union_of_the_sessions_times(intervals, minutes) -> None:
    assert union_minutes(intervals) == minutes


def test_the_pdf_says_who_what_when_how_long_and_its_code(app: Flask) -> None:
    text = CertificateText(
        language="fr",
        holder="Hélène Dupont-Łukasiewicz",
        rpps="10001234567",
        edition_name="9e Journée de recherche",
        day="lundi 25 janvier 2027",
        place="Hôpital universitaire Paris-Centre",
        duration="6 h 30",
        sessions=("Atelier : signature interféron",),
        network="Réseau des maladies auto-immunes",
        own_text="Valable pour la formation continue.",
        signer_name="Pr Anne Martin",
        signer_role="Présidente",
        signed_on="Délivrée le 26 janvier 2027",
        code="7KQ3-P9XM-ABCD-EFGH-JKMN",
        check_url="https://journee.example.org/certificates/7KQ3-P9XM-ABCD-EFGH-JKMN",
    )
    with app.test_request_context():
        body = certificate_pdf(text)
    page = PdfReader(io.BytesIO(body)).pages[0]
    words = " ".join(page.extract_text().split())
    for expected in (
        "Hélène Dupont-Łukasiewicz",
        "10001234567",
        "9e Journée de recherche",
        "6 h 30",
        "7KQ3-P9XM-ABCD-EFGH-JKMN",
        "Pr Anne Martin",
    ):
        assert expected in words, expected
