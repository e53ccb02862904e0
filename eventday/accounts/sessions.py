"""Organiser sessions: opening one, and ending every session of an account at once.

How an old cookie stops working: Flask-Login keeps `User.get_id()`, "<id>:<session key>",
in the signed session cookie (and would keep it in a remember-me cookie, were one set).
A cookie loads its account only while it names the account's current key. Signing out,
a new password and switching the account off each draw a new key, so every cookie saved
before, on any computer, signs nobody in again; copying a cookie gains nothing past that.
"""

from __future__ import annotations

import hmac

from flask import current_app, g, session
from flask_login import login_user, logout_user

from eventday.accounts.models import User, new_session_key
from eventday.extensions import db, login


@login.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _, key = session_id.partition(":")
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not user.active:
        return None
    return user if hmac.compare_digest(user.session_key.encode(), key.encode()) else None


def end_sessions(user: User) -> None:
    """Sign every session of `user` out (the caller commits)."""
    user.session_key = new_session_key()


def sign_in(user: User) -> None:
    """Open this browser's session for `user`, with a CSRF token of its own."""
    login_user(user)
    # The token the sign-in page was given was made before anyone signed in (and could
    # have been planted): Flask-WTF makes a new one when the next form asks for it.
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(field, None)
    g.pop(field, None)


def sign_out(user: User) -> None:
    """End every session of `user`, this browser's with them."""
    end_sessions(user)
    db.session.commit()
    logout_user()
