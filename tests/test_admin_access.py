"""Who may open which organiser page: sign-in, roles, throttling, cookies, create-user."""

from __future__ import annotations

import re
import time
import urllib.parse
from collections.abc import Iterator
from html.parser import HTMLParser

import limits.storage.memory
import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from eventday.accounts.models import Role, User
from eventday.accounts.rules import create_user
from eventday.extensions import db
from eventday.programme.models import Edition, Session
from eventday.registration import capacity
from eventday.registration.labels import STAKEHOLDER_LABELS, STATUS_LABELS
from eventday.registration.models import RegistrationStatus, StakeholderType
from tests.conftest import make_app
from tests.server import CSRF_PATTERN

PASSWORD = "correct horse battery staple"
WRONG_PASSWORD = "incorrect horse battery"
WRONG_CREDENTIALS = "Wrong e-mail address or password."
# Pages anyone may open, and the one that only signs out: they check no role.
OPEN_ENDPOINTS = {"accounts.login", "accounts.logout"}
# The organiser pages that exist today; the walk must at least find these.
KNOWN_ENDPOINTS = {"admin.dashboard", "checkin.page", "checkin.scan", "checkin.undo"}
ROUTE_ARGUMENT = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>")
# An id that names nothing, so a walk through POST pages changes no row.
MISSING_ID = 987654
META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def english_client(app: Flask) -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def add_user(app: Flask, email: str, role: str, active: bool = True) -> int:
    with app.app_context():
        user = create_user(email, role, PASSWORD)
        if not active:
            user.active = False
            db.session.commit()
        return user.id


def csrf_token(client: FlaskClient, path: str = "/admin/login") -> str:
    """The token every organiser page holds in <meta name="csrf-token">."""
    return META_CSRF.search(client.get(path).get_data(as_text=True)).group(1)


def sign_in(
    client: FlaskClient, email: str, password: str = PASSWORD, next_page: str | None = None
) -> TestResponse:
    """Fill in and send the login form, as a browser does."""
    token = CSRF_PATTERN.search(client.get("/admin/login").get_data(as_text=True)).group(1)
    query = "?" + urllib.parse.urlencode({"next": next_page}) if next_page is not None else ""
    return client.post(
        "/admin/login" + query,
        data={"csrf_token": token, "email": email, "password": password},
    )


def form_errors(response: TestResponse) -> list[str]:
    summary = re.search(
        r'class="error-summary".*?<ul>(.*?)</ul>', response.get_data(as_text=True), re.S
    )
    return re.findall(r"<li>([^<]*)</li>", summary.group(1)) if summary else []


def is_signed_in(client: FlaskClient) -> bool:
    answer = client.get("/admin/checkin")
    if answer.status_code == 302:
        assert urllib.parse.urlsplit(answer.headers["Location"]).path == "/admin/login"
        return False
    return True


def admin_rules(app: Flask) -> list:
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/admin")),
        key=lambda rule: rule.rule,
    )


def probe_url(app: Flask, rule) -> str:
    """The rule's URL, with an id that names nothing for each variable part."""
    values = {}
    for converter, arguments, name in ROUTE_ARGUMENT.findall(rule.rule):
        if converter in ("int", "float"):
            values[name] = MISSING_ID
        elif converter == "any":
            values[name] = arguments.split(",")[0].strip().strip("'\"")
        elif converter == "uuid":
            values[name] = "00000000-0000-0000-0000-000000000000"
        else:
            values[name] = "no-such-thing"
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def probe(client: FlaskClient, app: Flask, rule, token: str) -> tuple[str, TestResponse]:
    """GET the rule, or POST it (with a valid CSRF token) when it answers no GET.

    The answer comes back closed, as a browser leaves it: a streamed export (which keeps its
    request context until then) ends before the next page is asked for.
    """
    url = probe_url(app, rule)
    if "GET" in rule.methods:
        answer = client.get(url)
    else:
        method = "POST" if "POST" in rule.methods else sorted(rule.methods - {"OPTIONS"})[0]
        answer = client.open(
            url, method=method, data={"csrf_token": token}, headers={"X-CSRFToken": token}
        )
    answer.close()
    return url, answer


# Every organiser page, found by walking the URL map.


def test_every_organiser_page_says_which_roles_may_open_it(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in admin_rules(app)}
    assert endpoints >= KNOWN_ENDPOINTS
    undeclared = [
        endpoint
        for endpoint in endpoints - OPEN_ENDPOINTS
        if not getattr(app.view_functions[endpoint], "allowed_roles", None)
    ]
    assert undeclared == []


def test_an_anonymous_visitor_is_sent_to_the_login_page_from_every_organiser_page(
    app: Flask, demo: int
) -> None:
    client = app.test_client()
    token = csrf_token(client)
    walked = set()
    for rule in admin_rules(app):
        if rule.endpoint in OPEN_ENDPOINTS:
            continue
        url, answer = probe(client, app, rule, token)
        walked.add(rule.endpoint)
        assert answer.status_code == 302, (url, answer.status_code)
        location = urllib.parse.urlsplit(answer.headers["Location"])
        assert location.path == "/admin/login", url
        # After signing in the browser GETs `next`, so only a GET page comes back there.
        expected = {"next": [url]} if "GET" in rule.methods else {}
        assert urllib.parse.parse_qs(location.query) == expected
    assert walked >= KNOWN_ENDPOINTS


@pytest.mark.parametrize("role", list(Role))
def test_each_role_opens_exactly_the_pages_its_role_allows(
    app: Flask, demo: int, role: str
) -> None:
    add_user(app, f"{role}@example.org", role)
    client = app.test_client()
    assert sign_in(client, f"{role}@example.org").status_code == 303
    token = csrf_token(client, "/admin/password")
    refused, opened = set(), set()
    for rule in admin_rules(app):
        if rule.endpoint in OPEN_ENDPOINTS:
            continue
        url, answer = probe(client, app, rule, token)
        if role in app.view_functions[rule.endpoint].allowed_roles:
            assert answer.status_code != 403, url
            opened.add(rule.endpoint)
        else:
            assert answer.status_code == 403, (url, answer.status_code)
            refused.add(rule.endpoint)
    if role == Role.REVIEWER:
        # The abstracts assigned to them, nothing else (CONTRACT.md).
        assert {"checkin.page", "checkin.scan", "admin.dashboard"} <= refused
        assert {"abstracts_review.index", "abstracts_review.abstract"} <= opened
        assert not any(e.startswith("abstracts_admin.") for e in opened)
    else:
        assert {"checkin.page", "checkin.scan"} <= opened
        assert ("admin.dashboard" in refused) == (role == Role.CHECKIN)


def test_no_organiser_page_fails_with_a_server_error_for_an_admin(app: Flask, demo: int) -> None:
    add_user(app, "admin@example.org", Role.ADMIN)
    client = app.test_client()
    assert sign_in(client, "admin@example.org").status_code == 303
    token = csrf_token(client, "/admin/checkin")
    failing = []
    for rule in admin_rules(app):
        if rule.endpoint == "accounts.logout":
            continue
        url, answer = probe(client, app, rule, token)
        if answer.status_code >= 500:
            failing.append((url, answer.status_code))
    assert is_signed_in(client)
    assert failing == []


# Signing in and out.


@pytest.mark.parametrize(
    ("role", "first_page"),
    [(Role.ADMIN, "/admin/"), (Role.ORGANISER, "/admin/"), (Role.CHECKIN, "/admin/checkin")],
)
def test_the_right_password_signs_in_and_opens_the_role_s_first_page(
    app: Flask, demo: int, role: str, first_page: str
) -> None:
    user_id = add_user(app, f"{role}@example.org", role)
    client = app.test_client()
    answer = sign_in(client, f"{role.upper()}@Example.org")
    assert answer.status_code == 303
    assert answer.headers["Location"] == first_page
    assert client.get(first_page).status_code == 200
    with app.app_context():
        assert db.session.get(User, user_id).last_login_at is not None


@pytest.mark.parametrize(
    ("email", "password"),
    [("organiser@example.org", WRONG_PASSWORD), ("nobody@example.org", PASSWORD)],
    ids=["wrong password", "unknown account"],
)
def test_a_wrong_password_or_an_unknown_account_is_refused_without_a_session(
    app: Flask, email: str, password: str
) -> None:
    add_user(app, "organiser@example.org", Role.ORGANISER)
    client = english_client(app)
    answer = sign_in(client, email, password)
    assert answer.status_code == 401
    assert form_errors(answer) == [WRONG_CREDENTIALS]
    assert 'name="password"' in answer.get_data(as_text=True)
    assert not is_signed_in(client)


def test_a_disabled_account_cannot_sign_in(app: Flask) -> None:
    add_user(app, "former@example.org", Role.ORGANISER, active=False)
    client = english_client(app)
    answer = sign_in(client, "former@example.org")
    assert answer.status_code == 401
    assert form_errors(answer) == [WRONG_CREDENTIALS]
    assert not is_signed_in(client)


def test_an_account_disabled_while_signed_in_is_signed_out_at_its_next_request(
    app: Flask,
) -> None:
    user_id = add_user(app, "leaving@example.org", Role.ORGANISER)
    client = app.test_client()
    assert sign_in(client, "leaving@example.org").status_code == 303
    assert is_signed_in(client)
    with app.app_context():
        db.session.get(User, user_id).active = False
        db.session.commit()
    assert not is_signed_in(client)


def test_a_signin_address_with_a_nul_character_is_refused_not_a_server_error(
    app: Flask, request: pytest.FixtureRequest
) -> None:
    add_user(app, "organiser@example.org", Role.ORGANISER)
    client = english_client(app)
    answer = sign_in(client, "organiser\x00@example.org")
    # The form refuses the control character next to the field: not signed in, no 500.
    assert answer.status_code == 422
    assert "email-errors" in answer.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize("next_page", ["/admin/checkin", "/admin/checkin?q=Dupont"])
def test_after_signing_in_next_leads_back_to_our_own_page(app: Flask, next_page: str) -> None:
    add_user(app, "organiser@example.org", Role.ORGANISER)
    answer = sign_in(app.test_client(), "organiser@example.org", next_page=next_page)
    assert answer.status_code == 303
    assert answer.headers["Location"] == next_page


@pytest.mark.parametrize(
    "next_page",
    [
        "https://evil.example/admin/",
        "//evil.example/admin/",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(document.cookie)",
        "evil.example",
        "",
    ],
)
def test_after_signing_in_next_never_leads_to_another_site(app: Flask, next_page: str) -> None:
    add_user(app, "organiser@example.org", Role.ORGANISER)
    answer = sign_in(app.test_client(), "organiser@example.org", next_page=next_page)
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/admin/"


def test_next_with_a_tab_between_the_slashes_does_not_lead_to_another_site(app: Flask) -> None:
    add_user(app, "organiser@example.org", Role.ORGANISER)
    answer = sign_in(app.test_client(), "organiser@example.org", next_page="/\t/evil.example")
    assert answer.status_code == 303
    assert not answer.headers["Location"].startswith("//")
    assert urllib.parse.urlsplit(answer.headers["Location"]).netloc == ""


def test_next_with_a_newline_still_signs_in_to_the_default_page(app: Flask) -> None:
    add_user(app, "organiser@example.org", Role.ORGANISER)
    client = app.test_client()
    answer = sign_in(client, "organiser@example.org", next_page="/\n/evil.example")
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/admin/"


def test_signing_out_is_a_post_with_a_csrf_token(app: Flask) -> None:
    add_user(app, "organiser@example.org", Role.ORGANISER)
    client = app.test_client()
    assert sign_in(client, "organiser@example.org").status_code == 303
    assert client.get("/admin/logout").status_code == 405
    assert client.post("/admin/logout").status_code == 400
    assert is_signed_in(client)
    answer = client.post("/admin/logout", data={"csrf_token": csrf_token(client, "/admin/")})
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/admin/login"
    dashboard = client.get("/admin/")
    assert dashboard.status_code == 302
    assert urllib.parse.urlsplit(dashboard.headers["Location"]).path == "/admin/login"


# Throttling failed sign-ins.


def locked_out(answer: TestResponse) -> int:
    """The seconds a 429 login page tells to wait (it shows the form again)."""
    assert answer.status_code == 429
    assert 'name="password"' in answer.get_data(as_text=True)
    [message] = form_errors(answer)
    return int(re.search(r"(\d+) s\b", message).group(1))


def from_address(app: Flask, address: str) -> FlaskClient:
    """A browser at another address (the limits count the address a request comes from)."""
    client = english_client(app)
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_five_failures_from_one_address_lock_the_account_there_even_for_the_right_password(
    app: Flask,
) -> None:
    add_user(app, "organiser@example.org", Role.ORGANISER)
    client = english_client(app)
    for _ in range(5):
        assert sign_in(client, "organiser@example.org", WRONG_PASSWORD).status_code == 401
    wait = locked_out(sign_in(client, "organiser@example.org"))
    assert 1 <= wait <= 61
    assert not is_signed_in(client)


def test_failures_from_one_address_do_not_lock_the_owner_out_from_another(app: Flask) -> None:
    add_user(app, "organiser@example.org", Role.ORGANISER)
    attacker = from_address(app, "203.0.113.66")
    for _ in range(5):
        assert sign_in(attacker, "organiser@example.org", WRONG_PASSWORD).status_code == 401
    locked_out(sign_in(attacker, "organiser@example.org", WRONG_PASSWORD))

    owner = from_address(app, "198.51.100.7")
    assert sign_in(owner, "organiser@example.org").status_code == 303
    assert is_signed_in(owner)
    locked_out(sign_in(attacker, "organiser@example.org"))


class LimiterClock:
    """The clock of the limits' in-memory counters, which a test moves on."""

    def __init__(self) -> None:
        self.offset = 0.0

    def time(self) -> float:
        return time.time() + self.offset

    def __getattr__(self, name: str) -> object:
        return getattr(time, name)


@pytest.fixture
def limiter_clock(monkeypatch: pytest.MonkeyPatch) -> LimiterClock:
    # limits' memory storage reads `time.time()` through its module's `time`: only the
    # counters see the moved clock, not the rest of the app.
    clock = LimiterClock()
    monkeypatch.setattr(limits.storage.memory, "time", clock)
    return clock


def test_one_address_trying_an_account_minute_after_minute_stops_at_twenty_an_hour(
    app: Flask, limiter_clock: LimiterClock
) -> None:
    add_user(app, "organiser@example.org", Role.ORGANISER)
    attacker = from_address(app, "203.0.113.66")
    for minute in range(4):
        limiter_clock.offset = 61.0 * minute
        for _ in range(5):
            assert sign_in(attacker, "organiser@example.org", WRONG_PASSWORD).status_code == 401
    limiter_clock.offset = 61.0 * 4
    assert sign_in(attacker, "organiser@example.org", WRONG_PASSWORD).status_code == 429
    # Far below the account's ceiling: its owner still signs in from elsewhere.
    assert sign_in(from_address(app, "198.51.100.7"), "organiser@example.org").status_code == 303


def test_failures_spread_over_many_addresses_reach_the_account_s_ceiling(app: Flask) -> None:
    add_user(app, "organiser@example.org", Role.ORGANISER)
    guess = {"email": "organiser@example.org", "password": WRONG_PASSWORD}
    for n in range(25):  # 4 failures each: under every limit of one address
        attacker = from_address(app, f"203.0.113.{n + 1}")
        guess["csrf_token"] = csrf_token(attacker)
        for _ in range(4):
            assert attacker.post("/admin/login", data=guess).status_code == 401
    owner = from_address(app, "198.51.100.7")
    wait = locked_out(sign_in(owner, "organiser@example.org"))
    assert 1 <= wait <= 3601
    assert not is_signed_in(owner)
    # Other accounts are not concerned.
    add_user(app, "desk@example.org", Role.CHECKIN)
    assert sign_in(owner, "desk@example.org").status_code == 303


def test_successful_sign_ins_do_not_count_as_failures(app: Flask) -> None:
    add_user(app, "organiser@example.org", Role.ORGANISER)
    client = english_client(app)
    for _ in range(4):
        assert sign_in(client, "organiser@example.org", WRONG_PASSWORD).status_code == 401
    for _ in range(3):
        assert sign_in(client, "organiser@example.org").status_code == 303
    assert sign_in(client, "organiser@example.org", WRONG_PASSWORD).status_code == 401
    locked_out(sign_in(client, "organiser@example.org"))


def test_other_accounts_from_the_same_address_sign_in_until_twenty_failures(app: Flask) -> None:
    for name in "abcde":
        add_user(app, f"{name}@example.org", Role.ORGANISER)
    client = english_client(app)
    for _ in range(5):
        assert sign_in(client, "a@example.org", WRONG_PASSWORD).status_code == 401
    locked_out(sign_in(client, "a@example.org"))
    assert sign_in(english_client(app), "b@example.org").status_code == 303
    for name, failures in [("b", 5), ("c", 5), ("d", 4)]:
        for _ in range(failures):
            assert sign_in(client, f"{name}@example.org", WRONG_PASSWORD).status_code == 401
    assert sign_in(english_client(app), "e@example.org").status_code == 303
    assert sign_in(client, "d@example.org", WRONG_PASSWORD).status_code == 401  # the 20th
    late = english_client(app)
    locked_out(sign_in(late, "e@example.org"))
    assert not is_signed_in(late)


def test_without_rate_limits_failures_never_lock_an_account(app: Flask) -> None:
    unlimited = make_app(app.config["SQLALCHEMY_DATABASE_URI"], RATELIMIT_ENABLED=False)
    try:
        add_user(unlimited, "organiser@example.org", Role.ORGANISER)
        client = english_client(unlimited)
        for _ in range(21):
            assert sign_in(client, "organiser@example.org", WRONG_PASSWORD).status_code == 401
        assert sign_in(client, "organiser@example.org").status_code == 303
    finally:
        with unlimited.app_context():
            db.session.remove()
            db.engine.dispose()


# The session cookie.


def session_cookie(answer: TestResponse) -> list[str]:
    """The attributes of the session cookie an answer sets, lower-cased."""
    [cookie] = [c for c in answer.headers.getlist("Set-Cookie") if c.startswith("session=")]
    return [part.strip().lower() for part in cookie.split(";")[1:]]


def test_the_session_cookie_is_httponly_and_samesite_lax(app: Flask) -> None:
    add_user(app, "organiser@example.org", Role.ORGANISER)
    client = app.test_client()
    for answer in (client.get("/admin/login"), sign_in(client, "organiser@example.org")):
        attributes = session_cookie(answer)
        assert "httponly" in attributes
        assert "samesite=lax" in attributes


@pytest.fixture
def app_served_at(app: Flask) -> Iterator:
    """Build the app for a PUBLIC_URL, cookies' Secure flag left to the default."""
    built: list[Flask] = []
    database_url = app.config["SQLALCHEMY_DATABASE_URI"]

    def build(public_url: str) -> Flask:
        built.append(make_app(database_url, SECURE_COOKIES=None, PUBLIC_URL=public_url))
        return built[-1]

    yield build
    for other in built:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.mark.parametrize(
    ("public_url", "secure"),
    [("https://journee.example.org", True), ("http://127.0.0.1:5000", False)],
)
def test_the_session_cookie_is_secure_when_the_site_is_served_over_https(
    app_served_at, public_url: str, secure: bool
) -> None:
    served = app_served_at(public_url)
    add_user(served, "organiser@example.org", Role.ORGANISER)
    client = served.test_client()
    page = client.get("/admin/login", base_url="https://localhost")
    assert ("secure" in session_cookie(page)) is secure
    token = CSRF_PATTERN.search(page.get_data(as_text=True)).group(1)
    answer = client.post(
        "/admin/login",
        base_url="https://localhost",
        # Over https, Flask-WTF also wants the request to come from our own pages.
        headers={"Referer": "https://localhost/admin/login"},
        data={"csrf_token": token, "email": "organiser@example.org", "password": PASSWORD},
    )
    assert answer.status_code == 303
    attributes = session_cookie(answer)
    assert ("secure" in attributes) is secure
    assert "httponly" in attributes


# eventday create-user


def users(app: Flask) -> list[tuple[str, str]]:
    with app.app_context():
        return [tuple(row) for row in db.session.execute(select(User.email, User.role))]


def test_create_user_reads_the_password_from_stdin_and_stores_only_its_hash(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["create-user", "Marie.Curie@Example.org", "--role", "organiser", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "marie.curie@example.org" in result.output
    with app.app_context():
        user = db.session.scalars(select(User)).one()
        assert (user.email, user.role, user.active) == ("marie.curie@example.org", "organiser", 1)
        assert PASSWORD not in user.password_hash
        assert "horse" not in user.password_hash
        assert user.check_password(PASSWORD)
        assert not user.check_password(PASSWORD + "\n")
        assert not user.check_password(WRONG_PASSWORD)
    assert sign_in(app.test_client(), "marie.curie@example.org").status_code == 303


def test_create_user_asks_for_the_password_twice_without_stdin(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["create-user", "desk@example.org", "--role", "checkin"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert users(app) == [("desk@example.org", "checkin")]
    assert sign_in(app.test_client(), "desk@example.org").headers["Location"] == "/admin/checkin"


def test_create_user_reads_stdin_without_a_deprecated_click_api(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["create-user", "desk@example.org", "--role", "checkin", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    if result.exception is not None:
        raise result.exception
    assert users(app) == [("desk@example.org", "checkin")]


def test_create_user_refuses_an_unknown_role(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["create-user", "boss@example.org", "--role", "superuser", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code != 0
    assert "superuser" in result.output
    assert users(app) == []


def test_create_user_refuses_an_address_that_already_has_an_account(app: Flask) -> None:
    add_user(app, "organiser@example.org", Role.ORGANISER)
    result = app.test_cli_runner().invoke(
        args=["create-user", "Organiser@Example.org", "--role", "admin", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert re.search(r"Error: .*(already|déjà)", result.output), result.output
    assert users(app) == [("organiser@example.org", "organiser")]


def test_create_user_refuses_a_short_password(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["create-user", "organiser@example.org", "--role", "admin", "--password-stdin"],
        input="short-pw1\n",
    )
    assert result.exit_code != 0
    assert re.search(r"Error: .*10", result.output), result.output
    assert users(app) == []


# The dashboard.


class Tables(HTMLParser):
    """Every <table> of a page as rows of cell texts."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def by_row_and_column(table: list[list[str]]) -> dict[str, dict[str, str]]:
    header, *rows = table
    return {row[0]: dict(zip(header[1:], row[1:], strict=True)) for row in rows}


def person(name: str, stakeholder_type: str, *workshop_ids: int) -> capacity.Applicant:
    answers = {
        "researcher": {"institution": "Université Paris Cité", "position": "postdoc"},
        "clinician": {"specialty": "Médecine interne", "hospital": "Hôpital Cochin"},
        "association": {"association_name": "Lupus France", "association_role": "patient"},
        "industry": {"company": "Pharma SA", "job_title": "MSL"},
    }[stakeholder_type]
    return capacity.Applicant(
        first_name=name,
        last_name="Lefèvre",
        email=f"{name.lower()}@example.org",
        organisation="Inserm",
        stakeholder_type=stakeholder_type,
        answers=answers,
        language="en",
        workshop_ids=workshop_ids,
    )


def test_the_dashboard_counts_registrations_by_profile_and_status_and_fills_workshops(
    app: Flask, demo: int
) -> None:
    with app.app_context():
        workshops = {
            s.title: s
            for s in db.session.scalars(select(Session).where(Session.kind == "workshop"))
        }
        interferon = workshops["Atelier : interpréter la signature interféron en pratique clinique"]
        capillaroscopy = workshops["Atelier : capillaroscopie dans la sclérodermie systémique"]
        myositis = workshops["Atelier : myosites, lire une IRM musculaire"]
        capacity.register(demo, person("Alice", "researcher", interferon.id, myositis.id))
        capacity.register(demo, person("Bruno", "researcher", interferon.id))
        capacity.register(demo, person("Denis", "clinician", capillaroscopy.id))
        db.session.get_one(Edition, demo).capacity = 3
        db.session.commit()
        capacity.register(demo, person("Eva", "association"))
        late = capacity.register(demo, person("Gaelle", "researcher"))
        capacity.register(demo, person("Farid", "industry"))
        capacity.cancel(late.id)
        expected_seats = {w.title: f"0 / {w.capacity}" for w in workshops.values()}
        expected_seats[interferon.title] = f"2 / {interferon.capacity}"
        expected_seats[capillaroscopy.title] = f"1 / {capillaroscopy.capacity}"
        expected_seats[myositis.title] = f"1 / {myositis.capacity}"
        with app.test_request_context(headers={"Accept-Language": "en"}):
            type_label = {kind.value: str(STAKEHOLDER_LABELS[kind]) for kind in StakeholderType}
            status_label = {s.value: str(STATUS_LABELS[s]) for s in RegistrationStatus}
    add_user(app, "organiser@example.org", Role.ORGANISER)
    client = english_client(app)
    sign_in(client, "organiser@example.org")
    page = client.get("/admin/")
    assert page.status_code == 200
    by_type, *others = Tables(page.get_data(as_text=True)).tables
    seats = next(table for table in others if table[0][0] == "Workshop")
    counts = by_row_and_column(by_type)
    expected = {
        ("researcher", "confirmed"): 2,
        ("researcher", "cancelled"): 1,
        ("clinician", "confirmed"): 1,
        ("association", "waitlisted"): 1,
        ("industry", "pending_approval"): 1,
    }
    assert {
        (kind, status): int(counts[type_label[kind]][status_label[status]])
        for kind in type_label
        for status in status_label
    } == {
        (kind, status): expected.get((kind, status), 0)
        for kind in type_label
        for status in status_label
    }
    assert {row[0]: row[2] for row in seats[1:]} == expected_seats
