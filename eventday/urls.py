"""Absolute addresses for mails, calendars and QR codes: EVENTDAY_PUBLIC_URL, else the request's."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, request, url_for


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


def webcal_url(endpoint: str, **values: object) -> str:
    """The webcal:// address of a calendar, for "subscribe" links."""
    return "webcal://" + absolute_url(endpoint, **values).split("://", 1)[1]
