"""The public programme as a browser draws it: headings in order of size, paper without controls."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Site

FONT_SIZE = "element => parseFloat(getComputedStyle(element).fontSize)"
PHONE = {"width": 375, "height": 740}


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_a_session_page_s_title_is_larger_than_its_section_headings(
    open_page: Callable[..., Page], site: Site, viewport: dict | None
) -> None:
    page = open_page(**({"viewport": viewport} if viewport else {}))
    workshop = next(s for s in site.programme()["sessions"] if s["speakers"] and s["abstract"])
    page.goto(f"/programme/{workshop['id']}")

    title = page.get_by_role("heading", level=1).evaluate(FONT_SIZE)
    sections = page.get_by_role("heading", level=2)
    expect(sections.first).to_be_visible()
    assert all(title > size for size in sections.evaluate_all(f"all => all.map({FONT_SIZE})"))


def test_the_printed_programme_shows_the_sessions_without_the_screen_s_controls(
    page: Page, site: Site
) -> None:
    first = site.programme()["sessions"][0]["title"]  # other tests may rename sessions
    page.goto("/programme")
    expect(page.locator(".filters-box")).to_be_visible()

    page.emulate_media(media="print")

    for control in (".filters-box", ".calendar-box", ".site-header", ".language-switch"):
        expect(page.locator(control).first).to_be_hidden()
    expect(page.get_by_text(first, exact=True).first).to_be_visible()
