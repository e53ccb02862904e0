"""Two nodes on one database behave as one: a change made through one is served by the
other within PROGRAMME_CACHE_SECONDS, and a signed-in organiser's cookie works on both."""

from __future__ import annotations

import dataclasses
import http.cookiejar
import json
import time
import urllib.parse
import urllib.request
from pathlib import Path

from flask_migrate import upgrade

from eventday.accounts.models import Role
from eventday.accounts.rules import create_user
from eventday.programme import rules
from eventday.programme.demo import DEMO_DAY
from tests.conftest import make_app, make_edition, paris
from tests.server import CSRF_PATTERN, running_server
from tests.test_admin_access import PASSWORD
from tests.test_concurrent_registration import connected

EMAIL = "organisatrice@example.org"


def titles(base: str) -> list[str]:
    with urllib.request.urlopen(base + "/programme.json", timeout=10) as answer:
        return [session["title"] for session in json.load(answer)["sessions"]]


def test_a_change_through_one_node_is_served_by_the_other(database_url: str, tmp_path: Path):
    app = make_app(database_url)
    with connected(app):
        upgrade()
        edition_id = make_edition(DEMO_DAY).id
        draft = rules.SessionDraft(
            title="Ouverture",
            kind="plenary",
            starts_at=paris(DEMO_DAY, "09:00"),
            ends_at=paris(DEMO_DAY, "09:30"),
        )
        session_id = rules.save_session(edition_id, draft).id
        create_user(EMAIL, Role.ORGANISER, PASSWORD)
    with (
        running_server(database_url, tmp_path / "a", workers=1) as first,
        running_server(database_url, tmp_path / "b", workers=1) as second,
    ):
        assert titles(first) == titles(second) == ["Ouverture"]  # both have it cached now
        with connected(app):
            rules.save_session(edition_id, dataclasses.replace(draft, title="Accueil"), session_id)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (titles(first), titles(second)) != (
            ["Accueil"],
            ["Accueil"],
        ):
            time.sleep(0.2)
        assert titles(first) == titles(second) == ["Accueil"]
        # Signed in through one node, the organiser's cookie opens the other's pages.
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        with opener.open(first + "/admin/login", timeout=10) as page:
            token = CSRF_PATTERN.search(page.read().decode()).group(1)
        fields = {"csrf_token": token, "email": EMAIL, "password": PASSWORD}
        data = urllib.parse.urlencode(fields).encode()
        with opener.open(first + "/admin/login", data=data, timeout=10) as answer:
            assert answer.url.endswith("/admin/")
        with opener.open(second + "/admin/", timeout=10) as answer:
            assert answer.status == 200 and answer.url.endswith("/admin/")
