"""Organiser pages: the dashboard, the check-in desk."""

from __future__ import annotations

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

from eventday import checkin as checkin_desk
from eventday import privacy
from eventday.accounts.access import (
    EVERYONE,
    ORGANISERS,
    organiser_blueprint,
    roles_required,
    working_edition,
)
from eventday.admin import charts, history, stats
from eventday.forms import PostForm

# The desk admits people to the current edition, whichever one the organiser works on.
from eventday.programme.models import edition_or_404 as current_edition_or_404
from eventday.registration.models import RegistrationStatus, StakeholderType
from eventday.urls import database_id

bp = organiser_blueprint("admin", "/admin")


@bp.get("/")
@roles_required(*ORGANISERS)
def dashboard() -> str:
    edition = working_edition()
    overview = stats.overview(edition) if edition else None
    return render_template(
        "admin/dashboard.html",
        edition=edition,
        overview=overview,
        chart=charts.per_day(overview.per_day) if overview else None,
        latest=history.lines(edition, limit=10) if edition else [],
        erase_by=privacy.retention_ends(edition) if edition else None,
        types=list(StakeholderType),
        statuses=list(RegistrationStatus),
        logout_form=PostForm(),
        user=current_user,
    )


@bp.route("/checkin", methods=["GET", "POST"])
@roles_required(*EVERYONE)
def checkin() -> str:
    """The desk: a field a handheld scanner types into, a camera reader, search by name.

    Without JavaScript the field's form posts here and the answer is shown on the page.
    """
    edition = current_edition_or_404()
    desk = (request.values.get("desk") or "").strip()[: checkin_desk.MAX_DESK]
    answer = None
    form = PostForm()
    if request.method == "POST" and form.validate_on_submit():
        code = request.form.get("code", "")
        registration_id = request.form.get("registration", type=database_id)
        if registration_id is not None:
            code = checkin_desk.code_of(edition.id, registration_id) or ""
        answer = checkin_desk.scan(
            edition.id, checkin_desk.Scan(code, desk, request.form.get("nonce")), current_user.id
        )
    query = (request.args.get("q") or "").strip()[:100]
    arrived, confirmed = checkin_desk.counts(edition.id)
    return render_template(
        "admin/checkin.html",
        edition=edition,
        desk=desk,
        answer=answer,
        query=query,
        found=checkin_desk.search(edition.id, query) if query else [],
        arrived=arrived,
        confirmed=confirmed,
        form=form,
    )


@bp.post("/checkin/scan")
@roles_required(*EVERYONE)
def scan() -> tuple[Response, int] | Response:
    edition = current_edition_or_404()
    try:
        payload = request.get_json(silent=True)
    except RecursionError:  # "[[[[…" nested deeper than the parser goes: not a scan either
        payload = None
    if not isinstance(payload, dict) or not isinstance(payload.get("code", ""), str):
        return jsonify(error=400, message=_("The request could not be understood.")), 400
    desk, nonce = payload.get("desk"), payload.get("nonce")
    answer = checkin_desk.scan(
        edition.id,
        checkin_desk.Scan(
            payload.get("code", ""),
            desk if isinstance(desk, str) else "",
            nonce if isinstance(nonce, str) else None,
        ),
        current_user.id,
    )
    return jsonify(answer)


@bp.post("/checkin/<int:registration_id>/undo")
@roles_required(*EVERYONE)
def undo_checkin(registration_id: int) -> Response:
    """Take back a check-in: the button beside the desk's answer, or beside a name found.

    The desk's script asks for JSON and gets the new count; a form gets the desk again.
    """
    edition = current_edition_or_404()
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        checkin_desk.undo(edition.id, registration_id, current_user.id)
    except LookupError:
        abort(404)
    message = _("Check-in undone.")
    if request.accept_mimetypes.best == "application/json":
        arrived, _confirmed = checkin_desk.counts(edition.id)
        return jsonify(result="undone", message=message, arrived=arrived)
    flash(message)
    return redirect(url_for("admin.checkin", desk=request.form.get("desk", "")), code=303)
