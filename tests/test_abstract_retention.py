"""After the day, anonymising an edition keeps what was published of the call, nothing else."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy import func, select

from eventday import privacy
from eventday.abstracts import call as calls
from eventday.abstracts import submission
from eventday.abstracts.models import Abstract, Author
from eventday.extensions import db
from eventday.mail import OutboxMail
from tests.conftest import PARIS, make_edition


def draft(title: str, email: str) -> submission.SubmissionDraft:
    return submission.SubmissionDraft(
        title=title,
        body="Les cellules CAR-T anti-CD19 dans le lupus réfractaire.",
        topic="",
        keywords="",
        presentation="poster",
        authors=[
            submission.AuthorDraft("Élodie", "Martin", email, ["Inserm U1016"], True),
        ],
    )


def test_anonymising_keeps_accepted_abstracts_without_addresses(app: Flask) -> None:
    with app.app_context():
        edition = make_edition()
        calls.open_call(
            edition.id, dt.date(2026, 12, 31), now=dt.datetime(2026, 11, 1, tzinfo=PARIS)
        )
        now = dt.datetime(2026, 11, 2, tzinfo=PARIS)
        kept = submission.submit(edition.id, draft("Retenu", "retenu@example.org"), now=now)
        gone = submission.submit(edition.id, draft("Non retenu", "refuse@example.org"), now=now)
        kept.released_decision = "poster"
        gone.released_decision = "rejected"
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == 2
        privacy.anonymise(edition.id, force=True)
        titles = db.session.scalars(select(Abstract.title)).all()
        assert titles == ["Retenu"]
        assert db.session.scalars(select(Author.email)).all() == [""]
        assert db.session.scalars(select(Author.last_name)).all() == ["Martin"]
        assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == 0
