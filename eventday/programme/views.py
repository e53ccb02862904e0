"""The public face of the programme: the edition, the grid, each session, .ics and .json."""

from __future__ import annotations

import json
from collections.abc import Callable

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import get_locale
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from eventday.extensions import db
from eventday.programme import calendar
from eventday.programme.cache import programme_cache
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


def _cached(
    build: Callable[[Edition, ProgrammeFilter], bytes],
    content_type: str,
    *,
    per_language: bool = False,
    filename: str | None = None,
) -> Response:
    """Serve what `build` renders, from the worker's cache while the programme is unchanged."""
    cache = programme_cache()
    state = cache.state()
    if state is None:
        abort(404)
    filters = ProgrammeFilter.from_args(request.args) if request.args else NO_FILTER
    key = (
        state,
        request.endpoint,
        tuple(sorted((request.view_args or {}).items())),
        filters.key(),
        str(get_locale()) if per_language else None,
    )
    rendered = cache.get(key, lambda: build(db.session.get_one(Edition, state.edition_id), filters))
    if request.if_none_match.contains_weak(rendered.etag):
        response = current_app.response_class(status=304)
    else:
        response = current_app.response_class(rendered.body, content_type=content_type)
        if filename:
            response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        if not per_language:
            mark_replayable(request.environ, state)
    response.set_etag(rendered.etag)
    response.headers["Cache-Control"] = "no-cache"
    if per_language:
        response.vary.update(("Accept-Language", "Cookie"))
    return response


@bp.get("/")
def home() -> str:
    return render_template("programme/home.html", edition=current_edition())


@bp.get("/programme")
def index() -> Response:
    def build(edition: Edition, filters: ProgrammeFilter) -> bytes:
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

    return _cached(build, HTML_TYPE, per_language=True)


@bp.get("/programme/<int:session_id>")
def session(session_id: int) -> Response:
    def build(edition: Edition, filters: ProgrammeFilter) -> bytes:
        found = _session_or_404(edition, session_id)
        html = render_template("programme/session.html", edition=edition, session=found)
        return html.encode()

    return _cached(build, HTML_TYPE, per_language=True)


def _session_or_404(edition: Edition, session_id: int) -> Session:
    found = db.session.get(Session, session_id)
    if found is None or found.edition_id != edition.id:
        abort(404)
    return found


@bp.get("/programme/<int:session_id>.ics")
def session_calendar(session_id: int) -> Response:
    def build(edition: Edition, filters: ProgrammeFilter) -> bytes:
        found = _session_or_404(edition, session_id)
        return calendar.build_calendar(
            edition,
            [found],
            name=f"{edition.name} — {found.title}",
            base_url=public_base_url(),
            session_url=session_url,
        )

    return _cached(build, CALENDAR_TYPE, filename=f"session-{session_id}.ics")


@bp.get("/programme.ics")
def programme_calendar() -> Response:
    def build(edition: Edition, filters: ProgrammeFilter) -> bytes:
        return calendar.build_calendar(
            edition,
            filters.apply(programme_sessions(edition.id)),
            name=edition.name,
            base_url=public_base_url(),
            session_url=session_url,
        )

    return _cached(build, CALENDAR_TYPE, filename="programme.ics")


@bp.get("/programme.json")
def programme_json() -> Response:
    def build(edition: Edition, filters: ProgrammeFilter) -> bytes:
        document = calendar.programme_document(
            edition,
            edition.rooms,
            filters.apply(programme_sessions(edition.id)),
            session_url=session_url,
        )
        return json.dumps(document, ensure_ascii=False).encode()

    return _cached(build, JSON_TYPE)


@bp.get("/tracks.css")
def tracks_css() -> Response:
    """Each track's colour as a CSS class, so pages need no inline style."""

    def build(edition: Edition, filters: ProgrammeFilter) -> bytes:
        rules = (f".track-{t.id}{{--track-colour:{t.colour}}}" for t in edition.tracks)
        return "\n".join(rules).encode()

    return _cached(build, CSS_TYPE)


@bp.get("/programme/changes")
def changes() -> str:
    """What moved, was renamed or cancelled, newest first: attendees see what changed."""
    edition = edition_or_404()
    entries = db.session.scalars(
        select(ProgrammeChange)
        .where(ProgrammeChange.edition_id == edition.id)
        .options(joinedload(ProgrammeChange.session))
        .order_by(ProgrammeChange.changed_at.desc(), ProgrammeChange.id.desc())
        .limit(200)
    ).all()
    return render_template("programme/changes.html", edition=edition, entries=entries)
