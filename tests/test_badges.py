"""Badges: the PDF read back (pages, sizes, text), names that always fit, and the QR code."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import io
import logging
import random
import re
import xml.etree.ElementTree as ET

import pytest
import qrcode
import qrcode.constants
from PIL import Image
from pypdf import PdfReader

from eventday.badges import pdf as badges
from eventday.badges import text as badge_text
from eventday.badges.pdf import (
    BADGE_HEIGHT_MM,
    BADGE_WIDTH_MM,
    BADGES_PER_SHEET,
    FIRST_NAME,
    LAST_NAME,
    ORGANISATION,
    TYPE_COLOURS,
    Badge,
    TextBox,
    badge_document,
    badge_pdf,
    badge_sheets_pdf,
    fit_text,
)
from eventday.badges.qr import MASK_PATTERN, qr_matrix, qr_svg

POINTS_PER_MM = 72 / 25.4
A4_POINTS = (595.28, 841.89)
CODE = "EV1-3-RD27-7KQ3P-ABCDEFGHIJKLMNOPQRSTUVWXYZ"
SVG = "{http://www.w3.org/2000/svg}"
RGB_FILL = re.compile(r"([\d.]+) ([\d.]+) ([\d.]+) rg")
QR_PATH = re.compile(r"q ([\d.]+) 0 0 (-[\d.]+) ([\d.]+) ([\d.]+) cm\n(.*?)\nf Q", re.S)
QR_RUN = re.compile(r"^(\d+) (\d+) (\d+) 1 re$", re.M)
LABELS = {
    "researcher": "Chercheur·e",
    "clinician": "Clinicien·ne",
    "association": "Association de patients",
    "industry": "Industrie",
}
LONG_ACCENTED = "Marie-Élisabeth-Françoise de La Rochefoucauld-Montmorency-Sjögren-Ĳsselstein"
NON_LATIN = ["林梅", "Ωmega Ψ", "Иван Петров", "אברהם", "O'Brien-Lefèvre", "Zoë Sjögren-Ĳssel"]
HOSTILE = ["<script>alert(1)</script>", "{nb}", "**bold** __under__", r"(\) Tj ET"]


def make_badge(**changes: str) -> Badge:
    badge = Badge(
        first_name="Zoë",
        last_name="Sjögren-Lefèvre",
        organisation="Hôpital Européen Georges-Pompidou",
        stakeholder_type="clinician",
        type_label="Clinicien·ne",
        edition_name="9e Journée de recherche",
        qr_data=CODE,
        reference="RD27-7KQ3P",
    )
    return dataclasses.replace(badge, **changes)


def read(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def page_text(pdf: bytes, page: int = 0) -> str:
    """The page's text as pypdf reads it, white space (line breaks included) made single spaces."""
    return " ".join(read(pdf).pages[page].extract_text().split())


def page_size(reader: PdfReader, page: int) -> tuple[float, float]:
    box = reader.pages[page].mediabox
    return float(box.width), float(box.height)


def test_a_badge_is_one_page_of_90_by_55_mm() -> None:
    reader = read(badge_pdf(make_badge()))

    assert len(reader.pages) == 1
    width, height = page_size(reader, 0)
    assert width == pytest.approx(90 * POINTS_PER_MM, abs=0.5)
    assert height == pytest.approx(55 * POINTS_PER_MM, abs=0.5)
    assert (BADGE_WIDTH_MM, BADGE_HEIGHT_MM, BADGES_PER_SHEET) == (90, 55, 10)


def test_a_badge_shows_the_name_organisation_type_edition_and_reference() -> None:
    text = page_text(badge_pdf(make_badge()))

    for shown in (
        "Zoë",
        "Sjögren-Lefèvre",
        "Hôpital Européen Georges-Pompidou",
        "Clinicien·ne",
        "9e Journée de recherche",
        "RD27-7KQ3P",
    ):
        assert shown in text


@pytest.mark.parametrize(("count", "pages"), [(0, 1), (1, 1), (10, 1), (11, 2), (25, 3)])
def test_sheets_hold_ten_badges_per_a4_page(count: int, pages: int) -> None:
    people = [make_badge(first_name=f"Person{number:02d}") for number in range(count)]

    reader = read(badge_sheets_pdf(people))

    assert len(reader.pages) == pages
    for page in range(pages):
        assert page_size(reader, page) == pytest.approx(A4_POINTS, abs=0.5)
    every_text = "".join(page.extract_text() for page in reader.pages)
    for number in range(count):
        assert f"Person{number:02d}" in every_text


def test_sheets_keep_the_order_given() -> None:
    people = [make_badge(first_name=f"Person{number:02d}") for number in range(11)]

    reader = read(badge_sheets_pdf(people))

    assert "Person10" in reader.pages[1].extract_text()
    assert "Person10" not in reader.pages[0].extract_text()


def test_sheet_badges_are_centred_on_a4_and_never_overlap() -> None:
    corners = [badges.sheet_position(index) for index in range(BADGES_PER_SHEET)]
    lefts = [left for left, _ in corners]
    tops = [top for _, top in corners]

    assert min(lefts) == pytest.approx(210 - max(lefts) - BADGE_WIDTH_MM)
    assert min(tops) == pytest.approx(297 - max(tops) - BADGE_HEIGHT_MM)
    assert min(lefts) > 0 and min(tops) > 0
    for index, (left_a, top_a) in enumerate(corners):
        for left_b, top_b in corners[index + 1 :]:
            apart_across = abs(left_a - left_b) >= BADGE_WIDTH_MM - 1e-9
            apart_down = abs(top_a - top_b) >= BADGE_HEIGHT_MM - 1e-9
            assert apart_across or apart_down


@pytest.mark.parametrize("box", [FIRST_NAME, LAST_NAME, ORGANISATION], ids=["first", "last", "org"])
@pytest.mark.parametrize("text", ["X" * 300, LONG_ACCENTED, "W" * 12 + " " + "M" * 40])
def test_long_texts_shrink_then_cut_but_never_overflow(box: TextBox, text: str) -> None:
    with badge_document((BADGE_WIDTH_MM, BADGE_HEIGHT_MM), [text]) as pdf:
        fitted = fit_text(pdf, text, box)
        pdf.set_font(badges.FONT_FAMILY, "B" if box.bold else "", fitted.size_pt)
        widths = [pdf.get_string_width(line) for line in fitted.lines]

    assert box.min_pt <= fitted.size_pt <= box.max_pt
    assert 1 <= len(fitted.lines) <= box.max_lines
    assert max(widths) <= box.width
    if text == "X" * 300:
        assert fitted.size_pt == box.min_pt
        assert fitted.lines[-1].endswith("…")


def test_a_name_that_fits_keeps_its_largest_size_and_whole_text() -> None:
    with badge_document((BADGE_WIDTH_MM, BADGE_HEIGHT_MM)) as pdf:
        fitted = fit_text(pdf, "Zoë", FIRST_NAME)

    assert fitted == badges.FittedText(FIRST_NAME.max_pt, ("Zoë",))


def test_a_text_fitted_again_in_the_same_document_is_printed_the_same() -> None:
    with badge_document((BADGE_WIDTH_MM, BADGE_HEIGHT_MM)) as pdf:
        first = fit_text(pdf, "Rochefoucauld-Lefèvre", LAST_NAME)
        fit_text(pdf, "Zoë", FIRST_NAME)
        again = fit_text(pdf, "Rochefoucauld-Lefèvre", LAST_NAME)
        size_set = pdf.font_size_pt

    assert again == first
    assert size_set == first.size_pt


def test_a_long_name_is_shrunk_before_it_is_cut() -> None:
    with badge_document((BADGE_WIDTH_MM, BADGE_HEIGHT_MM)) as pdf:
        fitted = fit_text(pdf, "Rochefoucauld-Lefèvre", LAST_NAME)

    assert LAST_NAME.min_pt < fitted.size_pt < LAST_NAME.max_pt
    assert fitted.lines == ("Rochefoucauld-Lefèvre",)


def test_the_organisation_wraps_between_words_on_two_lines() -> None:
    organisation = "Université Paris Cité, Institut Imagine, laboratoire d'immunogénétique"

    with badge_document((BADGE_WIDTH_MM, BADGE_HEIGHT_MM)) as pdf:
        fitted = fit_text(pdf, organisation, ORGANISATION)

    assert len(fitted.lines) == 2
    assert " ".join(fitted.lines) == organisation


def test_a_300_character_name_is_printed_cut_with_an_ellipsis() -> None:
    text = page_text(badge_pdf(make_badge(first_name="A" * 300, last_name="B" * 300)))

    assert "A" * 15 in text and "B" * 15 in text
    assert "A" * 300 not in text
    assert "…" in text


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_are_printed_literally(name: str) -> None:
    text = page_text(badge_pdf(make_badge(first_name=name, organisation=name)))

    assert name in text


@pytest.mark.parametrize("name", NON_LATIN)
def test_names_in_any_script_render_without_warnings(
    name: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        sheet = badge_sheets_pdf([make_badge(first_name=name, last_name=name)])
        single = badge_pdf(make_badge(first_name=name, last_name=name))

    assert [record.getMessage() for record in caplog.records] == []
    assert read(sheet).pages and read(single).pages


@pytest.mark.parametrize("name", ["Иван Петров", "Ωmega Ψ", "Zoë Sjögren-Ĳssel", "O'Brien-Lefèvre"])
def test_names_dejavu_covers_are_printed_as_typed(name: str) -> None:
    assert name in page_text(badge_pdf(make_badge(first_name=name)))


def test_right_to_left_names_are_drawn_right_to_left() -> None:
    text = page_text(badge_pdf(make_badge(first_name="אברהם")))

    # pypdf reads a right-to-left run back in reading order only if its glyphs were
    # laid out right to left (alef rightmost); in logical order it would read "םהרבא".
    assert "אברהם" in text
    assert "אברהם"[::-1] not in text


def test_a_character_no_font_covers_prints_a_replacement_sign(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(badge_text, "CJK_FONT_PATHS", ())

    with caplog.at_level(logging.WARNING):
        text = page_text(badge_pdf(make_badge(first_name="林梅")))

    assert "\ufffd\ufffd" in text
    assert caplog.records == []


def test_chinese_names_use_a_system_cjk_font_when_there_is_one() -> None:
    if not any(path.is_file() for path in badge_text.CJK_FONT_PATHS):
        pytest.skip("no CJK font at the well-known paths on this machine")

    assert "林梅" in page_text(badge_pdf(make_badge(first_name="林梅")))


@pytest.mark.parametrize("stakeholder_type", sorted(TYPE_COLOURS))
def test_each_stakeholder_type_has_its_band_colour_and_words(stakeholder_type: str) -> None:
    label = LABELS[stakeholder_type]
    pdf = badge_pdf(make_badge(stakeholder_type=stakeholder_type, type_label=label))

    assert label in page_text(pdf)
    content = read(pdf).pages[0].get_contents().get_data().decode("latin-1")
    fills = [tuple(float(part) for part in fill) for fill in re.findall(RGB_FILL, content)]
    expected = tuple(channel / 255 for channel in TYPE_COLOURS[stakeholder_type])
    assert any(fill == pytest.approx(expected, abs=0.001) for fill in fills)


def relative_luminance(colour: tuple[int, int, int]) -> float:
    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in colour)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


@pytest.mark.parametrize("stakeholder_type", sorted(TYPE_COLOURS))
def test_band_colours_contrast_with_white_text(stakeholder_type: str) -> None:
    contrast = 1.05 / (relative_luminance(TYPE_COLOURS[stakeholder_type]) + 0.05)

    assert contrast >= 4.5
    assert set(TYPE_COLOURS) == set(LABELS)


def test_an_unknown_stakeholder_type_is_refused() -> None:
    with pytest.raises(ValueError, match="stakeholder type"):
        make_badge(stakeholder_type="speaker")


def drawn_qr_codes(pdf: bytes, page: int = 0) -> list[tuple[float, float, float, list[list[bool]]]]:
    """Each QR path on the page: its module (pt), its top left corner (pt), its modules."""
    content = read(pdf).pages[page].get_contents().get_data().decode("latin-1")
    codes = []
    for scale, flipped, left, top, path in QR_PATH.findall(content):
        assert float(flipped) == -float(scale)
        runs = [tuple(int(n) for n in run) for run in QR_RUN.findall(path)]
        size = round(badges.QR_SIZE_MM * POINTS_PER_MM / float(scale))
        drawn = [[False] * size for _ in range(size)]
        for column, row, length in runs:
            for offset in range(length):
                drawn[row][column + offset] = True
        codes.append((float(scale), float(left), float(top), drawn))
    return codes


def test_the_qr_code_is_one_vector_path_of_its_modules_in_its_corner() -> None:
    pdf = badge_pdf(make_badge())

    [(module, left, top, drawn)] = drawn_qr_codes(pdf)

    assert "/XObject" not in read(pdf).pages[0]["/Resources"]
    assert drawn == qr_matrix(CODE)
    assert module * len(drawn) == pytest.approx(badges.QR_SIZE_MM * POINTS_PER_MM, abs=0.01)
    assert left == pytest.approx(badges.QR_X_MM * POINTS_PER_MM, abs=0.01)
    assert top == pytest.approx((BADGE_HEIGHT_MM - badges.QR_Y_MM) * POINTS_PER_MM, abs=0.01)


def test_each_badge_of_a_sheet_has_its_own_code_in_its_own_corner() -> None:
    people = [make_badge(qr_data=f"EV1-3-RD27-{n:05d}-{'A' * 26}") for n in range(BADGES_PER_SHEET)]

    codes = drawn_qr_codes(badge_sheets_pdf(people))

    assert [drawn for _, _, _, drawn in codes] == [qr_matrix(badge.qr_data) for badge in people]
    for index, (_, left, top, _) in enumerate(codes):
        badge_left, badge_top = badges.sheet_position(index)
        assert left == pytest.approx((badge_left + badges.QR_X_MM) * POINTS_PER_MM, abs=0.01)
        assert top == pytest.approx((297 - badge_top - badges.QR_Y_MM) * POINTS_PER_MM, abs=0.01)


def test_the_same_badge_and_date_give_the_same_bytes() -> None:
    created_at = dt.datetime(2027, 1, 10, 9, 0, tzinfo=dt.UTC)

    assert badge_pdf(make_badge(), created_at=created_at) == badge_pdf(
        make_badge(), created_at=created_at
    )
    assert badge_sheets_pdf([make_badge()] * 3, created_at=created_at) == badge_sheets_pdf(
        [make_badge()] * 3, created_at=created_at
    )


def test_the_qr_matrix_is_qrcodes_own_with_a_quiet_zone() -> None:
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, mask_pattern=MASK_PATTERN
    )
    code.add_data(CODE)
    code.make(fit=True)

    matrix = qr_matrix(CODE)

    assert matrix == code.get_matrix()
    assert code.version == 3  # the smallest that holds 44 alphanumeric characters at level M
    assert len(matrix) == 29 + 2 * 4
    for ring in range(4):
        assert not any(matrix[ring]) and not any(matrix[-1 - ring])
        assert not any(row[ring] or row[-1 - ring] for row in matrix)


def test_codes_with_the_fixed_mask_read_back_with_a_real_decoder() -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    rng = random.Random(13)
    codes = [CODE, "https://journee.example.org/posters/12/vote"] + [
        f"EV1-{rng.randint(1, 99)}-RD27-{n:05d}-{base64.b32encode(rng.randbytes(16)).decode()[:26]}"
        for n in range(200)
    ]

    for code in codes:
        matrix = qr_matrix(code)
        image = Image.new("1", (len(matrix), len(matrix)))
        image.putdata([0 if dark else 1 for row in matrix for dark in row])
        pixels = image.resize((4 * len(matrix), 4 * len(matrix)), Image.Resampling.NEAREST)

        assert [found.text for found in zxingcpp.read_barcodes(pixels)] == [code]


def svg_modules(svg: str) -> tuple[int, list[list[bool]]]:
    """The size and modules an SVG from qr_svg draws, read back from its path."""
    root = ET.fromstring(svg)
    size = int(root.get("viewBox", "").split()[2])
    drawn = [[False] * size for _ in range(size)]
    path = root.find(f"{SVG}path")
    assert path is not None
    for column, row, length in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", path.get("d", "")):
        for offset in range(int(length)):
            drawn[int(row)][int(column) + offset] = True
    return size, drawn


def test_the_qr_svg_draws_the_matrix_as_one_accessible_path() -> None:
    title = 'QR code <Zoë & "Sjögren">'

    svg = qr_svg(CODE, title)

    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("shape-rendering") == "crispEdges"
    assert root.get("width") is None and root.get("height") is None
    assert root.findtext(f"{SVG}title") == title
    assert "&lt;Zoë &amp;" in svg
    assert "style=" not in svg and "<script" not in svg
    assert len(root.findall(f"{SVG}path")) == 1
    assert len(root.findall(f"{SVG}rect")) == 1  # the white background only
    size, drawn = svg_modules(svg)
    assert size == len(qr_matrix(CODE))
    assert root.get("viewBox") == f"0 0 {size} {size}"
    assert drawn == qr_matrix(CODE)
