"""The printed lists for the day: columns as wide as their content, text never justified."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from pypdf import PdfReader
from pypdf.generic import ContentStream

from eventday.badges.lists import column_widths
from tests.conftest import make_edition
from tests.test_exports import download, register
from tests.test_users_admin import signed_in

LONG_ORGANISATION = "Institut national de la santé et de la recherche médicale (Inserm) U1234"
MARGIN_PT = 15 / 25.4 * 72
# A word-spacing step larger than this (thousandths of an em) is justification, not kerning.
JUSTIFIED = 50


@pytest.fixture
def welcome_list(app: Flask) -> bytes:
    with app.app_context():
        edition = make_edition().id
    register(app, edition, "Marie-Hélène", "Lefèvre-Ødegård", organisation=LONG_ORGANISATION)
    register(app, edition, "Paul", "Durand", stakeholder_type="clinician", organisation="CHU")
    organiser = signed_in(app, "organiser")
    return download(organiser, "/admin/participants?list=welcome&format=pdf", "application/pdf")


def drawn(pdf: bytes) -> tuple[list[list[float]], list[tuple[str, list]]]:
    """The first page's rectangles (x, y, width, height in points) and its text operations."""
    reader = PdfReader(io.BytesIO(pdf))
    page = reader.pages[0]
    operations = ContentStream(page.get_contents(), reader).operations
    rectangles = [[float(n) for n in operands] for operands, op in operations if op == b"re"]
    texts = [(op.decode(), operands) for operands, op in operations if op in (b"Tj", b"TJ")]
    return rectangles, texts


def test_each_column_is_as_wide_as_its_content_asks(welcome_list: bytes) -> None:
    rectangles, _ = drawn(welcome_list)
    top = max(y for _, y, _, _ in rectangles)
    header = sorted((x, width) for x, y, width, _ in rectangles if y == top)
    widths = dict(
        zip(
            ["name", "organisation", "profile", "reference", "arrived"],
            (width for _, width in header),
            strict=True,
        )
    )
    assert widths["organisation"] > widths["name"] > widths["reference"] > widths["arrived"]
    assert widths["profile"] > widths["arrived"]
    assert sum(widths.values()) == pytest.approx((210 - 30) / 25.4 * 72, abs=0.5)
    text = " ".join(PdfReader(io.BytesIO(welcome_list)).pages[0].extract_text().split())
    assert "Institut national de la santé" in text
    for heading in ("Name", "Organisation", "Profile", "Reference", "Arrived"):
        assert heading in text


def test_no_text_is_justified(welcome_list: bytes) -> None:
    _, texts = drawn(welcome_list)
    spacings = [
        abs(float(item))
        for op, operands in texts
        if op == "TJ"
        for item in operands[0]
        if not isinstance(item, (str, bytes)) and hasattr(item, "as_numeric")
    ]
    assert all(step < JUSTIFIED for step in spacings), max(spacings)


def test_short_columns_keep_their_width_and_long_ones_share_the_rest() -> None:
    assert column_widths([20, 30, 10], 120) == [40, 60, 20]
    widths = column_widths([100, 150, 20, 15], 180)
    assert widths[2:] == [20, 15]
    assert widths[0] == pytest.approx(145 * 100 / 250)
    assert sum(widths) == pytest.approx(180)
