"""Registrations for organisers: the list, its CSV/Excel/badge exports, the detail page's
actions and their history, and the printable lists for the day.

Also home to `register`, which the other organiser-page modules use to fill an
edition with attendees through the seat rules.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import unicodedata
from collections.abc import Iterator

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from eventday.accounts.models import Role, User
from eventday.audit import ACTION_LABELS, AuditEntry
from eventday.checkin import desk as checkin_desk
from eventday.extensions import db
from eventday.mail import OutboxMail
from eventday.programme.models import Edition
from eventday.registration import capacity
from eventday.registration.capacity import Applicant
from eventday.registration.models import Registration
from eventday.registration.tokens import checkin_code
from tests.conftest import make_edition
from tests.test_users_admin import flashes, post_form, signed_in, text, visible

# Inside the demo edition's registration window (and any edition without one).
REGISTERED_AT = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
ANSWERS = {
    "researcher": {"institution": "Université Paris Cité", "position": "postdoc"},
    "clinician": {"specialty": "Rhumatologie", "hospital": "Hôpital Cochin"},
    "association": {"association_name": "Lupus France", "association_role": "patient"},
    "industry": {"company": "Laboratoires Servier", "job_title": "Chargée d'affaires"},
}
# Cells a spreadsheet would run as a formula (or after a tab / carriage return).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# --- shared: attendees through the seat rules --------------------------------------------------


def email_of(first_name: str, last_name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", f"{first_name}.{last_name}")
    ascii_name = ascii_name.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9.]+", "", ascii_name).strip(".") + "@example.org"


def register(
    app: Flask,
    edition_id: int,
    first_name: str,
    last_name: str = "Lefèvre",
    stakeholder_type: str = "researcher",
    workshops: tuple[int, ...] = (),
    email: str | None = None,
    **changes: object,
) -> int:
    """Register someone (in English unless told) through capacity.register; their id."""
    fields: dict[str, object] = {
        "organisation": "Inserm",
        "language": "en",
        "listed": False,
        **changes,
    }
    with app.app_context():
        registration = capacity.register(
            edition_id,
            Applicant(
                first_name=first_name,
                last_name=last_name,
                email=email or email_of(first_name, last_name),
                stakeholder_type=stakeholder_type,
                answers=dict(ANSWERS[stakeholder_type]),
                workshop_ids=workshops,
                **fields,
            ),
            now=REGISTERED_AT,
        )
        return registration.id


def set_capacity(app: Flask, edition_id: int, seats: int | None) -> None:
    with app.app_context():
        db.session.get_one(Edition, edition_id).capacity = seats
        db.session.commit()


# --- this module's helpers ---------------------------------------------------------------------


@pytest.fixture
def edition(app: Flask) -> int:
    """A bare edition without a registration window, so registrations are open."""
    with app.app_context():
        return make_edition().id


@pytest.fixture
def organiser(app: Flask, edition: int) -> FlaskClient:
    return signed_in(app, Role.ORGANISER)


def download(client: FlaskClient, path: str, content_type: str) -> bytes:
    response = client.get(path)
    try:
        assert response.status_code == 200, (path, response.status)
        assert response.content_type == content_type
        return response.get_data()
    finally:
        response.close()


def csv_rows(client: FlaskClient, query: str = "") -> list[dict[str, str]]:
    body = download(client, f"/admin/registrations.csv{query}", "text/csv; charset=utf-8")
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def listed(client: FlaskClient, query: str = "") -> list[str]:
    """The names the registrations list shows, in its order ("Last First")."""
    page = client.get(f"/admin/registrations{query}")
    assert page.status_code == 200
    return [
        visible(name)
        for name in re.findall(
            r'<th scope="row"><a href="/admin/registrations/\d+">(.*?)</a>', text(page)
        )
    ]


def status_of(app: Flask, registration_id: int) -> str:
    with app.app_context():
        return db.session.get_one(Registration, registration_id).status


def mails_to(app: Flask, registration_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(OutboxMail.kind)
                .where(OutboxMail.registration_id == registration_id)
                .order_by(OutboxMail.id)
            )
        )


def table_rows(page: str) -> list[list[str]]:
    """Each body row of the page's tables, as the visible text of its cells."""
    rows = []
    for body in re.findall(r"<tbody>(.*?)</tbody>", page, re.S):
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
            rows.append(
                [visible(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            )
    return rows


# --- the CSV export ----------------------------------------------------------------------------


def test_the_csv_export_has_a_bom_a_header_and_one_row_per_registration(
    app: Flask, edition: int, organiser: FlaskClient
) -> None:
    register(app, edition, "Élodie", "Lefèvre", organisation="Hôpital Necker–Enfants malades")
    register(app, edition, "Zoë", "Sjögren", stakeholder_type="clinician", organisation="CHU")
    register(app, edition, "Mei", "Lin (林梅)", stakeholder_type="industry", organisation="Łódź SA")

    rows = csv_rows(organiser)
    assert len(rows) == 3
    assert list(rows[0])[:7] == [
        "reference",
        "status",
        "stakeholder_type",
        "first_name",
        "last_name",
        "email",
        "organisation",
    ]
    by_name = {row["last_name"]: row for row in rows}
    assert set(by_name) == {"Lefèvre", "Sjögren", "Lin (林梅)"}
    assert by_name["Lefèvre"]["first_name"] == "Élodie"
    assert by_name["Lefèvre"]["organisation"] == "Hôpital Necker–Enfants malades"
    assert by_name["Lefèvre"]["institution"] == "Université Paris Cité"
    assert by_name["Sjögren"]["first_name"] == "Zoë"
    assert by_name["Sjögren"]["status"] == "confirmed"
    assert by_name["Lin (林梅)"]["organisation"] == "Łódź SA"
    assert by_name["Lin (林梅)"]["status"] == "pending_approval"
    with app.app_context():
        references = set(db.session.scalars(select(Registration.reference)))
    assert {row["reference"] for row in rows} == references


def test_the_csv_export_follows_the_list_s_filters(
    app: Flask, edition: int, organiser: FlaskClient
) -> None:
    set_capacity(app, edition, 2)
    register(app, edition, "Anne", "Morel")
    register(app, edition, "Basile", "Roux", stakeholder_type="clinician")
    register(app, edition, "Céline", "Faure", stakeholder_type="clinician")  # waitlisted
    register(app, edition, "Hélène", "Marchand", stakeholder_type="association")  # waitlisted

    def last_names(query: str) -> set[str]:
        return {row["last_name"] for row in csv_rows(organiser, query)}

    assert last_names("?type=clinician") == {"Roux", "Faure"}
    assert last_names("?status=waitlisted") == {"Faure", "Marchand"}
    assert last_names("?type=clinician&status=waitlisted") == {"Faure"}
    assert last_names("?q=HÉLÈNE") == {"Marchand"}
    assert last_names("?q=nobody") == set()
    assert last_names("?type=not-a-type") == {"Morel", "Roux", "Faure", "Marchand"}


HOSTILE = [
    '=HYPERLINK("http://x")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    pytest.param(
        "\t=1",
    ),
    pytest.param(
        "\r=1",
    ),
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_cell_that_looks_like_a_formula_is_neutralised_in_the_csv(
    app: Flask, edition: int, organiser: FlaskClient, hostile: str
) -> None:
    register(app, edition, hostile, hostile, organisation=hostile, email="hostile@example.org")

    (row,) = csv_rows(organiser)
    for column in ("first_name", "last_name", "organisation"):
        cell = row[column]
        assert not cell.startswith(FORMULA_STARTS), (column, cell)
        assert hostile in cell, (column, cell)
    assert [c for c in row.values() if c.startswith(FORMULA_STARTS)] == []


# --- the Excel export --------------------------------------------------------------------------


def test_the_excel_export_holds_the_same_rows_as_text_never_formulas(
    app: Flask, edition: int, organiser: FlaskClient
) -> None:
    register(app, edition, "Élodie", "Lefèvre", organisation='=HYPERLINK("http://x")')
    register(app, edition, "Zoë", "+1+1", stakeholder_type="clinician", organisation="@SUM(A1)")
    register(app, edition, "Luc", "-2+3", organisation="42", dietary="=1+1")

    body = download(
        organiser,
        "/admin/registrations.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    workbook = openpyxl.load_workbook(io.BytesIO(body))
    try:
        sheet = workbook.active
        cells = [list(row) for row in sheet.iter_rows()]
        header = [cell.value for cell in cells[0]]
        rows = [dict(zip(header, (cell.value for cell in row), strict=True)) for row in cells[1:]]
        filled = [cell for row in cells for cell in row if cell.value is not None]
        assert {cell.data_type for cell in filled} == {"s"}
    finally:
        workbook.close()

    csv_export = csv_rows(organiser)
    assert header == list(csv_export[0])
    assert len(rows) == len(csv_export) == 3
    by_name = {row["first_name"]: row for row in rows}
    assert by_name["Élodie"]["organisation"] == '=HYPERLINK("http://x")'
    assert by_name["Élodie"]["last_name"] == "Lefèvre"
    assert by_name["Zoë"]["last_name"] == "+1+1"
    assert by_name["Zoë"]["organisation"] == "@SUM(A1)"
    assert by_name["Luc"]["organisation"] == "42"
    assert by_name["Luc"]["dietary"] == "=1+1"
    assert {row["reference"] for row in rows} == {row["reference"] for row in csv_export}


# --- badges to print ---------------------------------------------------------------------------


def badge_pages(client: FlaskClient, query: str = "") -> tuple[int, str]:
    """The badge sheets' page count and their text (white space made single spaces)."""
    reader = PdfReader(io.BytesIO(download(client, f"/admin/badges.pdf{query}", "application/pdf")))
    return len(reader.pages), " ".join(
        " ".join(page.extract_text().split()) for page in reader.pages
    )


@pytest.mark.parametrize("confirmed", [1, 10, 11])
def test_badges_print_every_confirmed_attendee_ten_a_sheet(
    app: Flask, edition: int, organiser: FlaskClient, confirmed: int
) -> None:
    names = [f"Nom{chr(ord('A') + n)}" for n in range(confirmed)]
    for name in names:
        register(app, edition, "Jeanne", name)
    register(app, edition, "Paul", "Attente", stakeholder_type="industry")
    cancelled = register(app, edition, "Rémi", "Annulé")
    with app.app_context():
        capacity.cancel(cancelled)

    pages, printed = badge_pages(organiser)
    assert pages == math.ceil(confirmed / 10)
    for name in names:
        assert name.upper() in printed.upper()
    assert "ATTENTE" not in printed.upper()
    assert "ANNULÉ" not in printed.upper()


def test_badges_follow_the_type_filter(app: Flask, edition: int, organiser: FlaskClient) -> None:
    for n in range(3):
        register(app, edition, "Jeanne", f"Chercheuse{n}")
    industry = register(app, edition, "Marc", "Industriel", stakeholder_type="industry")
    with app.app_context():
        capacity.decide(industry, approve=True)

    pages, printed = badge_pages(organiser, "?type=industry")
    assert pages == 1
    assert "INDUSTRIEL" in printed.upper()
    assert "CHERCHEUSE" not in printed.upper()
    assert badge_pages(organiser)[0] == 1


def _printed(app: Flask) -> set[int]:
    with app.app_context():
        marked = select(Registration.id).where(Registration.badge_printed_at.is_not(None))
        return set(db.session.scalars(marked))


def test_downloading_badges_marks_nothing_the_button_marks_that_batch(
    app: Flask, edition: int, organiser: FlaskClient
) -> None:
    first = [register(app, edition, "Jeanne", f"Avant{n}") for n in range(3)]
    page = organiser.get("/admin/registrations").get_data(as_text=True)
    pdf_link = re.search(r'href="(/admin/badges\.pdf\?[^"]*)"', page)
    assert pdf_link and "upto=" in pdf_link.group(1)
    upto = re.search(r'name="upto" value="(\d+)"', page)
    shown_at = re.search(r'name="shown_at" value="([^"]+)"', page)
    assert upto and shown_at
    late = register(app, edition, "Jeanne", "Après")  # between printing and the button
    approved_late = register(app, edition, "Paul", "Industrie", stakeholder_type="industry")

    query = pdf_link.group(1).replace("&amp;", "&").removeprefix("/admin/badges.pdf")
    pages, printed = badge_pages(organiser, query)
    assert pages == 1 and "APRÈS" not in printed.upper()
    organiser.get("/admin/badges.pdf").close()
    assert _printed(app) == set()  # a GET changes nothing

    with app.app_context():
        capacity.decide(approved_late, approve=True)  # confirmed after the sheet was printed
    answer = post_form(
        organiser,
        "/admin/registrations",
        "/admin/badges/printed",
        {"upto": upto.group(1), "shown_at": shown_at.group(1)},
    )
    assert answer.status_code == 303
    assert _printed(app) == set(first)
    assert late not in _printed(app) and approved_late not in _printed(app)
    listed = organiser.get("/admin/registrations?printed=no").get_data(as_text=True)
    assert "Après" in listed and "Avant0" not in listed


def test_marking_badges_printed_needs_the_form_token(
    app: Flask, edition: int, organiser: FlaskClient
) -> None:
    register(app, edition, "Jeanne", "Avant")
    assert organiser.post("/admin/badges/printed", data={}).status_code == 400
    # Without the list's own bounds it would mark everyone: refused.
    assert post_form(organiser, "/admin/registrations", "/admin/badges/printed").status_code == 400
    assert _printed(app) == set()


# --- the list: search, filters, sort, pages ----------------------------------------------------


def test_the_list_searches_names_whatever_the_case_and_filters(
    app: Flask, edition: int, organiser: FlaskClient
) -> None:
    set_capacity(app, edition, 3)
    register(app, edition, "Aurélie", "Lefèvre")
    register(app, edition, "Hélène", "Marchand", stakeholder_type="clinician")
    register(app, edition, "Jérôme", "Dupré", stakeholder_type="clinician")
    register(app, edition, "Noémie", "Caillaud", stakeholder_type="association")  # waitlisted

    assert listed(organiser, "?q=lefèvre") == ["Lefèvre Aurélie"]
    assert listed(organiser, "?q=LEFÈVRE") == ["Lefèvre Aurélie"]
    assert listed(organiser, "?q=hÉlÈne") == ["Marchand Hélène"]
    assert listed(organiser, "?q=jérôme+dupré") == ["Dupré Jérôme"]
    assert listed(organiser, "?q=inserm&type=clinician&sort=name") == [
        "Dupré Jérôme",
        "Marchand Hélène",
    ]
    assert listed(organiser, "?status=waitlisted") == ["Caillaud Noémie"]
    page = organiser.get("/admin/registrations?type=association")
    assert "1 registration" in visible(text(page))
    assert "Nobody found." in visible(text(organiser.get("/admin/registrations?q=zzz")))


def test_the_list_finds_a_name_that_starts_with_an_accented_capital(
    app: Flask, edition: int, organiser: FlaskClient
) -> None:
    register(app, edition, "Élodie", "Écuyer")
    assert listed(organiser, "?q=élodie") == ["Écuyer Élodie"]
    assert listed(organiser, "?q=ÉCUYER") == ["Écuyer Élodie"]


def test_the_list_sorts_by_name(app: Flask, edition: int, organiser: FlaskClient) -> None:
    for first, last in [
        ("Paul", "Petit"),
        ("Anne", "bernard"),
        ("Zoé", "Martin"),
        ("Luc", "Durand"),
    ]:
        register(app, edition, first, last)
    assert listed(organiser, "?sort=name") == [
        "bernard Anne",
        "Durand Luc",
        "Martin Zoé",
        "Petit Paul",
    ]


def test_the_list_shows_fifty_registrations_a_page(
    app: Flask, edition: int, organiser: FlaskClient
) -> None:
    names = [f"Nom{n:02d}" for n in range(60)]
    for name in names:
        register(app, edition, "Camille", name)

    first = organiser.get("/admin/registrations?sort=name")
    assert len(listed(organiser, "?sort=name")) == 50
    assert "60 registrations" in visible(text(first))
    assert "Page 1 of 2" in visible(text(first))
    following = re.search(r'<a href="([^"]+)" rel="next">', text(first))
    assert following
    next_url = following.group(1).replace("&amp;", "&")
    assert "sort=name" in next_url
    second = listed(organiser, next_url.removeprefix("/admin/registrations"))
    assert len(second) == 10
    assert listed(organiser, "?sort=name") + second == [f"{name} Camille" for name in names]
    assert listed(organiser, "?sort=name&page=3") == []
    # A page number no list can reach (past the database's integers) is the first page.
    assert len(listed(organiser, "?sort=name&page=99999999999999999999")) == 50


# --- the detail page's actions and their history -----------------------------------------------


def attendee_in(app: Flask, edition: int, state: str) -> int:
    """A registration in `state`, ready for the action the detail page offers in that state."""
    if state == "pending":
        return register(app, edition, "Inès", "Haddad", stakeholder_type="industry")
    if state == "waitlisted":
        set_capacity(app, edition, 1)
        register(app, edition, "Fanny", "Premier")
        waiting = register(app, edition, "Inès", "Haddad")
        set_capacity(app, edition, 2)
        return waiting
    registration_id = register(app, edition, "Inès", "Haddad")
    if state == "checked_in":
        with app.test_request_context():
            reference = db.session.get_one(Registration, registration_id).reference
            scanned = checkin_desk.Scan(checkin_code(edition, reference), "Entrée")
            assert checkin_desk.scan(edition, scanned, None)["result"] == "ok"
    return registration_id


ACTIONS = [
    ("approve", "pending", "confirmed", "approved", "Approved."),
    ("decline", "pending", "cancelled", "declined", "Declined."),
    ("promote", "waitlisted", "confirmed", "promoted", "Promoted from the waiting list."),
    ("cancel", "confirmed", "cancelled", "cancelled", "Cancelled."),
    ("resend", "confirmed", "confirmed", "confirmed", "Mail sent again."),
    ("checkin", "confirmed", "confirmed", None, "Checked in."),
    ("undo_checkin", "checked_in", "confirmed", None, "Check-in undone."),
]


@pytest.mark.parametrize(("action", "state", "status", "mail", "done"), ACTIONS)
def test_each_action_of_the_detail_page_is_done_mailed_and_written_in_the_history(
    app: Flask,
    edition: int,
    organiser: FlaskClient,
    action: str,
    state: str,
    status: str,
    mail: str | None,
    done: str,
) -> None:
    registration_id = attendee_in(app, edition, state)
    detail = f"/admin/registrations/{registration_id}"
    mails_before = mails_to(app, registration_id)
    assert f'action="{detail}/{action}"' in text(organiser.get(detail))

    answer = post_form(organiser, detail, f"{detail}/{action}")
    assert answer.status_code == 303
    assert answer.headers["Location"] == detail
    page = organiser.get(detail)
    assert ("info", done) in flashes(page)
    assert status_of(app, registration_id) == status
    new_mails = mails_to(app, registration_id)[len(mails_before) :]
    assert new_mails == ([mail] if mail else [])
    with app.app_context():
        arrived = db.session.get_one(Registration, registration_id).checked_in_at
        organiser_id = db.session.scalars(
            select(User.id).where(User.email == "organiser@example.org")
        ).one()
        entries = db.session.scalars(
            select(AuditEntry).where(
                AuditEntry.registration_id == registration_id, AuditEntry.user_id == organiser_id
            )
        ).all()
    assert (arrived is not None) == (action == "checkin")

    assert [entry.action for entry in entries] == [action]
    if state in ("pending", "waitlisted", "confirmed") and status != state:
        before = {"pending": "pending_approval"}.get(state, state)
        assert entries[0].changes == {"status": [before, status]}
    # The history says it in words (an organiser reads "mail sent again", not "resend").
    said = str(ACTION_LABELS[action])
    history = table_rows(text(organiser.get(detail)))
    assert [row[1:3] for row in history if row[1] == "organiser@example.org"] == [
        ["organiser@example.org", said]
    ]
    everything = table_rows(text(organiser.get("/admin/history")))
    assert ["organiser@example.org", f"{said} · Inès Haddad"] in [row[1:3] for row in everything]


def test_an_action_the_registration_s_state_does_not_allow_is_refused_with_the_reason(
    app: Flask, edition: int, organiser: FlaskClient
) -> None:
    registration_id = register(app, edition, "Inès", "Haddad")
    detail = f"/admin/registrations/{registration_id}"
    post_form(organiser, detail, f"{detail}/approve")
    assert ("error", "This registration is not awaiting approval.") in flashes(
        organiser.get(detail)
    )
    assert status_of(app, registration_id) == "confirmed"
    with app.app_context():
        assert db.session.scalars(select(AuditEntry)).all() == []


# --- the printable lists for the day -----------------------------------------------------------


@pytest.fixture
def day_lists(app: Flask, edition: int) -> Iterator[None]:
    set_capacity(app, edition, 4)
    register(app, edition, "Zoé", "Martin", listed=True)
    register(app, edition, "Anne", "bernard", listed=True)
    register(app, edition, "Luc", "Secret", listed=False)
    register(app, edition, "Paul", "Durand", listed=True)
    register(app, edition, "Jean", "Attente", listed=True)  # waitlisted
    register(app, edition, "Marc", "Industrie", stakeholder_type="industry", listed=True)
    cancelled = register(app, edition, "Rémi", "Parti", listed=True)
    with app.app_context():
        capacity.cancel(cancelled)
    yield


def printed_names(client: FlaskClient, query: str = "") -> list[str]:
    page = client.get(f"/admin/participants{query}")
    assert page.status_code == 200
    return [row[0] for row in table_rows(text(page))]


def test_the_participants_list_holds_the_confirmed_who_agreed_alphabetically(
    organiser: FlaskClient, day_lists: None
) -> None:
    assert printed_names(organiser) == ["BERNARD Anne", "DURAND Paul", "MARTIN Zoé"]


def test_the_welcome_desk_list_holds_every_confirmed_attendee(
    organiser: FlaskClient, day_lists: None
) -> None:
    assert printed_names(organiser, "?list=welcome") == [
        "BERNARD Anne",
        "DURAND Paul",
        "MARTIN Zoé",
        "SECRET Luc",
    ]


@pytest.mark.parametrize("path", ["/admin/participants", "/admin/registrations?sort=name"])
def test_a_name_with_an_accented_initial_is_sorted_with_its_letter(
    app: Flask, edition: int, organiser: FlaskClient, path: str
) -> None:
    for last in ["Zola", "Écuyer", "Fabre", "Dupont"]:
        register(app, edition, "Camille", last, listed=True)
    rows = table_rows(text(organiser.get(path)))
    assert [row[0].split()[0].upper() for row in rows] == ["DUPONT", "ÉCUYER", "FABRE", "ZOLA"]


def test_exports_and_lists_are_for_organisers_only(app: Flask, edition: int) -> None:
    desk = signed_in(app, Role.CHECKIN)
    register(app, edition, "Inès", "Haddad")
    for path in (
        "/admin/registrations",
        "/admin/registrations.csv",
        "/admin/registrations.xlsx",
        "/admin/badges.pdf",
        "/admin/participants",
        "/admin/participants?list=welcome",
        "/admin/history",
    ):
        assert desk.get(path).status_code == 403, path
