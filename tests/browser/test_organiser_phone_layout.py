"""The organisers' pages on a phone (the desk is run from one): the menu fits, keyboard too."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import AXE, report, violations
from tests.browser.test_phone_layout import SCROLLS_SIDEWAYS

PHONE = {"width": 390, "height": 844}
PAGES = ["/admin/", "/admin/checkin", "/admin/registrations", "/admin/history"]


@pytest.fixture
def phone(open_page: Callable[..., Page]) -> Page:
    """An organiser signed in on a phone."""
    page = open_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.context.add_init_script(path=AXE)
    sign_in(page)
    return page


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("path", PAGES)
def test_the_organiser_menu_fits_a_phone_without_sideways_scrolling(
    phone: Page, path: str, lang: str
) -> None:
    phone.goto(f"{path}?lang={lang}")
    width = phone.evaluate(SCROLLS_SIDEWAYS)
    assert width["scroll"] <= width["client"], width
    links = phone.locator(".admin-nav a, .admin-nav button")
    assert links.count() >= 8
    for index in range(links.count()):
        link = links.nth(index)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (
            link.inner_text(),
            box,
        )


def test_the_menu_is_reached_link_after_link_with_the_keyboard(phone: Page) -> None:
    phone.goto("/admin/?lang=fr")
    names = phone.locator(".admin-menu a").all_inner_texts()
    assert "Accueil des participants" in names
    reached: list[str] = []
    for _ in range(40):
        phone.keyboard.press("Tab")
        focused = phone.evaluate(
            "() => document.activeElement.closest('.admin-menu') ? "
            "document.activeElement.textContent.trim() : null"
        )
        if focused:
            reached.append(focused)
        if reached == names:
            break
    assert reached == names


@pytest.mark.parametrize("path", ["/admin/", "/admin/checkin"])
def test_the_organiser_pages_at_phone_width_pass_axe(phone: Page, path: str) -> None:
    phone.goto(path)
    found = violations(phone)
    assert not found, f"{path}:\n{report(found)}"
