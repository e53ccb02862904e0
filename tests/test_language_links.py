"""The FR/EN switch links stay on this site, whatever path a visitor asks for."""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin, urlsplit

import pytest

HREF = re.compile(r'href="([^"]*)"')
SITE = "https://journee.example.org"


def _links(page: str) -> list[str]:
    return [html.unescape(link) for link in HREF.findall(page)]


@pytest.mark.parametrize(
    "path",
    [
        "/\\evil.example/x",
        "/\\\\evil.example/x",
        "//evil.example/x",
        "///evil.example/x",
        "/\t/evil.example/",
        "/\n/evil.example/",
        "/programme/\\\\evil.example",
        "/café",
    ],
)
def test_every_link_on_a_page_for_an_odd_path_stays_on_the_site(client, demo, path: str):
    # The path as the server hands it over, decoded (`GET /%5Cevil.example/x`).
    answer = client.get("/", environ_overrides={"PATH_INFO": path.encode().decode("latin-1")})
    assert answer.status_code == 404
    links = _links(answer.get_data(as_text=True))
    switches = [link for link in links if "lang=" in link]
    assert len(switches) == 2
    for link in links:
        assert not any(c in link for c in "\t\r\n\\"), link
        # Resolved as a browser resolves it, from the page's own address.
        resolved = urlsplit(urljoin(SITE + "/x/page", link))
        assert resolved.netloc == urlsplit(SITE).netloc, link


def test_the_switch_keeps_the_page_and_its_filters(client, demo):
    page = client.get("/programme?track=Maladies+rares").get_data(as_text=True)
    assert "/programme?track=Maladies+rares&amp;lang=en" in page
    accented = client.get("/caf%C3%A9").get_data(as_text=True)
    assert 'href="/caf%C3%A9?lang=en"' in accented
