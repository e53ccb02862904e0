"""Serving in production: versioned static files kept a year, and the reverse-proxy setting."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from flask import Flask

from eventday.extensions import db
from tests.conftest import make_app, make_edition
from tests.test_registration_form import person, registered_token, submit

STATIC = Path(__file__).resolve().parent.parent / "static"
STATIC_LINK = re.compile(r'(?:href|src)="(/static/([^"?]+)\?v=([0-9a-f]+))"')


def test_every_static_file_a_page_links_to_is_versioned_and_kept_a_year(client, demo) -> None:
    page = client.get("/register").get_data(as_text=True)
    links = STATIC_LINK.findall(page)
    assert {name for _, name, _ in links} >= {"css/eventday.css", "js/register.js"}
    for address, name, version in links:
        assert version == hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]
        answer = client.get(address)
        answer.close()
        assert answer.status_code == 200
        assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize("query", ["", "?v=000000000000"])
def test_a_static_address_without_its_version_is_revalidated(client, query: str) -> None:
    answer = client.get(f"/static/css/eventday.css{query}")
    answer.close()
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-cache"
    assert answer.headers["ETag"]


def _app_behind_proxy(database_url: str, hops: int) -> Flask:
    app = make_app(
        database_url,
        PROXY_HOPS=hops,
        REGISTRATION_RATE_LIMIT="1 per minute",
        PUBLIC_URL=None,
    )
    with app.app_context():
        db.create_all()
        make_edition()
    return app


def _register_from(app: Flask, address: str, email: str):
    client = app.test_client()
    client.environ_base["HTTP_X_FORWARDED_FOR"] = address
    client.environ_base["HTTP_X_FORWARDED_PROTO"] = "https"
    # On https Flask-WTF also checks that a form comes from our own pages, as browsers say.
    client.environ_base["HTTP_REFERER"] = "https://localhost/register"
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return submit(client, person(email=email))


def test_behind_one_proxy_each_visitor_has_their_own_address_and_scheme(database_url) -> None:
    app = _app_behind_proxy(database_url, hops=1)
    first = _register_from(app, "203.0.113.7", "a@example.org")
    registered_token(first)
    assert first.headers["Location"].startswith("/registration/")
    # Another visitor behind the same proxy is not held back by the first one's limit…
    registered_token(_register_from(app, "198.51.100.23", "b@example.org"))
    # …but the same visitor again is.
    assert _register_from(app, "203.0.113.7", "c@example.org").status_code == 429
    # The visitor's scheme: https, so browsers are told to stay on it.
    client = app.test_client()
    client.environ_base["HTTP_X_FORWARDED_PROTO"] = "https"
    answer = client.get("/register")
    assert answer.headers.get("Strict-Transport-Security")
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def test_without_the_setting_forwarded_headers_are_not_believed(database_url) -> None:
    app = _app_behind_proxy(database_url, hops=0)
    registered_token(_register_from(app, "203.0.113.7", "a@example.org"))
    # A client cannot dodge the limit by making up an address.
    assert _register_from(app, "198.51.100.23", "b@example.org").status_code == 429
    answer = app.test_client().get("/register", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in answer.headers
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def test_behind_a_proxy_the_host_and_prefix_a_visitor_sends_are_not_believed(
    database_url,
) -> None:
    app = _app_behind_proxy(database_url, hops=1)
    client = app.test_client()
    answer = client.get(
        "/programme.json",
        headers={
            "X-Forwarded-For": "203.0.113.7",
            "X-Forwarded-Host": "evil.example",
            "X-Forwarded-Prefix": "/evil",
        },
    )
    assert answer.status_code == 200
    shown = answer.get_data(as_text=True)
    assert "evil" not in shown
    page = client.get("/register", headers={"X-Forwarded-Prefix": "/evil"})
    assert "/evil/" not in page.get_data(as_text=True)
    with app.app_context():
        db.drop_all()
        db.engine.dispose()
