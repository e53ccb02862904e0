"""A certificate of attendance as an A4 PDF, drawn with the badges' fonts and QR code.

From top to bottom: the organisers' logo and network, the title, who attended
(with their RPPS number for a clinician who gave one), which edition, when and
where and for how long, the organisers' own text, the signature block, and the
verification code in words beside a QR code of its public page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

from flask_babel import force_locale
from flask_babel import gettext as _
from fpdf.image_parsing import preload_image

from eventday.badges.pdf import draw_qr
from eventday.badges.text import FONT_FAMILY, GREY, INK, badge_document, printable

A4_MM = (210.0, 297.0)
MARGIN_MM = 20.0
WIDTH_MM = A4_MM[0] - 2 * MARGIN_MM
LOGO_BOX_MM = (50.0, 20.0)
SIGNATURE_BOX_MM = (55.0, 22.0)
QR_MM = 32.0


@dataclasses.dataclass(frozen=True)
class CertificateText:
    """Everything a certificate says, already in its holder's language."""

    language: str
    holder: str
    rpps: str
    edition_name: str
    day: str
    place: str
    duration: str
    sessions: tuple[str, ...]
    network: str
    own_text: str
    signer_name: str
    signer_role: str
    signed_on: str
    code: str
    check_url: str


def certificate_pdf(
    text: CertificateText,
    logo: bytes | None = None,
    signature: bytes | None = None,
    created_at: dt.datetime | None = None,
) -> bytes:
    texts = [text.holder, text.edition_name, text.place, text.own_text, *text.sessions]
    with force_locale(text.language), badge_document(A4_MM, texts, created_at) as pdf:
        pdf.set_title(_("Certificate of attendance"))
        pdf.add_page()
        _head(pdf, text, logo)
        _body(pdf, text)
        _signature(pdf, text, signature)
        _verification(pdf, text)
        return bytes(pdf.output())


def _paragraph(pdf, words: str, size: float, bold: bool = False, colour=INK, gap: float = 2.0):
    pdf.set_font(FONT_FAMILY, "B" if bold else "", size)
    pdf.set_text_color(*colour)
    pdf.set_x(MARGIN_MM)
    pdf.multi_cell(WIDTH_MM, size * 0.5, printable(pdf, words), align="L")
    pdf.ln(gap)


def _image(pdf, png: bytes, left: float, top: float, box: tuple[float, float]) -> float:
    """`png` fitted in `box` from (left, top); the height it took."""
    name, _, info = preload_image(pdf.image_cache, io.BytesIO(png))
    scale = min(box[0] / info["w"], box[1] / info["h"])
    pdf.image(name, left, top, w=info["w"] * scale, h=info["h"] * scale)
    return info["h"] * scale


def _head(pdf, text: CertificateText, logo: bytes | None) -> None:
    top = MARGIN_MM
    height = _image(pdf, logo, MARGIN_MM, top, LOGO_BOX_MM) if logo else 0.0
    if text.network:
        pdf.set_font(FONT_FAMILY, "", 10)
        pdf.set_text_color(*GREY)
        pdf.set_xy(MARGIN_MM + LOGO_BOX_MM[0] + 5, top)
        pdf.multi_cell(WIDTH_MM - LOGO_BOX_MM[0] - 5, 5, printable(pdf, text.network), align="R")
    pdf.set_y(top + max(height, LOGO_BOX_MM[1]) + 15)
    _paragraph(pdf, _("Certificate of attendance"), 24, bold=True, gap=8)


def _body(pdf, text: CertificateText) -> None:
    _paragraph(pdf, _("This is to certify that"), 12)
    _paragraph(pdf, text.holder, 20, bold=True, gap=1)
    if text.rpps:
        _paragraph(pdf, _("RPPS number %(number)s", number=text.rpps), 11, colour=GREY)
    pdf.ln(3)
    _paragraph(
        pdf,
        _(
            "attended %(edition)s on %(day)s, %(place)s, for %(duration)s.",
            edition=text.edition_name,
            day=text.day,
            place=text.place,
            duration=text.duration,
        ),
        12,
        gap=4,
    )
    if text.sessions:
        _paragraph(pdf, _("Sessions attended:"), 11, bold=True, gap=1)
        for session in text.sessions:
            _paragraph(pdf, f"• {session}", 10.5, gap=0.5)
        pdf.ln(3)
    if text.own_text:
        _paragraph(pdf, text.own_text, 11, gap=4)


def _signature(pdf, text: CertificateText, signature: bytes | None) -> None:
    top = max(pdf.get_y() + 6, A4_MM[1] - MARGIN_MM - QR_MM - 40)
    pdf.set_y(top)
    _paragraph(pdf, text.signed_on, 11, gap=2)
    if signature:
        _image(pdf, signature, MARGIN_MM, pdf.get_y(), SIGNATURE_BOX_MM)
        pdf.set_y(pdf.get_y() + SIGNATURE_BOX_MM[1] + 1)
    if text.signer_name:
        _paragraph(pdf, text.signer_name, 11, bold=True, gap=0.5)
    if text.signer_role:
        _paragraph(pdf, text.signer_role, 10, colour=GREY, gap=0.5)


def _verification(pdf, text: CertificateText) -> None:
    top = A4_MM[1] - MARGIN_MM - QR_MM
    left = A4_MM[0] - MARGIN_MM - QR_MM
    draw_qr(pdf, text.check_url, left, top, QR_MM)
    pdf.set_font(FONT_FAMILY, "", 9)
    pdf.set_text_color(*GREY)
    pdf.set_xy(MARGIN_MM + 70, top + 4)
    words = _(
        "Verification code: %(code)s. Anyone can check this certificate at %(url)s",
        code=text.code,
        url=text.check_url,
    )
    pdf.multi_cell(left - MARGIN_MM - 73, 4.5, printable(pdf, words), align="R")
