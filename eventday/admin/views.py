"""Organiser pages: sign in and out, the dashboard, the check-in desk."""

from __future__ import annotations

import time

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
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user, login_user, logout_user

from eventday import privacy
from eventday.admin import accounts, audit, stats
from eventday.admin import checkin as checkin_desk
from eventday.admin.accounts import EVERYONE, ORGANISERS, roles_required
from eventday.admin.common import edition_or_404, organiser_blueprint
from eventday.admin.forms import LoginForm, PostForm
from eventday.admin.models import Role
from eventday.extensions import limiter
from eventday.programme.models import current_edition
from eventday.registration.models import RegistrationStatus, StakeholderType
from eventday.urls import database_id

bp = organiser_blueprint("admin", "/admin")

# Failed sign-ins only: a few per minute per account, more per address (a shared hospital NAT).
ACCOUNT_LIMIT = "5 per minute"
ADDRESS_LIMIT = "20 per minute"


def _failed(response: Response) -> bool:
    return response.status_code == 401


def _account_key() -> str:
    return "login:" + (request.form.get("email") or "").strip().lower()[:254]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(ACCOUNT_LIMIT, key_func=_account_key, methods=["POST"], deduct_when=_failed)
@limiter.limit(ADDRESS_LIMIT, methods=["POST"], deduct_when=_failed)
def login() -> Response | str | tuple[str, int]:
    form = LoginForm()
    next_page = accounts.safe_next(request.args.get("next"))
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            default = "admin.checkin" if user.role == Role.CHECKIN else "admin.dashboard"
            return redirect(next_page or url_for(default), code=303)
        form.form_errors.append(_("Wrong e-mail address or password."))
        return render_template("admin/login.html", form=form), 401
    status = 422 if request.method == "POST" else 200
    return render_template("admin/login.html", form=form), status


@bp.errorhandler(RateLimitExceeded)
def too_many_attempts(error: RateLimitExceeded) -> tuple[str, int]:
    limit = limiter.current_limit
    wait = max(1, int(limit.reset_at - time.time())) if limit else 60
    form = LoginForm()
    form.form_errors.append(
        _("Too many failed attempts. Please try again in %(seconds)d s.", seconds=wait)
    )
    return render_template("admin/login.html", form=form), 429


@bp.post("/logout")
def logout() -> Response:
    form = PostForm()
    if not form.validate_on_submit():
        abort(400)
    logout_user()
    return redirect(url_for("admin.login"), code=303)


@bp.get("/")
@roles_required(*ORGANISERS)
def dashboard() -> str:
    edition = current_edition()
    return render_template(
        "admin/dashboard.html",
        edition=edition,
        overview=stats.overview(edition) if edition else None,
        latest=audit.entries(edition.id, limit=10) if edition else [],
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
    edition = edition_or_404()
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
    edition = edition_or_404()
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
    edition = edition_or_404()
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        checkin_desk.undo(edition.id, registration_id, current_user.id)
    except LookupError:
        abort(404)
    flash(_("Check-in undone."))
    return redirect(url_for("admin.checkin", desk=request.form.get("desk", "")), code=303)
