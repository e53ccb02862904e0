"""One place renders error pages: errors/<code>.html, or JSON for JSON clients."""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from jinja2 import TemplateNotFound
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from eventday.extensions import db


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
    code = error.code or 500
    message = _messages().get(code, error.description or "")
    if _wants_json():
        return jsonify(error=code, message=message), code
    try:
        return render_template(f"errors/{code}.html", code=code, message=message), code
    except TemplateNotFound:
        return render_template("errors/error.html", code=code, message=message), code


def render_unexpected(error: Exception) -> tuple[Response | str, int]:
    """Any other exception: logged, the transaction rolled back, a short page without trace."""
    current_app.logger.exception("unexpected error on %s %s", request.method, request.path)
    db.session.rollback()
    if isinstance(error, OperationalError):
        return render_error(ServiceUnavailable())
    return render_error(InternalServerError())


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(Exception, render_unexpected)
