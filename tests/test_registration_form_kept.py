"""The blank registration form kept by the worker: the same page as rendered afresh, its own
tokens for each visitor, and what changes (seats left, the programme) shown at once."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from eventday.extensions import db
from eventday.mail import OutboxMail
from eventday.programme.models import Session, SessionKind
from eventday.programme.rules.traces import touch_programme
from eventday.registration import capacity
from tests.conftest import make_app

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
STARTED = re.compile(r'name="started" type="hidden" value="([^"]+)"')


def _tokens_masked(page: str) -> str:
    return STARTED.sub("started", CSRF.sub("csrf", page))


def _blank_form(app: Flask) -> str:
    """The form as a new visitor gets it (no cookie)."""
    answer = app.test_client().get("/register")
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def _workshop(app: Flask) -> Session:
    with app.app_context():
        return db.session.scalars(
            select(Session).where(Session.kind == SessionKind.WORKSHOP).order_by(Session.id)
        ).first()


def test_the_kept_form_is_the_page_rendered_afresh_with_each_visitor_s_own_tokens(
    app: Flask, demo: int
) -> None:
    first, second = _blank_form(app), _blank_form(app)
    assert CSRF.search(first).group(1) != CSRF.search(second).group(1)
    assert STARTED.search(first) and STARTED.search(second)
    assert "\x00" not in second
    assert _tokens_masked(first) == _tokens_masked(second)
    # A worker that never kept it renders the same page.
    other_worker = make_app(app.config["SQLALCHEMY_DATABASE_URI"])
    assert _tokens_masked(_blank_form(other_worker)) == _tokens_masked(second)
    with other_worker.app_context():
        db.engine.dispose()


def test_a_kept_form_sent_back_registers(app: Flask, client: FlaskClient, demo: int) -> None:
    _blank_form(app)  # kept now
    page = client.get("/register").get_data(as_text=True)
    fields = {
        "csrf_token": CSRF.search(page).group(1),
        "started": STARTED.search(page).group(1),
        "first_name": "Hélène",
        "last_name": "Marchand",
        "email": "helene@example.org",
        "stakeholder_type": "researcher",
        "institution": "Inserm",
        "position": "postdoc",
        "consent": "y",
    }
    answer = client.post("/register", data=fields)
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith("/registration/")


def test_a_seat_taken_shows_on_the_kept_form_at_once(app: Flask, demo: int) -> None:
    workshop = _workshop(app)
    before = _blank_form(app)
    with app.app_context():
        seats = db.session.get_one(Session, workshop.id).seats
        applicant = capacity.Applicant(
            first_name="Ana",
            last_name="Lopes",
            email="ana@example.org",
            organisation="Inserm",
            stakeholder_type="researcher",
            answers={"institution": "Inserm", "position": "postdoc"},
            workshop_ids=(workshop.id,),
        )
        capacity.register(demo, applicant)
    after = _blank_form(app)
    facts = re.compile(rf'id="workshop-{workshop.id}-seats">\s*(.*?)</span>', re.S)
    assert f"{seats} " in facts.search(before).group(1)
    assert f"{seats - 1} " in facts.search(after).group(1)


def test_a_workshop_renamed_shows_on_the_kept_form(app: Flask, demo: int) -> None:
    workshop = _workshop(app)
    _blank_form(app)
    with app.app_context():
        db.session.get_one(Session, workshop.id).title = "Atelier renommé"
        touch_programme(demo)
        db.session.commit()
    assert "Atelier renommé" in _blank_form(app)


def test_with_a_mail_worker_the_registration_leaves_its_mail_to_it(
    app_database_url: str, demo: int
) -> None:
    app = make_app(app_database_url, MAIL_WORKER=True)
    with app.app_context():
        applicant = capacity.Applicant(
            first_name="Ana",
            last_name="Lopes",
            email="ana@example.org",
            organisation="Inserm",
            stakeholder_type="researcher",
            answers={"institution": "Inserm", "position": "postdoc"},
        )
        capacity.register(demo, applicant)
        [waiting] = db.session.scalars(select(OutboxMail)).all()
        assert (waiting.kind, waiting.sent_at, waiting.attempts) == ("confirmed", None, 0)
        assert "Ana" in waiting.body
    sent = app.test_cli_runner().invoke(args=["send-mail"])
    assert sent.exit_code == 0, sent.output
    assert "1 mail(s) sent, 0 still waiting." in sent.output
    with app.app_context():
        db.engine.dispose()
