"""The attendee's own page in a browser: status, QR code, badge, cancelling with a confirmation."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import Site


def test_the_attendee_page_shows_status_qr_code_and_badge(page: Page, site: Site) -> None:
    path = site.register("page.attendee@example.org")
    page.goto(path)

    expect(page.locator("#status-title")).to_have_text("Confirmed")
    expect(page.locator(".reference strong")).to_have_text(
        site.registration("page.attendee@example.org").reference
    )
    qr = page.get_by_role("img", name="Check-in code of Inès Ribeiro-Nguyễn")
    expect(qr).to_be_visible()
    assert qr.evaluate("image => image.complete && image.naturalWidth") > 0  # it did load

    badge = page.get_by_role("link", name="My badge (PDF)")
    answer = page.request.get(badge.get_attribute("href"))
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.body().startswith(b"%PDF-")


def test_cancelling_asks_for_confirmation_first(page: Page, site: Site) -> None:
    email = "cancel.attendee@example.org"
    path = site.register(email)
    page.goto(path)

    page.get_by_role("link", name="Cancel my registration").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel my registration?")
    assert site.registration(email).status == "confirmed"  # asking is not cancelling

    page.get_by_role("link", name="No, keep it").click()
    expect(page.locator("#status-title")).to_have_text("Confirmed")
    page.get_by_role("link", name="Cancel my registration").click()
    page.get_by_role("button", name="Yes, cancel my registration").click()

    page.wait_for_url(f"**{path}")
    expect(page.locator("#status-title")).to_have_text("Cancelled")
    expect(page.get_by_role("img", name="Check-in code of Inès Ribeiro-Nguyễn")).to_have_count(0)
    expect(page.get_by_role("link", name="Cancel my registration")).to_have_count(0)
    assert site.registration(email).status == "cancelled"
