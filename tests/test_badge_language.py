"""A sheet of badges speaks the organisers' language; an attendee's own badge speaks theirs."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from eventday.extensions import db
from eventday.registration import capacity
from eventday.registration.models import Registration
from tests.conftest import make_edition
from tests.test_exports import register
from tests.test_users_admin import signed_in


@pytest.fixture
def attendees(app: Flask) -> dict[str, int]:
    """A clinician who chose French, an industry attendee who chose English (both confirmed)."""
    with app.app_context():
        edition = make_edition().id
    made = {
        "fr": register(app, edition, "Zoë", "Sjögren", stakeholder_type="clinician", language="fr"),
        "en": register(app, edition, "Mei", "Lin", stakeholder_type="industry", language="en"),
    }
    with app.app_context():
        capacity.decide(made["en"], approve=True)
    return made


def pdf_text(client: FlaskClient, path: str) -> str:
    answer = client.get(path)
    assert answer.status_code == 200, path
    assert answer.content_type == "application/pdf"
    reader = PdfReader(io.BytesIO(answer.get_data()))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.mark.parametrize(
    ("lang", "types", "not_shown"),
    [
        ("fr", ["Clinicien·ne", "Industrie"], ["Clinician", "Industry"]),
        ("en", ["Clinician", "Industry"], ["Clinicien·ne", "Industrie"]),
    ],
)
def test_a_sheet_of_badges_is_printed_in_the_organisers_language(
    app: Flask, attendees: dict[str, int], lang: str, types: list[str], not_shown: list[str]
) -> None:
    organiser = signed_in(app, "organiser")
    sheet = pdf_text(organiser, f"/admin/badges.pdf?lang={lang}")
    assert "Zoë" in sheet and "Mei" in sheet
    for label in types:
        assert label in sheet
    for label in not_shown:
        assert label not in sheet
    # A badge printed on arrival matches the sheets.
    one = pdf_text(organiser, f"/admin/registrations/{attendees['en']}/badge.pdf?lang={lang}")
    assert types[1] in one


def test_an_attendees_own_badge_stays_in_their_language(
    app: Flask, attendees: dict[str, int]
) -> None:
    with app.app_context():
        token = db.session.get_one(Registration, attendees["en"]).token
    visitor = app.test_client()
    visitor.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    badge = pdf_text(visitor, f"/registration/{token}/badge.pdf")
    assert "Industry" in badge
    assert "Industrie" not in badge
