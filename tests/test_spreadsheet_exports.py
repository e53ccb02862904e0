"""Exports for people: a CSV French spreadsheets open in columns, an XLSX ready to filter.

The comma CSV for scripts stays as CONTRACT.md names it (tests/test_exports.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from eventday.extensions import db
from eventday.registration.models import Registration
from tests.conftest import make_edition
from tests.test_exports import FORMULA_STARTS, csv_rows, download, register
from tests.test_users_admin import signed_in, text

SHEET_CSV = "/admin/registrations-for-spreadsheets.csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def edition(app: Flask) -> int:
    with app.app_context():
        return make_edition().id


@pytest.fixture
def organiser(app: Flask, edition: int) -> FlaskClient:
    return signed_in(app, "organiser")


@pytest.fixture
def attendees(app: Flask, edition: int) -> dict[str, int]:
    made = {
        "elodie": register(app, edition, "Élodie", "Lefèvre", listed=True, language="fr"),
        "ines": register(
            app, edition, "Inès", "Haddad", stakeholder_type="industry", organisation="=1+1"
        ),
    }
    with app.app_context():
        db.session.execute(
            update(Registration)
            .where(Registration.id == made["elodie"])
            .values(checked_in_at=dt.datetime(2027, 1, 25, 8, 5, tzinfo=dt.UTC))
        )
        db.session.commit()
    return made


def sheet_rows(client: FlaskClient, query: str = "") -> tuple[bytes, list[dict[str, str]]]:
    body = download(client, f"{SHEET_CSV}{query}", "text/csv; charset=utf-8")
    rows = csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";")
    return body, list(rows)


def test_the_spreadsheet_csv_has_semicolons_words_and_local_times(
    organiser: FlaskClient, attendees: dict[str, int]
) -> None:
    body, rows = sheet_rows(organiser, "?lang=fr&sort=name")
    assert body.startswith(b"\xef\xbb\xbf")
    header = body.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("Référence;Statut;Profil;Prénom;Nom;Adresse e-mail;Organisme;")
    assert "," not in header
    haddad, lefevre = rows
    assert lefevre["Prénom"] == "Élodie"
    assert lefevre["Statut"] == "Confirmée"
    assert lefevre["Profil"] == "Chercheur·e"
    assert lefevre["Poste"] == "Post-doctorant·e"
    assert lefevre["Dans la liste des participants"] == "Oui"
    assert lefevre["Langue de nos e-mails"] == "français"
    # 12:00 UTC on 1 December is 13:00 in Paris; 08:05 UTC on 25 January, 09:05.
    assert lefevre["Inscription le"] == "01/12/2026 13:00"
    assert lefevre["Arrivée"] == "25/01/2027 09:05"
    assert haddad["Statut"] == "En attente de validation"
    assert haddad["Profil"] == "Industrie"
    assert haddad["Dans la liste des participants"] == "Non"
    assert haddad["Langue de nos e-mails"] == "anglais"
    assert haddad["Arrivée"] == ""
    assert not haddad["Organisme"].startswith(FORMULA_STARTS)
    assert haddad["Organisme"].endswith("=1+1")


def test_the_spreadsheet_csv_speaks_the_readers_language_and_follows_the_filters(
    organiser: FlaskClient, attendees: dict[str, int]
) -> None:
    body, rows = sheet_rows(organiser, "?lang=en&status=confirmed")
    assert body.decode("utf-8-sig").startswith("Reference;Status;Profile;First name;Last name;")
    assert [(row["Last name"], row["Status"], row["Profile"]) for row in rows] == [
        ("Lefèvre", "Confirmed", "Researcher")
    ]
    assert rows[0]["Language for our e-mails"] == "French"


def test_the_csv_for_scripts_keeps_its_commas_and_codes(
    organiser: FlaskClient, attendees: dict[str, int]
) -> None:
    organiser.get("/admin/?lang=fr")
    rows = csv_rows(organiser, "?sort=name")
    assert list(rows[0])[:4] == ["reference", "status", "stakeholder_type", "first_name"]
    assert [(row["status"], row["listed"], row["language"]) for row in rows] == [
        ("pending_approval", "no", "en"),
        ("confirmed", "yes", "fr"),
    ]
    assert rows[1]["checked_in_at"] == "2027-01-25T08:05:00+00:00"


def test_the_xlsx_export_has_a_frozen_header_filters_and_fitting_widths(
    organiser: FlaskClient, attendees: dict[str, int]
) -> None:
    body = download(organiser, "/admin/registrations.xlsx", XLSX)
    workbook = openpyxl.load_workbook(io.BytesIO(body))
    try:
        sheet = workbook.active
        assert sheet.freeze_panes == "A2"
        columns = sheet.max_column
        assert sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(columns)}3"
        header = [cell.value for cell in sheet[1]]
        widths = {
            name: sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width
            for index, name in enumerate(header, start=1)
        }
        # Each column fits its longest text (within bounds), not the default 13 characters.
        assert widths["listed"] < min(widths["email"], widths["created_at"])
        assert widths["email"] >= len("elodie.lefevre@example.org")
        assert widths["created_at"] >= len("2026-12-01T12:00:00+00:00")
        assert all(8 <= width <= 50 for width in widths.values())
        cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
        assert {cell.data_type for cell in cells} == {"s"}
    finally:
        workbook.close()


def test_the_list_links_every_export_with_its_filters(
    organiser: FlaskClient, attendees: dict[str, int]
) -> None:
    page = text(organiser.get("/admin/registrations?status=confirmed&lang=fr"))
    assert f'href="{SHEET_CSV}?status=confirmed">Exporter pour un tableur (CSV)</a>' in page
    assert 'href="/admin/registrations.xlsx?status=confirmed">Exporter (Excel .xlsx)</a>' in page
    assert 'href="/admin/registrations.csv?status=confirmed">Exporter pour un script' in page


def test_the_spreadsheet_csv_is_for_organisers_only(app: Flask, edition: int) -> None:
    desk = signed_in(app, "checkin", "desk@example.org")
    assert desk.get(SHEET_CSV).status_code == 403
    assert app.test_client().get(SHEET_CSV).status_code in (302, 303)
