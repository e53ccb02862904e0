"""One place renders error pages: errors/<code>.html, or JSON for JSON clients."""

from __future__ import annotations

import contextlib

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from jinja2 import TemplateNotFound
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    SecurityError,
    ServiceUnavailable,
)

from eventday.extensions import db, login
from eventday.log_redaction import redact

# What the database driver raises when the database cannot do its part (unreachable,
# restarting, a file that cannot be opened, a lock not granted in time): the request
# may succeed a moment later, so it gets a 503, not a 500.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def _wants_json() -> bool:
    if request.path.endswith(".json") or request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood."),
        403: _("You are not allowed to see this page."),
        404: _("This page does not exist."),
        405: _("This action is not possible here."),
        413: _("What you sent is too large."),
        429: _("Too many requests: please wait a moment and try again."),
        500: _("Something went wrong on our side. Please try again in a moment."),
        503: _("The service is briefly unavailable. Please try again in a moment."),
    }


def render_error(error: HTTPException) -> tuple[Response | str, int]:
    if isinstance(error, InternalServerError) and isinstance(
        error.original_exception, DATABASE_UNAVAILABLE
    ):
        # Raised inside another error handler, so Flask made it a 500 (and logged it).
        return _unavailable()
    code = error.code or 500
    message = _messages().get(code, error.description or "")
    if _wants_json():
        return jsonify(error=code, message=message), code
    if isinstance(error, SecurityError):
        # A Host we do not serve (TRUSTED_HOSTS): no page can be built, its links need a host.
        return current_app.response_class(message, code, mimetype="text/plain"), code
    try:
        return render_template(f"errors/{code}.html", code=code, message=message), code
    except TemplateNotFound:
        return render_template("errors/error.html", code=code, message=message), code


def render_unexpected(error: Exception) -> tuple[Response | str, int]:
    """Any other exception: logged, the transaction rolled back, a short page without trace."""
    # A connection lost mid-transaction may fail its rollback too; the pool replaces it.
    with contextlib.suppress(SQLAlchemyError):
        db.session.rollback()
    if isinstance(error, DATABASE_UNAVAILABLE):
        current_app.logger.error(
            "database unavailable on %s %s: %s",
            request.method,
            redact(request.path),
            _reason(error),
        )
        return _unavailable()
    current_app.logger.exception("unexpected error on %s %s", request.method, redact(request.path))
    return render_error(InternalServerError())


def _unavailable() -> tuple[Response | str, int]:
    """The 503 page, for an anonymous reader: a signed-in organiser's account cannot be read
    now, and every page (through Flask-Login's current_user) would try to."""
    login._update_request_context_with_user()
    return render_error(ServiceUnavailable())


def _reason(error: OperationalError | InterfaceError) -> str:
    """The driver's first line, never the statement and its values (personal data)."""
    cause = error.orig if error.orig is not None else error
    return next(iter(str(cause).strip().splitlines()), type(cause).__name__)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(Exception, render_unexpected)
