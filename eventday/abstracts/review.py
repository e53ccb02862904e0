"""The review: what a reviewer may open, their reviews, the criteria (who reviews which
abstract: eventday.abstracts.assignments).

How "a reviewer sees only what is assigned to them" holds: every reviewer page
goes through `reviewable()`, which answers only for an abstract with an
assignment of theirs and no conflict of interest (eventday.abstracts.conflicts),
and raises NotYours otherwise (403, whatever the id). Assignments are made only
here, each refused when the reviewer is in conflict; a reviewer's institutions
changed, or a conflict declared, removes the assignments that became conflicted.

Each change is one `write_transaction` of the abstract's edition.
"""

from __future__ import annotations

import dataclasses

from flask_babel import gettext as _
from sqlalchemy import func, select

from eventday.abstracts.conflicts import conflict_of, conflicts
from eventday.abstracts.models import (
    SCORE_MAX,
    Abstract,
    AbstractStatus,
    Assignment,
    Call,
    Criterion,
    Recommendation,
    Review,
    Score,
)
from eventday.accounts.access import REVIEWERS
from eventday.accounts.models import Role, User
from eventday.database import utcnow, write_transaction
from eventday.domain import DomainError, Violation
from eventday.extensions import db


class ReviewRefused(DomainError):
    pass


class NotYours(Exception):
    """The abstract is not assigned to this reviewer, or they are in conflict with it."""


def shows_authors(call: Call | None, user: User) -> bool:
    """Blind review hides the authors from reviewers; organisers and admins still see them."""
    return call is None or not call.blind or user.role in (Role.ADMIN, Role.ORGANISER)


def reviewers() -> list[User]:
    """The accounts that may be assigned abstracts: active reviewers, then organisers."""
    found = db.session.scalars(
        select(User).where(User.active.is_(True), User.role.in_(REVIEWERS))
    ).all()
    return sorted(found, key=lambda u: (u.role != Role.REVIEWER, (u.name or u.email).casefold()))


def reviewer_account(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or not user.active or user.role not in REVIEWERS:
        raise ReviewRefused([Violation("reviewer", _("Please choose a reviewer."))])
    return user


def abstract_in(edition_id: int, abstract_id: int) -> Abstract:
    abstract = db.session.get(Abstract, abstract_id)
    if abstract is None or abstract.edition_id != edition_id:
        raise ReviewRefused([Violation("abstract", _("Please choose an abstract."))])
    if abstract.is_withdrawn:
        raise ReviewRefused(
            [Violation("abstract", _("%(label)s was withdrawn.", label=abstract.label))]
        )
    return abstract


def is_assigned(abstract_id: int, user_id: int) -> bool:
    found = db.session.scalar(
        select(Assignment.id).where(
            Assignment.abstract_id == abstract_id, Assignment.user_id == user_id
        )
    )
    return found is not None


# --- what a reviewer opens -------------------------------------------------------------------


def reviewable(user: User, abstract_id: int) -> Abstract:
    """The abstract, if assigned to `user` and not in conflict; else NotYours (LookupError
    for an id that names no abstract at all)."""
    abstract = db.session.get(Abstract, abstract_id)
    if abstract is None:
        raise LookupError(abstract_id)
    if abstract.is_withdrawn or not is_assigned(abstract.id, user.id):
        raise NotYours(abstract_id)
    if conflict_of(user, abstract) is not None:
        raise NotYours(abstract_id)
    return abstract


@dataclasses.dataclass(frozen=True)
class Task:
    abstract: Abstract
    review: Review | None


def tasks(user: User, edition_id: int) -> list[Task]:
    """The abstracts assigned to `user` in the edition, without those in conflict."""
    abstracts = db.session.scalars(
        select(Abstract)
        .join(Assignment, Assignment.abstract_id == Abstract.id)
        .where(
            Assignment.user_id == user.id,
            Abstract.edition_id == edition_id,
            Abstract.status == AbstractStatus.SUBMITTED,
        )
        .order_by(Abstract.number)
    ).all()
    conflicted = conflicts([user], [a.id for a in abstracts])
    reviews = {
        r.abstract_id: r
        for r in db.session.scalars(
            select(Review).where(
                Review.user_id == user.id, Review.abstract_id.in_([a.id for a in abstracts])
            )
        )
    }
    return [Task(a, reviews.get(a.id)) for a in abstracts if (user.id, a.id) not in conflicted]


def review_of(user: User, abstract_id: int) -> Review | None:
    return db.session.scalars(
        select(Review).where(Review.abstract_id == abstract_id, Review.user_id == user.id)
    ).first()


def criteria(edition_id: int) -> list[Criterion]:
    return list(
        db.session.scalars(
            select(Criterion)
            .where(Criterion.edition_id == edition_id)
            .order_by(Criterion.position, Criterion.id)
        )
    )


# --- reviews --------------------------------------------------------------------------------


def reviews_closed(abstract: Abstract) -> bool:
    """Reviews of an abstract close when its decision is released to the authors."""
    return abstract.released_decision is not None


@dataclasses.dataclass(frozen=True)
class ReviewDraft:
    scores: dict[int, int]
    recommendation: str
    comment_authors: str = ""
    comment_committee: str = ""


def save_review(user: User, abstract_id: int, draft: ReviewDraft) -> Review:
    """A reviewer's review, new or changed: every criterion scored 0..SCORE_MAX, a known
    recommendation; refused once the abstract's decision is released (an abstract
    submitted after a first release is still reviewed)."""
    abstract = reviewable(user, abstract_id)
    with write_transaction(abstract.edition_id):
        abstract = reviewable(user, abstract_id)
        violations = []
        if reviews_closed(abstract):
            violations.append(
                Violation("recommendation", _("The decisions are out: reviews are closed."))
            )
        scored = {}
        for criterion in criteria(abstract.edition_id):
            value = scored[criterion.id] = draft.scores.get(criterion.id)
            if value is None or not 0 <= value <= SCORE_MAX:
                violations.append(
                    Violation(
                        f"score_{criterion.id}",
                        _("A score from 0 to %(max)d, please.", max=SCORE_MAX),
                    )
                )
        if draft.recommendation not in set(Recommendation):
            violations.append(Violation("recommendation", _("Please choose a recommendation.")))
        if violations:
            raise ReviewRefused(violations)
        review = review_of(user, abstract_id)
        if review is None:
            review = Review(abstract_id=abstract_id, user_id=user.id)
            db.session.add(review)
        review.recommendation = draft.recommendation
        review.comment_authors = draft.comment_authors
        review.comment_committee = draft.comment_committee
        review.updated_at = utcnow()
        kept = {score.criterion_id: score for score in review.scores}
        for criterion_id, value in scored.items():
            if criterion_id in kept:
                kept[criterion_id].value = value
            else:
                review.scores.append(Score(criterion_id=criterion_id, value=value))
    return review


def review_counts(edition_id: int) -> dict[int, int]:
    """How many abstracts each account is assigned in the edition."""
    return dict(
        db.session.execute(
            select(Assignment.user_id, func.count())
            .join(Abstract, Abstract.id == Assignment.abstract_id)
            .where(Abstract.edition_id == edition_id, Abstract.status == AbstractStatus.SUBMITTED)
            .group_by(Assignment.user_id)
        ).all()
    )
