"""The programme's caches: rendered bodies per worker and the WSGI fast path for .ics and .json."""

import time

import pytest
from sqlalchemy import select

from eventday.extensions import db
from eventday.programme import rules
from eventday.programme.cache import MAX_ENTRIES, ProgrammeCache
from eventday.programme.models import Session
from tests.conftest import make_app

CHECK_SECONDS = 1.5


@pytest.fixture
def slow_app(database_url):
    """An app that checks for programme changes every second, as production does."""
    app = make_app(database_url, PROGRAMME_CACHE_SECONDS=CHECK_SECONDS)
    with app.app_context():
        db.create_all()
        from eventday.programme.demo import load_demo

        load_demo()
    app.flask_requests = 0

    @app.before_request
    def count() -> None:
        app.flask_requests += 1

    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def rename_first_session(app, title: str) -> None:
    with app.app_context():
        session = db.session.scalars(select(Session).order_by(Session.id)).first()
        draft = rules.SessionDraft(
            title=title, kind=session.kind, starts_at=session.starts_at, ends_at=session.ends_at
        )
        rules.save_session(session.edition_id, draft, session.id)


@pytest.mark.parametrize("path", ["/programme.ics", "/programme.json", "/programme.ics?kind=talk"])
def test_repeated_requests_are_answered_before_flask_with_the_same_bytes(slow_app, path):
    client = slow_app.test_client()
    first = client.get(path)
    assert slow_app.flask_requests == 1
    second = client.get(path)
    assert slow_app.flask_requests == 1
    assert second.status_code == 200
    assert second.data == first.data
    assert sorted(second.headers.items()) == sorted(first.headers.items())


def test_fast_path_answers_304_with_validators_and_no_body(slow_app):
    client = slow_app.test_client()
    etag = client.get("/programme.ics").headers["ETag"]
    for validator in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        answer = client.get("/programme.ics", headers={"If-None-Match": validator})
        assert answer.status_code == 304
        assert answer.data == b""
        assert answer.headers["ETag"] == etag
        assert answer.headers["Cache-Control"] == "no-cache"
        assert "Content-Type" not in answer.headers
    assert slow_app.flask_requests == 1
    other = client.get("/programme.ics", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_fast_path_answers_head_without_a_body(slow_app):
    client = slow_app.test_client()
    full = client.get("/programme.json")
    head = client.head("/programme.json")
    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["ETag"] == full.headers["ETag"]


def test_a_change_shows_once_the_state_is_checked_again(slow_app):
    client = slow_app.test_client()
    before = client.get("/programme.ics")
    rename_first_session(slow_app, "Accueil nouvelle formule")
    time.sleep(CHECK_SECONDS + 0.1)
    after = client.get("/programme.ics", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert "Accueil nouvelle formule" in after.get_data(as_text=True)
    assert after.headers["ETag"] != before.headers["ETag"]


def test_pages_with_a_language_or_cookies_always_go_through_flask(slow_app):
    client = slow_app.test_client()
    for _ in range(2):
        client.get("/programme")
        client.get("/programme.ics?lang=en")
    assert slow_app.flask_requests == 4


def test_unknown_session_calendar_is_not_kept(slow_app):
    client = slow_app.test_client()
    assert client.get("/programme/999999.ics").status_code == 404
    assert client.get("/programme/999999.ics").status_code == 404
    assert slow_app.flask_requests == 2


def test_cache_keeps_a_bounded_number_of_bodies():
    cache = ProgrammeCache(check_seconds=60)
    built = []
    for n in range(MAX_ENTRIES + 50):
        cache.get(("key", n), lambda n=n: built.append(n) or f"body {n}".encode())
    assert len(built) == MAX_ENTRIES + 50
    assert cache.get(("key", MAX_ENTRIES + 49), lambda: b"rebuilt").body == b"body %d" % (
        MAX_ENTRIES + 49
    )
    assert cache.get(("key", 0), lambda: b"rebuilt").body == b"rebuilt"


def test_same_body_gives_the_same_etag_in_every_worker():
    first, second = ProgrammeCache(60), ProgrammeCache(60)
    assert first.get("k", lambda: b"x" * 100).etag == second.get("k", lambda: b"x" * 100).etag
    assert first.get("j", lambda: b"y").etag != first.get("k", lambda: b"?").etag
