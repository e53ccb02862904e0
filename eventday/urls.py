"""Addresses: absolute ones for mails, calendars and QR codes (EVENTDAY_PUBLIC_URL only, never
a request's Host), and the row ids that addresses and forms carry."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, url_for
from werkzeug.routing import IntegerConverter, Map

# Row ids are PostgreSQL `integer` columns: a larger number names no row, but reaching the
# database it fails there (past 2**31 - 1 on PostgreSQL, past 2**63 - 1 on SQLite): a 500.
MAX_ID = 2**31 - 1


# Where the development server listens by default: the links' base when no public URL is
# configured (`make run` sets its own, `make serve` refuses to start without one).
DEVELOPMENT_URL = "http://127.0.0.1:5000"
# werkzeug's host check cannot match an IPv6 address (it cuts each name at its first ":"):
# IPv6 loopback is not listed, and a public URL on an IPv6 address gets no host check.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1")


class PublicUrlError(ValueError):
    pass


def checked_public_url(configured: object) -> str | None:
    """EVENTDAY_PUBLIC_URL as links use it (no trailing slash); PublicUrlError if unusable."""
    if configured in (None, ""):
        return None
    text = str(configured).strip().rstrip("/")
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as error:
        raise PublicUrlError(f"{text!r} is not an address ({error})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PublicUrlError(f"{text!r} is not an http:// or https:// address")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise PublicUrlError(f"{text!r} may hold no query, fragment or user name")
    return text


def trusted_hosts(public_url: str | None) -> list[str] | None:
    """The Host names a request may carry: the public URL's, and loopback for local checks.

    Flask answers 400 to any other (TRUSTED_HOSTS), so nothing that reads the host (the
    CSRF referrer check, a future `_external` link) can be steered from outside. With no
    public URL configured (development), any host is accepted: links still never use it.
    """
    host = urlsplit(public_url).hostname if public_url else None
    if not host or ":" in host:
        return None
    return [host, *LOOPBACK_HOSTS]


def configure(app: Flask) -> None:
    """Check EVENTDAY_PUBLIC_URL once at start-up; a bad one stops it with one line."""
    try:
        public_url = checked_public_url(app.config.get("PUBLIC_URL"))
    except PublicUrlError as error:
        raise SystemExit(f"eventday: EVENTDAY_PUBLIC_URL: {error}.") from None
    app.config["PUBLIC_URL"] = public_url
    if app.config.get("TRUSTED_HOSTS") is None:
        app.config["TRUSTED_HOSTS"] = trusted_hosts(public_url)


def public_base_url() -> str:
    """The site's public base URL: configured, never taken from a request."""
    return current_app.config["PUBLIC_URL"] or DEVELOPMENT_URL


def absolute_url(endpoint: str, **values: object) -> str:
    """The public address of an endpoint, in a request or not (mails sent from the CLI)."""
    adapters = current_app.extensions.setdefault("eventday_public_adapter", {})
    base = public_base_url()
    adapter = adapters.get(base)
    if adapter is None:
        parts = urlsplit(base)
        adapter = adapters[base] = current_app.url_map.bind(
            parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme
        )
    return adapter.build(endpoint, values, force_external=True)


def edition_endpoint(edition: object, name: str) -> tuple[str, dict[str, object]]:
    """A programme address of `edition`: unprefixed for the current one, under
    /editions/<slug>/ for a published one."""
    if edition.is_current:  # type: ignore[attr-defined]
        return f"programme.{name}", {}
    return f"archive.{name}", {"slug": edition.slug}  # type: ignore[attr-defined]


def edition_url(edition: object, name: str, **values: object) -> str:
    """The path of one of `edition`'s programme pages (for links in pages)."""
    endpoint, more = edition_endpoint(edition, name)
    return url_for(endpoint, **more, **values)


def session_url(session: object) -> str:
    """A session's public page, absolute (the `url` of /programme.json and every .ics)."""
    endpoint, more = edition_endpoint(session.edition, "session")  # type: ignore[attr-defined]
    return absolute_url(endpoint, **more, session_id=session.id)  # type: ignore[attr-defined]


def webcal_url(endpoint: str, **values: object) -> str:
    """The webcal:// address of a calendar, for "subscribe" links."""
    return "webcal://" + absolute_url(endpoint, **values).split("://", 1)[1]


def edition_webcal_url(edition: object, name: str, **values: object) -> str:
    endpoint, more = edition_endpoint(edition, name)
    return webcal_url(endpoint, **more, **values)


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
