"""Uploaded images (logos, site icons) checked by decoding them, and drawn again as clean PNGs.

Nothing an organiser uploads is ever served or printed as it was sent. The bytes must
start as a PNG, a JPEG or a WebP file does and decode as one with Pillow, limited to
those three decoders (an SVG, an HTML page named logo.png, a PDF are refused before any
decoder runs); their size in bytes and in pixels is checked before the pixels are
decoded, so a small file that unpacks to a huge picture is refused unread. The first
frame's pixels are then copied into a new image, with the photo's orientation applied,
and encoded as PNG: text chunks, EXIF, ICC profiles, comments, extra frames and bytes
after the end of the image (where a `<script>` or an HTML page hides in a polyglot)
stay behind, because only pixels are copied.
"""

from __future__ import annotations

import base64
import hashlib
import io
import warnings

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

# Under MAX_CONTENT_LENGTH (1 MB) with room for the rest of the form.
MAX_BYTES = 900 * 1024
MAX_SIDE = 4096
# What each use keeps: enough for a badge printed at 300 dpi, a sponsors' row, a tab's icon.
LOGO_SIDE = 600
SPONSOR_SIDE = 400
ICON_SIDE = 64

SIGNATURES = {
    "PNG": (b"\x89PNG\r\n\x1a\n",),
    "JPEG": (b"\xff\xd8\xff",),
    "WEBP": (b"RIFF",),
}


class ImageRefused(ValueError):
    """An upload that is not an image we accept; the message says why, for people."""


def too_large() -> str:
    return _("This file is too large: at most %(size)d KB, please.", size=MAX_BYTES // 1024)


def image_format(data: bytes) -> str | None:
    """PNG, JPEG or WEBP from the file's first bytes (its signature), else None."""
    if data.startswith(SIGNATURES["PNG"]):
        return "PNG"
    if data.startswith(SIGNATURES["JPEG"]):
        return "JPEG"
    if data.startswith(SIGNATURES["WEBP"]) and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def clean_image(data: bytes, side: int, *, square: bool = False) -> bytes:
    """`data` decoded, at most `side` pixels wide and high, encoded again as a bare PNG.

    `square`: centred on a transparent square of `side` (a site icon). Raises ImageRefused
    with a message for the organiser when `data` is not a PNG, JPEG or WebP image within
    the limits.
    """
    if len(data) > MAX_BYTES:
        raise ImageRefused(too_large())
    found = image_format(data)
    if found is None:
        raise ImageRefused(_("This file is not a PNG, JPEG or WebP image."))
    try:
        with warnings.catch_warnings():
            # A picture past Pillow's pixel limit is a decompression bomb, never a logo.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[found]) as picture:
                if max(picture.size) > MAX_SIDE:
                    raise ImageRefused(
                        _(
                            "This image is %(width)d × %(height)d pixels: at most %(side)d on "
                            "each side, please.",
                            width=picture.size[0],
                            height=picture.size[1],
                            side=MAX_SIDE,
                        )
                    )
                picture.load()
                upright = ImageOps.exif_transpose(picture)
                pixels = _bare_copy(upright)
    except ImageRefused:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, UnidentifiedImageError) as error:
        # Pillow's decoders report a damaged or disguised file with any of these.
        raise ImageRefused(_("This file could not be read as an image.")) from error
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageRefused(_("This image has too many pixels.")) from error
    pixels.thumbnail((side, side), Image.Resampling.LANCZOS)
    if square:
        canvas = Image.new("RGBA", (side, side))
        canvas.paste(pixels, ((side - pixels.width) // 2, (side - pixels.height) // 2))
        pixels = canvas
    out = io.BytesIO()
    pixels.save(out, "PNG", optimize=True)
    return out.getvalue()


def _bare_copy(picture: Image.Image) -> Image.Image:
    """The pixels alone, in RGB or RGBA, in a new image that holds no metadata."""
    transparent = picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
    mode = "RGBA" if transparent else "RGB"
    converted = picture.convert(mode)
    bare = Image.new(mode, converted.size)
    bare.paste(converted)
    return bare


def digest(png: bytes) -> str:
    """The first 12 hex digits of the image's SHA-256: its addresses change when it does."""
    return hashlib.sha256(png).hexdigest()[:12]


def data_uri(png: bytes | None) -> str | None:
    """The image inline, for the organisers' own preview (a draft's images have no address)."""
    return f"data:image/png;base64,{base64.b64encode(png).decode()}" if png else None
