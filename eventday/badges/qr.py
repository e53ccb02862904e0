"""The attendee's QR code: its modules, and the same modules as an accessible inline SVG.

Error correction M and the smallest version that fits. The codes we encode are
uppercase letters, digits and '-', which qrcode packs in alphanumeric mode.
The matrix includes the 4-module light quiet zone a scanner needs, so every
drawing of it (SVG here, one filled path in the badge PDF) keeps that margin white.

Every code uses mask pattern 3, not the one of the eight that qrcode scores
best: scoring tries all eight, nearly two thirds of the time a thousand badges
took. A scanner reads any mask (the code says which one it uses); the scores
only steer away from large blocks and finder-like runs, and on codes of our
shape (a random MAC) masks 0 to 3 score alike on average, 3 among the lowest,
the best of the eight about 80 penalty points better out of some 650.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

import qrcode
import qrcode.constants

QUIET_ZONE = 4
MASK_PATTERN = 3


def qr_matrix(data: str) -> list[list[bool]]:
    """The QR code of `data` as rows of modules (True = dark), quiet zone included."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=QUIET_ZONE,
        mask_pattern=MASK_PATTERN,
    )
    code.add_data(data)
    code.make(fit=True)
    return [[bool(module) for module in row] for row in code.get_matrix()]


def dark_runs(row: list[bool]) -> list[tuple[int, int]]:
    """The runs of dark modules in one row, as (first column, length)."""
    runs: list[tuple[int, int]] = []
    start = None
    for column, dark in enumerate([*row, False]):
        if dark and start is None:
            start = column
        elif not dark and start is not None:
            runs.append((start, column - start))
            start = None
    return runs


def qr_svg(data: str, title: str) -> str:
    """The QR code of `data` as a standalone SVG, sized by CSS, its accessible name `title`.

    One path draws every dark module (a rectangle per horizontal run), on a white
    square the size of the whole code; the viewBox counts modules.
    """
    matrix = qr_matrix(data)
    size = len(matrix)
    path = "".join(
        f"M{column} {row}h{length}v1h-{length}z"
        for row, modules in enumerate(matrix)
        for column, length in dark_runs(modules)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {size} {size}"'
        ' shape-rendering="crispEdges">'
        f"<title>{escape(title)}</title>"
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{path}"/>'
        "</svg>"
    )
