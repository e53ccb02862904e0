"""The history reads in words, in the reader's language; a save that changes nothing leaves none.

Also home to `form_as_sent`, which sends a page's form back as a browser would (every field,
the empty ones too), for the modules that need an unchanged form.
"""

from __future__ import annotations

import datetime as dt
import html.parser
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from eventday.audit import AuditEntry
from eventday.checkin import desk as checkin_desk
from eventday.extensions import db
from eventday.registration import capacity
from eventday.registration.models import Registration
from eventday.registration.tokens import checkin_code
from tests.conftest import make_edition, make_session
from tests.test_exports import register, table_rows
from tests.test_users_admin import signed_in, text

DAY = dt.date(2027, 1, 25)  # make_edition's day


class _FormFields(html.parser.HTMLParser):
    """The fields a browser sends for the form whose action is `action`."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.fields = action, False, []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.inside = found.get("action") == self.action
        if not self.inside or "disabled" in found:
            return
        if tag == "input" and "name" in found:
            kind = found.get("type", "text")
            if kind not in ("checkbox", "radio") or "checked" in found:
                self.fields.append((found["name"], found.get("value", "y" if kind else "")))
        elif tag == "select":
            self._select = found.get("name")
        elif tag == "option" and self._select and "selected" in found:
            self.fields.append((self._select, found.get("value", "")))
        elif tag == "textarea":
            self._textarea = found.get("name")
            self.fields.append((self._textarea, ""))

    def handle_data(self, data: str) -> None:
        if self._textarea:
            name, value = self.fields.pop()
            # A browser drops the line break that follows <textarea>.
            self.fields.append((name, value + (data if value else re.sub(r"^\r?\n", "", data))))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_as_sent(client: FlaskClient, page: str, action: str | None = None) -> list:
    """The (name, value) pairs a browser sends back, unchanged, for the form on `page`."""
    reader = _FormFields(action or page)
    reader.feed(text(client.get(page)))
    return reader.fields


def post_pairs(client: FlaskClient, path: str, pairs: list) -> TestResponse:
    return client.post(path, data=MultiDict(pairs))


def entries_about(app: Flask, registration_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.registration_id == registration_id)
        )


def french(client: FlaskClient) -> FlaskClient:
    """The same browser, switched to French (the choice is remembered)."""
    assert client.get("/?lang=fr").status_code == 200
    return client


def test_a_save_that_changed_nothing_leaves_no_entry_for_either_editor(app: Flask) -> None:
    with app.app_context():
        edition = make_edition().id
    # The organisation is the researcher's institution, as the form stores it.
    registration_id = register(
        app, edition, "Hélène", organisation="Université Paris Cité", dietary="Sans gluten"
    )
    organiser = signed_in(app, "organiser")
    page = f"/admin/registrations/{registration_id}/edit"
    saved = post_pairs(organiser, page, form_as_sent(organiser, page))
    assert saved.status_code == 303
    assert entries_about(app, registration_id) == 0

    with app.app_context():
        token = db.session.get_one(Registration, registration_id).token
    attendee = app.test_client()
    own = f"/registration/{token}/edit"
    assert post_pairs(attendee, own, form_as_sent(attendee, own)).status_code == 303
    assert entries_about(app, registration_id) == 0

    # A real change is still written down, and only what changed.
    fields = [
        (name, "Université de Lille" if name == "institution" else value)
        for name, value in form_as_sent(organiser, page)
    ]
    assert post_pairs(organiser, page, fields).status_code == 303
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.registration_id == registration_id)
        ).one()
        assert entry.changes == {
            "organisation": ["Université Paris Cité", "Université de Lille"],
            "answers": [
                {"institution": "Université Paris Cité", "position": "postdoc"},
                {"institution": "Université de Lille", "position": "postdoc"},
            ],
        }


def test_the_history_shows_fields_and_values_in_the_readers_words(app: Flask) -> None:
    with app.app_context():
        edition = make_edition().id
        workshop_id = make_session(
            edition, DAY, "14:00", "15:30", "Atelier cohortes", "workshop", capacity=20
        ).id
    registration_id = register(
        app, edition, "Inès", "Haddad", stakeholder_type="industry", email="ines@example.org"
    )
    organiser = french(signed_in(app, "organiser"))
    page = f"/admin/registrations/{registration_id}/edit"
    fields = [
        (k, v)
        for k, v in form_as_sent(organiser, page)
        if k not in ("stakeholder_type", "institution", "position", "listed", "workshops")
    ]
    fields += [
        ("stakeholder_type", "researcher"),
        ("institution", "Université Paris Cité"),
        ("position", "postdoc"),
        ("listed", "y"),
        ("workshops", str(workshop_id)),
    ]
    assert post_pairs(organiser, page, fields).status_code == 303
    with app.test_request_context():
        reference = db.session.get_one(Registration, registration_id).reference
        arrival = checkin_desk.Scan(checkin_code(edition, reference), "Entrée Nord")
        assert checkin_desk.scan(edition, arrival, None)["result"] == "ok"
        capacity.cancel(registration_id)

    history = text(organiser.get("/admin/history"))
    changes = [row[3] for row in table_rows(history)]
    said = " ".join(changes)
    assert "Statut : En attente de validation → Confirmée" in said
    assert "Profil : Industrie → Chercheur·e" in said
    assert "Dans la liste des participants : Non → Oui" in said
    assert "Ateliers : — → Atelier cohortes" in said
    assert "Établissement : — → Université Paris Cité" in said
    assert "Poste : — → Post-doctorant·e" in said
    assert "Entreprise : Laboratoires Servier → —" in said
    assert "Poste d’accueil : — → Entrée Nord" in said
    assert "Statut : Confirmée → Annulée" in said
    assert re.search(r"Arrivée : — → \d{1,2} \w+\.? 20\d\d \d\d:\d\d", said), said
    codes = ("pending_approval", "confirmed", "industry", "None", "True", "False", "+00:00")
    fields = ("stakeholder_type", "checked_in_at", "listed", "workshops", "answers")
    for code in (*codes, *fields):
        assert code not in said, code
    # Whose registration: by name, linked to it.
    assert f'<a href="/admin/registrations/{registration_id}">Inès Haddad</a>' in history
