"""Addresses: absolute ones for mails, calendars and QR codes (EVENTDAY_PUBLIC_URL, else the
request's), and the row ids that addresses and forms carry."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, request, url_for
from werkzeug.routing import IntegerConverter, Map

# Row ids are PostgreSQL `integer` columns: a larger number names no row, but reaching the
# database it fails there (past 2**31 - 1 on PostgreSQL, past 2**63 - 1 on SQLite): a 500.
MAX_ID = 2**31 - 1


def public_base_url() -> str:
    configured = current_app.config["PUBLIC_URL"]
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    return "http://localhost"


def absolute_url(endpoint: str, **values: object) -> str:
    """The public address of an endpoint, in a request or not (mails sent from the CLI)."""
    if has_request_context():
        return public_base_url() + url_for(endpoint, **values)
    base = urlsplit(public_base_url())
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme
    )
    return adapter.build(endpoint, values, force_external=True)


def session_url(session: object) -> str:
    """A session's public page, absolute (the `url` of /programme.json and every .ics)."""
    return absolute_url("programme.session", session_id=session.id)  # type: ignore[attr-defined]


def webcal_url(endpoint: str, **values: object) -> str:
    """The webcal:// address of a calendar, for "subscribe" links."""
    return "webcal://" + absolute_url(endpoint, **values).split("://", 1)[1]


class DatabaseId(IntegerConverter):
    """`<int:…>` in every route: a number that can be a row id, else the route does not match."""

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = MAX_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


def database_id(text: str) -> int:
    """A row id read from a form or query (`type=database_id`); ValueError if it cannot be one."""
    number = int(text)
    if not 0 < number <= MAX_ID:
        raise ValueError(text)
    return number
