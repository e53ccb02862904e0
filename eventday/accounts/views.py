"""Organisers signing in and out, and changing their own password."""

from __future__ import annotations

import time

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_login import current_user

from eventday.accounts import rules, sessions
from eventday.accounts.access import organiser_blueprint, roles_required, safe_next
from eventday.accounts.forms import LoginForm, PasswordForm
from eventday.accounts.models import Role
from eventday.extensions import limiter
from eventday.forms import PostForm, show_refusal

bp = organiser_blueprint("accounts", "/admin")

# Failed sign-ins only. From one address, a few a minute for one account and a few dozen
# an hour (so one address alone never reaches the account's ceiling); 20 a minute for all
# accounts together (a shared hospital NAT); for the account from everywhere, a ceiling
# that bounds a guess spread over many addresses. Its owner, signing in from elsewhere,
# is only locked out by many addresses at once, never by one.
PAIR_LIMIT = "5 per minute;20 per hour"
ADDRESS_LIMIT = "20 per minute"
ACCOUNT_LIMIT = "100 per hour"


def _failed(response: Response) -> bool:
    return response.status_code == 401


def _account() -> str:
    return (request.form.get("email") or "").strip().lower()[:254]


def _account_key() -> str:
    return "login-account:" + _account()


def _pair_key() -> str:
    # An address holds no space: the first one ends it, whatever the typed account holds.
    return f"login-pair:{get_remote_address()} {_account()}"


# Where each role lands after signing in.
LANDING = {Role.CHECKIN: "checkin.page", Role.REVIEWER: "abstracts_review.index"}


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(PAIR_LIMIT, key_func=_pair_key, methods=["POST"], deduct_when=_failed)
@limiter.limit(ADDRESS_LIMIT, methods=["POST"], deduct_when=_failed)
@limiter.limit(ACCOUNT_LIMIT, key_func=_account_key, methods=["POST"], deduct_when=_failed)
def login() -> Response | tuple[str, int]:
    form = LoginForm()
    next_page = safe_next(request.args.get("next"))
    if form.validate_on_submit():
        user = rules.authenticate(form.email.data, form.password.data)
        if user is not None:
            sessions.sign_in(user)
            default = LANDING.get(user.role, "admin.dashboard")
            return redirect(next_page or url_for(default), code=303)
        form.form_errors.append(_("Wrong e-mail address or password."))
        return render_template("accounts/login.html", form=form), 401
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/login.html", form=form), status


@bp.errorhandler(RateLimitExceeded)
def too_many_attempts(error: RateLimitExceeded) -> tuple[str, int]:
    limit = limiter.current_limit
    wait = max(1, int(limit.reset_at - time.time())) if limit else 60
    form = LoginForm()
    form.form_errors.append(
        _("Too many failed attempts. Please try again in %(seconds)d s.", seconds=wait)
    )
    return render_template("accounts/login.html", form=form), 429


@bp.post("/logout")
def logout() -> Response:
    form = PostForm()
    if not form.validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        sessions.sign_out(current_user._get_current_object())
    response = redirect(url_for(".login"), code=303)
    # Nothing of an organiser's stays in this browser: the check-in desk's copy of the
    # roster and its queue (IndexedDB), its service worker and cached pages.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/password", methods=["GET", "POST"])
@roles_required(*Role)
def password() -> Response | tuple[str, int]:
    form = PasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            rules.change_password(user, form.current_password.data, form.password.data)
        except rules.AccountRefused as refused:
            show_refusal(form, refused)
        else:
            sessions.sign_in(user)  # its session ended with the others: this one goes on
            flash(_("Your password has been changed; your other sessions are signed out."))
            return redirect(url_for(".password"), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/password.html", form=form), status
