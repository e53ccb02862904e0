"""The attendee's own page and what hangs from it: QR code, badge, agenda, data, edit, cancel."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import xml.etree.ElementTree as ET

import icalendar
import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from pypdf import PdfReader
from sqlalchemy import select

from eventday.badges.qr import qr_matrix
from eventday.extensions import db
from eventday.mail import OutboxMail
from eventday.programme import rules
from eventday.programme.demo import DEMO_DAY
from eventday.programme.models import Edition, Room, Session, SessionKind
from eventday.registration import capacity
from eventday.registration.models import Registration
from eventday.registration.tokens import checkin_code, read_checkin_code
from tests.conftest import paris
from tests.test_registration_form import (
    CSRF_PATTERN,
    MORNING_WORKSHOPS,
    FormState,
    counts,
    field_errors,
    html,
)

# See test_registration_form.test_the_form_renders_without_deprecation_warnings.

SVG = "{http://www.w3.org/2000/svg}"
STATUSES = {"pending_approval", "confirmed", "waitlisted", "cancelled"}
STATUS_WORDS = {
    "confirmed": "Confirmée",
    "waitlisted": "En liste d’attente",
    "pending_approval": "En attente de validation",
}
AFTERNOON_WORKSHOP = "Atelier : myosites, lire une IRM musculaire"
CODE_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"
ANSWERS = {
    "researcher": {
        "institution": "Université Paris Cité",
        "team": "",
        "position": "postdoc",
        "orcid": "",
    },
    "clinician": {"specialty": "Rhumatologie", "hospital": "Hôpital Cochin", "rpps": ""},
    "industry": {"company": "Laboratoires Servier", "job_title": "Chargée d'affaires"},
}
# Internal keys, not data about the person: the row's id, its edition, the URL secret, and
# the lower-cased copy of the e-mail address used to find duplicates.
# Keys and derived columns: no personal data of their own (name_key is the name, folded).
NOT_PERSONAL = {"id", "edition_id", "token", "email_key", "name_key"}


# --- helpers -------------------------------------------------------------------------------


def register(
    app: Flask,
    edition_id: int,
    number: int = 1,
    stakeholder_type: str = "researcher",
    workshops: tuple[str, ...] = (),
    **fields: object,
) -> Registration:
    """A registration taken through the domain, as the form would (mails go to the outbox)."""
    with app.test_request_context():
        edition = db.session.get_one(Edition, edition_id)
        workshop_ids = tuple(
            db.session.scalars(select(Session.id).where(Session.title == title)).one()
            for title in workshops
        )
        applicant = capacity.Applicant(
            **{
                "first_name": "Zoë",
                "last_name": f"Sjögren-Lefèvre {number}",
                "email": f"zoe{number}@example.org",
                "organisation": "Inserm",
                "stakeholder_type": stakeholder_type,
                "answers": ANSWERS[stakeholder_type],
                "dietary": "Sans gluten",
                "workshop_ids": workshop_ids,
                **fields,
            }
        )
        # Inside the edition's registration window, whatever day the tests run.
        opens, closes = edition.registration_opens_at, edition.registration_closes_at
        now = opens + (closes - opens) / 2 if opens and closes else None
        registration = capacity.register(edition_id, applicant, now=now)
        return detached(registration.id)


def detached(registration_id: int) -> Registration:
    """The registration as the database holds it now (call inside an app context)."""
    db.session.expire_all()
    registration = db.session.get_one(Registration, registration_id)
    registration.workshops  # noqa: B018 - loaded while the session is open
    db.session.expunge(registration)
    return registration


def reload(app: Flask, registration: Registration) -> Registration:
    with app.app_context():
        return detached(registration.id)


def set_capacity(app: Flask, edition_id: int, seats: int) -> None:
    with app.app_context():
        db.session.get_one(Edition, edition_id).capacity = seats
        db.session.commit()


def confirmed_and_waitlisted(app: Flask, edition_id: int) -> tuple[Registration, Registration]:
    """A day of one seat: the first person has it, the second waits."""
    set_capacity(app, edition_id, 1)
    first = register(app, edition_id, 1)
    second = register(app, edition_id, 2)
    assert (first.status, second.status) == ("confirmed", "waitlisted")
    return first, second


@pytest.fixture
def attendees(app: Flask, demo: int) -> dict[str, Registration]:
    """One registration in each status but cancelled."""
    confirmed, waitlisted = confirmed_and_waitlisted(app, demo)
    pending = register(app, demo, 3, "industry")
    assert pending.status == "pending_approval"
    return {"confirmed": confirmed, "waitlisted": waitlisted, "pending_approval": pending}


def cancelled_registration(app: Flask, demo: int) -> Registration:
    registration = register(app, demo, 9)
    with app.test_request_context():
        capacity.cancel(registration.id)
    return reload(app, registration)


def mails(app: Flask, kind: str | None = None) -> list[tuple[str, str]]:
    """(kind, recipient) of every mail in the outbox, oldest first."""
    with app.app_context():
        query = select(OutboxMail).order_by(OutboxMail.id)
        if kind is not None:
            query = query.where(OutboxMail.kind == kind)
        return [(m.kind, m.recipient) for m in db.session.scalars(query)]


def svg_modules(svg: bytes) -> list[list[bool]]:
    """The modules an SVG QR code draws (one path of horizontal runs), read back."""
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    size = int(root.get("viewBox", "").split()[2])
    drawn = [[False] * size for _ in range(size)]
    path = root.find(f"{SVG}path")
    assert path is not None
    for column, row, length in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", path.get("d", "")):
        for offset in range(int(length)):
            drawn[int(row)][int(column) + offset] = True
    return drawn


def snapshot(app: Flask, registration: Registration) -> dict:
    """Every column of the registration, and its workshops, as the database holds them."""
    row = reload(app, registration)
    columns = {c.name: getattr(row, c.name) for c in Registration.__table__.columns}
    return {**columns, "workshops": sorted(w.id for w in row.workshops)}


def edit_page(client: FlaskClient, token: str) -> FormState:
    response = client.get(f"/registration/{token}/edit")
    assert response.status_code == 200
    return FormState(html(response))


def edit_form(client: FlaskClient, token: str) -> dict[str, list[str]]:
    """What a browser sends back from the edit page, untouched (CSRF token included)."""
    return edit_page(client, token).values


def programme_by_url(client: FlaskClient) -> dict[str, dict]:
    return {s["url"]: s for s in client.get("/programme.json").get_json()["sessions"]}


def events(client: FlaskClient, path: str) -> dict[str, icalendar.Event]:
    response = client.get(path)
    assert response.status_code == 200, response.status
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.data)
    return {str(event["UID"]): event for event in calendar.events}


# --- the page -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["confirmed", "waitlisted", "pending_approval"])
def test_the_page_shows_the_status_the_reference_and_the_name(app, client, attendees, status):
    registration = attendees[status]

    response = client.get(f"/registration/{registration.token}")

    page = html(response)
    assert response.status_code == 200
    assert f'class="status status-{status}"' in page
    assert STATUS_WORDS[status] in page
    assert registration.reference in page
    assert str(escape(registration.full_name)) in page


def test_a_confirmed_page_shows_the_qr_code_and_the_badge_link(app, client, attendees):
    token = attendees["confirmed"].token

    page = html(client.get(f"/registration/{token}"))

    assert re.search(rf'<img [^>]*src="/registration/{token}/qr.svg"', page)
    assert f'href="/registration/{token}/badge.pdf"' in page


@pytest.mark.parametrize("status", ["waitlisted", "pending_approval"])
def test_a_page_without_a_seat_shows_no_qr_code_nor_badge(app, client, attendees, status):
    token = attendees[status].token

    page = html(client.get(f"/registration/{token}"))

    assert "qr.svg" not in page
    assert "badge.pdf" not in page


def test_a_cancelled_page_says_so_and_offers_no_change(app, client, demo):
    registration = cancelled_registration(app, demo)

    page = html(client.get(f"/registration/{registration.token}"))

    assert "status-cancelled" in page
    assert "Annulée" in page
    for link in ("/qr.svg", "/badge.pdf", "/edit", "/cancel"):
        assert f"/registration/{registration.token}{link}" not in page


def altered_tokens(token: str) -> list[str]:
    """The token with one character changed, at its first, middle and last position."""
    altered = []
    for position in (0, len(token) // 2, len(token) - 1):
        other = "A" if token[position] != "A" else "B"
        altered.append(token[:position] + other + token[position + 1 :])
    return altered


def test_an_unknown_or_altered_token_is_not_found(app, client, attendees):
    token = attendees["confirmed"].token
    wrong = [
        "unknown",
        *altered_tokens(token),
        token[:-1],
        token + "A",
        token.upper() if token.upper() != token else token.lower(),
        "A" * 500,
        str(attendees["confirmed"].id),
        attendees["confirmed"].reference,
    ]
    for candidate in wrong:
        for suffix in ("", "/qr.svg", "/badge.pdf", "/agenda.ics", "/data.json", "/edit"):
            response = client.get(f"/registration/{candidate}{suffix}")
            assert response.status_code == 404, (candidate, suffix, response.status)


def test_a_token_with_a_nul_byte_is_not_found(app, client, demo):
    for suffix in ("", "/qr.svg", "/badge.pdf", "/agenda.ics", "/data.json", "/edit", "/cancel"):
        response = client.get(f"/registration/abc%00def{suffix}")
        assert response.status_code == 404, (suffix, response.status)


def test_attendee_responses_are_never_cached_nor_sent_as_referrer(app, client, attendees):
    token = attendees["confirmed"].token
    paths = [
        f"/registration/{token}",
        f"/registration/{token}/qr.svg",
        f"/registration/{token}/badge.pdf",
        f"/registration/{token}/agenda.ics",
        f"/registration/{token}/data.json",
        f"/registration/{token}/edit",
        f"/registration/{token}/cancel",
        "/registration/unknown-token",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code in (200, 404), path
        assert response.headers.get("Cache-Control") == "private, no-store", path
        assert response.headers.get("Referrer-Policy") == "strict-origin", path


def test_a_form_of_the_attendee_page_posts_over_https(app, client, attendees):
    """Behind TLS, Flask-WTF wants a same-origin Referer: the page's policy sends its origin."""
    token = attendees["confirmed"].token
    base = {"base_url": "https://journee.example.org"}
    page = client.get(f"/registration/{token}/cancel", **base)
    assert page.headers["Referrer-Policy"] == "strict-origin"
    csrf = CSRF_PATTERN.search(html(page)).group(1)
    # What a browser sends under strict-origin: the origin, without the path and its secret.
    answer = client.post(
        f"/registration/{token}/cancel",
        data={"csrf_token": csrf},
        headers={"Referer": "https://journee.example.org/"},
        **base,
    )
    assert answer.status_code in (200, 303), html(answer)[:300]


# --- QR code --------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["confirmed", "waitlisted", "pending_approval"])
def test_the_qr_code_is_an_svg_of_the_signed_check_in_code(app, client, attendees, status):
    registration = attendees[status]

    response = client.get(f"/registration/{registration.token}/qr.svg")

    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    with app.app_context():
        code = checkin_code(registration.edition_id, registration.reference)
    assert svg_modules(response.data) == qr_matrix(code)


def test_the_qr_code_of_a_cancelled_registration_is_not_found(app, client, demo):
    registration = cancelled_registration(app, demo)

    assert client.get(f"/registration/{registration.token}/qr.svg").status_code == 404


def test_the_check_in_code_verifies_only_unaltered_and_for_its_own_edition(app, attendees):
    registration = attendees["confirmed"]
    edition_id = registration.edition_id
    with app.app_context():
        code = checkin_code(edition_id, registration.reference)

        assert read_checkin_code(code, edition_id) == registration.reference
        assert read_checkin_code(code.lower(), edition_id) == registration.reference
        assert read_checkin_code(code, edition_id + 1) is None
        for position, character in enumerate(code):
            for other in CODE_CHARACTERS.replace(character, ""):
                altered = code[:position] + other + code[position + 1 :]
                assert read_checkin_code(altered, edition_id) is None, altered
        assert read_checkin_code(code[:-1], edition_id) is None
        assert read_checkin_code(code + "A", edition_id) is None


# --- badge ----------------------------------------------------------------------------------


def test_the_badge_is_one_page_with_the_name_and_reference(app, client, demo):
    registration = register(app, demo, first_name="Hélène", last_name="Marchand")

    response = client.get(f"/registration/{registration.token}/badge.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Hélène" in text
    assert "Marchand" in text
    assert registration.reference in text


def test_there_is_no_badge_without_a_confirmed_seat(app, client, attendees, demo):
    tokens = [attendees["waitlisted"].token, attendees["pending_approval"].token]
    tokens.append(cancelled_registration(app, demo).token)

    for token in tokens:
        assert client.get(f"/registration/{token}/badge.pdf").status_code == 404


# --- agenda ---------------------------------------------------------------------------------


def test_the_agenda_holds_every_session_for_everyone_and_only_the_own_workshops(app, client, demo):
    own = (MORNING_WORKSHOPS[1], AFTERNOON_WORKSHOP)
    registration = register(app, demo, workshops=own)
    assert registration.status == "confirmed"

    agenda = events(client, f"/registration/{registration.token}/agenda.ics")
    programme = events(client, "/programme.ics")
    sessions = programme_by_url(client)

    kinds = {uid: sessions[str(event["URL"])]["kind"] for uid, event in programme.items()}
    titles = {uid: sessions[str(event["URL"])]["title"] for uid, event in programme.items()}
    times = {uid: (event["DTSTART"].dt, event["DTEND"].dt) for uid, event in programme.items()}
    workshops = [times[uid] for uid in programme if titles[uid] in own]

    def during_a_workshop(uid: str) -> bool:
        start, end = times[uid]
        return any(start < until and since < end for since, until in workshops)

    expected = {
        uid
        for uid in programme
        if titles[uid] in own or (kinds[uid] != "workshop" and not during_a_workshop(uid))
    }
    assert set(agenda) == expected
    assert sorted(titles[uid] for uid in agenda if kinds[uid] == "workshop") == sorted(own)
    assert sum(kind == "workshop" for kind in kinds.values()) > len(own)
    for uid, event in agenda.items():
        assert event["SEQUENCE"] == programme[uid]["SEQUENCE"], titles[uid]
        assert event["SUMMARY"] == programme[uid]["SUMMARY"]


ROUND_TABLE = "Table ronde : vivre avec une maladie auto-immune rare, la parole aux associations"


def agenda_titles(client: FlaskClient, registration: Registration) -> set[str]:
    path = f"/registration/{registration.token}/agenda.ics"
    return {str(event["SUMMARY"]) for event in events(client, path).values()}


def test_the_agenda_leaves_out_what_runs_during_the_attendee_s_own_workshop(app, client, demo):
    in_the_workshop = register(app, demo, 1, workshops=(AFTERNOON_WORKSHOP,))
    elsewhere = register(app, demo, 2)

    mine = agenda_titles(client, in_the_workshop)
    assert AFTERNOON_WORKSHOP in mine
    assert ROUND_TABLE not in mine  # 15:50–17:00, as the workshop
    assert "Pause" in mine and "Prix des meilleurs posters" in mine  # just before, just after
    assert ROUND_TABLE in agenda_titles(client, elsewhere)
    # The same event as in the programme's calendar: the same UID and SEQUENCE.
    theirs = events(client, f"/registration/{in_the_workshop.token}/agenda.ics")
    programme = events(client, "/programme.ics")
    for uid, event in theirs.items():
        assert event["SEQUENCE"] == programme[uid]["SEQUENCE"]


def test_the_agenda_gives_back_what_ran_during_a_workshop_once_it_is_cancelled(app, client, demo):
    registration = register(app, demo, workshops=(AFTERNOON_WORKSHOP,))
    with app.app_context():
        workshop = db.session.scalars(select(Session.id).where(Session.title == AFTERNOON_WORKSHOP))
        rules.cancel_session(demo, workshop.one())

    assert {AFTERNOON_WORKSHOP, ROUND_TABLE} <= agenda_titles(client, registration)


def test_the_agenda_sequence_grows_when_a_session_changes_room(app, client, demo):
    registration = register(app, demo)
    path = f"/registration/{registration.token}/agenda.ics"
    title = "Ouverture de la 9e journée de recherche"
    with app.app_context():
        session = db.session.scalars(select(Session).where(Session.title == title)).one()
        other_room = db.session.scalars(
            select(Room.id).where(Room.edition_id == demo, Room.name == "Salle Pasteur")
        ).one()
        session_id, draft = (
            session.id,
            rules.SessionDraft(
                title=session.title,
                kind=session.kind,
                starts_at=session.starts_at,
                ends_at=session.ends_at,
                room_id=other_room,
                track_id=session.track_id,
                speaker_ids=tuple(s.id for s in session.speakers),
                capacity=session.capacity,
                abstract=session.abstract,
            ),
        )
    uid = next(uid for uid, e in events(client, path).items() if e["SUMMARY"] == title)
    before = events(client, path)[uid]

    with app.app_context():
        rules.save_session(demo, draft, session_id)

    after = events(client, path)[uid]
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert "Salle Pasteur" in str(after["LOCATION"])
    assert after["SEQUENCE"] == events(client, "/programme.ics")[uid]["SEQUENCE"]


# --- personal data --------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["confirmed", "waitlisted", "pending_approval"])
def test_the_data_download_holds_the_registration_as_stored(app, client, attendees, status):
    registration = reload(app, attendees[status])

    response = client.get(f"/registration/{registration.token}/data.json")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    data = json.loads(response.data)
    assert data["status"] == status
    assert data["status"] in STATUSES
    for name in ("reference", "first_name", "last_name", "email", "organisation", "language"):
        assert data[name] == getattr(registration, name), name
    assert data["stakeholder_type"] == registration.stakeholder_type
    assert data["answers"] == registration.answers
    assert data["dietary"] == "Sans gluten"
    assert data["listed"] is registration.listed
    assert dt.datetime.fromisoformat(data["consent_at"]) == registration.consent_at
    assert data["edition"]["slug"] == "journee-2027"


def test_the_data_download_holds_every_column_about_the_person(app, client, demo):
    registration = register(app, demo)

    data = client.get(f"/registration/{registration.token}/data.json").get_json()

    columns = {c.name for c in Registration.__table__.columns} - NOT_PERSONAL
    assert columns <= set(data), columns - set(data)


def test_the_data_download_lists_the_chosen_workshops(app, client, demo):
    registration = register(app, demo, workshops=(MORNING_WORKSHOPS[0],))

    data = client.get(f"/registration/{registration.token}/data.json").get_json()

    assert [w["title"] for w in data["workshops"]] == [MORNING_WORKSHOPS[0]]
    assert data["workshops"][0]["start"] == "2027-01-25T11:00:00+01:00"


def test_a_cancelled_registration_can_still_download_its_data(app, client, demo):
    registration = cancelled_registration(app, demo)

    data = client.get(f"/registration/{registration.token}/data.json").get_json()

    assert data["status"] == "cancelled"


# --- edit -----------------------------------------------------------------------------------


def test_the_edit_form_shows_the_current_details(app, client, demo):
    registration = register(app, demo, workshops=(MORNING_WORKSHOPS[0],), listed=True)

    form = edit_page(client, registration.token)

    assert form.values["first_name"] == ["Zoë"]
    assert form.values["last_name"] == [registration.last_name]
    assert form.values["email"] == [registration.email]
    assert "organisation" not in form.values  # asked once, as the profile's own question:
    assert form.values["institution"] == ["Université Paris Cité"]
    assert form.values["position"] == ["postdoc"]
    assert form.values["listed"] == ["y"]
    assert form.values["language"] == ["fr"]
    assert form.value("dietary") == "Sans gluten"
    assert form.values["workshops"] == [str(registration.workshops[0].id)]
    assert "stakeholder_type" not in form.values
    assert "consent" not in form.values


def test_an_attendee_changes_details_and_workshops(app, client, demo):
    registration = register(app, demo, workshops=(MORNING_WORKSHOPS[0],))
    with app.app_context():
        afternoon = db.session.scalars(
            select(Session.id).where(Session.title == AFTERNOON_WORKSHOP)
        ).one()
    form = edit_form(client, registration.token)
    form |= {
        "first_name": ["Zoé"],
        "last_name": ["D'Arc-Ødegård"],
        "organisation": ["CNRS"],
        "team": ["Équipe B"],
        "dietary": ["Végétarien"],
        "workshops": [str(afternoon)],
    }

    response = client.post(f"/registration/{registration.token}/edit", data=form)

    assert response.status_code == 303
    assert response.headers["Location"] == f"/registration/{registration.token}"
    changed = reload(app, registration)
    assert (changed.first_name, changed.last_name) == ("Zoé", "D'Arc-Ødegård")
    assert changed.organisation == "CNRS"
    assert changed.answers["team"] == "Équipe B"
    assert changed.dietary == "Végétarien"
    assert [w.id for w in changed.workshops] == [afternoon]
    assert changed.status == "confirmed"
    assert changed.token == registration.token
    assert changed.reference == registration.reference
    page = html(client.get(f"/registration/{registration.token}"))
    assert str(escape("D'Arc-Ødegård")) in page
    assert AFTERNOON_WORKSHOP in page


def test_an_edit_from_the_page_stores_the_profile_s_answer_as_the_organisation(app, client, demo):
    registration = register(app, demo)  # organisation "Inserm", as a client sent it
    form = edit_form(client, registration.token) | {"institution": ["Institut Imagine"]}

    assert client.post(f"/registration/{registration.token}/edit", data=form).status_code == 303

    changed = reload(app, registration)
    assert changed.organisation == "Institut Imagine"
    assert changed.answers["institution"] == "Institut Imagine"


def test_an_attendee_changes_the_language_of_their_mails(app, client, demo):
    registration = register(app, demo)
    form = edit_form(client, registration.token) | {"language": ["en"]}

    response = client.post(f"/registration/{registration.token}/edit", data=form)

    assert response.status_code == 303
    assert reload(app, registration).language == "en"


def test_the_stakeholder_type_cannot_be_changed_by_editing(app, client, demo):
    registration = register(app, demo)
    before = snapshot(app, registration)
    form = edit_form(client, registration.token) | {
        "stakeholder_type": ["industry"],
        "company": ["Laboratoires Servier"],
        "job_title": ["Directrice"],
    }

    response = client.post(f"/registration/{registration.token}/edit", data=form)

    assert response.status_code == 303
    after = snapshot(app, registration)
    assert after["stakeholder_type"] == "researcher"
    assert after["status"] == "confirmed"
    assert after["answers"] == before["answers"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("first_name", "Zoé" * 40),
        ("last_name", "Nul\x00Byte"),
        ("email", "pas-une-adresse"),
        ("institution", "x" * 201),
        ("institution", ""),
        ("dietary", "y" * 501),
        ("accessibility", "Escape\x1b[2J"),
    ],
)
def test_a_refused_change_shows_a_message_and_changes_nothing(app, client, demo, field, value):
    registration = register(app, demo)
    before = snapshot(app, registration)
    form = edit_form(client, registration.token) | {field: [value]}

    response = client.post(f"/registration/{registration.token}/edit", data=form)

    assert response.status_code == 422
    assert field_errors(html(response), field)
    assert snapshot(app, registration) == before


def one_seat_workshop(app: Flask, edition_id: int) -> str:
    title = "Atelier : une seule place"
    with app.app_context():
        rules.save_session(
            edition_id,
            rules.SessionDraft(
                title=title,
                kind=SessionKind.WORKSHOP,
                starts_at=paris(DEMO_DAY, "12:30"),
                ends_at=paris(DEMO_DAY, "13:15"),
                capacity=1,
            ),
        )
    return title


def test_an_attendee_keeps_the_seat_of_a_workshop_that_is_now_full(app, client, demo):
    title = one_seat_workshop(app, demo)
    holder = register(app, demo, 1, workshops=(title,))
    full = str(holder.workshops[0].id)
    form = edit_page(client, holder.token)
    assert form.values["workshops"] == [full]
    assert ("workshops", full) not in form.disabled

    response = client.post(f"/registration/{holder.token}/edit", data=form.values | {"team": ["B"]})

    assert response.status_code == 303
    assert [w.title for w in reload(app, holder).workshops] == [title]


def test_a_waiting_attendee_keeps_a_workshop_choice_that_is_now_full(app, client, demo):
    title = one_seat_workshop(app, demo)
    set_capacity(app, demo, 1)
    register(app, demo, 1, workshops=(title,))
    waiting = register(app, demo, 2, workshops=(title,))
    assert waiting.status == "waitlisted"
    form = edit_page(client, waiting.token)

    response = client.post(
        f"/registration/{waiting.token}/edit", data=form.values | {"dietary": ["Végétarien"]}
    )

    assert response.status_code == 303
    kept = reload(app, waiting)
    assert kept.dietary == "Végétarien"
    assert [w.title for w in kept.workshops] == [title]


def test_a_full_workshop_cannot_be_added_by_editing(app, client, demo):
    title = one_seat_workshop(app, demo)
    register(app, demo, 1, workshops=(title,))
    other = register(app, demo, 2)
    with app.app_context():
        full = db.session.scalars(select(Session.id).where(Session.title == title)).one()
    before = snapshot(app, other)
    form = edit_form(client, other.token) | {"workshops": [str(full)]}

    response = client.post(f"/registration/{other.token}/edit", data=form)

    assert response.status_code == 422
    assert title in field_errors(html(response), "workshops")
    assert snapshot(app, other) == before


def test_an_edit_with_a_missing_csrf_token_gives_the_form_back_as_typed(app, client, demo):
    registration = register(app, demo)
    before = snapshot(app, registration)
    form = edit_form(client, registration.token) | {"first_name": ["Zoé-Tapée"]}
    del form["csrf_token"]

    response = client.post(f"/registration/{registration.token}/edit", data=form)

    page = html(response)
    assert response.status_code == 400
    assert 'class="error-summary"' in page
    assert FormState(page).value("first_name") == "Zoé-Tapée"
    assert CSRF_PATTERN.search(page)
    assert snapshot(app, registration) == before


# --- cancel ---------------------------------------------------------------------------------


def test_cancelling_asks_for_confirmation_first(app, client, demo):
    registration = register(app, demo)
    before = snapshot(app, registration)

    response = client.get(f"/registration/{registration.token}/cancel")

    page = html(response)
    assert response.status_code == 200
    form = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', page, re.S)
    assert form and form.group(1) == f"/registration/{registration.token}/cancel"
    assert '<button type="submit"' in form.group(2)
    assert CSRF_PATTERN.search(form.group(2))
    assert registration.reference in page
    assert snapshot(app, registration) == before


def test_cancelling_frees_the_seat_for_the_first_waiting_person(app, client, demo):
    first, second = confirmed_and_waitlisted(app, demo)
    token = CSRF_PATTERN.search(html(client.get(f"/registration/{first.token}/cancel"))).group(1)

    response = client.post(f"/registration/{first.token}/cancel", data={"csrf_token": token})

    assert response.status_code == 303
    assert response.headers["Location"] == f"/registration/{first.token}"
    assert reload(app, first).status == "cancelled"
    assert reload(app, second).status == "confirmed"
    assert mails(app, "cancelled") == [("cancelled", first.email)]
    assert mails(app, "promoted") == [("promoted", second.email)]
    assert "status-cancelled" in html(client.get(f"/registration/{first.token}"))
    promoted_page = html(client.get(f"/registration/{second.token}"))
    assert "status-confirmed" in promoted_page
    assert "qr.svg" in promoted_page


def test_cancelling_twice_is_harmless(app, client, demo):
    registration = register(app, demo)
    token = CSRF_PATTERN.search(
        html(client.get(f"/registration/{registration.token}/cancel"))
    ).group(1)
    client.post(f"/registration/{registration.token}/cancel", data={"csrf_token": token})
    before = (snapshot(app, registration), counts(app))

    again = client.post(f"/registration/{registration.token}/cancel", data={"csrf_token": token})
    page_again = client.get(f"/registration/{registration.token}/cancel", follow_redirects=True)

    assert again.status_code == 303
    assert page_again.status_code == 200
    assert f'action="/registration/{registration.token}/cancel"' not in html(page_again)
    assert (snapshot(app, registration), counts(app)) == before
    assert mails(app, "cancelled") == [("cancelled", registration.email)]


def test_cancelling_without_a_csrf_token_cancels_nothing(app, client, demo):
    registration = register(app, demo)
    client.get(f"/registration/{registration.token}/cancel")
    before = snapshot(app, registration)

    response = client.post(f"/registration/{registration.token}/cancel", data={})

    assert response.status_code == 400
    assert 'class="error-summary"' in html(response)
    assert snapshot(app, registration) == before


def test_a_cancelled_registration_cannot_be_edited(app, client, demo):
    registration = cancelled_registration(app, demo)

    assert client.get(f"/registration/{registration.token}/edit").status_code == 404
    assert client.get(f"/registration/{registration.token}/agenda.ics").status_code == 404
