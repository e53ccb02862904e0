"""The review: who reviews which abstract, what a reviewer may open, their reviews, criteria.

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
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from eventday import audit
from eventday.abstracts.conflicts import REASONS, Suggestion, conflict_of, conflicts, suggest
from eventday.abstracts.models import (
    SCORE_MAX,
    Abstract,
    AbstractStatus,
    Assignment,
    Call,
    Criterion,
    DeclaredConflict,
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


def _reviewer(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or not user.active or user.role not in REVIEWERS:
        raise ReviewRefused([Violation("reviewer", _("Please choose a reviewer."))])
    return user


def _abstract(edition_id: int, abstract_id: int) -> Abstract:
    abstract = db.session.get(Abstract, abstract_id)
    if abstract is None or abstract.edition_id != edition_id:
        raise ReviewRefused([Violation("abstract", _("Please choose an abstract."))])
    if abstract.is_withdrawn:
        raise ReviewRefused(
            [Violation("abstract", _("%(label)s was withdrawn.", label=abstract.label))]
        )
    return abstract


def _assigned(abstract_id: int, user_id: int) -> bool:
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
    if abstract.is_withdrawn or not _assigned(abstract.id, user.id):
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


# --- assignments ----------------------------------------------------------------------------


def _remove(abstract_id: int, user_id: int) -> None:
    """An assignment and the review made under it."""
    for model in (Assignment, Review):
        db.session.execute(
            delete(model).where(model.abstract_id == abstract_id, model.user_id == user_id)
        )


def assign(edition_id: int, abstract_id: int, user_id: int, actor_id: int) -> User:
    """Ask a reviewer to review one abstract; refused if they are in conflict with it."""
    with write_transaction(edition_id):
        abstract = _abstract(edition_id, abstract_id)
        user = _reviewer(user_id)
        reason = conflict_of(user, abstract)
        if reason is not None:
            raise ReviewRefused(
                [
                    Violation(
                        "reviewer",
                        _(
                            "%(who)s cannot review %(label)s: %(reason)s.",
                            who=user.name or user.email,
                            label=abstract.label,
                            reason=REASONS[reason],
                        ),
                    )
                ]
            )
        if _assigned(abstract.id, user.id):
            raise ReviewRefused(
                [Violation("reviewer", _("This reviewer already reviews this abstract."))]
            )
        db.session.add(Assignment(abstract_id=abstract.id, user_id=user.id))
        audit.record(
            edition_id, actor_id, "review_assigned", changes={abstract.label: [None, user.email]}
        )
    return user


@dataclasses.dataclass(frozen=True)
class TopicAssignment:
    assigned: int
    already: int
    conflicted: int


def assign_topic(edition_id: int, track_id: int, user_id: int, actor_id: int) -> TopicAssignment:
    """Every abstract of one topic to a reviewer, but those they are in conflict with."""
    with write_transaction(edition_id):
        user = _reviewer(user_id)
        abstracts = db.session.scalars(
            select(Abstract).where(
                Abstract.edition_id == edition_id,
                Abstract.track_id == track_id,
                Abstract.status == AbstractStatus.SUBMITTED,
            )
        ).all()
        conflicted = conflicts([user], [a.id for a in abstracts])
        mine = set(
            db.session.scalars(select(Assignment.abstract_id).where(Assignment.user_id == user.id))
        )
        fresh = [a for a in abstracts if (user.id, a.id) not in conflicted and a.id not in mine]
        for abstract in fresh:
            db.session.add(Assignment(abstract_id=abstract.id, user_id=user.id))
        if fresh:
            audit.record(
                edition_id,
                actor_id,
                "review_assigned",
                changes={a.label: [None, user.email] for a in fresh},
            )
        already = sum(1 for a in abstracts if a.id in mine)
    return TopicAssignment(len(fresh), already, len(conflicted))


def unassign(edition_id: int, abstract_id: int, user_id: int, actor_id: int) -> bool:
    """Take an abstract back from a reviewer, with their review; False if it was not theirs."""
    with write_transaction(edition_id):
        abstract = db.session.get(Abstract, abstract_id)
        if abstract is None or abstract.edition_id != edition_id:
            return False
        if not _assigned(abstract_id, user_id):
            return False
        user = db.session.get(User, user_id)
        _remove(abstract_id, user_id)
        audit.record(
            edition_id,
            actor_id,
            "review_unassigned",
            changes={abstract.label: [user.email if user else user_id, None]},
        )
    return True


def declare_conflict(user: User, abstract_id: int) -> Abstract:
    """A reviewer's own conflict: their assignment and their review go."""
    abstract = reviewable(user, abstract_id)
    with write_transaction(abstract.edition_id):
        if not _assigned(abstract_id, user.id):
            raise NotYours(abstract_id)
        db.session.add(DeclaredConflict(abstract_id=abstract_id, user_id=user.id))
        _remove(abstract_id, user.id)
        audit.record(
            abstract.edition_id, user.id, "conflict_declared", changes={abstract.label: [None, 1]}
        )
    return abstract


def set_institutions(
    user_id: int,
    institutions: str,
    edition_id: int | None,
    actor_id: int | None,
    *,
    only_add: bool = False,
) -> list[str]:
    """A reviewer's institutions, one a line; the assignments they make conflicted go.

    Returns the labels of the abstracts taken back. Runs under the write lock of
    `edition_id` (the one being reviewed; None: no edition yet) and looks at every edition.
    With `only_add` (a reviewer editing their own), lines already there are kept: a
    reviewer can widen the conflict rule for themselves, never narrow it.
    """
    lines = [" ".join(line.split()) for line in institutions.splitlines()]
    lock = write_transaction(edition_id) if edition_id is not None else _committing()
    with lock:
        user = db.session.get(User, user_id)
        if user is None:
            raise LookupError(user_id)
        if only_add:
            lines = [*user.institutions.splitlines(), *lines]
        kept = []
        for line in lines:
            if line and line.casefold() not in {k.casefold() for k in kept}:
                kept.append(line)
        user.institutions = "\n".join(kept)
        db.session.flush()
        assigned = db.session.scalars(
            select(Abstract)
            .join(Assignment, Assignment.abstract_id == Abstract.id)
            .where(Assignment.user_id == user_id)
        ).all()
        conflicted = conflicts([user], [a.id for a in assigned])
        removed = [a for a in assigned if (user_id, a.id) in conflicted]
        labels = [a.label for a in removed]
        for abstract in removed:
            _remove(abstract.id, user_id)
            audit.record(
                abstract.edition_id,
                actor_id,
                "review_unassigned",
                changes={abstract.label: [user.email, None]},
            )
    return labels


@contextmanager
def _committing() -> Iterator[None]:
    """No edition to lock yet (a site without one): commit the block as it is."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


# --- the suggested assignment (computed in eventday.abstracts.conflicts) ---------------------


def apply_suggestion(
    edition_id: int, per_abstract: int, fingerprint: str, actor_id: int
) -> Suggestion:
    """Add the suggested assignments in one transaction, if still the suggestion shown."""
    if not 1 <= per_abstract <= 10:
        raise ReviewRefused([Violation("per_abstract", _("Between 1 and 10 reviewers, please."))])
    with write_transaction(edition_id):
        suggestion = suggest(edition_id, per_abstract)
        if suggestion.fingerprint != fingerprint:
            raise ReviewRefused(
                [
                    Violation(
                        "per_abstract",
                        _("The assignments changed meanwhile: here is a new suggestion."),
                    )
                ]
            )
        labels = dict(
            db.session.execute(
                select(Abstract.id, Abstract.number).where(Abstract.edition_id == edition_id)
            ).all()
        )
        emails = dict(db.session.execute(select(User.id, User.email)).all())
        for abstract_id, user_id in suggestion.pairs:
            db.session.add(Assignment(abstract_id=abstract_id, user_id=user_id))
        if suggestion.pairs:
            changes = defaultdict(list)
            for abstract_id, user_id in suggestion.pairs:
                changes[f"A-{labels[abstract_id]:03d}"].append(emails[user_id])
            audit.record(
                edition_id,
                actor_id,
                "review_assigned",
                changes={k: [None, ", ".join(v)] for k, v in changes.items()},
            )
    return suggestion


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
