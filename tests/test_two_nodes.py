"""Two nodes on one database behave as one: a change made through one is served by the
other within PROGRAMME_CACHE_SECONDS, a signed-in organiser's cookie works on both, and
seats hold with registrations sent to both at once."""

from __future__ import annotations

import dataclasses
import http.cookiejar
import json
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from flask_migrate import upgrade

from eventday.accounts.models import Role
from eventday.accounts.rules import create_user
from eventday.programme import rules
from eventday.programme.demo import DEMO_DAY
from eventday.registration.models import RegistrationStatus
from tests.conftest import make_app, make_edition, paris
from tests.server import CSRF_PATTERN, running_server, submit_form
from tests.test_admin_access import PASSWORD
from tests.test_concurrent_registration import (
    PEOPLE,
    connected,
    person,
    prepared_database,
    statuses,
)

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


def test_fifty_people_through_two_nodes_for_ten_seats_get_ten_seats(
    database_url: str, tmp_path: Path
):
    app, edition_id = prepared_database(database_url, capacity=30, confirmed_already=20)
    forms = [person(n) for n in range(PEOPLE)]
    # Every other person goes through the other node, all at once.
    with (
        running_server(database_url, tmp_path / "a", workers=2) as first,
        running_server(database_url, tmp_path / "b", workers=2) as second,
        ThreadPoolExecutor(max_workers=PEOPLE) as pool,
    ):
        answers = list(
            pool.map(
                lambda n: submit_form((first, second)[n % 2], "/register", forms[n]), range(PEOPLE)
            )
        )
    assert [status for status, _ in answers] == [303] * PEOPLE, answers[:3]
    counts = statuses(app, edition_id)
    assert counts[RegistrationStatus.CONFIRMED] == 30
    assert counts[RegistrationStatus.WAITLISTED] == PEOPLE - 10
