"""Helpers every template may call."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from flask import Flask, request
from flask_babel import get_locale

from eventday.audit import action_label
from eventday.programme.filters import FILTER_KEYS
from eventday.programme.glance import headlines
from eventday.programme.labels import edition_state_label, kind_label
from eventday.urls import edition_url, edition_webcal_url, webcal_url

# Query parameters a language link carries over (filters, a prefilled type).
KEPT_ARGS = (*FILTER_KEYS, "stakeholder_type")


def same_site_path(path: str) -> str:
    """`path` as a link that stays on this site, whatever it holds.

    Browsers read `//host/…` and `/\\host/…` as another site, and drop tabs and line breaks
    from an address: the path starts with exactly one slash, and every character but the
    unreserved ones and the slashes is percent-encoded.
    """
    return "/" + quote(path.lstrip("/\\"), safe="/!$&'()*+,;=:@-._~")


def language_url(lang: str) -> str:
    """This page in another language: ?lang=… with the page's own filters kept."""
    args = [(k, v) for k in KEPT_ARGS for v in request.args.getlist(k)]
    return f"{same_site_path(request.path)}?{urlencode([*args, ('lang', lang)])}"


def query_string(args: list[tuple[str, str]]) -> str:
    return f"?{urlencode(args)}" if args else ""


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        language_url=language_url,
        query_string=query_string,
        kind_label=kind_label,
        edition_state_label=edition_state_label,
        get_locale=get_locale,
        subscribe_url=webcal_url,
        edition_url=edition_url,
        edition_subscribe_url=edition_webcal_url,
        action_label=action_label,
        headlines=headlines,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
