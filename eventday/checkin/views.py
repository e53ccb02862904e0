"""The check-in desk's pages and endpoints, under /admin/checkin.

The desk is a small installable app: its page, its script, a service worker
that keeps them for when the network is gone, and a manifest. The door always
admits to the current edition, whichever one an organiser works on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from flask import (
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from eventday.accounts.access import EVERYONE, ORGANISERS, organiser_blueprint, roles_required
from eventday.checkin import attendance, desk, lookup, roster
from eventday.checkin.models import MAX_DESK
from eventday.extensions import db
from eventday.forms import PostForm
from eventday.programme.models import Session
from eventday.programme.models import edition_or_404 as current_edition_or_404
from eventday.urls import MAX_ID, database_id

bp = organiser_blueprint("checkin", "/admin/checkin")

# What the service worker keeps for the desk to open without the network (besides the page).
SHELL_FILES = ("css/eventday.css", "js/checkin.js", "js/desk-offline.js", "vendor/jsQR.js")
ICONS = (("icons/desk-192.png", "192x192"), ("icons/desk-512.png", "512x512"))


def _may_override() -> bool:
    return current_user.role in ORGANISERS


@bp.route("", methods=["GET", "POST"])
@roles_required(*EVERYONE)
def page() -> str:
    """The desk: a field a handheld scanner types into, a camera reader, search by name;
    at a session's door (`?session=`) it records attendance at that session.

    Without JavaScript the field's form posts here and the answer is shown on the page.
    """
    edition = current_edition_or_404()
    desk_name = (request.values.get("desk") or "").strip()[:MAX_DESK]
    sessions = roster.door_sessions(edition.id)
    chosen = request.values.get("session", type=database_id)
    session = next((s for s in sessions if s["id"] == chosen), None)
    answer = None
    form = PostForm()
    if request.method == "POST" and form.validate_on_submit():
        code = request.form.get("code", "")
        registration_id = request.form.get("registration", type=database_id)
        if registration_id is not None:
            code = lookup.code_of(edition.id, registration_id) or ""
        scan = desk.Scan(
            code,
            desk_name,
            request.form.get("nonce"),
            session_id=session["id"] if session else None,
            override=request.form.get("override") == "y",
        )
        answer = desk.scan(edition.id, scan, current_user.id, _may_override())
    query = (request.args.get("q") or "").strip()[:100]
    arrived, confirmed = lookup.counts(edition.id)
    return render_template(
        "checkin/desk.html",
        edition=edition,
        desk=desk_name,
        sessions=sessions,
        session=session,
        may_override=_may_override(),
        answer=answer,
        query=query,
        found=lookup.search(edition.id, query) if query else [],
        arrived=arrived,
        confirmed=confirmed,
        form=form,
    )


def _json_body() -> Any:
    try:
        return request.get_json(silent=True)
    except RecursionError:  # "[[[[…" nested deeper than the parser goes: not a scan either
        return None


def _not_understood() -> tuple[Response, int]:
    return jsonify(error=400, message=_("The request could not be understood.")), 400


def _scan_of(item: Any, desk_name: str) -> desk.Scan:
    """One scan as sent (JSON); anything that is not one becomes a scan of no code (invalid)."""
    if not isinstance(item, dict):
        return desk.Scan("", desk_name)
    code, nonce, at, session, override = (
        item.get(k) for k in ("code", "nonce", "at", "session", "override")
    )
    return desk.Scan(
        code if isinstance(code, str) else "",
        desk_name,
        nonce if isinstance(nonce, str) else None,
        _moment(at),
        _session_id(session),
        override is True,
    )


def _session_id(value: Any) -> int | None:
    """A session's id as sent in JSON; anything else (a text, a bool, beyond any id) None."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= MAX_ID:
        return None
    return value


def _moment(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
        return moment.astimezone(dt.UTC) if moment.tzinfo else moment
    except (ValueError, OverflowError):  # year 1 seen from UTC+5 is before any date
        return None


def _desk_name(payload: dict) -> str:
    name = payload.get("desk")
    return name if isinstance(name, str) else ""


@bp.post("/scan")
@roles_required(*EVERYONE)
def scan() -> tuple[Response, int] | Response:
    edition = current_edition_or_404()
    payload = _json_body()
    if not isinstance(payload, dict) or not isinstance(payload.get("code", ""), str):
        return _not_understood()
    scanned = _scan_of(payload, _desk_name(payload))
    return jsonify(desk.scan(edition.id, scanned, current_user.id, _may_override()))


@bp.post("/sync")
@roles_required(*EVERYONE)
def sync() -> tuple[Response, int] | Response:
    """An offline desk's queue, in the order it scanned: one answer per scan."""
    edition = current_edition_or_404()
    payload = _json_body()
    if not isinstance(payload, dict) or not isinstance(payload.get("scans"), list):
        return _not_understood()
    if len(payload["scans"]) > desk.MAX_SYNC:
        message = _("Send at most %(count)d scans at once.", count=desk.MAX_SYNC)
        return jsonify(error=400, message=message), 400
    name = _desk_name(payload)
    scans = [_scan_of(item, name) for item in payload["scans"]]
    answers = desk.scan_all(edition.id, scans, current_user.id, _may_override())
    return jsonify(answers=answers)


@bp.get("/roster.json")
@roles_required(*EVERYONE)
def roster_json() -> Response:
    """What a desk keeps to decide on its own; 304 when the desk's copy is still right.

    A fresh CSRF token rides along in a header: a desk that stayed open for hours
    offline has an expired one in its page.
    """
    edition = current_edition_or_404()
    body, etag = roster.roster_json(edition.id)
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = Response(body, mimetype="application/json")
    response.set_etag(etag)
    response.headers["X-CSRFToken"] = generate_csrf()
    return response


@bp.post("/<int:registration_id>/undo")
@roles_required(*EVERYONE)
def undo(registration_id: int) -> Response:
    """Take back a check-in: the button beside the desk's answer, or beside a name found.

    The desk's script asks for JSON and gets the new count; a form gets the desk again.
    """
    edition = current_edition_or_404()
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        lookup.undo(edition.id, registration_id, current_user.id)
    except LookupError:
        abort(404)
    message = _("Check-in undone.")
    if request.accept_mimetypes.best == "application/json":
        arrived, _confirmed = lookup.counts(edition.id)
        return jsonify(result="undone", message=message, arrived=arrived)
    flash(message)
    return redirect(url_for("checkin.page", desk=request.form.get("desk", "")), code=303)


@bp.get("/sessions/<int:session_id>")
@roles_required(*ORGANISERS)
def session_attendees(session_id: int) -> str:
    """Who came to one session (from the dashboard's table)."""
    edition = current_edition_or_404()
    session = db.session.get(Session, session_id)
    if session is None or session.edition_id != edition.id:
        abort(404)
    return render_template(
        "checkin/session.html",
        edition=edition,
        session=session,
        attendees=attendance.attendees(session.id),
    )


@bp.get("/sw.js")
@roles_required(*EVERYONE)
def service_worker() -> Response:
    """The desk's service worker: its cache's name changes whenever a file it keeps does."""
    shell = [url_for("checkin.page"), url_for("checkin.manifest")]
    shell += [url_for("static", filename=name) for name in SHELL_FILES]
    shell += [url_for("static", filename=name) for name, _size in ICONS]
    version = hashlib.sha256(json.dumps(shell).encode()).hexdigest()[:12]
    script = render_template(
        "checkin/sw.js",
        version=version,
        shell=shell,
        page=url_for("checkin.page"),
        scope=url_for("checkin.page"),
    )
    response = Response(script, mimetype="text/javascript")
    # The worker lives at /admin/checkin/sw.js but must also answer for the page itself,
    # /admin/checkin, which is outside the folder its address would allow.
    response.headers["Service-Worker-Allowed"] = url_for("checkin.page")
    return response


@bp.get("/manifest.webmanifest")
@roles_required(*EVERYONE)
def manifest() -> Response:
    body = {
        "name": _("Check-in desk"),
        "short_name": _("Desk"),
        "start_url": url_for("checkin.page"),
        "scope": url_for("checkin.page"),
        "id": url_for("checkin.page"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1a4d80",
        "icons": [
            {"src": url_for("static", filename=name), "sizes": size, "type": "image/png"}
            for name, size in ICONS
        ],
    }
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")
