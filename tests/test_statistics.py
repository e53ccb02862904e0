"""The statistics for the funders' report: the same figures on the page, in the XLSX and the PDF."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from eventday import privacy
from eventday.accounts.models import Role, User
from eventday.checkin import desk as checkin_desk
from eventday.editions.lifecycle import EditionDraft, choose_working_edition, create_edition
from eventday.extensions import db
from eventday.programme.models import Edition
from eventday.registration import capacity
from eventday.registration.capacity import Applicant
from eventday.registration.models import Registration
from eventday.registration.tokens import checkin_code
from eventday.statistics.institutions import institution_type, named_institution
from tests.conftest import make_edition, make_session
from tests.test_exports import REGISTERED_AT, download, set_capacity
from tests.test_users_admin import english_client, signed_in, text, visible

DAY = dt.date(2027, 1, 25)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NAMED_BY = {"researcher": "institution", "clinician": "hospital"}


@dataclasses.dataclass(frozen=True)
class Person:
    first_name: str
    stakeholder_type: str
    institution: str = ""
    organisation: str = ""
    email: str | None = None

    @property
    def address(self) -> str:
        return self.email or f"{self.first_name.lower()}@example.org"


def register(app: Flask, edition_id: int, person: Person, workshops: tuple[int, ...] = ()) -> int:
    """`person` registered through the seat rules; their registration's id."""
    answers = {
        "researcher": {"position": "postdoc"},
        "clinician": {"specialty": "Rhumatologie"},
        "association": {"association_name": person.institution, "association_role": "patient"},
        "industry": {"company": person.institution, "job_title": "Chargée d'affaires"},
    }[person.stakeholder_type]
    if person.stakeholder_type in NAMED_BY:
        answers[NAMED_BY[person.stakeholder_type]] = person.institution
    with app.app_context():
        return capacity.register(
            edition_id,
            Applicant(
                first_name=person.first_name,
                last_name="Essai",
                email=person.address,
                organisation=person.organisation,
                stakeholder_type=person.stakeholder_type,
                answers=answers,
                language="en",
                workshop_ids=workshops,
            ),
            now=REGISTERED_AT,
        ).id


def check_in(app: Flask, edition_id: int, registration_id: int) -> None:
    """At the desk, as a scanned badge is (its answer links to pages: a request context)."""
    with app.test_request_context():
        reference = db.session.get_one(Registration, registration_id).reference
        code = checkin_code(edition_id, reference)
        answer = checkin_desk.scan(edition_id, checkin_desk.Scan(code, "Accueil"), None)
        assert answer["result"] == "ok"


def earlier_edition(app: Flask, year: int, addresses: list[str]) -> int:
    with app.app_context():
        edition_id = create_edition(
            EditionDraft(
                name=f"Journée {year}",
                slug=f"journee-{year}",
                start_date=dt.date(year, 1, 26),
                end_date=dt.date(year, 1, 26),
            )
        ).id
    for number, address in enumerate(addresses):
        register(app, edition_id, Person(f"Ancien{number}", "researcher", email=address))
    return edition_id


@pytest.fixture
def edition(app: Flask) -> int:
    """This year's edition after two earlier ones, filled as the module's figures say.

    Confirmed: Alice (university, came in 2026 under another case), Bruno (research
    body, came only in 2025, since anonymised), Chloé (other), Dominique (hospital,
    came in 2026), Fatou (association). Waitlisted: Igor; awaiting approval: Gaëlle
    (industry); cancelled: Ève. Checked in: Alice, Chloé, Dominique, Fatou.
    Workshops: "Atelier A" (2 seats) Alice and Bruno; "Atelier B" (10) Chloé and Dominique.
    """
    anonymised = earlier_edition(app, 2025, ["bruno@example.org"])
    with app.app_context():
        privacy.anonymise(anonymised, force=True)
    earlier_edition(app, 2026, ["ALICE@Example.org", "dominique@example.org", "x@example.org"])
    with app.app_context():
        edition_id = make_edition(DAY).id
        first = make_session(edition_id, DAY, "14:00", "15:30", "Atelier A", "workshop", capacity=2)
        second = make_session(
            edition_id, DAY, "14:00", "15:30", "Atelier B", "workshop", capacity=10
        )
        first_id, second_id = first.id, second.id
    came = [
        register(
            app,
            edition_id,
            Person("Alice", "researcher", "Université Paris Cité", "Inserm"),
            (first_id,),
        ),
        register(app, edition_id, Person("Chloé", "researcher", "Freelance"), (second_id,)),
        register(
            app, edition_id, Person("Dominique", "clinician", "CHU de Bordeaux"), (second_id,)
        ),
        register(app, edition_id, Person("Fatou", "association", "Lupus France")),
    ]
    register(app, edition_id, Person("Bruno", "researcher", "Institut Pasteur"), (first_id,))
    cancelled = register(app, edition_id, Person("Ève", "clinician", "Cabinet libéral"))
    register(app, edition_id, Person("Gaëlle", "industry", "Institut Servier"))
    with app.app_context():
        capacity.cancel(cancelled)
    set_capacity(app, edition_id, 5)
    register(app, edition_id, Person("Igor", "researcher", "Inserm"))
    for registration_id in came:
        check_in(app, edition_id, registration_id)
    return edition_id


@pytest.fixture
def organiser(app: Flask, edition: int) -> FlaskClient:
    return signed_in(app, Role.ORGANISER)


def page_tables(html: str) -> dict[str, list[list[str]]]:
    """Each table of the page by its section's id: its rows (total included) as visible text."""
    tables = {}
    for key, body in re.findall(r'<section aria-labelledby="([\w-]+)">(.*?)</section>', html, re.S):
        rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
        tables[key] = [
            [visible(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in rows[1:]
        ]
    return tables


# What the page shows in English, table by table (the header row left out).
EXPECTED = {
    "by-profile": [
        ["Researcher", "3", "1", "0", "0", "4", "50.0%"],
        ["Clinician", "1", "0", "0", "1", "2", "25.0%"],
        ["Patient association", "1", "0", "0", "0", "1", "12.5%"],
        ["Industry", "0", "0", "1", "0", "1", "12.5%"],
        ["Total", "5", "1", "1", "1", "8", "100.0%"],
    ],
    "by-status": [
        ["Confirmed", "5", "62.5%"],
        ["On the waiting list", "1", "12.5%"],
        ["Awaiting approval", "1", "12.5%"],
        ["Cancelled", "1", "12.5%"],
        ["Total", "8", "100.0%"],
    ],
    "by-institution": [
        ["Hospital or care facility", "1", "20.0%", "1", "25.0%"],
        ["University or school", "1", "20.0%", "1", "25.0%"],
        ["Research body or institute", "1", "20.0%", "0", "0.0%"],
        ["Association or foundation", "1", "20.0%", "1", "25.0%"],
        ["Company", "0", "0.0%", "0", "0.0%"],
        ["Other or not stated", "1", "20.0%", "1", "25.0%"],
        ["Total", "5", "100.0%", "4", "100.0%"],
    ],
    "arrivals": [
        ["Researcher", "3", "2", "66.7%"],
        ["Clinician", "1", "1", "100.0%"],
        ["Patient association", "1", "1", "100.0%"],
        ["Industry", "0", "0", "—"],
        ["Total", "5", "4", "80.0%"],
    ],
    "workshops": [
        ["Atelier A", "14:00–15:30", "2", "2", "100.0%", "1", "50.0%"],
        ["Atelier B", "14:00–15:30", "10", "2", "20.0%", "2", "100.0%"],
    ],
    "returning": [
        ["New", "3", "60.0%", "2", "50.0%"],
        ["Returning", "2", "40.0%", "2", "50.0%"],
        ["Total", "5", "100.0%", "4", "100.0%"],
    ],
}


def test_the_page_shows_each_table_with_its_figures(organiser: FlaskClient) -> None:
    response = organiser.get("/admin/statistics")
    assert response.status_code == 200
    html = text(response)
    assert page_tables(html) == EXPECTED
    assert "Journée d'essai" in visible(html)


def test_each_table_has_a_bar_chart_with_a_title(organiser: FlaskClient) -> None:
    html = text(organiser.get("/admin/statistics"))
    charts = re.findall(r'<svg class="chart bars"[^>]*>(.*?)</svg>', html, re.S)
    assert len(charts) == len(EXPECTED)
    titles = [visible(re.search(r"<title id=[^>]*>(.*?)</title>", c).group(1)) for c in charts]
    assert titles == [
        "Registrations by profile",
        "Registrations by status",
        "Attendees by type of institution",
        "Arrival rate",
        "Workshops",
        "New and returning attendees",
    ]
    arrivals = charts[list(EXPECTED).index("arrivals")]
    widths = [float(w) for w in re.findall(r'<rect x="260" y="[\d.]+" width="([\d.]+)"', arrivals)]
    assert widths == [pytest.approx(260 * 2 / 3, abs=0.1), 260.0, 260.0, 0.0]
    assert "style=" not in html  # the Content-Security-Policy allows no inline style


def test_the_notes_say_how_the_institution_and_returning_are_told(
    organiser: FlaskClient,
) -> None:
    page = visible(text(organiser.get("/admin/statistics")))
    assert "A name with none of these words counts as care for a clinician" in page
    assert "registered for one of the 2 earlier editions" in page
    assert "Journée 2025 was anonymised: its addresses are gone" in page


def test_figures_are_written_the_french_way(organiser: FlaskClient) -> None:
    html = text(organiser.get("/admin/statistics?lang=fr"))
    tables = page_tables(html)
    assert tables["by-status"][0] == ["Confirmée", "5", "62,5 %"]
    assert tables["arrivals"][0] == ["Chercheur·e", "3", "2", "66,7 %"]
    assert "62,5\u00a0%" in html  # the space French puts before % never breaks the line
    assert '<h2 id="arrivals">Taux de présence</h2>' in html


def work_on(app: Flask, slug: str) -> None:
    """The organiser picks another edition in the header's switcher."""
    with app.app_context():
        user = db.session.scalars(select(User).where(User.role == Role.ORGANISER)).one()
        edition = db.session.scalars(select(Edition).where(Edition.slug == slug)).one()
        choose_working_edition(user, edition.id)


def test_the_page_is_about_the_edition_the_organiser_works_on(
    app: Flask, organiser: FlaskClient
) -> None:
    work_on(app, "journee-2026")
    tables = page_tables(text(organiser.get("/admin/statistics")))
    assert tables["by-status"][0] == ["Confirmed", "3", "100.0%"]
    assert tables["returning"][:2] == [
        ["New", "3", "100.0%", "0", "—"],
        ["Returning", "0", "0.0%", "0", "—"],
    ]


def test_an_anonymised_edition_keeps_its_counts_and_says_what_is_lost(
    app: Flask, organiser: FlaskClient
) -> None:
    work_on(app, "journee-2025")
    html = text(organiser.get("/admin/statistics"))
    assert page_tables(html)["by-institution"][-2:] == [
        ["Other or not stated", "1", "100.0%", "0", "—"],
        ["Total", "1", "100.0%", "0", "—"],
    ]
    page = visible(html)
    assert "This edition was anonymised: the names are gone" in page
    assert "No earlier edition: every attendee is new." in page


def test_the_spreadsheet_has_a_sheet_per_table_with_numbers(organiser: FlaskClient) -> None:
    body = download(organiser, "/admin/statistics.xlsx", XLSX)
    workbook = openpyxl.load_workbook(io.BytesIO(body))
    assert workbook.sheetnames == [
        "Profiles",
        "Statuses",
        "Institutions",
        "Arrivals",
        "Workshops",
        "New and returning",
    ]
    statuses = workbook["Statuses"]
    assert statuses.freeze_panes == "B2"
    assert statuses["A1"].font.bold
    rows = list(statuses.iter_rows(values_only=True))
    assert rows[0] == ("Status", "Registrations", "Share")
    assert rows[1] == ("Confirmed", 5, 0.625)
    assert rows[5] == ("Total", 8, 1.0)
    assert statuses["C2"].number_format == "0.0%"
    assert statuses.column_dimensions["A"].width > 10
    workshops = list(workbook["Workshops"].iter_rows(values_only=True))
    assert workshops[1] == ("Atelier A", "14:00–15:30", 2, 2, 1.0, 1, 0.5)
    arrivals = list(workbook["Arrivals"].iter_rows(values_only=True))
    assert arrivals[4] == ("Industry", 0, 0, None)
    returning = list(workbook["New and returning"].iter_rows(values_only=True))
    assert returning[2] == ("Returning", 2, 0.4, 2, 0.5)


def test_the_pdf_summary_holds_the_same_tables(organiser: FlaskClient) -> None:
    body = download(organiser, "/admin/statistics.pdf", "application/pdf")
    reader = PdfReader(io.BytesIO(body))
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.5)  # A4
    words = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Statistics: Journée d'essai" in words
    assert "Monday 25 January 2027" in words
    for title in ("Registrations by status", "Arrival rate", "New and returning attendees"):
        assert title in words
    assert "Confirmed 5 62.5%" in words
    assert "Total 5 4 80.0%" in words
    assert "Atelier A 14:00–15:30 2 2 100.0% 1 50.0%" in words


def test_the_type_of_institution_is_read_from_the_names(app: Flask) -> None:
    with app.app_context():
        edition_id = make_edition(DAY).id
    people = {
        Person("Hugo", "clinician", "HÔPITAL EUROPÉEN"): "hospital",
        Person("Inès", "researcher", "ÉCOLE NORMALE SUPÉRIEURE"): "university",
        Person("Jules", "researcher", "CNRS UMR 8197"): "research_body",
        Person("Kenza", "researcher", "Parachute Club"): "other",
        Person("Léa", "researcher", "", "Fondation pour la recherche"): "research_body",
        Person("Malo", "researcher", "Sanofi SA"): "company",
        Person("Nina", "association", "Association des patients du CHU"): "association",
        Person("Oscar", "industry", "Institut Servier"): "company",
    }
    for person in people:
        register(app, edition_id, person)
    with app.app_context():
        named = select(
            Registration.first_name,
            Registration.stakeholder_type,
            named_institution().label("names"),
        ).subquery()
        found = db.session.execute(
            select(named.c.first_name, institution_type(named.c.names, named.c.stakeholder_type))
        ).all()
    assert dict(found) == {person.first_name: kind for person, kind in people.items()}


def test_a_checkin_account_is_refused_and_a_stranger_sent_to_sign_in(
    app: Flask, edition: int
) -> None:
    desk = signed_in(app, Role.CHECKIN)
    stranger = english_client(app)
    for path in ("/admin/statistics", "/admin/statistics.xlsx", "/admin/statistics.pdf"):
        assert desk.get(path).status_code == 403
        answer = stranger.get(path)
        assert answer.status_code == 302
        assert answer.headers["Location"].startswith("/admin/login")


def test_the_organisers_menu_links_to_the_statistics(organiser: FlaskClient) -> None:
    menu = re.search(
        r'<nav class="admin-nav".*?</nav>', text(organiser.get("/admin/statistics")), re.S
    )
    assert menu is not None
    menu = menu.group(0)
    assert re.search(r'<a href="/admin/statistics"[^>]*>Statistics</a>', menu)
