"""Organiser accounts: creating them, signing in, and who may open which page."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from eventday.admin.models import Role, User
from eventday.database import utcnow
from eventday.domain import DomainError, Violation
from eventday.extensions import db, login
from eventday.validation import without_controls

MIN_PASSWORD_LENGTH = 10
ORGANISERS = (Role.ADMIN, Role.ORGANISER)
EVERYONE = (Role.ADMIN, Role.ORGANISER, Role.CHECKIN)


class AccountRefused(DomainError):
    pass


@login.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


def create_user(email: str, role: str, password: str, name: str = "") -> User:
    email = email.strip().lower()
    violations = []
    if "@" not in email or len(email) > 254:
        violations.append(Violation("email", _("This does not look like an e-mail address.")))
    if role not in set(Role):
        violations.append(Violation("role", _("Unknown role.")))
    if len(password) < MIN_PASSWORD_LENGTH:
        violations.append(
            Violation(
                "password",
                _("A password needs at least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
            )
        )
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
        violations.append(Violation("email", _("There is already an account for this address.")))
    if violations:
        raise AccountRefused(violations)
    user = User(email=email, role=role, name=name.strip())
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active account with this address and password, else None (same time either way)."""
    email = without_controls(email)
    user = db.session.scalars(
        select(User).where(func.lower(User.email) == email.strip().lower())
    ).first()
    if user is None:
        # Hash anyway, so a missing account answers as slowly as a wrong password.
        User(password_hash="").set_password(password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def roles_required(*roles: str) -> Callable:
    """Anonymous → the login page; signed in without one of `roles` → 403."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                # After signing in the browser GETs `next`: only a page it can GET.
                target = request.full_path.rstrip("?") if request.method == "GET" else None
                return redirect(url_for("admin.login", next=target))
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        guarded.allowed_roles = tuple(roles)  # type: ignore[attr-defined]
        return guarded

    return decorate


def safe_next(target: str | None) -> str | None:
    """`next=` only to one of our own paths: never another site, never a scheme-relative URL."""
    if not target or any(ord(c) < 0x20 or c == "\x7f" for c in target):
        return None  # browsers drop tabs and newlines: "/\t/evil" would become "//evil"
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def change_account(
    user_id: int, actor_id: int, role: str | None = None, active: bool | None = None
) -> User:
    """Change an account's role or switch it on or off; the last active admin always stays."""
    user = db.session.get(User, user_id)
    if user is None:
        raise LookupError(user_id)
    if role is not None and role not in set(Role):
        raise AccountRefused([Violation("role", _("Unknown role."))])
    new_role = role if role is not None else user.role
    new_active = active if active is not None else user.active
    loses_admin = (
        user.role == Role.ADMIN and user.active and (new_role != Role.ADMIN or not new_active)
    )
    if loses_admin:
        admins = db.session.scalar(
            select(func.count()).where(User.role == Role.ADMIN, User.active.is_(True))
        )
        if admins <= 1:
            raise AccountRefused(
                [Violation("role", _("The last administrator cannot be removed or disabled."))]
            )
    if user.id == actor_id and not new_active:
        raise AccountRefused([Violation("active", _("You cannot disable your own account."))])
    user.role = new_role
    user.active = new_active
    db.session.commit()
    return user
