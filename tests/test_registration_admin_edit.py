"""Organisers correct an attendee's details from the dashboard; the change is in the history."""

import pytest
from flask import Flask
from flask.testing import FlaskClient

from eventday.audit import AuditEntry
from eventday.extensions import db
from eventday.mail import OutboxMail
from eventday.registration import capacity
from eventday.registration.models import Registration
from tests.conftest import make_edition
from tests.test_exports import register
from tests.test_users_admin import csrf_token, field_errors, signed_in


@pytest.fixture
def edition(app: Flask) -> int:
    with app.app_context():
        return make_edition().id


@pytest.fixture
def organiser(app: Flask, edition: int) -> FlaskClient:
    return signed_in(app, "organiser")


def details(**changes: str) -> dict[str, str]:
    return {
        "first_name": "Hélène",
        "last_name": "Lefèvre",
        "email": "helene.lefevre@example.org",
        "organisation": "Inserm",
        "institution": "Université Paris Cité",
        "position": "postdoc",
        "language": "en",
        **changes,
    }


def test_an_organiser_changes_an_attendees_details_and_the_history_says_so(
    app: Flask,
    edition: int,
    organiser: FlaskClient,
) -> None:
    registration_id = register(app, edition, "Hélène")
    path = f"/admin/registrations/{registration_id}/edit"
    form = organiser.get(path)
    assert form.status_code == 200
    assert 'value="Hélène"' in form.get_data(as_text=True)

    answer = organiser.post(
        path,
        data={"csrf_token": csrf_token(organiser, path), **details(last_name="Lefèvre-Ødegård")},
    )
    assert answer.status_code == 303
    assert answer.headers["Location"] == f"/admin/registrations/{registration_id}"
    with app.app_context():
        assert db.session.get_one(Registration, registration_id).last_name == "Lefèvre-Ødegård"
        entry = db.session.scalars(
            db.select(AuditEntry).where(AuditEntry.registration_id == registration_id)
        ).one()
        assert entry.action == "edit"
        assert entry.user_id is not None
        assert entry.changes["last_name"] == ["Lefèvre", "Lefèvre-Ødegård"]


def test_a_bad_value_is_refused_next_to_its_field_and_nothing_changes(
    app: Flask,
    edition: int,
    organiser: FlaskClient,
) -> None:
    registration_id = register(app, edition, "Hélène")
    path = f"/admin/registrations/{registration_id}/edit"
    answer = organiser.post(
        path, data={"csrf_token": csrf_token(organiser, path), **details(email="pas une adresse")}
    )
    assert answer.status_code == 422
    assert field_errors(answer, "email")
    with app.app_context():
        assert (
            db.session.get_one(Registration, registration_id).email == "helene.lefevre@example.org"
        )


def test_the_check_in_desk_may_not_edit_registrations(app: Flask, edition: int) -> None:
    registration_id = register(app, edition, "Hélène")
    desk = signed_in(app, "checkin", "desk@example.org")
    assert desk.get(f"/admin/registrations/{registration_id}/edit").status_code == 403


def test_an_organiser_changes_the_profile_and_the_new_profiles_questions_are_asked(
    app: Flask,
    edition: int,
    organiser: FlaskClient,
) -> None:
    registration_id = register(app, edition, "Hélène")
    path = f"/admin/registrations/{registration_id}/edit"
    form = organiser.get(path)
    assert 'name="stakeholder_type"' in form.get_data(as_text=True)

    missing = organiser.post(
        path,
        data={"csrf_token": csrf_token(organiser, path), **details(stakeholder_type="clinician")},
    )
    assert missing.status_code == 422
    assert field_errors(missing, "specialty")
    with app.app_context():
        assert db.session.get_one(Registration, registration_id).stakeholder_type == "researcher"

    clinician = details(
        stakeholder_type="clinician", specialty="Médecine interne", hospital="Cochin"
    )
    answer = organiser.post(path, data={"csrf_token": csrf_token(organiser, path), **clinician})
    assert answer.status_code == 303
    with app.app_context():
        registration = db.session.get_one(Registration, registration_id)
        assert registration.stakeholder_type == "clinician"
        assert registration.status == "confirmed"
        assert registration.answers == {
            "specialty": "Médecine interne",
            "hospital": "Cochin",
            "rpps": "",
        }
        entry = db.session.scalars(
            db.select(AuditEntry).where(AuditEntry.registration_id == registration_id)
        ).one()
        assert entry.changes["stakeholder_type"] == ["researcher", "clinician"]


def test_a_profile_whose_quota_is_full_is_refused_next_to_the_field(
    app: Flask,
    edition: int,
    organiser: FlaskClient,
) -> None:
    with app.app_context():
        capacity.set_type_rules(edition, {"industry": capacity.TypeRule(0, True)})
    registration_id = register(app, edition, "Hélène")
    path = f"/admin/registrations/{registration_id}/edit"
    industry = details(stakeholder_type="industry", company="Servier", job_title="MSL")
    answer = organiser.post(path, data={"csrf_token": csrf_token(organiser, path), **industry})
    assert answer.status_code == 422
    assert any("quota" in message for message in field_errors(answer, "stakeholder_type"))
    assert 'value="Servier"' in answer.get_data(as_text=True)
    with app.app_context():
        registration = db.session.get_one(Registration, registration_id)
        assert (registration.stakeholder_type, registration.status) == ("researcher", "confirmed")


def test_a_pending_industry_registration_moved_to_a_profile_without_approval_is_confirmed(
    app: Flask,
    edition: int,
    organiser: FlaskClient,
) -> None:
    registration_id = register(app, edition, "Hélène", stakeholder_type="industry")
    with app.app_context():
        assert db.session.get_one(Registration, registration_id).status == "pending_approval"
        mails_before = db.session.scalar(db.select(db.func.count()).select_from(OutboxMail))
    path = f"/admin/registrations/{registration_id}/edit"
    answer = organiser.post(
        path,
        data={"csrf_token": csrf_token(organiser, path), **details(stakeholder_type="researcher")},
    )
    assert answer.status_code == 303
    with app.app_context():
        registration = db.session.get_one(Registration, registration_id)
        assert (registration.stakeholder_type, registration.status) == ("researcher", "confirmed")
        mails = db.session.scalars(db.select(OutboxMail).order_by(OutboxMail.id)).all()
        assert len(mails) == mails_before + 1
        assert mails[-1].kind == "confirmed"
        actions = db.session.scalars(
            db.select(AuditEntry.action).where(AuditEntry.registration_id == registration_id)
        ).all()
        assert "retype" in actions


def test_an_attendee_cannot_change_their_own_profile(app: Flask, edition: int) -> None:
    registration_id = register(app, edition, "Hélène")
    with app.app_context():
        token = db.session.get_one(Registration, registration_id).token
    attendee = app.test_client()
    path = f"/registration/{token}/edit"
    posted = details(stakeholder_type="industry", company="Servier", job_title="MSL")
    answer = attendee.post(path, data={"csrf_token": csrf_token(attendee, path), **posted})
    assert answer.status_code == 303
    with app.app_context():
        assert db.session.get_one(Registration, registration_id).stakeholder_type == "researcher"
