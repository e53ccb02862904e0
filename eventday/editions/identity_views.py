"""The organisers' face on public pages: its images' addresses, and what templates ask of it.

An image's address holds the digest of its bytes (like static files' `?v=`), so it is kept
for a year: a new logo gets a new address, and an old address is not found.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, url_for

from eventday.assets import ONE_YEAR
from eventday.editions import identity

bp = Blueprint("identity", __name__, url_prefix="/identity")


def _image(kind: str, owner_id: int, digest: str) -> Response:
    data = identity.published_image(kind, owner_id, digest)
    if data is None:
        abort(404)
    response = current_app.response_class(data, mimetype="image/png")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = f'inline; filename="{kind}.png"'
    response.cache_control.public = True
    response.cache_control.max_age = ONE_YEAR
    response.cache_control.immutable = True
    return response


@bp.get("/<int:edition_id>/logo.<string(length=12):digest>.png")
def logo(edition_id: int, digest: str) -> Response:
    return _image("logo", edition_id, digest)


@bp.get("/<int:edition_id>/favicon.<string(length=12):digest>.png")
def favicon(edition_id: int, digest: str) -> Response:
    return _image("favicon", edition_id, digest)


@bp.get("/sponsors/<int:sponsor_id>/logo.<string(length=12):digest>.png")
def sponsor_logo(sponsor_id: int, digest: str) -> Response:
    return _image("sponsor", sponsor_id, digest)


@bp.app_template_global()
def site_icon_url() -> str | None:
    """The current edition's site icon, for every page's head (None: the browser's default)."""
    found = identity.current_favicon()
    if found is None:
        return None
    return url_for("identity.favicon", edition_id=found[0], digest=found[1])


bp.add_app_template_global(identity.public_face, "public_face")
bp.add_app_template_global(identity.identity_of, "identity_of")
