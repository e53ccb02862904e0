"""Speakers' photos for the session pages: the re-encoded PNG, at an address holding its digest."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app

from eventday.assets import ONE_YEAR
from eventday.extensions import db
from eventday.programme.models import Speaker

bp = Blueprint("speaker_photos", __name__)


@bp.get("/speakers/<int:speaker_id>/photo.<string(length=12):digest>.png")
def photo(speaker_id: int, digest: str) -> Response:
    """The photo while it is the speaker's; a draft edition's speakers are not public."""
    speaker = db.session.get(Speaker, speaker_id)
    if (
        speaker is None
        or not speaker.photo
        or speaker.photo_digest != digest
        or not speaker.edition.is_published
    ):
        abort(404)
    response = current_app.response_class(speaker.photo, mimetype="image/png")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = 'inline; filename="speaker.png"'
    # A new photo gets a new address: this one never changes.
    response.cache_control.public = True
    response.cache_control.max_age = ONE_YEAR
    response.cache_control.immutable = True
    return response
