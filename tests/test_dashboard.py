"""The dashboard: figures that open what they count, a readable per-day chart, whose change."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from eventday.extensions import db
from eventday.registration import capacity
from eventday.registration.models import Registration
from tests.conftest import make_edition
from tests.test_exports import listed, register, set_capacity
from tests.test_users_admin import signed_in, text, visible

ISO_DATE = re.compile(r"\b20\d\d-\d\d-\d\d\b")


@pytest.fixture
def edition(app: Flask) -> int:
    with app.app_context():
        return make_edition().id


@pytest.fixture
def filled(app: Flask, edition: int) -> dict[str, int]:
    """Registrations made over three days (the 1st, 2nd and 4th of December), in every state."""
    made = {
        "anne": register(app, edition, "Anne", "Bernard"),
        "paul": register(app, edition, "Paul", "Durand"),
        "ines": register(app, edition, "Inès", "Haddad", stakeholder_type="industry"),
    }
    set_capacity(app, edition, 3)
    made["zoe"] = register(app, edition, "Zoé", "Martin")
    made["luc"] = register(app, edition, "Luc", "Attente")
    days = {"anne": 1, "paul": 1, "ines": 2, "zoe": 4, "luc": 4}
    with app.app_context():
        for who, day in days.items():
            db.session.execute(
                update(Registration)
                .where(Registration.id == made[who])
                .values(created_at=dt.datetime(2026, 12, day, 10, 0, tzinfo=dt.UTC))
            )
        db.session.get_one(Registration, made["anne"]).checked_in_at = dt.datetime.now(dt.UTC)
        db.session.commit()
    return made


def figures(page: str) -> dict[str, tuple[int, str]]:
    """Each figure of the dashboard: its words → (number, the address it opens)."""
    found = re.findall(
        r'<li><a href="([^"]+)"><strong>(\d+)</strong>.*?<span>([^<]+)</span></a></li>', page
    )
    return {words: (int(number), href.replace("&amp;", "&")) for href, number, words in found}


def test_each_figure_opens_the_registrations_it_counts(
    organiser_page: str, organiser: FlaskClient, filled: dict[str, int]
) -> None:
    shown = figures(organiser_page)
    assert set(shown) == {"confirmed", "on the waiting list", "awaiting approval", "checked in"}
    assert [number for number, _ in shown.values()] == [3, 1, 1, 1]
    for number, href in shown.values():
        assert href.startswith("/admin/registrations?")
        assert len(listed(organiser, href.removeprefix("/admin/registrations"))) == number
    assert listed(organiser, shown["on the waiting list"][1].removeprefix("/admin/registrations"))
    assert listed(organiser, "?status=waitlisted") == ["Attente Luc"]


def test_the_counts_by_profile_open_those_registrations(
    organiser_page: str, organiser: FlaskClient, filled: dict[str, int]
) -> None:
    link = "/admin/registrations?type=industry&amp;status=pending_approval"
    assert f'<a href="{link}">1</a>' in organiser_page
    assert listed(organiser, "?type=industry&status=pending_approval") == ["Haddad Inès"]


@pytest.fixture
def organiser(app: Flask, edition: int) -> FlaskClient:
    return signed_in(app, "organiser")


@pytest.fixture
def organiser_page(organiser: FlaskClient, filled: dict[str, int]) -> str:
    return text(organiser.get("/admin/"))


def chart(page: str) -> str:
    return re.search(r'<svg class="chart".*?</svg>', page, re.S).group(0)


def test_the_per_day_chart_has_axes_local_dates_and_a_text_alternative(
    app: Flask, organiser: FlaskClient, filled: dict[str, int]
) -> None:
    page = text(organiser.get("/admin/?lang=fr"))
    drawn = chart(page)
    assert 'role="img"' in drawn
    title = re.search(r'aria-labelledby="([^"]+)"', drawn).group(1).split()
    assert [f'id="{name}"' in drawn for name in title] == [True, True]
    description = visible(re.search(r"<desc[^>]*>(.*?)</desc>", drawn, re.S).group(1))
    assert description == (
        "Du 1 décembre 2026 au 4 décembre 2026 : 5 inscriptions, au plus 2 en un jour "
        "(le 1 décembre 2026)."
    )
    # Four days from the first to the last, the third one without any registration.
    assert len(re.findall(r'<rect class="bar"', drawn)) == 4
    dates = [visible(d) for d in re.findall(r'class="date-label"[^>]*>(.*?)</text>', drawn)]
    assert dates == ["1 déc.", "2 déc.", "3 déc.", "4 déc."]
    counts = [visible(c) for c in re.findall(r'class="count-label"[^>]*>(.*?)</text>', drawn)]
    assert counts == ["0", "1", "2"]
    assert drawn.count('class="axis"') == 2
    # The same figures as a table, for whoever does not see the bars.
    table = re.search(r'<details class="chart-table">.*?</details>', page, re.S).group(0)
    rows = [
        [visible(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
    ]
    assert rows == [
        ["Jour", "Inscriptions"],
        ["1 décembre 2026", "2"],
        ["2 décembre 2026", "1"],
        ["3 décembre 2026", "0"],
        ["4 décembre 2026", "2"],
    ]
    assert not ISO_DATE.search(visible(page)), ISO_DATE.search(visible(page))
    english = chart(text(organiser.get("/admin/?lang=en")))
    assert "1 Dec" in english and "1 December 2026" in english


def test_latest_changes_say_whose_registration_changed(
    app: Flask, organiser: FlaskClient, filled: dict[str, int]
) -> None:
    with app.app_context():
        capacity.cancel(filled["paul"])
    page = text(organiser.get("/admin/"))
    latest = page.split('id="latest-title"')[1]
    assert f'<a href="/admin/registrations/{filled["paul"]}">Paul Durand</a>' in latest


def test_the_dashboard_tells_the_retention_in_words_without_a_command(
    organiser: FlaskClient, edition: int
) -> None:
    page = visible(text(organiser.get("/admin/?lang=fr")))
    assert "Les données personnelles sont conservées jusqu’au dimanche 25 avril 2027" in page
    assert "demandez à la personne qui gère le serveur de les supprimer" in page
    assert "eventday anonymise" not in page
    assert "--edition" not in page
