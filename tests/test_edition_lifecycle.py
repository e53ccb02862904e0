"""Editions side by side: next year's draft is prepared while this year's goes on untouched,
then published; last year's programme stays public under /editions/<slug>/."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from eventday.editions import lifecycle
from eventday.extensions import db
from eventday.programme import rules
from eventday.programme.models import Edition, Session
from tests.test_checkin_desk import person, register, scan_code
from tests.test_users_admin import post_form, signed_in, text

NEXT_DAY = dt.date(2028, 1, 24)


def _edition(app: Flask, slug: str) -> Edition:
    with app.app_context():
        db.session.expire_all()
        edition = db.session.scalars(select(Edition).where(Edition.slug == slug)).one()
        db.session.expunge(edition)
        return edition


def _copy(organiser: FlaskClient) -> None:
    answer = post_form(
        organiser,
        "/admin/edition/",
        "/admin/edition/copy",
        {"copy-name": "10e Journée", "copy-slug": "journee-2028", "copy-start_date": "2028-01-24"},
    )
    assert answer.status_code == 303, text(answer)[:2000]


def _uids(calendar: bytes) -> dict[str, str]:
    parsed = icalendar.Calendar.from_ical(calendar)
    return {str(e["UID"]): str(e["URL"]) for e in parsed.walk("VEVENT")}


@pytest.fixture
def year(app: Flask, demo: int) -> dict:
    """This year's edition with two attendees, one of them checked in."""
    with app.app_context():
        slug = db.session.get_one(Edition, demo).slug
        alice = register(demo, person("Alice", "Martin"))
        bruno = register(demo, person("Bruno", "Durand"))
    desk = signed_in(app, "checkin", "desk@example.org")
    assert scan_code(desk, alice.code)["result"] == "ok"
    return {"id": demo, "slug": slug, "alice": alice, "bruno": bruno, "desk": desk}


def test_a_draft_is_prepared_while_the_current_edition_goes_on(app: Flask, year: dict):
    organiser = signed_in(app, "organiser")
    other = signed_in(app, "admin", "other@example.org")
    before = {path: organiser.get(path).data for path in ("/programme.json", "/programme.ics")}

    _copy(organiser)

    draft = _edition(app, "journee-2028")
    assert (draft.state, draft.start_date) == ("draft", NEXT_DAY)
    assert _edition(app, year["slug"]).state == "current"
    # The public side and the desk are the current edition's, as before.
    for path, body in before.items():
        assert organiser.get(path).data == body, path
    assert organiser.get("/register").status_code == 200
    assert scan_code(year["desk"], year["bruno"].code)["result"] == "ok"
    assert scan_code(year["desk"], year["alice"].code)["result"] == "already_checked_in"
    # The copier now works on the draft; another organiser still on the current edition.
    assert "Martin" not in text(organiser.get("/admin/registrations"))
    assert "Martin" in text(other.get("/admin/registrations"))
    # Editing the draft's programme leaves the current one alone.
    with app.app_context():
        session = db.session.scalars(
            select(Session).where(Session.edition_id == draft.id).order_by(Session.id)
        ).first()
        rules.save_session(
            draft.id,
            rules.SessionDraft(
                title="Titre de l'an prochain",
                kind=session.kind,
                starts_at=session.starts_at,
                ends_at=session.ends_at,
                room_id=session.room_id,
            ),
            session.id,
        )
    assert organiser.get("/programme.json").data == before["/programme.json"]
    # A draft is not public.
    assert organiser.get("/editions/journee-2028/").status_code == 404
    assert organiser.get("/editions/journee-2028/programme.ics").status_code == 404
    assert "journee-2028" not in text(organiser.get("/editions/"))
    # Back on the current edition with the switcher.
    switcher = text(organiser.get("/admin/"))
    assert 'action="/admin/editions/choose"' in switcher and "(draft)" in switcher
    answer = post_form(
        organiser, "/admin/editions/", "/admin/editions/choose", {"edition": str(year["id"])}
    )
    assert answer.status_code == 303
    assert "Martin" in text(organiser.get("/admin/registrations"))


def test_publishing_makes_the_draft_current_and_archives_last_year(app: Flask, year: dict):
    organiser = signed_in(app, "organiser")
    last_year_ics = organiser.get("/programme.ics").data
    _copy(organiser)
    draft = _edition(app, "journee-2028")

    confirm = organiser.get(f"/admin/editions/{draft.id}/publish")
    assert confirm.status_code == 200
    assert "10e Journée" in text(confirm) and _edition(app, year["slug"]).name in text(confirm)
    assert _edition(app, "journee-2028").state == "draft"  # the GET changed nothing

    published = post_form(
        organiser, f"/admin/editions/{draft.id}/publish", f"/admin/editions/{draft.id}/publish"
    )
    assert published.status_code == 303
    assert _edition(app, "journee-2028").state == "current"
    assert _edition(app, year["slug"]).state == "archived"
    assert "10e Journée" in text(organiser.get("/"))
    assert organiser.get("/programme.json").get_json()["edition"]["slug"] == "journee-2028"

    # Last year's programme stays public and its calendar keeps every event's UID.
    archive = f"/editions/{year['slug']}"
    assert organiser.get(f"{archive}/").status_code == 200
    assert "registration is closed" in text(organiser.get(f"{archive}/")).lower() or (
        "inscriptions sont closes" in text(organiser.get(f"{archive}/")).lower()
    )
    page = text(organiser.get(f"{archive}/programme"))
    assert f'href="{archive}/programme/' in page
    calendar = organiser.get(f"{archive}/programme.ics")
    assert calendar.status_code == 200 and calendar.content_type.startswith("text/calendar")
    assert set(_uids(calendar.data)) == set(_uids(last_year_ics))
    assert all(f"{archive}/programme/" in url for url in _uids(calendar.data).values())
    assert organiser.get(f"{archive}/programme.json").get_json()["edition"]["slug"] == year["slug"]
    session_url = next(iter(_uids(calendar.data).values()))
    assert organiser.get(session_url.split("journee.example.org", 1)[1]).status_code == 200
    listed = text(organiser.get("/editions/"))
    assert listed.index("10e Journée") < listed.index(_edition(app, year["slug"]).name)

    # The desk now admits to the new edition: last year's badges are not for this day.
    assert scan_code(year["desk"], year["bruno"].code)["result"] == "invalid"
    # Publishing again is refused: it is no longer a draft.
    again = post_form(organiser, "/admin/editions/", f"/admin/editions/{draft.id}/publish")
    assert again.status_code == 200
    assert "Only a draft can be published." in text(again)
    assert _edition(app, "journee-2028").state == "current"


def test_the_command_line_lists_copies_and_publishes(app: Flask, year: dict):
    runner = app.test_cli_runner()
    copied = runner.invoke(
        args=["edition", "copy", year["slug"], "--slug", "journee-2028", "--date", "2028-01-24"]
    )
    assert copied.exit_code == 0, copied.output
    listed = runner.invoke(args=["edition", "list"]).output.splitlines()
    assert any(line.startswith(f"{year['slug']}\tcurrent\t") for line in listed)
    assert any(line.startswith("journee-2028\tdraft\t2028-01-24") for line in listed)
    assert (
        runner.invoke(
            args=["edition", "copy", year["slug"], "--slug", "journee-2028", "--date", "2028-01-24"]
        ).exit_code
        != 0
    )
    published = runner.invoke(args=["edition", "publish", "journee-2028"])
    assert published.exit_code == 0, published.output
    assert _edition(app, "journee-2028").state == "current"
    assert _edition(app, year["slug"]).state == "archived"
    assert runner.invoke(args=["edition", "publish", year["slug"]]).exit_code != 0
    assert runner.invoke(args=["edition", "publish", "nope"]).exit_code != 0


def test_the_database_holds_one_current_edition_at_most(app: Flask, year: dict):
    with app.app_context():
        draft = lifecycle.next_edition(year["id"], "Suivante", "suivante", NEXT_DAY, None)
        with pytest.raises(IntegrityError):
            db.session.execute(
                update(Edition).where(Edition.id == draft.id).values(state="current")
            )
            db.session.flush()
        db.session.rollback()


def test_an_archived_edition_s_programme_no_longer_changes(app: Flask, year: dict):
    organiser = signed_in(app, "organiser")
    _copy(organiser)
    draft = _edition(app, "journee-2028")
    with app.app_context():
        lifecycle.publish(draft.id, actor=None)
        session = db.session.scalars(
            select(Session).where(Session.edition_id == year["id"]).order_by(Session.id)
        ).first()
        with pytest.raises(rules.ArchivedProgramme):
            rules.save_session(
                year["id"],
                rules.SessionDraft(
                    title="Changé après coup",
                    kind=session.kind,
                    starts_at=session.starts_at,
                    ends_at=session.ends_at,
                    room_id=session.room_id,
                ),
                session.id,
            )
        with pytest.raises(rules.ArchivedProgramme):
            rules.cancel_session(year["id"], session.id)
        session_id = session.id
    # Through the editor, working on the archived edition: refused with the reason.
    post_form(organiser, "/admin/editions/", "/admin/editions/choose", {"edition": str(year["id"])})
    answer = post_form(
        organiser, "/admin/programme/", f"/admin/programme/sessions/{session_id}/cancel"
    )
    page = (
        text(organiser.get(answer.headers["Location"]))
        if answer.status_code == 303
        else text(answer)
    )
    assert "archived" in page
    with app.app_context():
        assert not db.session.get_one(Session, session_id).is_cancelled
