"""Next year's edition in a browser, on a phone: a draft made from this year's, the switcher
in every organiser page's header, the editions page and the publish confirmation (axe)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import AXE, report, violations
from tests.browser.test_phone_layout import SCROLLS_SIDEWAYS

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(open_page: Callable[..., Page]) -> Page:
    page = open_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.context.add_init_script(path=AXE)
    sign_in(page)
    return page


def assert_fits_and_passes_axe(page: Page) -> None:
    width = page.evaluate(SCROLLS_SIDEWAYS)
    assert width["scroll"] <= width["client"], width
    found = violations(page)
    assert not found, f"{page.url}:\n{report(found)}"


def test_a_draft_is_made_switched_to_and_back_from_a_phone(phone: Page) -> None:
    phone.goto("/admin/edition/?lang=en")
    current = phone.locator("#working-edition option:checked").inner_text()
    phone.get_by_label("Name", exact=True).last.fill("Journée de l'an prochain")
    phone.locator("#copy-slug").fill("navigateur-brouillon")
    phone.locator("#copy-start_date").fill("2028-01-24")
    phone.get_by_role("button", name="Create the new edition").click()
    expect(phone.get_by_text("you are now working on it")).to_be_visible()
    switcher = phone.locator("#working-edition")
    expect(switcher.locator("option:checked")).to_have_text("Journée de l'an prochain (draft)")
    assert_fits_and_passes_axe(phone)

    phone.goto("/admin/editions/")
    assert_fits_and_passes_axe(phone)
    phone.get_by_role("link", name="Publish…").click()
    expect(phone.get_by_role("heading", name="Publish Journée de l'an prochain?")).to_be_visible()
    assert_fits_and_passes_axe(phone)

    # Back to the current edition with the header's switcher (the draft stays unpublished).
    phone.goto("/admin/registrations")
    phone.locator("#working-edition").select_option(label=current)
    phone.get_by_role("button", name="Switch").click()
    expect(phone.locator("#working-edition option:checked")).to_have_text(current)
    assert phone.url.endswith("/admin/registrations")
    # The public site never showed the draft.
    phone.goto("/editions/navigateur-brouillon/")
    assert "navigateur-brouillon" not in phone.locator("main").inner_text()
