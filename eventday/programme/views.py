"""The public face of the programme: the edition, the grid, each session, .ics and .json."""

from __future__ import annotations

import json
from collections.abc import Callable

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import get_locale
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from eventday.abstracts import placement
from eventday.extensions import db
from eventday.i18n import localised, requested_language
from eventday.programme import calendar
from eventday.programme.cache import ProgrammeState, programme_cache
from eventday.programme.fastpath import mark_replayable
from eventday.programme.filters import NO_FILTER, ProgrammeFilter
from eventday.programme.grid import build_grid
from eventday.programme.labels import KIND_LABELS
from eventday.programme.models import (
    Edition,
    ProgrammeChange,
    Session,
    current_edition,
    edition_or_404,
    programme_sessions,
)
from eventday.urls import public_base_url, session_url

bp = Blueprint("programme", __name__)

CALENDAR_TYPE = "text/calendar; charset=utf-8"
JSON_TYPE = "application/json"
HTML_TYPE = "text/html; charset=utf-8"
CSS_TYPE = "text/css; charset=utf-8"


def cached(
    build: Callable[[Edition, ProgrammeFilter], bytes],
    content_type: str,
    *,
    edition: Edition | None = None,
    per_language: bool = False,
    filename: str | None = None,
) -> Response:
    """Serve what `build` renders, from the worker's cache while the programme is unchanged.

    Without `edition`, the current one's (its state checked at most once a
    PROGRAMME_CACHE_SECONDS); with one, that published edition's, by its own version.
    """
    if edition is None:
        state = programme_cache().state()
        if state is None:
            abort(404)
    else:
        state = ProgrammeState(edition.id, edition.programme_version)
    filters = ProgrammeFilter.from_args(request.args) if request.args else NO_FILTER
    key = (
        state,
        request.endpoint,
        tuple(sorted((request.view_args or {}).items())),
        filters.key(),
        str(get_locale()) if per_language else feed_language(),
    )
    rendered = programme_cache().get(
        key, lambda: build(edition or db.session.get_one(Edition, state.edition_id), filters)
    )
    if request.if_none_match.contains_weak(rendered.etag):
        response = current_app.response_class(status=304)
    else:
        response = current_app.response_class(rendered.body, content_type=content_type)
        if filename:
            response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        if not per_language and edition is None:
            mark_replayable(request.environ, state)
    response.set_etag(rendered.etag)
    response.headers["Cache-Control"] = "no-cache"
    if per_language:
        response.vary.update(("Accept-Language", "Cookie"))
    return response


# What each programme address renders, for the current edition (the routes below) and for a
# published one under /editions/<slug>/ (archive_views.py).


def programme_page(edition: Edition, filters: ProgrammeFilter) -> bytes:
    every = programme_sessions(edition.id)
    chosen = filters.apply(every)
    html = render_template(
        "programme/index.html",
        edition=edition,
        sessions=chosen,
        days=build_grid(chosen, edition.zone),
        filters=filters,
        tracks=edition.tracks,
        rooms=edition.rooms,
        kinds=[k for k in KIND_LABELS if any(s.kind == k for s in every)],
    )
    return html.encode()


def session_page(session_id: int) -> Callable[[Edition, ProgrammeFilter], bytes]:
    def build(edition: Edition, filters: ProgrammeFilter) -> bytes:
        found = _session_or_404(edition, session_id)
        html = render_template(
            "programme/session.html",
            edition=edition,
            session=found,
            posters=placement.session_posters(found),
            talk=placement.talk_abstracts(edition.id).get(found.id),
        )
        return html.encode()

    return build


def _session_or_404(edition: Edition, session_id: int) -> Session:
    found = db.session.get(Session, session_id)
    if found is None or found.edition_id != edition.id:
        abort(404)
    return found


def feed_language() -> str:
    """A calendar's or a feed's language: ?lang= (programs send no useful Accept-Language,
    and one subscribed URL must always give the same words), French by default."""
    return requested_language() or current_app.config["BABEL_DEFAULT_LOCALE"]


def session_ics(session_id: int) -> Callable[[Edition, ProgrammeFilter], bytes]:
    def build(edition: Edition, filters: ProgrammeFilter) -> bytes:
        found = _session_or_404(edition, session_id)
        language = feed_language()
        return calendar.build_calendar(
            edition,
            [found],
            name=f"{localised(edition, 'name', language)} — {localised(found, 'title', language)}",
            base_url=public_base_url(),
            session_url=session_url,
            language=language,
        )

    return build


def programme_ics(edition: Edition, filters: ProgrammeFilter) -> bytes:
    language = feed_language()
    return calendar.build_calendar(
        edition,
        filters.apply(programme_sessions(edition.id)),
        name=localised(edition, "name", language),
        base_url=public_base_url(),
        session_url=session_url,
        language=language,
    )


def programme_data(edition: Edition, filters: ProgrammeFilter) -> bytes:
    document = calendar.programme_document(
        edition,
        edition.rooms,
        filters.apply(programme_sessions(edition.id)),
        session_url=session_url,
        language=feed_language(),
    )
    placement.add_to_programme_document(edition, document, feed_language())
    return json.dumps(document, ensure_ascii=False).encode()


def tracks_stylesheet(edition: Edition, filters: ProgrammeFilter) -> bytes:
    """Each track's colour as a CSS class, so pages need no inline style."""
    rules = (f".track-{t.id}{{--track-colour:{t.colour}}}" for t in edition.tracks)
    return "\n".join(rules).encode()


@bp.get("/")
def home() -> str:
    return render_template("programme/home.html", edition=current_edition())


@bp.get("/programme")
def index() -> Response:
    return cached(programme_page, HTML_TYPE, per_language=True)


@bp.get("/programme/<int:session_id>")
def session(session_id: int) -> Response:
    return cached(session_page(session_id), HTML_TYPE, per_language=True)


@bp.get("/programme/<int:session_id>.ics")
def session_calendar(session_id: int) -> Response:
    return cached(session_ics(session_id), CALENDAR_TYPE, filename=f"session-{session_id}.ics")


@bp.get("/programme.ics")
def programme_calendar() -> Response:
    return cached(programme_ics, CALENDAR_TYPE, filename="programme.ics")


@bp.get("/programme.json")
def programme_json() -> Response:
    return cached(programme_data, JSON_TYPE)


@bp.get("/tracks.css")
def tracks_css() -> Response:
    return cached(tracks_stylesheet, CSS_TYPE)


@bp.get("/programme/changes")
def changes() -> str:
    return changes_page(edition_or_404())


def changes_page(edition: Edition) -> str:
    """What moved, was renamed or cancelled, newest first: attendees see what changed."""
    entries = db.session.scalars(
        select(ProgrammeChange)
        .where(ProgrammeChange.edition_id == edition.id)
        .options(joinedload(ProgrammeChange.session))
        .order_by(ProgrammeChange.changed_at.desc(), ProgrammeChange.id.desc())
        .limit(200)
    ).all()
    return render_template("programme/changes.html", edition=edition, entries=entries)
