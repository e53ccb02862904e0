"""The organisers' header: every link named apart, in words a French organiser uses."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import make_edition
from tests.test_users_admin import signed_in, text, visible

PAGES = ["/admin/", "/admin/registrations", "/admin/checkin", "/admin/history"]


@pytest.fixture
def organiser(app: Flask) -> FlaskClient:
    with app.app_context():
        make_edition()
    return signed_in(app, "admin")


def header_links(page: str) -> list[str]:
    """The names of the links in the site's header and the organisers' menu."""
    header = (
        page.split('<main id="main"', 1)[0]
        + page.split('class="admin-nav"', 1)[1].split("</nav>", 1)[0]
    )
    return [visible(name) for name in re.findall(r"<a [^>]*>(.*?)</a>", header, re.S)]


@pytest.mark.parametrize("path", PAGES)
def test_no_two_links_of_the_header_have_the_same_name_in_french(
    organiser: FlaskClient, path: str
) -> None:
    organiser.get("/?lang=fr")
    links = [name for name in header_links(text(organiser.get(path))) if name]
    assert len(links) == len(set(links)), links
    assert "Accueil des participants" in links
    assert "Site public" in links
    assert "Accueil" not in links


def test_the_menu_marks_the_page_it_is_on(organiser: FlaskClient) -> None:
    page = text(organiser.get("/admin/checkin?lang=fr"))
    current = re.findall(r'<a href="([^"]+)" aria-current="page">([^<]+)</a>', page)
    assert current == [("/admin/checkin", "Accueil des participants")]


def test_nobody_found_reads_as_french(organiser: FlaskClient) -> None:
    organiser.get("/?lang=fr")
    for path in ("/admin/registrations?q=zzzz", "/admin/checkin?q=zzzz"):
        page = visible(text(organiser.get(path)))
        assert "Aucune personne trouvée." in page
        assert "Personne trouvé" not in page
