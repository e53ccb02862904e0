"""Organiser accounts' rules: creating them, signing in, new passwords, roles, switching off."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from eventday.accounts.models import Role, User
from eventday.accounts.passwords import password_violations
from eventday.accounts.sessions import end_sessions
from eventday.database import utcnow
from eventday.domain import DomainError, Violation
from eventday.extensions import db
from eventday.validation import without_controls


class AccountRefused(DomainError):
    pass


def create_user(email: str, role: str, password: str, name: str = "") -> User:
    email = email.strip().lower()
    violations = []
    if "@" not in email or len(email) > 254:
        violations.append(Violation("email", _("This does not look like an e-mail address.")))
    if role not in set(Role):
        violations.append(Violation("role", _("Unknown role.")))
    violations += password_violations(password, email)
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


def change_password(user: User, current_password: str, new_password: str) -> None:
    """A new password for `user`, who knows the current one; every other session ends.

    The caller signs this browser in again: its session ended with the others.
    """
    violations = []
    if not user.check_password(current_password):
        violations.append(
            Violation("current_password", _("This is not your current password."))
        )
    violations += password_violations(new_password, user.email)
    if violations:
        raise AccountRefused(violations)
    user.set_password(new_password)
    end_sessions(user)
    db.session.commit()


def change_account(
    user_id: int, actor_id: int, role: str | None = None, active: bool | None = None
) -> User:
    """Change an account's role or switch it on or off; the last active admin always stays.

    Switching an account off ends its sessions: switched on again, it signs in anew.
    """
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
    if user.active and not new_active:
        end_sessions(user)
    user.role = new_role
    user.active = new_active
    db.session.commit()
    return user
