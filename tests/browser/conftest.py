"""Fixtures for tests in a real Chromium against a real gunicorn serving the demo edition.

One server per test session (per xdist worker): a SQLite file migrated and seeded through
the `eventday` commands, with an organiser account. Each test gets fresh browser contexts;
when a test fails, a screenshot of each of its pages is kept under pytest's temporary
folder (`<basetemp>/screenshots/`). Without Debian's Chromium at /usr/bin/chromium every
test here is skipped, saying so.
"""

from __future__ import annotations

import contextlib
import json
import re
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright
from sqlalchemy import select

from eventday.extensions import db
from eventday.programme.models import Edition
from eventday.registration.models import Registration
from tests.conftest import make_app
from tests.server import running_server, submit_form

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ORGANISER_EMAIL = "organisatrice@example.org"
ORGANISER_PASSWORD = "un mot de passe assez long"
DESKTOP = {"width": 1280, "height": 900}
FAILED = pytest.StashKey[bool]()
# Draws an image onto a white canvas and decodes it with jsQR.
_READ_QR = """async (source) => {
  const image = new Image();
  image.src = source;
  await image.decode();
  const size = 480, canvas = document.createElement("canvas");
  canvas.width = canvas.height = size;
  const context = canvas.getContext("2d");
  context.fillStyle = "#fff";
  context.fillRect(0, 0, size, size);
  context.drawImage(image, 0, 0, size, size);
  const pixels = context.getImageData(0, 0, size, size);
  const found = window.jsQR(pixels.data, size, size);
  return found ? found.data : null;
}"""

# Playwright's own waits, shorter than its 30 s default: a page here answers in milliseconds.
expect.set_options(timeout=10_000)


@dataclass(frozen=True)
class Site:
    """The server under test, and a way to read its database as the tests' witness."""

    base: str
    app: Flask

    def url(self, path: str) -> str:
        return self.base + path

    def registration(self, email: str) -> Registration:
        """The registration of `email` as the database holds it now (detached, columns only)."""
        with self.app.app_context():
            found = db.session.scalars(select(Registration).where(Registration.email == email))
            registration = found.one()
            db.session.expunge(registration)
            db.session.remove()
            return registration

    def register(self, email: str, stakeholder_type: str = "researcher", **extra: str) -> str:
        """Register over plain HTTP (for tests about what comes after); the attendee page's path."""
        fields = {
            "first_name": "Inès",
            "last_name": "Ribeiro-Nguyễn",
            "email": email,
            "organisation": "Inserm U1234",
            "stakeholder_type": stakeholder_type,
            "institution": "Université Paris Cité",
            "position": "postdoc",
            "company": "Laboratoire Exemple SA",
            "job_title": "Responsable médicale",
            "consent": "y",
            **extra,
        }
        status, location = submit_form(self.base, "/register", fields)
        assert status == 303, location
        return urllib.parse.urlsplit(location).path

    def programme(self) -> dict[str, Any]:
        with urllib.request.urlopen(self.url("/programme.json"), timeout=10) as answer:
            return json.load(answer)


def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> None:
    """Remember a failed test, so its pages' teardown can take their screenshots."""
    if call.when == "call" and call.excinfo is not None:
        item.stash[FAILED] = True


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests skipped: no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def site(playwright: Playwright, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """gunicorn serving the demo edition from a SQLite file, with an organiser account."""
    folder = tmp_path_factory.mktemp("browser-site")
    database_url = f"sqlite:///{folder / 'eventday.sqlite3'}"
    app = make_app(database_url)
    runner = app.test_cli_runner()
    for args, given in (
        (["db", "upgrade"], None),
        (["seed-demo"], None),
        (
            ["create-user", ORGANISER_EMAIL, "--role", "organiser", "--password-stdin"],
            ORGANISER_PASSWORD + "\n",
        ),
    ):
        result = runner.invoke(args=args, input=given)
        assert result.exit_code == 0, (args, result.output, result.exception)
    with app.app_context():
        # Registration stays open whatever day the tests run on.
        edition = db.session.scalars(select(Edition).where(Edition.is_current)).one()
        edition.registration_opens_at = edition.registration_closes_at = None
        db.session.commit()
        db.session.remove()
    with pytest.MonkeyPatch.context() as env:
        # The minimum time to fill the form (an anti-robot check) would refuse a browser
        # driven by a test; running_server passes os.environ on to gunicorn.
        env.setenv("EVENTDAY_REGISTRATION_MIN_SECONDS", "0")
        # The check-in desk refreshes its roster and sends its queue within seconds, not
        # the half-minute a real door is fine with.
        env.setenv("EVENTDAY_CHECKIN_ROSTER_SECONDS", "2")
        env.setenv("EVENTDAY_CHECKIN_SYNC_SECONDS", "1")
        with running_server(database_url, folder / "instance", workers=2) as base:
            yield Site(base, app)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def open_page(
    browser: Browser,
    site: Site,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., Page]]:
    """Open a page in a new browser context (options as `Browser.new_context`), in English."""
    pages: list[Page] = []

    def opened(**options: Any) -> Page:
        settings = {"locale": "en-GB", "viewport": DESKTOP, "base_url": site.base, **options}
        context = browser.new_context(**settings)
        context.set_default_timeout(10_000)
        page = context.new_page()
        pages.append(page)
        return page

    yield opened
    failed = request.node.stash.get(FAILED, False)
    folder = tmp_path_factory.getbasetemp() / "screenshots"
    for number, page in enumerate(pages):
        if failed and not page.is_closed():
            folder.mkdir(exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
            with contextlib.suppress(Exception):  # a screenshot must not hide the failure
                page.screenshot(path=folder / f"{name}-{number}.png", full_page=True)
        page.context.close()


@pytest.fixture
def page(open_page: Callable[..., Page]) -> Page:
    return open_page()


def sign_in(page: Page) -> None:
    """Sign the page's browser context in as the organiser."""
    page.goto("/admin/login")
    page.get_by_label("E-mail address").fill(ORGANISER_EMAIL)
    page.get_by_label("Password").fill(ORGANISER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def read_checkin_code(desk: Page, attendee_page: str) -> str:
    """What the attendee's QR code holds, read by the check-in desk's own decoder (jsQR) from
    the image the attendee is shown, as the desk's camera would; `desk` shows /admin/checkin."""
    desk.wait_for_function("() => typeof window.jsQR === 'function'")
    code = desk.evaluate(_READ_QR, f"{attendee_page}/qr.svg")
    assert code, f"no QR code could be read from {attendee_page}/qr.svg"
    return code


@pytest.fixture
def organiser(page: Page) -> Page:
    """A page signed in as the organiser."""
    sign_in(page)
    return page
