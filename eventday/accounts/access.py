"""Who may open which organiser page, where a sign-in may lead, and what the pages share
(the edition an organiser works on)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, redirect, request, url_for
from flask_login import current_user

from eventday.accounts.models import Role
from eventday.programme.models import Edition

ORGANISERS = (Role.ADMIN, Role.ORGANISER)
EVERYONE = (Role.ADMIN, Role.ORGANISER, Role.CHECKIN)
# Reviewers see the abstracts assigned to them, and nothing else.
REVIEWERS = (Role.ADMIN, Role.ORGANISER, Role.REVIEWER)


def roles_required(*roles: str) -> Callable:
    """Anonymous → the login page; signed in without one of `roles` → 403."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                # After signing in the browser GETs `next`: only a page it can GET.
                target = request.full_path.rstrip("?") if request.method == "GET" else None
                return redirect(url_for("accounts.login", next=target))
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


def keep_private(response: Response) -> Response:
    """Organiser pages hold personal data: never kept by a browser cache or a proxy."""
    response.headers["Cache-Control"] = "private, no-store"
    return response


def organiser_blueprint(name: str, url_prefix: str) -> Blueprint:
    bp = Blueprint(name, __name__, url_prefix=url_prefix)
    bp.after_request(keep_private)
    return bp


def working_edition() -> Edition | None:
    """The edition this organiser works on: the one chosen in the header, else the current one.

    The check-in desk does not use it: the door always admits to the current edition.
    """
    from eventday.editions import lifecycle  # editions builds on accounts

    return lifecycle.working_edition(getattr(current_user, "working_edition_id", None))


def edition_or_404() -> Edition:
    """The organiser's working edition (every organiser page's), or 404 when there is none."""
    edition = working_edition()
    if edition is None:
        abort(404)
    return edition
