"""Decisions on abstracts: staged without a word to the authors, released together, each
mailed once (twice released: nothing more; one changed: one mail), never to a withdrawn
abstract; presenting authors who have not registered reminded once.

Test data are model rows inserted directly (a call, abstracts and their authors, tracks);
the organiser's pages are used as a browser uses them.
"""

from __future__ import annotations

import dataclasses
import secrets
import threading

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from eventday.abstracts import decisions, mails
from eventday.abstracts.models import Abstract, AbstractStatus, Author, Call
from eventday.accounts.models import Role
from eventday.audit import AuditEntry
from eventday.extensions import db
from eventday.mail import OutboxMail
from eventday.programme.models import Track
from eventday.registration.models import Registration, RegistrationStatus
from tests.conftest import make_edition
from tests.test_exports import register
from tests.test_users_admin import csrf_token, field_errors, post_form, signed_in, text

DECISIONS = "/admin/abstracts/decisions"
RELEASE = "/admin/abstracts/decisions/release"
REMIND = "/admin/abstracts/decisions/remind"


@dataclasses.dataclass(frozen=True)
class Day:
    """The edition's ids, and its abstracts' ids by their number."""

    edition: int
    tracks: dict[str, int]
    abstracts: dict[int, int]


def add_abstract(
    edition_id: int,
    number: int,
    title: str,
    *,
    track_id: int | None = None,
    presentation: str = "either",
    decision: str | None = None,
    presenter: str | None = None,
    authors: list[tuple[str, str, str]] | None = None,
    language: str = "en",
    status: str = AbstractStatus.SUBMITTED,
) -> Abstract:
    """An abstract with its authors (first name, last name, affiliations one a line); the
    first presents, at `presenter` (else an address made from the name)."""
    abstract = Abstract(
        edition_id=edition_id,
        token=secrets.token_urlsafe(32),
        number=number,
        title=title,
        body=f"Background. CD4<sup>+</sup> cells of {title}.",
        track_id=track_id,
        presentation=presentation,
        language=language,
        status=status,
        decision=decision,
    )
    found = authors or [("Camille", f"Durand{number}", "Univ Paris\nInserm U1234")]
    for position, (first, last, affiliations) in enumerate(found):
        abstract.authors.append(
            Author(
                position=position,
                first_name=first,
                last_name=last,
                email=(presenter if position == 0 and presenter else f"{last.lower()}@lab.example"),
                affiliations=affiliations,
                presenting=position == 0,
            )
        )
    db.session.add(abstract)
    return abstract


def make_day(app: Flask) -> Day:
    """An edition with a call, two topics and four abstracts (the fourth withdrawn)."""
    with app.app_context():
        edition = make_edition()
        tracks = {
            name: Track(edition_id=edition.id, name=name)
            for name in ("Immunologie", "Cancérologie")
        }
        db.session.add_all(tracks.values())
        db.session.add(Call(edition_id=edition.id))
        db.session.flush()
        immunology = tracks["Immunologie"].id
        found = [
            add_abstract(edition.id, 1, "Interferon in lupus", track_id=immunology),
            add_abstract(edition.id, 2, "B cells in myositis", track_id=immunology),
            add_abstract(edition.id, 3, "Tumour antigens", track_id=tracks["Cancérologie"].id),
            add_abstract(edition.id, 4, "A withdrawn one", status=AbstractStatus.WITHDRAWN),
        ]
        db.session.commit()
        return Day(
            edition.id,
            {name: track.id for name, track in tracks.items()},
            {a.number: a.id for a in found},
        )


def mails_by_kind(app: Flask) -> dict[str, int]:
    with app.app_context():
        rows = db.session.execute(
            select(OutboxMail.kind, func.count()).group_by(OutboxMail.kind)
        ).all()
        return {kind: count for kind, count in rows if kind.startswith("abstract_")}


def recipients(app: Flask, kind: str) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(OutboxMail.recipient).where(OutboxMail.kind == kind).order_by(OutboxMail.id)
            )
        )


def the_call(app: Flask, edition_id: int) -> Call:
    with app.app_context():
        call = db.session.scalars(select(Call).where(Call.edition_id == edition_id)).one()
        db.session.expunge(call)
        return call


def abstract_row(app: Flask, abstract_id: int) -> Abstract:
    with app.app_context():
        abstract = db.session.get_one(Abstract, abstract_id)
        db.session.expunge(abstract)
        return abstract


def stage(client: FlaskClient, choices: dict[int, str]):
    data = {decisions.field_name(abstract_id): value for abstract_id, value in choices.items()}
    return post_form(client, DECISIONS, DECISIONS, data)


def release(client: FlaskClient):
    return post_form(client, RELEASE, RELEASE)


@pytest.fixture
def day(app: Flask) -> Day:
    return make_day(app)


@pytest.fixture
def organiser(app: Flask, day: Day) -> FlaskClient:
    return signed_in(app, Role.ORGANISER)


def test_staged_decisions_reach_nobody_until_released_then_each_is_mailed_once(
    app: Flask, day: Day, organiser: FlaskClient
) -> None:
    ids = day.abstracts
    staged = stage(organiser, {ids[1]: "oral", ids[2]: "poster", ids[3]: "rejected"})
    assert staged.status_code == 303
    assert mails_by_kind(app) == {}
    assert abstract_row(app, ids[1]).decision == "oral"
    assert abstract_row(app, ids[1]).released_decision is None
    with app.app_context():
        history = db.session.scalars(
            select(AuditEntry.changes).where(AuditEntry.action == "abstract_decision")
        ).all()
    assert {"abstract": ["A-001", "A-001"], "decision": [None, "oral"]} in history

    confirm = text(organiser.get(RELEASE))
    assert "1 mail: accepted as a poster" in confirm
    assert "1 mail: accepted as a short talk" in confirm
    assert "1 mail: not accepted" in confirm

    assert release(organiser).status_code == 303
    assert mails_by_kind(app) == {mails.ORAL: 1, mails.POSTER: 1, mails.REJECTED: 1}
    assert recipients(app, mails.ORAL) == ["durand1@lab.example"]
    call = the_call(app, day.edition)
    assert call.released_at is not None
    assert call.book_version == 1
    assert abstract_row(app, ids[2]).released_decision == "poster"

    # Released twice: nothing more is sent, the book stays as it is.
    assert release(organiser).status_code == 303
    assert mails_by_kind(app) == {mails.ORAL: 1, mails.POSTER: 1, mails.REJECTED: 1}
    assert the_call(app, day.edition).book_version == 1
    assert "releasing sends no mail" in text(organiser.get(RELEASE))


def test_a_decision_changed_after_the_release_sends_one_mail_for_that_abstract_only(
    app: Flask, day: Day, organiser: FlaskClient
) -> None:
    ids = day.abstracts
    stage(organiser, {ids[1]: "poster", ids[2]: "poster", ids[3]: "rejected"})
    release(organiser)
    assert stage(organiser, {ids[2]: "oral"}).status_code == 303
    assert decisions_pending(app, day) == {mails.POSTER: 0, mails.ORAL: 1, mails.REJECTED: 0}
    release(organiser)
    assert mails_by_kind(app) == {mails.POSTER: 2, mails.ORAL: 1, mails.REJECTED: 1}
    assert recipients(app, mails.ORAL) == ["durand2@lab.example"]
    assert the_call(app, day.edition).book_version == 2


def decisions_pending(app: Flask, day: Day) -> dict[str, int]:
    with app.app_context():
        return decisions.pending(day.edition)


def test_a_withdrawn_abstract_never_gets_a_decision_mail(
    app: Flask, day: Day, organiser: FlaskClient
) -> None:
    withdrawn = day.abstracts[4]
    refused = stage(organiser, {withdrawn: "poster"})
    assert refused.status_code == 422
    assert field_errors(refused, decisions.field_name(withdrawn)) == [
        "A withdrawn abstract gets no decision."
    ]
    # Staged before the author withdrew it: released, never mailed.
    with app.app_context():
        db.session.get_one(Abstract, withdrawn).decision = "poster"
        db.session.commit()
    release(organiser)
    assert mails_by_kind(app) == {}
    assert abstract_row(app, withdrawn).released_decision == "poster"


def test_an_unknown_decision_is_refused_next_to_its_field_and_nothing_is_staged(
    app: Flask, day: Day, organiser: FlaskClient
) -> None:
    ids = day.abstracts
    answer = stage(organiser, {ids[1]: "oral", ids[2]: "accepted!"})
    assert answer.status_code == 422
    assert field_errors(answer, decisions.field_name(ids[2])) == [
        "Choose one of the decisions offered."
    ]
    assert abstract_row(app, ids[1]).decision is None
    without_token = organiser.post(DECISIONS, data={decisions.field_name(ids[1]): "oral"})
    assert without_token.status_code == 400
    assert abstract_row(app, ids[1]).decision is None


def test_two_organisers_releasing_at_once_send_each_mail_once(
    app: Flask, day: Day, organiser: FlaskClient
) -> None:
    ids = day.abstracts
    stage(organiser, {ids[1]: "oral", ids[2]: "poster", ids[3]: "rejected"})
    start = threading.Barrier(4)
    answers: list[int] = []
    failures: list[BaseException] = []

    def press() -> None:
        try:
            with app.app_context():
                start.wait()
                answers.append(decisions.release(day.edition).abstracts)
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)

    threads = [threading.Thread(target=press) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sorted(answers) == [0, 0, 0, 3]
    assert mails_by_kind(app) == {mails.ORAL: 1, mails.POSTER: 1, mails.REJECTED: 1}
    assert the_call(app, day.edition).book_version == 1


def test_only_unregistered_presenters_of_accepted_abstracts_are_reminded_once(
    app: Flask, day: Day, organiser: FlaskClient
) -> None:
    with app.app_context():
        edition = day.edition
        add_abstract(
            edition, 5, "Cancelled presenter", decision="poster", presenter="x@lab.example"
        )
        add_abstract(edition, 6, "Never registered", decision="oral", presenter="y@lab.example")
        db.session.commit()
    ids = day.abstracts
    stage(organiser, {ids[1]: "oral", ids[2]: "poster", ids[3]: "rejected"})
    release(organiser)
    # A-001's presenter registered (another case), A-005's registration is cancelled.
    register(app, edition, "Camille", "Durand1", email="Durand1@Lab.Example")
    cancelled = register(app, edition, "Xavier", "Roux", email="x@lab.example")
    with app.app_context():
        db.session.get_one(Registration, cancelled).status = RegistrationStatus.CANCELLED
        db.session.commit()

    page = text(organiser.get(DECISIONS))
    assert "3 accepted presenting authors have not registered" in page
    assert post_form(organiser, DECISIONS, REMIND).status_code == 303
    assert sorted(recipients(app, mails.REGISTER)) == [
        "durand2@lab.example",
        "x@lab.example",
        "y@lab.example",
    ]
    # Pressed again: each was reminded already.
    organiser.post(REMIND, data={"csrf_token": csrf_token(organiser, DECISIONS)})
    assert len(recipients(app, mails.REGISTER)) == 3
    assert "reminded" in text(organiser.get(DECISIONS))


def test_the_book_is_drawn_after_the_release_without_anyone_waiting(
    app: Flask, day: Day, organiser: FlaskClient
) -> None:
    import threading

    from eventday.abstracts.models import Book

    app.config["BOOK_DRAW_LATER"] = True
    ids = day.abstracts
    stage(organiser, {ids[1]: "poster", ids[2]: "rejected"})
    assert release(organiser).status_code == 303
    for thread in threading.enumerate():
        if thread.name == "book-of-abstracts":
            thread.join(timeout=60)
    with app.app_context():
        stored = db.session.get(Book, day.edition)
        assert stored is not None and stored.pdf.startswith(b"%PDF")
        assert stored.version == the_call(app, day.edition).book_version


def test_the_decision_mail_carries_the_reviewers_comments_for_the_authors(
    app: Flask, day: Day, organiser: FlaskClient
) -> None:
    from eventday.abstracts.models import Review
    from eventday.accounts.rules import create_user
    from eventday.mail import OutboxMail

    ids = day.abstracts
    with app.app_context():
        reviewer = create_user("relectrice@example.org", "reviewer", "un mot de passe assez long")
        db.session.add(
            Review(
                abstract_id=ids[1],
                user_id=reviewer.id,
                recommendation="poster",
                comment_authors="Précisez l’effectif de la cohorte.",
                comment_committee="Pour le comité seulement.",
            )
        )
        db.session.commit()
    stage(organiser, {ids[1]: "poster"})
    release(organiser)
    with app.app_context():
        body = db.session.scalars(
            select(OutboxMail.body).where(OutboxMail.kind == mails.POSTER)
        ).one()
    assert "Précisez l’effectif de la cohorte." in body
    assert "Pour le comité seulement." not in body
