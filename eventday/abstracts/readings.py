"""The reviews as the committee reads them: who, what they scored, what they recommend and
wrote. For organisers only (the reviewer sees their own on their page)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict

from sqlalchemy import select

from eventday.abstracts.models import Abstract, Criterion, Review, Score
from eventday.accounts.models import User
from eventday.extensions import db


@dataclasses.dataclass(frozen=True)
class Reading:
    abstract_id: int
    who: str
    recommendation: str
    weighted: float | None  # sum(weight × score) / sum(weight)
    scores: list[tuple[str, int | None]]  # per criterion, in the criteria's order
    comment_authors: str
    comment_committee: str
    updated_at: dt.datetime


def readings(edition_id: int, abstract_id: int | None = None) -> list[Reading]:
    """Every review of the edition (or of one abstract), by abstract then reviewer."""
    criteria = db.session.scalars(
        select(Criterion)
        .where(Criterion.edition_id == edition_id)
        .order_by(Criterion.position, Criterion.id)
    ).all()
    query = (
        select(Review, User.name, User.email, Abstract.number)
        .join(User, User.id == Review.user_id)
        .join(Abstract, Abstract.id == Review.abstract_id)
        .where(Abstract.edition_id == edition_id)
        .order_by(Abstract.number, User.name, User.email)
    )
    if abstract_id is not None:
        query = query.where(Review.abstract_id == abstract_id)
    rows = db.session.execute(query).all()
    values: dict[int, dict[int, int]] = defaultdict(dict)
    ids = [review.id for review, *_rest in rows]
    for score in db.session.scalars(select(Score).where(Score.review_id.in_(ids))) if ids else []:
        values[score.review_id][score.criterion_id] = score.value
    found = []
    for review, name, email, _number in rows:
        own = values[review.id]
        weights = [(c.weight, own[c.id]) for c in criteria if c.id in own]
        total = sum(weight for weight, _value in weights)
        found.append(
            Reading(
                abstract_id=review.abstract_id,
                who=name or email,
                recommendation=review.recommendation,
                weighted=sum(w * v for w, v in weights) / total if total else None,
                scores=[(c.name, own.get(c.id)) for c in criteria],
                comment_authors=review.comment_authors,
                comment_committee=review.comment_committee,
                updated_at=review.updated_at,
            )
        )
    return found
