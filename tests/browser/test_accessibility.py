"""axe-core finds no serious or critical accessibility violation on the pages people use.

axe (tests/browser/axe/) is added to each page as an init script, which the pages'
Content-Security-Policy does not govern, so the pages are checked exactly as served.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Page

from tests.browser.conftest import Site, read_checkin_code, sign_in

AXE = Path(__file__).parent / "axe" / "axe.min.js"
BLOCKING = {"serious", "critical"}
RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map((n) => n.target.join(" ")),
  }));
}"""

PUBLIC = {
    "home": "/",
    "programme": "/programme",
    "register": "/register",
    "find-registration": "/registration/find",
    "editions": "/editions/",
    "privacy": "/privacy",
    "admin-login": "/admin/login",
    "call-for-abstracts": "/abstracts",
    "submit-abstract": "/abstracts/submit",
}
ORGANISERS = {
    "dashboard": "/admin/",
    "registrations": "/admin/registrations",
    "register-by-hand": "/admin/registrations/new",
    "checkin": "/admin/checkin",
    "programme-editor": "/admin/programme/",
    "edition": "/admin/edition/",
    "identity": "/admin/edition/identity/",
    "mails": "/admin/edition/mails",
    "mail-wording": "/admin/edition/mails/confirmed",
    "history": "/admin/history",
    "statistics": "/admin/statistics",
    "editions-admin": "/admin/editions/",
    "abstracts": "/admin/abstracts/",
    "call-settings": "/admin/abstracts/call",
}


def violations(page: Page) -> list[dict[str, Any]]:
    return [v for v in page.evaluate(RUN_AXE) if v["impact"] in BLOCKING]


def report(found: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(v['targets'][:5])}" for v in found
    )


@pytest.fixture
def checked_page(open_page: Callable[..., Page]) -> Page:
    page = open_page()
    page.context.add_init_script(path=AXE)
    return page


def assert_accessible(page: Page, path: str) -> None:
    answer = page.goto(path)
    assert answer is not None and answer.ok, (path, answer and answer.status)
    found = violations(page)
    assert not found, f"{path}:\n{report(found)}"


@pytest.mark.parametrize("path", PUBLIC.values(), ids=PUBLIC.keys())
def test_public_page(checked_page: Page, path: str) -> None:
    assert_accessible(checked_page, path)


def test_session_page(checked_page: Page, site: Site) -> None:
    workshop = next(s for s in site.programme()["sessions"] if s["kind"] == "workshop")
    assert_accessible(checked_page, f"/programme/{workshop['id']}")


def test_registration_form_with_its_errors(checked_page: Page) -> None:
    checked_page.goto("/register")
    checked_page.get_by_role("button", name="Register").click()
    checked_page.wait_for_selector("#error-summary")
    found = violations(checked_page)
    assert not found, report(found)


def test_registration_form_with_workshops_greyed_out(checked_page: Page) -> None:
    checked_page.goto("/register")
    checked_page.locator('input[name="workshops"]').first.check()
    checked_page.wait_for_selector(".workshop-clash")
    found = violations(checked_page)
    assert not found, report(found)


@pytest.fixture(scope="module")
def attendees(site: Site) -> dict[str, str]:
    """Attendee pages by status: one confirmed, one awaiting approval."""
    return {
        "confirmed": site.register("axe.attendee@example.org"),
        "pending_approval": site.register("axe.pending@example.org", stakeholder_type="industry"),
    }


@pytest.mark.parametrize("status", ["confirmed", "pending_approval"])
def test_attendee_page(checked_page: Page, attendees: dict[str, str], status: str) -> None:
    assert_accessible(checked_page, attendees[status])


@pytest.mark.parametrize("step", ["edit", "cancel", "erase"])
def test_attendee_forms(checked_page: Page, attendees: dict[str, str], step: str) -> None:
    assert_accessible(checked_page, f"{attendees['confirmed']}/{step}")


def test_an_organiser_s_registration_detail_and_edit_pages(checked_page: Page, site: Site) -> None:
    site.register("axe.detail@example.org")
    registration_id = site.registration("axe.detail@example.org").id
    sign_in(checked_page)
    assert_accessible(checked_page, f"/admin/registrations/{registration_id}")
    assert_accessible(checked_page, f"/admin/registrations/{registration_id}/edit")


@pytest.mark.usefixtures("attendees")
@pytest.mark.parametrize("path", ORGANISERS.values(), ids=ORGANISERS.keys())
def test_organiser_page(checked_page: Page, path: str) -> None:
    sign_in(checked_page)
    assert_accessible(checked_page, path)


def test_checkin_desk_answers(checked_page: Page, site: Site) -> None:
    """Each kind of answer, big and coloured, is as readable as the rest of the desk."""
    path = site.register("axe.arriving@example.org")
    sign_in(checked_page)
    checked_page.goto("/admin/checkin")
    code = read_checkin_code(checked_page, path)
    for typed, result in ((code, "ok"), (code, "already_checked_in"), ("EV1-FORGED", "invalid")):
        checked_page.get_by_label("Scan a badge (or type its code)").fill(typed)
        checked_page.keyboard.press("Enter")
        checked_page.locator(f"#answer.answer-{result}").wait_for()
        found = violations(checked_page)
        assert not found, f"after a scan answered {result}:\n{report(found)}"


def test_the_organisers_face_filled_in_refused_and_shown_on_the_home_page(
    checked_page: Page,
) -> None:
    """The identity page with a logo and a sponsor, with an upload refused, and the home
    page, privacy notice and sponsor's page showing what it holds."""
    logo = io.BytesIO()
    Image.new("RGB", (240, 80), (20, 60, 140)).save(logo, "PNG")
    page = checked_page
    sign_in(page)
    page.goto("/admin/edition/identity/")
    page.get_by_label("Organising network").fill("Réseau d'essai")
    page.get_by_label("Data controller", exact=True).fill("Association d'essai")
    page.get_by_label("Getting there by public transport", exact=True).fill("Métro 6, Glacière")
    page.get_by_label("Link to a map").fill("https://www.openstreetmap.org/")
    page.locator("#logo").set_input_files(
        {"name": "logo.png", "mimeType": "image/png", "buffer": logo.getvalue()}
    )
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector(".flash")
    page.locator("#sponsor-name").fill("Fondation d'essai")
    page.locator("#sponsor-tier").fill("Gold")
    page.locator("#sponsor-logo").set_input_files(
        {"name": "sponsor.png", "mimeType": "image/png", "buffer": logo.getvalue()}
    )
    page.get_by_role("button", name="Add").click()
    page.wait_for_selector(".flash")
    found = violations(page)
    assert not found, report(found)

    page.locator("#logo").set_input_files(
        {"name": "logo.png", "mimeType": "image/png", "buffer": b"<html>not an image</html>"}
    )
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("#error-summary")
    found = violations(page)
    assert not found, report(found)

    page.get_by_role("link", name="Change — Fondation d'essai").click()
    page.wait_for_selector("h1")
    found = violations(page)
    assert not found, report(found)
    for path in ("/", "/privacy"):
        assert_accessible(page, path)
    assert page.goto("/").ok
    assert page.locator("img.edition-logo").evaluate("(img) => img.naturalWidth") == 240
