"""Rate limits shared by several nodes through Redis, and what a node does while Redis is down.

Two real gunicorn nodes on one database and one Redis: failed sign-ins sent to either
count together. Redis unreachable: each worker counts in its own memory (the limits
still hold), and no request fails for it.
"""

from __future__ import annotations

import socket
import uuid
from pathlib import Path

import pytest
from flask_migrate import upgrade

from eventday.accounts.models import Role
from eventday.accounts.rules import create_user
from tests.conftest import make_app
from tests.server import running_server, submit_form
from tests.test_admin_access import PASSWORD, WRONG_PASSWORD, add_user, sign_in
from tests.test_concurrent_registration import connected

REDIS_URL = "redis://127.0.0.1:6379/0"
EMAIL = "organisatrice@example.org"


@pytest.fixture
def redis_url() -> str:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    return REDIS_URL


def test_two_nodes_count_failed_sign_ins_together(
    database_url: str, tmp_path: Path, redis_url: str
) -> None:
    app = make_app(database_url)
    with connected(app):
        upgrade()
        create_user(EMAIL, Role.ORGANISER, PASSWORD)
    shared = {
        "EVENTDAY_RATELIMIT_ENABLED": "true",
        "EVENTDAY_RATELIMIT_STORAGE_URI": redis_url,
        "EVENTDAY_RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
    }
    with (
        running_server(database_url, tmp_path / "a", workers=1, env=shared) as first,
        running_server(database_url, tmp_path / "b", workers=1, env=shared) as second,
    ):
        wrong = {"email": EMAIL, "password": WRONG_PASSWORD}
        answers = [submit_form(node, "/admin/login", wrong)[0] for node in [first, second] * 3]
    # One account from one address: 5 failures a minute, wherever they were sent.
    assert answers == [401] * 5 + [429]


def test_with_redis_down_limits_hold_per_worker_and_nothing_fails(app_database_url: str) -> None:
    from eventday.extensions import db

    app = make_app(
        app_database_url,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:9",  # nothing listens there
    )
    with app.app_context():
        db.create_all()
    add_user(app, EMAIL, Role.ORGANISER)
    client = app.test_client()
    assert client.get("/admin/login").status_code == 200
    answers = [sign_in(client, EMAIL, WRONG_PASSWORD).status_code for _ in range(6)]
    assert answers == [401] * 5 + [429]
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
