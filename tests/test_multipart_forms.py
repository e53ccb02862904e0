"""A file sent where a form expects text is a refused field, on every form: never a 500."""

from __future__ import annotations

import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from eventday.extensions import db
from eventday.registration.models import Registration
from tests.test_registration_form import person, registered_token
from tests.test_registration_form import submit as register
from tests.test_users_admin import add_account, english_client, signed_in

CSRF_PATTERN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
REFUSED = "A file was sent where text is expected."


def _rows(app: Flask) -> dict[str, list[tuple]]:
    """Every row of every table: a refused form must leave them all as they were."""
    with app.app_context():
        db.session.rollback()
        return {
            name: sorted(map(tuple, db.session.execute(select(table))), key=repr)
            for name, table in db.metadata.tables.items()
        }


def _send_with_a_file(
    client: FlaskClient, path: str, fields: dict[str, str], as_file: str
) -> tuple[int, str]:
    page = client.get(path)
    assert page.status_code == 200, path
    token = CSRF_PATTERN.search(page.get_data(as_text=True))
    assert token, path
    data: dict[str, object] = {"csrf_token": token.group(1), **fields}
    data[as_file] = (
        io.BytesIO(b"%PDF-1.4 not text at all \x00\xff"),
        "sent.pdf",
        "application/pdf",
    )
    answer = client.post(path, data=data, content_type="multipart/form-data")
    return answer.status_code, answer.get_data(as_text=True)


LOGIN = {"email": "organiser@example.org", "password": "a-long-enough-password"}


@pytest.mark.parametrize("as_file", ["email", "password"])
def test_the_sign_in_form_refuses_a_file_as_a_field(app: Flask, as_file: str):
    add_account(app, LOGIN["email"], "organiser")
    client = english_client(app)
    before = _rows(app)
    status, page = _send_with_a_file(client, "/admin/login", LOGIN, as_file)
    assert status < 500 and status != 303
    assert REFUSED in page
    assert _rows(app) == before


@pytest.mark.parametrize("as_file", ["first_name", "email", "stakeholder_type", "consent", "orcid"])
def test_the_registration_form_refuses_a_file_as_a_field(app: Flask, demo: int, as_file: str):
    client = english_client(app)
    before = _rows(app)
    fields = {k: str(v) for k, v in person(first_name="Zoé").items()}
    status, page = _send_with_a_file(client, "/register", fields, as_file)
    assert status == 422
    assert REFUSED in page
    assert 'value="Zoé"' in page or as_file == "first_name"  # what was typed is kept
    assert _rows(app) == before


def test_files_under_names_the_form_does_not_have_are_dropped(app: Flask, demo: int):
    client = english_client(app)
    fields = {k: str(v) for k, v in person().items()}
    status, _page = _send_with_a_file(client, "/register", fields, "attachment")
    assert status == 303


@pytest.mark.parametrize("as_file", ["first_name", "email", "workshops"])
def test_the_attendee_edit_form_refuses_a_file_as_a_field(app: Flask, demo: int, as_file: str):
    client = english_client(app)
    token = registered_token(register(client, person()))
    before = _rows(app)
    fields = {k: str(v) for k, v in person(first_name="Zoé").items() if k != "consent"}
    status, page = _send_with_a_file(client, f"/registration/{token}/edit", fields, as_file)
    assert status == 422
    assert REFUSED in page
    assert _rows(app) == before
    with app.app_context():
        assert db.session.scalar(select(Registration.first_name)) == "Hélène"


ORGANISER_FORMS = {
    "/admin/users/": {"email": "new@example.org", "role": "organiser", "name": "Nouvelle"},
    "/admin/edition/": {"name": "Journée"},
    "/admin/programme/sessions/new": {"title": "Une session"},
}


@pytest.mark.parametrize("path", sorted(ORGANISER_FORMS))
def test_organiser_forms_refuse_a_file_as_a_field(app: Flask, demo: int, path: str):
    client = signed_in(app, "admin")
    before = _rows(app)
    fields = ORGANISER_FORMS[path]
    status, page = _send_with_a_file(client, path, fields, next(iter(fields)))
    assert status < 500 and status != 303, (path, status)
    assert REFUSED in page
    assert _rows(app) == before


PREFIXED_FORMS = [
    ("/admin/edition/", "/admin/edition/copy", "copy-", {"name": "Suivante", "slug": "suivante"}),
    ("/admin/programme/", "/admin/programme/rooms", "room-", {"name": "Salle 9"}),
    ("/admin/programme/", "/admin/programme/tracks", "track-", {"name": "Piste"}),
    ("/admin/programme/", "/admin/programme/speakers", "speaker-", {"name": "Dr Martin"}),
]


@pytest.mark.parametrize(("page", "action", "prefix", "fields"), PREFIXED_FORMS)
@pytest.mark.parametrize("prefixed", [True, False])
def test_forms_with_a_prefix_refuse_or_drop_a_file_as_a_field(
    app: Flask, demo: int, page: str, action: str, prefix: str, fields: dict, prefixed: bool
):
    client = signed_in(app, "admin")
    before = _rows(app)
    token = CSRF_PATTERN.search(client.get(page).get_data(as_text=True)).group(1)
    data: dict[str, object] = {"csrf_token": token}
    data.update({prefix + name: value for name, value in fields.items()})
    name = next(iter(fields))
    sent_as = prefix + name if prefixed else name
    data[sent_as] = (io.BytesIO(b"not text"), "sent.pdf", "application/pdf")
    answer = client.post(action, data=data, content_type="multipart/form-data")
    assert answer.status_code < 500, (action, sent_as)
    if prefixed:  # the field's own name: refused (on the page, or flashed on the next one)
        shown = answer.get_data(as_text=True)
        if answer.status_code == 303:
            shown = client.get(answer.headers["Location"]).get_data(as_text=True)
        assert REFUSED in shown
        assert _rows(app) == before
