"""The check-in desk in a browser, fed as a handheld scanner does: the code typed, then Enter;
its answer, and the undo beside it, with and without JavaScript."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.conftest import Site, read_checkin_code, sign_in


def test_a_scanned_badge_is_checked_in_once_and_focus_comes_back(
    organiser: Page, site: Site
) -> None:
    email = "scan.me@example.org"
    path = site.register(email)
    desk = organiser
    desk.goto("/admin/checkin")
    code_field = desk.get_by_label("Scan a badge (or type its code)")
    expect(code_field).to_be_focused()
    code = read_checkin_code(desk, path)
    assert re.fullmatch(r"EV1-\d+-RD27-[A-Z0-9]+-[A-Z2-7]+", code), code
    arrived = int(desk.locator("#desk-count strong").inner_text())

    desk.get_by_label("Desk", exact=True).fill("Entrée 1")
    desk.locator("h1").click()  # a click elsewhere gives the focus back to the code field
    expect(code_field).to_be_focused()
    desk.keyboard.type(code)
    desk.keyboard.press("Enter")

    answer = desk.locator("#answer")
    expect(answer).to_have_class(re.compile(r"\banswer-ok\b"))
    expect(answer.locator(".answer-result")).to_have_text("Welcome!")
    expect(answer.locator(".answer-name")).to_have_text("Inès Ribeiro-Nguyễn")
    expect(desk.locator("#desk-count strong")).to_have_text(str(arrived + 1))
    expect(code_field).to_be_focused()
    expect(code_field).to_have_value("")
    stored = site.registration(email)
    assert stored.checked_in_at is not None
    assert stored.checked_in_desk == "Entrée 1"

    desk.keyboard.type(code)
    desk.keyboard.press("Enter")
    expect(answer).to_have_class(re.compile(r"\banswer-already_checked_in\b"))
    expect(answer.locator(".answer-result")).to_contain_text("Already checked in at")
    expect(answer.locator(".answer-result")).to_contain_text("desk Entrée 1")
    expect(answer.locator(".answer-name")).to_have_text("Inès Ribeiro-Nguyễn")
    expect(desk.locator("#desk-count strong")).to_have_text(str(arrived + 1))
    expect(code_field).to_be_focused()
    assert site.registration(email).checked_in_at == stored.checked_in_at


def test_before_the_first_scan_no_empty_answer_box_is_drawn(organiser: Page) -> None:
    organiser.goto("/admin/checkin")
    drawn = organiser.evaluate(
        """() => {
      const box = document.getElementById("answer"), style = getComputedStyle(box);
      return {height: box.getBoundingClientRect().height, border: style.borderTopWidth};
    }"""
    )
    assert drawn == {"height": 0, "border": "0px"}


def test_the_undo_button_beside_the_answer_takes_the_check_in_back(
    organiser: Page, site: Site
) -> None:
    email = "undo.me@example.org"
    path = site.register(email)
    desk = organiser
    desk.goto("/admin/checkin")
    code = read_checkin_code(desk, path)
    arrived = int(desk.locator("#desk-count strong").inner_text())
    desk.get_by_label("Scan a badge (or type its code)").fill(code)
    desk.keyboard.press("Enter")
    answer = desk.locator("#answer")
    expect(answer).to_have_class(re.compile(r"\banswer-ok\b"))
    undo = answer.get_by_role("button", name="Undo this check-in")
    expect(undo).to_be_visible()
    assert site.registration(email).checked_in_at is not None

    undo.click()
    expect(answer.locator(".answer-result")).to_have_text("Check-in undone.")
    expect(answer.locator(".answer-name")).to_have_text("Inès Ribeiro-Nguyễn")
    expect(answer.get_by_role("button", name="Undo this check-in")).to_have_count(0)
    expect(desk.locator("#desk-count strong")).to_have_text(str(arrived))
    expect(desk.get_by_label("Scan a badge (or type its code)")).to_be_focused()
    assert desk.url.endswith("/admin/checkin")  # the page stayed: no reload, the camera goes on
    assert site.registration(email).checked_in_at is None


def test_without_javascript_the_undo_button_works_too(
    open_page: Callable[..., Page], site: Site
) -> None:
    email = "undo.nojs@example.org"
    site.register(email)
    desk = open_page(java_script_enabled=False)
    sign_in(desk)
    desk.goto("/admin/checkin")
    desk.get_by_label("Name, organisation or reference").fill(site.registration(email).reference)
    desk.get_by_role("button", name="Search").click()
    desk.locator(".found").get_by_role("button", name="Check in").click()
    answer = desk.locator("#answer")
    expect(answer).to_have_class(re.compile(r"\banswer-ok\b"))
    assert site.registration(email).checked_in_at is not None

    answer.get_by_role("button", name="Undo this check-in").click()
    expect(desk.locator(".flash")).to_contain_text("Check-in undone.")
    assert site.registration(email).checked_in_at is None
