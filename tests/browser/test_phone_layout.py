"""Public pages at a phone's width: nothing wider than the screen, the programme as a list."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

PHONE = {"width": 375, "height": 740}
SCROLLS_SIDEWAYS = """() => {
  const page = document.documentElement;
  const wider = [...document.body.querySelectorAll("*")]
    .filter((e) => e.getBoundingClientRect().right > page.clientWidth + 0.5)
    .slice(0, 5)
    .map((e) => e.tagName.toLowerCase() + (e.className ? "." + e.className : ""));
  return {scroll: page.scrollWidth, client: page.clientWidth, wider};
}"""


@pytest.mark.parametrize("path", ["/programme", "/", "/register"])
def test_no_horizontal_scrolling_at_phone_width(open_page: Callable[..., Page], path: str) -> None:
    page = open_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(path)
    width = page.evaluate(SCROLLS_SIDEWAYS)
    assert width["scroll"] <= width["client"], width
    if path == "/programme":  # the rooms × time grid gives way to a chronological list
        expect(page.locator("table.grid").first).to_be_hidden()
        expect(page.locator("ol.timeline").first).to_be_visible()
