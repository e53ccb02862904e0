"""Published editions under /editions/: last years' programmes stay readable and subscribable.

The same pages and calendars as the current edition's, read-only, registration closed. A
draft's slug is not found, so next year's programme stays private until it is published.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template

from eventday.editions.lifecycle import published_editions
from eventday.programme import views
from eventday.programme.models import published_edition_or_404

bp = Blueprint("archive", __name__, url_prefix="/editions")


@bp.get("/")
def editions() -> str:
    return render_template("programme/editions.html", editions=published_editions())


@bp.get("/<slug>/")
def home(slug: str) -> str:
    return render_template("programme/home.html", edition=published_edition_or_404(slug))


@bp.get("/<slug>/programme")
def index(slug: str) -> Response:
    edition = published_edition_or_404(slug)
    return views.cached(views.programme_page, views.HTML_TYPE, edition=edition, per_language=True)


@bp.get("/<slug>/programme/changes")
def changes(slug: str) -> str:
    return views.changes_page(published_edition_or_404(slug))


@bp.get("/<slug>/programme/<int:session_id>")
def session(slug: str, session_id: int) -> Response:
    edition = published_edition_or_404(slug)
    build = views.session_page(session_id)
    return views.cached(build, views.HTML_TYPE, edition=edition, per_language=True)


@bp.get("/<slug>/programme/<int:session_id>.ics")
def session_calendar(slug: str, session_id: int) -> Response:
    edition = published_edition_or_404(slug)
    return views.cached(
        views.session_ics(session_id),
        views.CALENDAR_TYPE,
        edition=edition,
        filename=f"session-{session_id}.ics",
    )


@bp.get("/<slug>/programme.ics")
def programme_calendar(slug: str) -> Response:
    edition = published_edition_or_404(slug)
    return views.cached(
        views.programme_ics, views.CALENDAR_TYPE, edition=edition, filename=f"{slug}.ics"
    )


@bp.get("/<slug>/programme.json")
def programme_json(slug: str) -> Response:
    edition = published_edition_or_404(slug)
    return views.cached(views.programme_data, views.JSON_TYPE, edition=edition)


@bp.get("/<slug>/tracks.css")
def tracks_css(slug: str) -> Response:
    edition = published_edition_or_404(slug)
    return views.cached(views.tracks_stylesheet, views.CSS_TYPE, edition=edition)
