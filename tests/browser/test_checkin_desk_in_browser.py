"""The check-in desk in a browser, fed as a handheld scanner does: the code typed, then Enter."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import Site, read_checkin_code


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
