"""An organiser in a browser: approving an industry registration, renaming a session."""

from __future__ import annotations

import time
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.conftest import Site

OLD_TITLE = "Ouverture de la 9e journée de recherche"
NEW_TITLE = "Ouverture de la journée, avec le mot des associations"


def test_an_organiser_approves_a_pending_industry_registration(organiser: Page, site: Site) -> None:
    email = "industrie.pending@example.org"
    site.register(email, stakeholder_type="industry", last_name="Approuvée")
    assert site.registration(email).status == "pending_approval"

    organiser.goto("/admin/registrations")
    organiser.get_by_label("Status").select_option(label="Awaiting approval")
    organiser.get_by_role("button", name="Filter").click()
    organiser.get_by_role("link", name="Approuvée Inès").click()
    expect(organiser.locator("section.status h2")).to_have_text("Awaiting approval")
    organiser.get_by_role("button", name="Approve").click()

    expect(organiser.get_by_role("status")).to_contain_text("Approved.")
    expect(organiser.locator("section.status h2")).to_have_text("Confirmed")
    expect(organiser.get_by_role("button", name="Approve")).to_have_count(0)
    assert site.registration(email).status == "confirmed"


def test_an_organiser_renames_a_session_and_the_public_programme_follows(
    organiser: Page, open_page: Callable[..., Page], site: Site
) -> None:
    organiser.goto("/admin/programme")
    organiser.get_by_role("link", name=OLD_TITLE, exact=True).click()
    organiser.get_by_label("Title", exact=True).fill(NEW_TITLE)
    organiser.get_by_role("button", name="Save", exact=True).click()
    expect(organiser.get_by_role("status")).to_contain_text("Session saved.")
    expect(organiser.get_by_role("heading", level=1)).to_have_text(NEW_TITLE)

    visitor = open_page()
    # Each worker asks the database whether the programme changed at most once a second.
    deadline = time.monotonic() + 5
    while True:
        visitor.goto("/programme")
        if visitor.get_by_text(NEW_TITLE).count() or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    expect(visitor.get_by_role("link", name=NEW_TITLE).first).to_be_visible()
    expect(visitor.get_by_text(OLD_TITLE, exact=True)).to_have_count(0)
