"""Speakers' private address, photo and English bio; registrations made by hand; lost links."""

from __future__ import annotations

import datetime as dt
import io
import re

import icalendar
import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import func, select

from eventday.database import utcnow
from eventday.extensions import db
from eventday.mail import MailKind, OutboxMail
from eventday.programme import rules
from eventday.programme.models import Edition, Speaker
from eventday.registration.models import Registration, RegistrationStatus
from tests.test_admin_access import csrf_token
from tests.test_registration_form import csrf_token as form_csrf_token
from tests.test_users_admin import post_form, signed_in

SECRET_ADDRESS = "lea.private@example.org"


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 60)).save(out, "PNG")
    return out.getvalue()


def speaking(app: Flask, edition_id: int) -> tuple[int, int]:
    """The id of a speaker of the demo who speaks in a session, and that session's id."""
    with app.app_context():
        speaker = next(s for s in db.session.get_one(Edition, edition_id).speakers if s.sessions)
        return speaker.id, speaker.sessions[0].id


def edit_speaker(client: FlaskClient, speaker_id: int, **fields: object):
    prefix = f"speaker-{speaker_id}"
    data = {
        "csrf_token": csrf_token(client, "/admin/programme/"),
        f"{prefix}-name": "Dr Léa Nguyen",
    }
    data |= {f"{prefix}-{name}": value for name, value in fields.items()}
    return client.post(
        f"/admin/programme/speakers/{speaker_id}", data=data, content_type="multipart/form-data"
    )


def test_the_speakers_address_is_never_public_and_the_bio_follows_the_language(
    app: Flask, demo: int
) -> None:
    speaker_id, session_id = speaking(app, demo)
    with app.app_context():
        rules.update_speaker(
            demo,
            speaker_id,
            "Dr Léa Nguyen",
            bio="Biographie en français.",
            email=SECRET_ADDRESS,
            bio_en="Biography in English.",
        )
    client = app.test_client()
    for path in ("/programme", f"/programme/{session_id}", "/programme.json", "/programme.ics"):
        assert SECRET_ADDRESS not in client.get(path).get_data(as_text=True), path
    assert SECRET_ADDRESS not in client.get(f"/programme/{session_id}.ics").get_data(as_text=True)

    english = client.get(f"/programme/{session_id}?lang=en").get_data(as_text=True)
    french = client.get(f"/programme/{session_id}?lang=fr").get_data(as_text=True)
    assert "Biography in English." in english and "Biographie" not in english
    assert "Biographie en français." in french


def test_a_photo_that_is_not_an_image_is_refused_and_a_real_one_re_encoded(
    app: Flask, demo: int
) -> None:
    speaker_id, session_id = speaking(app, demo)
    organiser = signed_in(app, "organiser")

    page = b"<html><script>alert(1)</script></html>"
    refused = edit_speaker(organiser, speaker_id, photo=(io.BytesIO(page), "photo.png"))
    assert refused.status_code == 303
    shown = organiser.get(refused.headers["Location"]).get_data(as_text=True)
    assert "This file is not a PNG, JPEG or WebP image." in shown
    with app.app_context():
        assert db.session.get_one(Speaker, speaker_id).photo is None

    sent = png_bytes() + b"<script>hidden</script>"
    saved = edit_speaker(organiser, speaker_id, photo=(io.BytesIO(sent), "photo.png"))
    assert saved.status_code == 303
    with app.app_context():
        speaker = db.session.get_one(Speaker, speaker_id)
        stored, digest = speaker.photo, speaker.photo_digest
    assert stored != sent and b"<script>" not in stored
    assert Image.open(io.BytesIO(stored)).size == (40, 30)

    client = app.test_client()
    address = f"/speakers/{speaker_id}/photo.{digest}.png"
    assert address in client.get(f"/programme/{session_id}").get_data(as_text=True)
    photo = client.get(address)
    assert photo.status_code == 200 and photo.data == stored
    assert photo.headers["X-Content-Type-Options"] == "nosniff"
    assert photo.mimetype == "image/png"
    assert client.get(f"/speakers/{speaker_id}/photo.000000000000.png").status_code == 404

    assert edit_speaker(organiser, speaker_id, remove_photo="y").status_code == 303
    with app.app_context():
        assert db.session.get_one(Speaker, speaker_id).photo is None
    assert client.get(address).status_code == 404


def by_hand(client: FlaskClient, **changes: object):
    data = {
        "first_name": "Léa",
        "last_name": "Nguyen",
        "email": "lea@example.org",
        "organisation": "CHU de Bordeaux",
        "stakeholder_type": "clinician",
        "role": "speaker",
        "language": "en",
        "speaker_id": "",
        **changes,
    }
    return post_form(client, "/admin/registrations/new", "/admin/registrations/new", data)


def the_registration(app: Flask, email: str = "lea@example.org") -> Registration:
    with app.app_context():
        found = db.session.scalars(select(Registration).where(Registration.email == email)).one()
        db.session.expunge(found)
        return found


@pytest.mark.parametrize("why", ["full", "closed"])
def test_a_registration_by_hand_is_confirmed_when_full_or_closed_and_its_badge_says_the_role(
    app: Flask, demo: int, why: str
) -> None:
    with app.app_context():
        edition = db.session.get_one(Edition, demo)
        if why == "full":
            edition.capacity = 0
        else:
            edition.registration_closes_at = utcnow() - dt.timedelta(days=1)
        db.session.commit()
    organiser = signed_in(app, "organiser")

    response = by_hand(organiser, role="staff" if why == "full" else "guest")

    assert response.status_code == 303
    registration = the_registration(app)
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.role == ("staff" if why == "full" else "guest")
    with app.app_context():
        kinds = db.session.scalars(
            select(OutboxMail.kind).where(OutboxMail.registration_id == registration.id)
        ).all()
    assert kinds == [MailKind.CONFIRMED]
    badge = app.test_client().get(f"/registration/{registration.token}/badge.pdf")
    text = PdfReader(io.BytesIO(badge.data)).pages[0].extract_text()
    assert ("Staff" if why == "full" else "Guest") in text


def test_a_speakers_badge_says_so_in_french_and_their_agenda_holds_their_session(
    app: Flask, demo: int
) -> None:
    speaker_id, session_id = speaking(app, demo)
    organiser = signed_in(app, "organiser")

    response = by_hand(organiser, language="fr", speaker_id=str(speaker_id))

    assert response.status_code == 303
    registration = the_registration(app)
    badge = app.test_client().get(f"/registration/{registration.token}/badge.pdf")
    assert "Intervenant·e" in PdfReader(io.BytesIO(badge.data)).pages[0].extract_text()
    agenda = app.test_client().get(f"/registration/{registration.token}/agenda.ics")
    calendar = icalendar.Calendar.from_ical(agenda.data)
    with app.app_context():
        title = db.session.get_one(Speaker, speaker_id).sessions[0].title
    assert title in [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]
    detail = organiser.get(response.headers["Location"]).get_data(as_text=True)
    assert title in detail


def test_only_organisers_register_by_hand(app: Flask, demo: int) -> None:
    desk = signed_in(app, "checkin")

    assert desk.get("/admin/registrations/new").status_code == 403
    assert app.test_client().get("/admin/registrations/new").status_code == 302


def test_a_taken_address_is_refused_by_hand(app: Flask, demo: int) -> None:
    organiser = signed_in(app, "organiser")
    assert by_hand(organiser).status_code == 303

    again = by_hand(organiser, role="guest")

    assert again.status_code == 422
    assert "already has a registration" in again.get_data(as_text=True)


META = re.compile(r'<meta name="csrf-token" content="[^"]+">')


def test_the_find_form_answers_alike_and_mails_only_a_known_address_once_an_hour(
    app: Flask, demo: int
) -> None:
    organiser = signed_in(app, "organiser")
    assert by_hand(organiser, role="guest").status_code == 303
    visitor = app.test_client()
    assert 'href="/registration/find"' in visitor.get("/register?lang=en").get_data(as_text=True)

    def find(email: str):
        token = form_csrf_token(visitor, "/registration/find")
        return visitor.post("/registration/find", data={"csrf_token": token, "email": email})

    known, unknown = find("LEA@example.org"), find("nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert META.sub("", known.get_data(as_text=True)) == META.sub(
        "", unknown.get_data(as_text=True)
    )
    assert "is on its way" in known.get_data(as_text=True)
    assert find("lea@example.org").status_code == 200

    with app.app_context():
        sent = db.session.scalars(
            select(OutboxMail.recipient).where(OutboxMail.kind == MailKind.MANAGE_LINK)
        ).all()
        assert sent == ["lea@example.org"]
        assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == 2


def test_the_find_form_needs_its_csrf_token(app: Flask, demo: int) -> None:
    response = app.test_client().post("/registration/find", data={"email": "lea@example.org"})

    assert response.status_code == 400
