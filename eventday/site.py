"""Pages that belong to no feature: the privacy notice, the health check."""

from flask import Blueprint, Response, current_app, render_template
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from eventday.editions.identity import published_identity
from eventday.extensions import db
from eventday.programme.models import current_edition

bp = Blueprint("site", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        current_app.logger.warning("health check: the database does not answer")
        db.session.rollback()
        return Response("database unavailable\n", status=503, mimetype="text/plain")
    return Response("ok\n", mimetype="text/plain")


@bp.get("/privacy")
def privacy() -> str:
    """The notice, naming the current edition's data controller when organisers gave one."""
    return render_template("site/privacy.html", identity=published_identity(current_edition()))
