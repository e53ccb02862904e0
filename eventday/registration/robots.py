"""Keeping robots off the registration form, without a third-party captcha.

Three checks, none of which a person notices:
- a honeypot: a field people never see (hidden by the style sheet, out of the
  keyboard's way, hidden from screen readers) that form-filling robots fill;
- a minimum fill time: the form carries the moment it was shown, signed with
  the site's secret; a form sent back sooner than REGISTRATION_MIN_SECONDS
  (or with that moment missing or altered) is shown again, as typed, with a
  message — a person sends it again, a robot gives up;
- a rate limit per network address (REGISTRATION_RATE_LIMIT, see the view).

REGISTRATION_MIN_SECONDS = 0 turns the fill-time check off (tests that post
the form directly, load tests).
"""

from __future__ import annotations

import time

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

SALT = "eventday.registration.started"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)


def started_token(at: float | None = None) -> str:
    """The signed moment the form is shown (a hidden field of the form)."""
    return _serializer().dumps(round(at if at is not None else time.time(), 3))


def kept_or_new(token: str | None) -> str:
    """The form's own start when it is genuine (the time spent on it counts), else a new one."""
    try:
        _serializer().loads(token or "")
    except BadSignature:
        return started_token()
    return token or started_token()


def too_fast(token: str | None, now: float | None = None) -> bool:
    """Whether a form was sent back sooner than a person could fill it (or without its start)."""
    least = float(current_app.config["REGISTRATION_MIN_SECONDS"])
    if least <= 0:
        return False
    try:
        started = float(_serializer().loads(token or ""))
    except (BadSignature, TypeError, ValueError):
        return True
    return (now if now is not None else time.time()) - started < least


def too_fast_message() -> str:
    return _(
        "That was quicker than a person can fill this form. Please check your answers "
        "and send it again."
    )


def honeypot_message() -> str:
    return _("Leave this field empty.")
