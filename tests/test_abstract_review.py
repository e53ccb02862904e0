"""The review of abstracts: conflicts of interest in assignment and in what a reviewer opens,
the suggested assignment, blind review, saving a review and its refusals.

Also home to the helpers tests/test_abstract_committee.py shares: a call, topics,
abstracts with their authors, reviewer accounts, assignments and reviews.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from eventday.abstracts import conflicts, review
from eventday.abstracts.models import (
    Abstract,
    Assignment,
    Author,
    Call,
    Criterion,
    DeclaredConflict,
    Review,
    Score,
)
from eventday.accounts.models import User
from eventday.accounts.rules import create_user
from eventday.extensions import db
from eventday.programme.models import Track
from tests.conftest import make_edition
from tests.test_users_admin import (
    PASSWORD,
    english_client,
    field_errors,
    flashes,
    post_form,
    sign_in,
    text,
)

REVIEWS = "/admin/abstracts/reviews/"
ASSIGNMENTS = "/admin/abstracts/assignments"
# An author far from every reviewer below.
STRANGER = ("Camille", "Lointaine", "camille@lointain.example", "Université de Lille")


# --- helpers shared with test_abstract_committee.py -----------------------------------------


def setup_call(app: Flask, blind: bool = False, tracks: tuple[str, ...] = ("Immunologie",)) -> int:
    """An edition with its call and topics; returns the edition's id."""
    with app.app_context():
        edition = make_edition()
        db.session.add(Call(edition_id=edition.id, blind=blind))
        for name in tracks:
            db.session.add(Track(edition_id=edition.id, name=name))
        db.session.commit()
        return edition.id


def track_id(app: Flask, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Track.id).where(Track.name == name))


def add_abstract(
    app: Flask,
    edition_id: int,
    number: int,
    authors: list[tuple[str, str, str, str]] | None = None,
    title: str | None = None,
    track: str | None = "Immunologie",
    withdrawn: bool = False,
) -> int:
    """An abstract with its authors (first name, last name, e-mail, affiliations)."""
    with app.app_context():
        abstract = Abstract(
            edition_id=edition_id,
            token=secrets.token_hex(32),
            number=number,
            title=title or f"Résumé numéro {number}",
            body="Les lymphocytes T CD4<sup>+</sup> et <i>FOXP3</i>.",
            track_id=db.session.scalar(select(Track.id).where(Track.name == track)),
            presentation="poster",
            status="withdrawn" if withdrawn else "submitted",
        )
        for position, (first, last, email, affiliations) in enumerate(authors or [STRANGER]):
            abstract.authors.append(
                Author(
                    position=position,
                    first_name=first,
                    last_name=last,
                    email=email,
                    affiliations=affiliations,
                    presenting=position == 0,
                )
            )
        db.session.add(abstract)
        db.session.commit()
        return abstract.id


def add_reviewer(app: Flask, email: str, name: str = "", institutions: str = "") -> int:
    with app.app_context():
        user = create_user(email, "reviewer", PASSWORD, name)
        user.institutions = institutions
        db.session.commit()
        return user.id


def reviewer_client(app: Flask, email: str) -> FlaskClient:
    client = english_client(app)
    assert sign_in(client, email).status_code == 303
    return client


def organiser(app: Flask, role: str = "organiser") -> FlaskClient:
    email = f"{role}@example.org"
    with app.app_context():
        create_user(email, role, PASSWORD)
    return reviewer_client(app, email)


def assign_directly(app: Flask, abstract_id: int, user_id: int) -> None:
    """An assignment written as is, past the rules (as if the facts changed since)."""
    with app.app_context():
        db.session.add(Assignment(abstract_id=abstract_id, user_id=user_id))
        db.session.commit()


def add_criterion(app: Flask, edition_id: int, name: str, weight: int, position: int = 0) -> int:
    with app.app_context():
        criterion = Criterion(edition_id=edition_id, name=name, weight=weight, position=position)
        db.session.add(criterion)
        db.session.commit()
        return criterion.id


def add_review(
    app: Flask,
    abstract_id: int,
    user_id: int,
    scores: dict[int, int],
    recommendation: str,
    assigned: bool = True,
) -> None:
    """A review (with its assignment, unless `assigned` says it exists already)."""
    with app.app_context():
        if assigned:
            db.session.add(Assignment(abstract_id=abstract_id, user_id=user_id))
        db.session.add(
            Review(
                abstract_id=abstract_id,
                user_id=user_id,
                recommendation=recommendation,
                scores=[Score(criterion_id=c, value=v) for c, v in scores.items()],
            )
        )
        db.session.commit()


def count(app: Flask, model: type, **where: object) -> int:
    with app.app_context():
        query = select(func.count()).select_from(model)
        for column, value in where.items():
            query = query.where(getattr(model, column) == value)
        return db.session.scalar(query)


# --- the rule --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mine", "theirs", "same"),
    [
        ("Inserm U1234", "Inserm U1234", True),
        ("INSERM  u1234", "Inserm U1234", True),
        ("Inserm U1234", "Inserm U1234, Hôpital Cochin", True),
        ("Hopital Cochin", "Inserm U1234, Hôpital Cochin, Paris", True),
        ("Inserm U123", "Inserm U1234", False),
        ("Université Paris Cité", "Université Paris-Saclay", False),
        ("", "Inserm U1234", False),
    ],
)
def test_institutions_match_by_whole_words(mine: str, theirs: str, same: bool) -> None:
    assert conflicts.same_institution(mine, theirs) is same
    assert conflicts.same_institution(theirs, mine) is same


CONFLICTED_AUTHORS = {
    "institution": ("Léa", "Martin", "lea@cochin.example", "Université Paris Cité\nInserm U1234"),
    "email": ("Paul", "Durand", "Reviewer@Example.org", "Université de Lille"),
    "name": ("Hélène", "Dupré-Lafon", "helene.autre@example.net", "Université de Lille"),
}


@pytest.fixture
def edition_id(app: Flask) -> int:
    return setup_call(app)


@pytest.fixture
def reviewer_id(app: Flask, edition_id: int) -> int:
    return add_reviewer(
        app, "reviewer@example.org", "helene dupre lafon", "Inserm U1234, Hôpital Cochin"
    )


@pytest.mark.parametrize("kind", ["institution", "email", "name", "declared"])
def test_organisers_cannot_assign_a_conflicted_reviewer(
    app: Flask, edition_id: int, reviewer_id: int, kind: str
) -> None:
    authors = [STRANGER, CONFLICTED_AUTHORS[kind]] if kind != "declared" else [STRANGER]
    abstract_id = add_abstract(app, edition_id, 1, authors)
    if kind == "declared":
        with app.app_context():
            db.session.add(DeclaredConflict(abstract_id=abstract_id, user_id=reviewer_id))
            db.session.commit()
    client = organiser(app)
    data = {"abstract": abstract_id, "reviewer": reviewer_id}
    response = post_form(client, ASSIGNMENTS, ASSIGNMENTS, data)
    assert response.status_code == 422
    assert field_errors(response, "reviewer")[0].startswith(
        "helene dupre lafon cannot review A-001:"
    )
    assert count(app, Assignment) == 0


def test_organisers_assign_a_reviewer_free_of_conflict(
    app: Flask, edition_id: int, reviewer_id: int
) -> None:
    abstract_id = add_abstract(app, edition_id, 1)
    client = organiser(app)
    response = post_form(
        client, ASSIGNMENTS, ASSIGNMENTS, {"abstract": abstract_id, "reviewer": reviewer_id}
    )
    assert response.status_code == 303
    assert count(app, Assignment, abstract_id=abstract_id, user_id=reviewer_id) == 1
    again = post_form(
        client, ASSIGNMENTS, ASSIGNMENTS, {"abstract": abstract_id, "reviewer": reviewer_id}
    )
    assert again.status_code == 422
    assert count(app, Assignment) == 1


@pytest.mark.parametrize(
    "data",
    [
        {"abstract": "abc", "reviewer": "1"},
        {"abstract": "1", "reviewer": "987654"},
        {"abstract": "<script>", "reviewer": ""},
        {"abstract": "1\x00", "reviewer": "1"},
    ],
)
def test_hostile_assignment_input_is_refused(
    app: Flask, edition_id: int, reviewer_id: int, data: dict[str, str]
) -> None:
    add_abstract(app, edition_id, 1)
    response = post_form(organiser(app), ASSIGNMENTS, ASSIGNMENTS, data)
    assert response.status_code == 422
    assert "<script>" not in text(response)
    assert count(app, Assignment) == 0


def test_withdrawn_abstracts_are_never_assigned(
    app: Flask, edition_id: int, reviewer_id: int
) -> None:
    abstract_id = add_abstract(app, edition_id, 1, withdrawn=True)
    response = post_form(
        organiser(app), ASSIGNMENTS, ASSIGNMENTS, {"abstract": abstract_id, "reviewer": reviewer_id}
    )
    assert response.status_code == 422
    assert count(app, Assignment) == 0


@pytest.mark.parametrize("kind", ["institution", "email", "name"])
def test_a_reviewer_cannot_open_an_abstract_in_conflict(
    app: Flask, edition_id: int, reviewer_id: int, kind: str
) -> None:
    """Assigned before the facts changed (an author added since): still 403."""
    conflicted = add_abstract(app, edition_id, 1, [STRANGER, CONFLICTED_AUTHORS[kind]])
    free = add_abstract(app, edition_id, 2)
    assign_directly(app, conflicted, reviewer_id)
    assign_directly(app, free, reviewer_id)
    client = reviewer_client(app, "reviewer@example.org")
    assert client.get(f"{REVIEWS}{conflicted}").status_code == 403
    answer = post_form(
        client, f"{REVIEWS}{free}", f"{REVIEWS}{conflicted}", {"recommendation": "oral"}
    )
    assert answer.status_code == 403
    assert client.get(f"{REVIEWS}{free}").status_code == 200
    listing = text(client.get(REVIEWS))
    assert "A-002" in listing and "A-001" not in listing


def test_a_reviewer_sees_only_what_is_assigned_to_them(
    app: Flask, edition_id: int, reviewer_id: int
) -> None:
    theirs = add_abstract(app, edition_id, 1)
    other = add_abstract(app, edition_id, 2, title="Pas pour vous")
    assign_directly(app, theirs, reviewer_id)
    client = reviewer_client(app, "reviewer@example.org")
    page = f"{REVIEWS}{theirs}"
    for guessed, status in ((other, 403), (other + 1000, 404), (0, 404)):
        assert client.get(f"{REVIEWS}{guessed}").status_code == status
        answer = post_form(client, page, f"{REVIEWS}{guessed}", {"recommendation": "oral"})
        assert answer.status_code == status
        assert (
            post_form(client, page, f"{REVIEWS}{guessed}/conflict", {"sure": "y"}).status_code
            == status
        )
    assert count(app, Review) == 0
    assert count(app, DeclaredConflict) == 0
    assert "Pas pour vous" not in text(client.get(REVIEWS))


def test_declaring_a_conflict_takes_the_abstract_and_its_review_back(
    app: Flask, edition_id: int, reviewer_id: int
) -> None:
    abstract_id = add_abstract(app, edition_id, 1)
    add_review(app, abstract_id, reviewer_id, {}, "poster")
    client = reviewer_client(app, "reviewer@example.org")
    page = f"{REVIEWS}{abstract_id}"
    unsure = post_form(client, page, f"{page}/conflict")
    assert unsure.status_code == 303 and count(app, Review) == 1  # asked to confirm first
    assert "Tick the box to confirm" in client.get(page).get_data(as_text=True)
    response = post_form(client, page, f"{page}/conflict", {"sure": "y"})
    assert response.status_code == 303
    assert count(app, Assignment) == 0 and count(app, Review) == 0
    assert count(app, DeclaredConflict, user_id=reviewer_id) == 1
    assert client.get(page).status_code == 403
    again = post_form(
        organiser(app), ASSIGNMENTS, ASSIGNMENTS, {"abstract": abstract_id, "reviewer": reviewer_id}
    )
    assert again.status_code == 422
    assert "declared a conflict" in field_errors(again, "reviewer")[0]


def test_new_institutions_take_back_the_abstracts_now_in_conflict(
    app: Flask, edition_id: int
) -> None:
    reviewer_id = add_reviewer(app, "reviewer@example.org")
    cochin = add_abstract(app, edition_id, 1, [CONFLICTED_AUTHORS["institution"]])
    lille = add_abstract(app, edition_id, 2)
    assign_directly(app, cochin, reviewer_id)
    assign_directly(app, lille, reviewer_id)
    client = reviewer_client(app, "reviewer@example.org")
    page = f"{REVIEWS}institutions"
    response = post_form(client, page, page, {"institutions": "  inserm   U1234 \n\nCNRS UMR 8104"})
    assert response.status_code == 303
    news = [message for _kind, message in flashes(client.get(REVIEWS))]
    # How many, not which: under blind review that would say where their authors work.
    assert any("1 abstract(s) are no longer yours" in message for message in news)
    assert not any("A-001" in message for message in news)
    assert count(app, Assignment, abstract_id=cochin) == 0
    assert count(app, Assignment, abstract_id=lille) == 1
    with app.app_context():
        assert db.session.get(User, reviewer_id).institutions == "inserm U1234\nCNRS UMR 8104"


def test_a_reviewer_can_add_institutions_but_not_remove_those_set_for_them(
    app: Flask, edition_id: int
) -> None:
    add_reviewer(app, "reviewer@example.org", institutions="Institut Pasteur")
    client = reviewer_client(app, "reviewer@example.org")
    page = f"{REVIEWS}institutions"
    assert post_form(client, page, page, {"institutions": "CNRS UMR 8104"}).status_code == 303
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == "reviewer@example.org")).one()
        assert user.institutions == "Institut Pasteur\nCNRS UMR 8104"


def test_an_administrator_gives_a_reviewer_institutions(app: Flask, edition_id: int) -> None:
    reviewer_id = add_reviewer(app, "reviewer@example.org")
    cochin = add_abstract(app, edition_id, 1, [CONFLICTED_AUTHORS["institution"]])
    assign_directly(app, cochin, reviewer_id)
    admin = organiser(app, "admin")
    response = post_form(
        admin,
        "/admin/users/",
        f"/admin/users/{reviewer_id}/institutions",
        {"institutions": "Inserm U1234"},
    )
    assert response.status_code == 303
    assert count(app, Assignment) == 0
    assert any("A-001" in message for _kind, message in flashes(admin.get("/admin/users/")))


def test_create_user_takes_a_reviewers_institutions(app: Flask, runner) -> None:
    result = runner.invoke(
        args=[
            "create-user",
            "relecteur@example.org",
            "--role",
            "reviewer",
            "--institution",
            "Inserm U1234",
            "--institution",
            "Université Paris Cité",
            "--password-stdin",
        ],
        input=f"{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == "relecteur@example.org")).one()
        assert user.role == "reviewer"
        assert user.institutions == "Inserm U1234\nUniversité Paris Cité"


# --- topics and the suggested assignment -----------------------------------------------------


def test_assigning_a_topic_skips_the_conflicted_abstracts(
    app: Flask, edition_id: int, reviewer_id: int
) -> None:
    free = [add_abstract(app, edition_id, n) for n in (1, 2)]
    conflicted = add_abstract(app, edition_id, 3, [CONFLICTED_AUTHORS["institution"]])
    add_abstract(app, edition_id, 4, withdrawn=True)
    client = organiser(app)
    data = {"topic": track_id(app, "Immunologie"), "reviewer": reviewer_id}
    response = post_form(client, ASSIGNMENTS, f"{ASSIGNMENTS}/topic", data)
    assert response.status_code == 303
    news = [message for _kind, message in flashes(client.get(ASSIGNMENTS))]
    assert "2 abstract(s) assigned; 1 skipped for a conflict of interest" in news[0]
    with app.app_context():
        assigned = set(db.session.scalars(select(Assignment.abstract_id)))
    assert assigned == set(free) and conflicted not in assigned


def test_the_suggestion_balances_load_and_avoids_conflicts(app: Flask, edition_id: int) -> None:
    setup_tracks = ("Génétique",)
    with app.app_context():
        for name in setup_tracks:
            db.session.add(Track(edition_id=edition_id, name=name))
        db.session.commit()
    people = [
        add_reviewer(app, "r1@example.org", institutions="Inserm U1234"),
        add_reviewer(app, "r2@example.org"),
        add_reviewer(app, "r3@example.org"),
        add_reviewer(app, "r4@example.org"),
    ]
    cochin = [CONFLICTED_AUTHORS["institution"]]
    abstracts = [
        add_abstract(app, edition_id, 1, cochin),
        add_abstract(app, edition_id, 2, cochin, track="Génétique"),
        add_abstract(app, edition_id, 3),
        add_abstract(app, edition_id, 4, track="Génétique"),
        add_abstract(app, edition_id, 5),
        add_abstract(app, edition_id, 6, track="Génétique"),
    ]
    withdrawn = add_abstract(app, edition_id, 7, withdrawn=True)
    with app.app_context():
        first = conflicts.suggest(edition_id, 2)
        assert conflicts.suggest(edition_id, 2) == first  # deterministic
    assert first.short == []
    load = Counter(user for _abstract, user in first.pairs)
    assert sorted(load.values()) == [3, 3, 3, 3]
    assert (abstracts[0], people[0]) not in first.pairs
    assert (abstracts[1], people[0]) not in first.pairs
    assert all(abstract != withdrawn for abstract, _user in first.pairs)
    assert Counter(abstract for abstract, _user in first.pairs) == {a: 2 for a in abstracts}

    client = organiser(app)
    page = f"{ASSIGNMENTS}/suggestion?per_abstract=2"
    assert client.get(page).status_code == 200
    response = post_form(
        client,
        page,
        f"{ASSIGNMENTS}/suggestion",
        {"per_abstract": 2, "fingerprint": first.fingerprint},
    )
    assert response.status_code == 303
    with app.app_context():
        made = set(db.session.execute(select(Assignment.abstract_id, Assignment.user_id)))
        assert made == set(first.pairs)
        assert conflicts.suggest(edition_id, 2).pairs == []


def test_among_equals_the_suggestion_prefers_reviewers_of_the_topic(
    app: Flask, edition_id: int
) -> None:
    with app.app_context():
        db.session.add(Track(edition_id=edition_id, name="Génétique"))
        db.session.commit()
    first = add_reviewer(app, "r1@example.org")
    second = add_reviewer(app, "r2@example.org")
    immunology = add_abstract(app, edition_id, 1)
    genetics = add_abstract(app, edition_id, 2, track="Génétique")
    assign_directly(app, immunology, first)
    assign_directly(app, genetics, second)
    fresh = add_abstract(app, edition_id, 3, track="Génétique")
    with app.app_context():
        suggestion = conflicts.suggest(edition_id, 1)
    assert suggestion.pairs == [(fresh, second)]


def test_a_stale_suggestion_is_not_applied(app: Flask, edition_id: int, reviewer_id: int) -> None:
    add_abstract(app, edition_id, 1)
    client = organiser(app)
    page = f"{ASSIGNMENTS}/suggestion"
    response = post_form(client, page, page, {"per_abstract": 1, "fingerprint": "1:999"})
    assert response.status_code == 409
    assert count(app, Assignment) == 0
    for bad in ("0", "abc", "11"):
        refused = post_form(client, page, page, {"per_abstract": bad, "fingerprint": ""})
        assert refused.status_code == 422
        assert field_errors(refused, "per_abstract") or "Between 1 and 10" in text(refused)
    assert count(app, Assignment) == 0


# --- blind review ----------------------------------------------------------------------------


@pytest.mark.parametrize("blind", [True, False])
def test_blind_review_hides_the_authors_from_reviewers(app: Flask, blind: bool) -> None:
    edition_id = setup_call(app, blind=blind)
    reviewer_id = add_reviewer(app, "reviewer@example.org")
    author = ("Aurélie", "Vasseur-Quint", "aurelie.vq@secret.example", "Institut Curie Unité 42")
    abstract_id = add_abstract(app, edition_id, 1, [author])
    assign_directly(app, abstract_id, reviewer_id)
    client = reviewer_client(app, "reviewer@example.org")
    pages = [REVIEWS, f"{REVIEWS}{abstract_id}", f"{REVIEWS}institutions"]
    html = "".join(text(client.get(page)) for page in pages)
    for secret in ("Vasseur-Quint", "Aurélie", "aurelie.vq@secret.example", "Institut Curie"):
        assert secret not in html or not blind, secret
    assert ("Vasseur-Quint" in html) is not blind
    assert ("Institut Curie Unité 42" in html) is not blind
    refused = post_form(client, f"{REVIEWS}{abstract_id}", f"{REVIEWS}{abstract_id}", {})
    assert refused.status_code == 422
    assert ("Vasseur-Quint" in text(refused)) is not blind


def test_organisers_still_see_the_authors_in_a_blind_review(app: Flask) -> None:
    edition_id = setup_call(app, blind=True)
    abstract_id = add_abstract(app, edition_id, 1)
    client = organiser(app)
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == "organiser@example.org"))
    assign_directly(app, abstract_id, user_id)
    assert "Lointaine" in text(client.get(f"{REVIEWS}{abstract_id}"))


# --- saving a review -------------------------------------------------------------------------


@pytest.fixture
def assigned(app: Flask, edition_id: int, reviewer_id: int) -> tuple[int, int, int]:
    """An abstract assigned to the reviewer, and two criteria (their ids)."""
    originality = add_criterion(app, edition_id, "Originalité", 2)
    clarity = add_criterion(app, edition_id, "Clarté", 1, position=1)
    abstract_id = add_abstract(app, edition_id, 1)
    assign_directly(app, abstract_id, reviewer_id)
    return abstract_id, originality, clarity


def test_a_reviewer_saves_then_changes_their_review(app: Flask, assigned: tuple) -> None:
    abstract_id, originality, clarity = assigned
    client = reviewer_client(app, "reviewer@example.org")
    page = f"{REVIEWS}{abstract_id}"
    body = text(client.get(page))
    assert "CD4<sup>+</sup>" in body and "<i>FOXP3</i>" in body
    data = {
        f"score_{originality}": "4",
        f"score_{clarity}": "0",
        "recommendation": "oral",
        "comment_authors": "Très clair.",
        "comment_committee": "Pour une communication orale.",
    }
    assert post_form(client, page, page, data).status_code == 303
    assert "Done" in text(client.get(REVIEWS))
    data |= {f"score_{clarity}": "5", "recommendation": "poster"}
    assert post_form(client, page, page, data).status_code == 303
    with app.app_context():
        saved = db.session.scalars(select(Review)).one()
        assert saved.recommendation == "poster"
        assert saved.comment_committee == "Pour une communication orale."
        assert {s.criterion_id: s.value for s in saved.scores} == {originality: 4, clarity: 5}
    shown = text(client.get(page))
    assert 'value="poster" checked' in shown or "checked" in shown


@pytest.mark.parametrize(
    ("score", "recommendation", "field"),
    [
        ("6", "oral", "score"),
        ("-1", "oral", "score"),
        ("abc", "oral", "score"),
        ("", "oral", "score"),
        ("1e9", "oral", "score"),
        ("3\x00", "oral", "score"),
        ("99999999999999999999", "oral", "score"),
        ("3", "accept", "recommendation"),
        ("3", "", "recommendation"),
        ("3", "<script>alert(1)</script>", "recommendation"),
    ],
)
def test_bad_scores_and_recommendations_are_refused(
    app: Flask, assigned: tuple, score: str, recommendation: str, field: str
) -> None:
    abstract_id, originality, clarity = assigned
    client = reviewer_client(app, "reviewer@example.org")
    page = f"{REVIEWS}{abstract_id}"
    data = {
        f"score_{originality}": score,
        f"score_{clarity}": "2",
        "recommendation": recommendation,
    }
    response = post_form(client, page, page, data)
    assert response.status_code == 422
    field_id = f"score_{originality}" if field == "score" else "recommendation"
    expected = (
        "A score from 0 to 5, please." if field == "score" else "Please choose a recommendation."
    )
    assert expected in field_errors(response, field_id)
    assert "<script>alert(1)</script>" not in text(response)
    assert count(app, Review) == 0


def test_hostile_comments_are_refused_and_kept(app: Flask, assigned: tuple) -> None:
    abstract_id, originality, clarity = assigned
    client = reviewer_client(app, "reviewer@example.org")
    page = f"{REVIEWS}{abstract_id}"
    data = {
        f"score_{originality}": "3",
        f"score_{clarity}": "3",
        "recommendation": "poster",
        "comment_authors": "Bien\x07 vu",
        "comment_committee": "x" * 5001,
    }
    response = post_form(client, page, page, data)
    assert response.status_code == 422
    assert field_errors(response, "comment_authors") == [
        "Please remove the invisible control characters."
    ]
    assert field_errors(response, "comment_committee")
    assert count(app, Review) == 0


def test_an_abstract_without_a_released_decision_is_still_reviewed_after_a_release(
    app: Flask, assigned: tuple
) -> None:
    """A second round: the first decisions are out, this abstract's is not."""
    abstract_id, originality, clarity = assigned
    with app.app_context():
        db.session.scalars(select(Call)).one().released_at = dt.datetime(2027, 1, 10, tzinfo=dt.UTC)
        db.session.commit()
        user = db.session.scalars(select(User).where(User.role == "reviewer")).one()
        review.save_review(
            user, abstract_id, review.ReviewDraft({originality: 3, clarity: 3}, "poster")
        )
    assert count(app, Review, abstract_id=abstract_id) == 1


def test_reviews_close_when_the_decisions_are_released(
    app: Flask, assigned: tuple, reviewer_id: int
) -> None:
    abstract_id, originality, clarity = assigned
    with app.app_context():
        call = db.session.scalars(select(Call)).one()
        call.released_at = dt.datetime(2027, 1, 10, tzinfo=dt.UTC)
        db.session.get(Abstract, abstract_id).released_decision = "poster"
        db.session.commit()
        user = db.session.scalars(select(User).where(User.role == "reviewer")).one()
        with pytest.raises(review.ReviewRefused):
            review.save_review(
                user, abstract_id, review.ReviewDraft({originality: 3, clarity: 3}, "poster")
            )
    add_review(app, abstract_id, reviewer_id, {originality: 4}, "oral", assigned=False)
    client = reviewer_client(app, "reviewer@example.org")
    page = f"{REVIEWS}{abstract_id}"
    shown = text(client.get(page))
    assert "reviews can no longer be changed" in shown
    assert "Accept as a short talk" in shown and "4 / 5" in shown
    data = {f"score_{originality}": "3", f"score_{clarity}": "3", "recommendation": "poster"}
    response = post_form(client, page, page, data)
    assert response.status_code == 422
    assert "reviews can no longer be changed" in text(response)
    with app.app_context():
        kept = db.session.scalars(select(Review)).one()
        assert kept.recommendation == "oral" and [s.value for s in kept.scores] == [4]
