"""Every answer carries the security headers; oversized requests are refused with a page."""

import pytest
from flask import Flask

from eventday.extensions import db
from tests.conftest import make_app
from tests.test_users_admin import signed_in

PUBLIC_PAGES = [
    "/",
    "/programme",
    "/programme/1",
    "/programme.ics",
    "/programme.json",
    "/programme/changes",
    "/register",
    "/privacy",
    "/healthz",
    "/admin/login",
    "/does-not-exist",
]
ADMIN_PAGES = [
    "/admin/",
    "/admin/registrations",
    "/admin/programme/",
    "/admin/edition/",
    "/admin/users/",
    "/admin/checkin",
    "/admin/participants",
    "/admin/history",
]


def assert_protected(response) -> None:
    headers = response.headers
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] in ("same-origin", "strict-origin")


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_answers_carry_the_security_headers(client, demo, path):
    first = client.get(path)
    assert_protected(first)
    # The second answer of a calendar comes from the fast path: the same headers.
    assert_protected(client.get(path))


def test_organiser_pages_carry_the_security_headers(app: Flask, demo):
    admin = signed_in(app, "admin", "admin@example.org")
    for path in ADMIN_PAGES:
        response = admin.get(path)
        assert response.status_code == 200, path
        assert_protected(response)


def test_https_sites_ask_browsers_to_stay_on_https(client, demo):
    assert "max-age=" in client.get("/programme").headers["Strict-Transport-Security"]


def test_plain_http_sites_send_no_hsts(database_url):
    app = make_app(database_url, PUBLIC_URL=None)
    assert "Strict-Transport-Security" not in app.test_client().get("/healthz").headers
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_an_oversized_post_is_refused_with_a_page(client, demo):
    response = client.post("/register", data={"first_name": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert "trop volumineux" in response.get_data(as_text=True)
