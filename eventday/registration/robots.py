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
from itsdangerous import BadSignature, URLSafeSerializer

SALT = "eventday.registration.started"
# A form's start stays good this long: a person may leave the form open a day.
MAX_AGE_SECONDS = 24 * 3600


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=SALT)


def started_token(at: float | None = None) -> str:
    """The signed moment the form is shown (a hidden field of the form)."""
    return _serializer().dumps(round(at if at is not None else time.time(), 3))


def _started(token: str | None) -> float | None:
    """The moment a genuine start holds (None: missing or altered)."""
    try:
        return float(_serializer().loads(token or ""))
    except (BadSignature, TypeError, ValueError):
        return None


def kept_or_new(token: str | None, now: float | None = None) -> str:
    """The form's own start when genuine and recent (the time spent counts), else a new one."""
    started = _started(token)
    now = now if now is not None else time.time()
    if token and started is not None and now - started <= MAX_AGE_SECONDS:
        return token
    return started_token()


def refusal(token: str | None, now: float | None = None) -> str | None:
    """Why a form sent back with this start is refused (None: it is not).

    Too soon after it was shown, or its start missing, altered, or older than
    MAX_AGE_SECONDS (a start fetched once and replayed for ever by a robot).
    """
    least = float(current_app.config["REGISTRATION_MIN_SECONDS"])
    if least <= 0:
        return None
    started = _started(token)
    if started is None:
        return too_fast_message()
    elapsed = (now if now is not None else time.time()) - started
    if elapsed > MAX_AGE_SECONDS:
        return _("This form was opened a long time ago. Please check it and send it again.")
    if elapsed < least:
        return too_fast_message()
    return None


def too_fast_message() -> str:
    return _(
        "That was quicker than a person can fill this form. Please check your answers "
        "and send it again."
    )


def honeypot_message() -> str:
    return _("Leave this field empty.")
