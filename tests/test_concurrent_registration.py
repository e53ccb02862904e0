"""Seats hold under concurrent registrations sent to a real server process, on both databases."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from eventday.extensions import db
from eventday.programme.models import Session
from eventday.registration.models import (
    Registration,
    RegistrationStatus,
    StakeholderSetting,
    registration_workshops,
)
from tests.conftest import make_app, make_edition, make_session
from tests.server import running_server, submit_form

PEOPLE = 50
DAY = dt.date(2027, 1, 25)


def person(n: int, stakeholder_type: str = "researcher", **extra: object) -> dict:
    fields = {
        "first_name": f"Chercheuse n°{n}",
        "last_name": "D'Argentré-Łukasiewicz",
        "email": f"personne{n}@example.org",
        "organisation": "Inserm",
        "stakeholder_type": stakeholder_type,
        "institution": "Université Paris Cité",
        "position": "postdoc",
        "association_name": "Association d'essai",
        "association_role": "patient",
        "consent": "y",
    }
    fields.update(extra)
    return fields


@contextlib.contextmanager
def connected(app: Flask) -> Iterator[None]:
    """An app context whose database connections are all closed at the end."""
    with app.app_context():
        try:
            yield
        finally:
            db.session.remove()
            db.engine.dispose()


def prepared_database(database_url: str, capacity: int, confirmed_already: int = 0):
    """Migrate, create an open edition of `capacity` seats; some seats already taken."""
    app = make_app(database_url)
    with connected(app):
        upgrade()
        edition = make_edition(DAY)
        edition.capacity = capacity
        db.session.add(edition)
        db.session.commit()
        edition_id = edition.id
        for n in range(confirmed_already):
            db.session.add(
                Registration(
                    edition_id=edition_id,
                    token=f"token-{n}",
                    reference=f"RD27-PRE{n:02d}",
                    first_name="Déjà",
                    last_name="Inscrit",
                    email=f"deja{n}@example.org",
                    email_key=f"deja{n}@example.org",
                    stakeholder_type="clinician",
                    consent_at=edition.created_at,
                    status=RegistrationStatus.CONFIRMED,
                )
            )
        db.session.commit()
    return app, edition_id


def statuses(app, edition_id: int) -> dict[str, int]:
    with connected(app):
        rows = db.session.execute(
            select(Registration.status, func.count())
            .where(Registration.edition_id == edition_id)
            .group_by(Registration.status)
        ).all()
    return dict(rows)


def fire(base: str, forms: list[dict]) -> list[tuple[int, str]]:
    with ThreadPoolExecutor(max_workers=len(forms)) as pool:
        return list(pool.map(lambda fields: submit_form(base, "/register", fields), forms))


def test_fifty_people_for_ten_remaining_seats(database_url, tmp_path):
    app, edition_id = prepared_database(database_url, capacity=30, confirmed_already=20)
    with running_server(database_url, tmp_path) as base:
        answers = fire(base, [person(n) for n in range(PEOPLE)])
    assert [status for status, _ in answers] == [303] * PEOPLE, answers[:3]
    assert all(
        location.startswith(f"{base}/registration/") or location.startswith("/registration/")
        for _, location in answers
    )
    counts = statuses(app, edition_id)
    assert counts[RegistrationStatus.CONFIRMED] == 30
    assert counts[RegistrationStatus.WAITLISTED] == PEOPLE - 10


def test_a_workshop_never_gets_more_people_than_seats(database_url, tmp_path):
    app, edition_id = prepared_database(database_url, capacity=500)
    with connected(app):
        workshop = make_session(
            edition_id,
            DAY,
            "11:00",
            "12:00",
            "Atelier très demandé",
            kind="workshop",
            capacity=5,
        )
        workshop_id = workshop.id
    with running_server(database_url, tmp_path) as base:
        answers = fire(base, [person(n, workshops=[str(workshop_id)]) for n in range(20)])
    codes = sorted(status for status, _ in answers)
    assert codes == [303] * 5 + [422] * 15
    assert all("Atelier très demandé" in body for status, body in answers if status == 422)
    with connected(app):
        seats = db.session.scalar(
            select(func.count())
            .select_from(registration_workshops)
            .where(registration_workshops.c.session_id == workshop_id)
        )
        assert seats == 5
        assert db.session.get(Session, workshop_id).capacity == 5
    assert statuses(app, edition_id) == {RegistrationStatus.CONFIRMED: 5}


def test_a_type_quota_holds_under_concurrency(database_url, tmp_path):
    app, edition_id = prepared_database(database_url, capacity=500)
    with connected(app):
        db.session.add(
            StakeholderSetting(
                edition_id=edition_id,
                stakeholder_type="association",
                quota=3,
                needs_approval=False,
            )
        )
        db.session.commit()
    with running_server(database_url, tmp_path) as base:
        answers = fire(base, [person(n, "association") for n in range(12)])
    assert [status for status, _ in answers] == [303] * 12
    assert statuses(app, edition_id) == {
        RegistrationStatus.CONFIRMED: 3,
        RegistrationStatus.WAITLISTED: 9,
    }
