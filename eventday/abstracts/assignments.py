"""Who reviews which abstract: by hand, by topic, as suggested; conflicts declared, a
reviewer's institutions changed. Every assignment is refused when the reviewer is in
conflict (eventday.abstracts.conflicts); each change is one `write_transaction`.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

from flask_babel import gettext as _
from sqlalchemy import delete, select

from eventday import audit
from eventday.abstracts.conflicts import REASONS, Suggestion, conflict_of, conflicts, suggest
from eventday.abstracts.models import Abstract, AbstractStatus, Assignment, DeclaredConflict, Review
from eventday.abstracts.review import (
    NotYours,
    ReviewRefused,
    abstract_in,
    is_assigned,
    reviewable,
    reviewer_account,
)
from eventday.accounts.models import User
from eventday.database import write_transaction
from eventday.domain import Violation
from eventday.extensions import db


def _remove(abstract_id: int, user_id: int) -> None:
    """An assignment and the review made under it."""
    for model in (Assignment, Review):
        db.session.execute(
            delete(model).where(model.abstract_id == abstract_id, model.user_id == user_id)
        )


def assign(edition_id: int, abstract_id: int, user_id: int, actor_id: int) -> User:
    """Ask a reviewer to review one abstract; refused if they are in conflict with it."""
    with write_transaction(edition_id):
        abstract = abstract_in(edition_id, abstract_id)
        user = reviewer_account(user_id)
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
        if is_assigned(abstract.id, user.id):
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
        user = reviewer_account(user_id)
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
        if not is_assigned(abstract_id, user_id):
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
        if not is_assigned(abstract_id, user.id):
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
