"""Organiser accounts and their roles."""

from __future__ import annotations

import datetime as dt
import enum
import secrets

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from eventday.database import UTCDateTime, utcnow
from eventday.extensions import db


class Role(enum.StrEnum):
    ADMIN = "admin"
    ORGANISER = "organiser"
    CHECKIN = "checkin"
    # The abstracts assigned to them, nothing else (eventday.abstracts.review).
    REVIEWER = "reviewer"


def new_session_key() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # In every session cookie of the account; a new one signs them all out (sessions.py).
    session_key: Mapped[str] = mapped_column(String(64), default=new_session_key)
    # The edition this organiser is working on (None: the current one), kept between visits;
    # a preference, not a reference: an edition gone is simply not chosen any more.
    working_edition_id: Mapped[int | None] = mapped_column(Integer)
    # A reviewer's institutions, one a line: abstracts with an author from one are not theirs.
    institutions: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        CheckConstraint("role IN ('admin', 'organiser', 'checkin', 'reviewer')", name="role_known"),
    )

    @property
    def is_active(self) -> bool:  # Flask-Login: a disabled account cannot sign in
        return self.active

    def get_id(self) -> str:  # Flask-Login: what the session cookie names
        return f"{self.id}:{self.session_key}"

    def set_password(self, password: str) -> None:
        # werkzeug's scrypt by default: slow on purpose, salted. PASSWORD_HASH_METHOD is
        # for the tests alone, which sign in thousands of times (checking reads the method
        # from the stored hash, so accounts made either way sign in).
        method = current_app.config.get("PASSWORD_HASH_METHOD") or "scrypt"
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)
