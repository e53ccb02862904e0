"""The organisers' page of the call's settings: dates in the edition's zone, checked."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy import select

from eventday.abstracts import call as calls
from eventday.audit import AuditEntry
from eventday.extensions import db
from tests.conftest import make_edition
from tests.test_admin_access import META_CSRF, add_user, sign_in


def organiser(app: Flask):
    add_user(app, "organisatrice@example.org", "organiser")
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    assert sign_in(client, "organisatrice@example.org").status_code == 303
    return client


def settings_form(client, **changes: str) -> dict[str, str]:
    page = client.get("/admin/abstracts/call").get_data(as_text=True)
    data = {
        "csrf_token": META_CSRF.search(page).group(1),
        "opens_day": "2026-11-02",
        "opens_time": "09:00",
        "closes_day": "2026-12-15",
        "closes_time": "",
        "word_limit": "250",
        "presentations": ["poster", "either"],
        "text_fr": "Présentez vos travaux.",
        "text_en": "",
    }
    data.update(changes)
    return data


def test_the_settings_are_saved_in_the_editions_zone(app: Flask) -> None:
    with app.app_context():
        edition_id = make_edition().id
    client = organiser(app)
    answer = client.post("/admin/abstracts/call", data=settings_form(client, blind="y"))
    assert answer.status_code == 303
    with app.app_context():
        call = calls.call_of(edition_id)
        assert call.opens_at == dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC)
        assert call.closes_at == dt.datetime(2026, 12, 15, 23, 0, tzinfo=dt.UTC)
        assert (call.word_limit, call.offered, call.blind) == (250, ["poster", "either"], True)
        assert db.session.scalars(select(AuditEntry.action)).all()[-1] == "call_settings"
    page = client.get("/admin/abstracts/call").get_data(as_text=True)
    assert 'value="2026-12-15"' in page and 'value="250"' in page


def test_bad_settings_are_refused_next_to_their_field(app: Flask) -> None:
    with app.app_context():
        edition_id = make_edition().id
    client = organiser(app)
    for changes, message in (
        ({"closes_day": "2026-10-01"}, "La date limite doit suivre l’ouverture."),
        ({"presentations": []}, "Proposez au moins un type de présentation."),
        ({"word_limit": "0"}, "0"),
        ({"opens_day": "", "opens_time": ""}, "Indiquez l’ouverture"),
    ):
        answer = client.post("/admin/abstracts/call", data=settings_form(client, **changes))
        assert answer.status_code == 422, changes
        assert message in answer.get_data(as_text=True).replace("&#39;", "'"), changes
    with app.app_context():
        assert calls.call_of(edition_id) is None
