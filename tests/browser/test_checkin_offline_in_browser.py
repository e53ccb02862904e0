"""The check-in desk with the network cut, in Chromium: two desks admit people from their own
copy, queue the scans in IndexedDB, open again from the service worker's cache, and reconcile
when the network is back: one arrival per badge, the double admission shown on both desks."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import Site, read_checkin_code, sign_in

CODE_FIELD = "Scan a badge (or type its code)"
ROSTER_LOADED = "() => window.DeskStore.meta().then((m) => Boolean(m.etag))"
QUEUE = "() => window.DeskStore.queued().then((q) => q.map((s) => [s.code, s.desk, s.nonce, s.at]))"


def open_desk(open_page: Callable[..., Page], name: str) -> Page:
    """A desk signed in, named, controlled by its service worker, holding the roster."""
    desk = open_page()
    sign_in(desk)
    desk.goto("/admin/checkin")
    desk.get_by_label("Desk", exact=True).fill(name)
    desk.get_by_label("Desk", exact=True).press("Tab")
    desk.wait_for_function("() => navigator.serviceWorker.controller !== null")
    desk.wait_for_function(ROSTER_LOADED)
    return desk


def cut(context: BrowserContext) -> None:
    """No network: the pages' requests and the service worker's own (which set_offline may
    not reach) all fail."""
    context.set_offline(True)
    context.route("**/*", lambda route: route.abort("internetdisconnected"))


def restore(context: BrowserContext) -> None:
    context.unroute("**/*")
    context.set_offline(False)


def type_code(desk: Page, code: str) -> None:
    field = desk.get_by_label(CODE_FIELD)
    field.fill(code)
    field.press("Enter")


def test_two_offline_desks_keep_admitting_and_reconcile_exactly_when_the_network_returns(
    open_page: Callable[..., Page], site: Site
) -> None:
    emails = [f"hors.ligne.{n}@example.org" for n in range(3)]
    paths = [site.register(email) for email in emails]
    north, south = open_desk(open_page, "Nord"), open_desk(open_page, "Sud")
    codes = [read_checkin_code(north, path) for path in paths]
    # The desks hold the three new attendees (their roster was loaded after registering).
    for desk in (north, south):
        desk.evaluate("() => window.eventdayDesk.refreshRoster()")

    for desk in (north, south):
        cut(desk.context)
    answer = north.locator("#answer")
    type_code(north, codes[0])
    expect(answer).to_have_class(re.compile(r"\banswer-ok\b"))
    expect(answer.locator(".answer-name")).to_have_text("Inès Ribeiro-Nguyễn")
    type_code(north, codes[1])
    expect(north.locator("#desk-status")).to_contain_text("Offline — 2 waiting")
    # A forged code is still refused offline: the desk's list has no entry for it.
    type_code(north, codes[2][:-1] + ("A" if codes[2][-1] != "A" else "B"))
    expect(answer).to_have_class(re.compile(r"\banswer-invalid\b"))
    # The same badge again at the same desk: already in, from the desk's own copy.
    type_code(north, codes[0])
    expect(answer).to_have_class(re.compile(r"\banswer-already_checked_in\b"))
    expect(north.locator("#desk-status")).to_contain_text("Offline — 2 waiting")

    type_code(south, codes[0])  # the same badge at the other desk: it cannot know
    expect(south.locator("#answer")).to_have_class(re.compile(r"\banswer-ok\b"))
    type_code(south, codes[2])
    expect(south.locator("#desk-status")).to_contain_text("Offline — 2 waiting")

    # The queue is in IndexedDB: the page opens again from the service worker's cache,
    # still without the network, and still holds it.
    north.reload()
    expect(north.get_by_role("heading", name="Check-in desk")).to_be_visible()
    expect(north.locator("#desk-status")).to_contain_text("Offline — 2 waiting")
    queue = north.evaluate(QUEUE)
    assert [(c, d) for c, d, _n, _a in queue] == [(codes[0], "Nord"), (codes[1], "Nord")]
    assert all(nonce and at for _c, _d, nonce, at in queue)
    assert site.registration(emails[0]).checked_in_at is None

    restore(north.context)
    expect(north.locator("#desk-status")).to_have_text(
        "Online: every scan is checked by the server.", timeout=15_000
    )
    assert north.evaluate(QUEUE) == []
    first = site.registration(emails[0])
    assert (first.checked_in_desk, site.registration(emails[1]).checked_in_desk) == ("Nord", "Nord")

    restore(south.context)
    expect(south.locator("#desk-status")).to_have_text(
        "Online: every scan is checked by the server.", timeout=15_000
    )
    # One arrival per badge, at the earlier time (the north desk's).
    again = site.registration(emails[0])
    assert (again.checked_in_at, again.checked_in_desk) == (first.checked_in_at, "Nord")
    assert site.registration(emails[2]).checked_in_desk == "Sud"
    # Both desks show the double admission: the south one from its sync's answer, the
    # north one from the roster it refreshes.
    for desk in (south, north):
        twice = desk.locator("#twice-list li")
        expect(twice).to_have_count(1, timeout=15_000)
        expect(twice).to_contain_text("Inès Ribeiro-Nguyễn: desk Nord at")
        expect(twice).to_contain_text("desk Sud at")
    north.goto("/admin/")
    expect(
        north.get_by_role("heading", name="Admitted twice while a desk was offline")
    ).to_be_visible()


def test_chromium_accepts_the_desks_manifest_and_service_worker(
    open_page: Callable[..., Page],
) -> None:
    desk = open_desk(open_page, "Nord")
    scope = desk.evaluate("() => navigator.serviceWorker.ready.then((r) => r.scope)")
    assert scope.endswith("/admin/checkin")
    cdp = desk.context.new_cdp_session(desk)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == [], manifest["errors"]
    assert manifest["url"].endswith("/admin/checkin/manifest.webmanifest")
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    # A Playwright context is like a private window, where nothing installs; nothing else.
    assert {e["errorId"] for e in errors} <= {"in-incognito"}, errors


def test_signing_out_leaves_nothing_of_the_desk_on_the_device(
    open_page: Callable[..., Page], site: Site
) -> None:
    desk = open_desk(open_page, "Nord")
    assert desk.evaluate("() => window.DeskStore.meta().then((m) => m.size)") > 0
    desk.get_by_role("button", name="Sign out").click()
    expect(desk.get_by_label("Password")).to_be_visible()
    left = desk.evaluate(
        """async () => {
      const names = (await indexedDB.databases()).map((d) => d.name);
      const caches_ = await caches.keys();
      const workers = await navigator.serviceWorker.getRegistrations();
      return {databases: names, caches: caches_, workers: workers.length};
    }"""
    )
    assert left == {"databases": [], "caches": [], "workers": 0}, left
