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


def test_next_years_draft_carries_the_call_but_not_this_years_talks(app: Flask) -> None:
    from eventday.abstracts import committee
    from eventday.abstracts.models import Abstract, Author, Criterion
    from eventday.database import utcnow
    from eventday.programme.models import Edition, Session
    from tests.conftest import make_session

    with app.app_context():
        edition = make_edition(slug="jr-2027")
        calls.open_call(
            edition.id, dt.date(2026, 12, 15), now=dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
        )
        committee.save_criterion(edition.id, committee.CriterionDraft("Originalité", "", 2), None)
        talk = make_session(edition.id, edition.start_date, "10:00", "10:15", "Un résumé retenu")
        make_session(edition.id, edition.start_date, "09:00", "09:45", "Ouverture")
        db.session.add(
            Abstract(
                edition_id=edition.id,
                token="t" * 43,
                number=1,
                title="Un résumé retenu",
                body="Texte.",
                presentation="oral",
                released_decision="oral",
                session_id=talk.id,
                consent_at=utcnow(),
                authors=[
                    Author(
                        position=0,
                        first_name="A",
                        last_name="B",
                        email="a@example.org",
                        affiliations="Inserm",
                        presenting=True,
                    )
                ],
            )
        )
        db.session.commit()
    result = app.test_cli_runner().invoke(
        args=["edition", "copy", "jr-2027", "--slug", "jr-2028", "--date", "2028-01-24"]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        draft = db.session.scalars(select(Edition).where(Edition.slug == "jr-2028")).one()
        assert [
            s.title
            for s in db.session.scalars(select(Session).where(Session.edition_id == draft.id))
        ] == ["Ouverture"]
        call = calls.call_of(draft.id)
        assert call.word_limit == 300 and call.released_at is None and not call.vote_open
        assert call.closes_at.date() == dt.date(2027, 12, 14)  # a year and a day of week later
        names = db.session.scalars(select(Criterion.name).where(Criterion.edition_id == draft.id))
        assert list(names) == ["Originalité"]
        assert (
            db.session.scalars(select(Abstract).where(Abstract.edition_id == draft.id)).all() == []
        )


def test_the_history_tells_the_calls_changes_in_words(app: Flask) -> None:
    with app.app_context():
        make_edition()
    client = organiser(app)
    client.post("/admin/abstracts/call", data=settings_form(client))
    page = client.get("/admin/history").get_data(as_text=True)
    assert "Date limite" in page and "closes_at" not in page and "word_limit" not in page
