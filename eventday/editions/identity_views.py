"""The organisers' face on public pages: its images' addresses, and what templates ask of it.

An image's address holds the digest of its bytes (like static files' `?v=`), so it is kept
for a year: a new logo gets a new address, and an old address is not found.
"""

from __future__ import annotations

import contextlib

from flask import Blueprint, Response, abort, current_app, url_for
from sqlalchemy.exc import SQLAlchemyError

from eventday.assets import ONE_YEAR
from eventday.editions import identity
from eventday.extensions import db
from eventday.programme.cache import programme_cache

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
    """The current edition's site icon, for every page's head (None: the browser's default).

    Kept with the worker's programme cache, which saving the identity refreshes: most pages
    cost no query. Error pages are built while the database may be away: no icon then.
    """
    cache = programme_cache()
    try:
        state = cache.state()
        if state is None:
            return None
        path = cache.get((state, "site_icon"), lambda: _icon_path(state.edition_id).encode())
    except SQLAlchemyError:
        with contextlib.suppress(SQLAlchemyError):
            db.session.rollback()
        return None
    return path.body.decode() or None


def _icon_path(edition_id: int) -> str:
    found = identity.identity_of(edition_id)
    if found is None or not found.favicon_digest:
        return ""
    return url_for("identity.favicon", edition_id=edition_id, digest=found.favicon_digest)


bp.add_app_template_global(identity.public_face, "public_face")
bp.add_app_template_global(identity.identity_of, "identity_of")
