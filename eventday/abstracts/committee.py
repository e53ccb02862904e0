"""The programme committee's side of the review: the score criteria, and the table of every
abstract with its reviews (on screen and as XLSX).

How the table's figures are made: a review's score is its weighted mean,
sum(weight × score) / sum(weight) over the criteria it scored; an abstract's
mean is the plain mean of its reviews' scores; its spread is the highest review
score minus the lowest (0 for a single review). A disagreement is flagged when
the spread is at least DISAGREEMENT_SPREAD or when reviews both accept (poster
or oral) and reject. `table()` reads everything with four set-based queries,
whatever the number of abstracts.
"""

from __future__ import annotations

import dataclasses
import io
from collections import Counter, defaultdict

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from sqlalchemy import func, select

from eventday import audit
from eventday.abstracts import markup
from eventday.abstracts.models import (
    Abstract,
    AbstractStatus,
    Assignment,
    Criterion,
    Recommendation,
    Review,
    Score,
)
from eventday.abstracts.readings import Reading
from eventday.accounts.models import User
from eventday.database import write_transaction
from eventday.domain import DomainError, Violation
from eventday.extensions import db
from eventday.programme.models import Track

DISAGREEMENT_SPREAD = 1.5
WEIGHTS = range(1, 11)


class CriterionRefused(DomainError):
    pass


# --- criteria -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CriterionDraft:
    name: str
    name_en: str = ""
    weight: int = 1
    position: int = 0


def _check(edition_id: int, draft: CriterionDraft, criterion_id: int | None) -> None:
    violations = []
    if not draft.name.strip():
        violations.append(Violation("name", _("Please give the criterion's name.")))
    if draft.weight not in WEIGHTS:
        violations.append(Violation("weight", _("A weight from 1 to 10, please.")))
    same = db.session.scalar(
        select(Criterion.id).where(
            Criterion.edition_id == edition_id,
            Criterion.name == draft.name.strip(),
            Criterion.id != (criterion_id or 0),
        )
    )
    if same is not None:
        violations.append(Violation("name", _("There is already a criterion of this name.")))
    if violations:
        raise CriterionRefused(violations)


def save_criterion(
    edition_id: int, draft: CriterionDraft, actor_id: int, criterion_id: int | None = None
) -> Criterion:
    """A new criterion, or one changed; its name unique in the edition, its weight 1 to 10."""
    with write_transaction(edition_id):
        criterion = None
        if criterion_id is not None:
            criterion = db.session.get(Criterion, criterion_id)
            if criterion is None or criterion.edition_id != edition_id:
                raise LookupError(criterion_id)
        _check(edition_id, draft, criterion_id)
        if criterion is None:
            criterion = Criterion(edition_id=edition_id)
            db.session.add(criterion)
        before = {"name": criterion.name, "weight": criterion.weight}
        criterion.name = draft.name.strip()
        criterion.name_en = draft.name_en.strip()
        criterion.weight = draft.weight
        criterion.position = draft.position
        audit.record(
            edition_id,
            actor_id,
            "criteria",
            changes=audit.diff(before, {"name": criterion.name, "weight": criterion.weight}),
        )
    return criterion


def remove_criterion(edition_id: int, criterion_id: int, actor_id: int) -> None:
    """A criterion goes with its scores; the reviews' means are then made without it."""
    with write_transaction(edition_id):
        criterion = db.session.get(Criterion, criterion_id)
        if criterion is None or criterion.edition_id != edition_id:
            raise LookupError(criterion_id)
        audit.record(edition_id, actor_id, "criteria", changes={"name": [criterion.name, None]})
        db.session.delete(criterion)


# --- the committee's table ------------------------------------------------------------------


@dataclasses.dataclass
class Row:
    id: int
    number: int
    label: str
    title: str
    topic: str
    presentation: str
    reviews: int
    assigned: int
    scores: list[float]
    recommendations: Counter[str]
    decision: str | None

    @property
    def mean(self) -> float | None:
        return sum(self.scores) / len(self.scores) if self.scores else None

    @property
    def spread(self) -> float | None:
        return max(self.scores) - min(self.scores) if self.scores else None

    @property
    def disagreement(self) -> bool:
        accepted = (
            self.recommendations[Recommendation.POSTER] + self.recommendations[Recommendation.ORAL]
        )
        split = accepted > 0 and self.recommendations[Recommendation.REJECT] > 0
        return split or (self.spread is not None and self.spread >= DISAGREEMENT_SPREAD)


def _highest_first(value: float | None) -> tuple[bool, float]:
    """Highest first, none last."""
    return (True, 0.0) if value is None else (False, -value)


# Each sort, by the name `?sort=` gives; figures best first, abstracts without one last.
SORTS = {
    "number": lambda r: r.number,
    "title": lambda r: r.title.casefold(),
    "topic": lambda r: (r.topic.casefold(), r.number),
    "presentation": lambda r: (r.presentation, r.number),
    "reviews": lambda r: (r.reviews, r.assigned, r.number),
    "mean": lambda r: (_highest_first(r.mean), r.number),
    "spread": lambda r: (_highest_first(r.spread), r.number),
    "disagreement": lambda r: (not r.disagreement, r.number),
    "decision": lambda r: (r.decision or "~", r.number),
}
DEFAULT_SORT = "mean"


def sort_key(requested: str | None) -> str:
    """A `?sort=` value from the whitelist (anything else: the default)."""
    return requested if requested in SORTS else DEFAULT_SORT


def table(edition_id: int, sort: str = DEFAULT_SORT) -> list[Row]:
    """Every abstract not withdrawn, with its reviews' figures, sorted by `sort`."""
    found = db.session.execute(
        select(
            Abstract.id,
            Abstract.number,
            Abstract.title,
            Track.name,
            Abstract.presentation,
            Abstract.decision,
        )
        .outerjoin(Track, Track.id == Abstract.track_id)
        .where(Abstract.edition_id == edition_id, Abstract.status == AbstractStatus.SUBMITTED)
    ).all()
    in_edition = select(Abstract.id).where(Abstract.edition_id == edition_id).scalar_subquery()
    assigned = dict(
        db.session.execute(
            select(Assignment.abstract_id, func.count())
            .where(Assignment.abstract_id.in_(in_edition))
            .group_by(Assignment.abstract_id)
        ).all()
    )
    weighted = dict(
        db.session.execute(
            select(
                Score.review_id,
                func.sum(Criterion.weight * Score.value) * 1.0 / func.sum(Criterion.weight),
            )
            .join(Criterion, Criterion.id == Score.criterion_id)
            .join(Review, Review.id == Score.review_id)
            .where(Review.abstract_id.in_(in_edition))
            .group_by(Score.review_id)
        ).all()
    )
    scores: dict[int, list[float]] = defaultdict(list)
    recommendations: dict[int, Counter[str]] = defaultdict(Counter)
    reviews: Counter[int] = Counter()
    for review_id, abstract_id, recommendation in db.session.execute(
        select(Review.id, Review.abstract_id, Review.recommendation).where(
            Review.abstract_id.in_(in_edition)
        )
    ):
        reviews[abstract_id] += 1
        recommendations[abstract_id][recommendation] += 1
        if weighted.get(review_id) is not None:
            scores[abstract_id].append(float(weighted[review_id]))
    rows = [
        Row(
            id=a_id,
            number=number,
            label=f"A-{number:03d}",
            title=title,
            topic=topic or "",
            presentation=presentation,
            reviews=reviews[a_id],
            assigned=assigned.get(a_id, 0),
            scores=scores[a_id],
            recommendations=recommendations[a_id],
            decision=decision,
        )
        for a_id, number, title, topic, presentation, decision in found
    ]
    return sorted(rows, key=SORTS[sort_key(sort)])


def _reviews_sheet(
    workbook: Workbook, rows: list[Row], reviews: list[Reading], labels: dict[str, str]
) -> None:
    sheet = workbook.create_sheet(_("Reviews"))
    numbers = {row.id: row.label for row in rows}
    criteria = [name for name, _value in reviews[0].scores] if reviews else []
    sheet.append(
        [
            _("Number"),
            _("Reviewer"),
            _("Recommendation"),
            _("Score"),
            *criteria,
            _("For the authors"),
            _("For the committee"),
        ]
    )
    for reading in reviews:
        if reading.abstract_id not in numbers:
            continue  # withdrawn
        sheet.append(
            [
                _text(numbers[reading.abstract_id]),
                _text(reading.who),
                _text(labels.get(reading.recommendation, reading.recommendation)),
                _rounded(reading.weighted),
                *[value for _name, value in reading.scores],
                _text(reading.comment_authors),
                _text(reading.comment_committee),
            ]
        )
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.data_type = "s"
    sheet.freeze_panes = "C2"


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def xlsx_file(
    rows: list[Row],
    headers: list[str],
    labels: dict[str, str],
    reviews: list[Reading] | None = None,
) -> bytes:
    """The table as a spreadsheet: figures as numbers, texts always as text (a title
    "=…" stays a title, never a formula), the header in bold and kept in view.

    `labels` gives the words for the presentation wishes and decisions. With `reviews`,
    a second sheet holds each review: who, recommendation, scores, both comments.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Committee")
    sheet.append([_text(h) for h in headers])
    for row in rows:
        values = [
            row.label,
            markup.plain(row.title),
            row.topic,
            labels.get(row.presentation, row.presentation),
            row.reviews,
            row.assigned,
            _rounded(row.mean),
            _rounded(row.spread),
            row.recommendations[Recommendation.POSTER],
            row.recommendations[Recommendation.ORAL],
            row.recommendations[Recommendation.REJECT],
            labels["yes"] if row.disagreement else "",
            labels.get(row.decision or "", ""),
        ]
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.value = _text(cell.value)
                cell.data_type = "s"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.data_type = "s"
    sheet.freeze_panes = "C2"
    sheet.column_dimensions["B"].width = 60
    if reviews is not None:
        _reviews_sheet(workbook, rows, reviews, labels)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text(value: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", value)


# --- who reviews what -----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Reviewing:
    user_id: int
    who: str
    done: bool


def reviewing(edition_id: int) -> dict[int, list[Reviewing]]:
    """Each abstract's reviewers (by abstract id), with whether they have reviewed it."""
    in_edition = select(Abstract.id).where(Abstract.edition_id == edition_id).scalar_subquery()
    done = set(
        db.session.execute(
            select(Review.abstract_id, Review.user_id).where(Review.abstract_id.in_(in_edition))
        )
    )
    found: dict[int, list[Reviewing]] = defaultdict(list)
    for abstract_id, user_id, name, email in db.session.execute(
        select(Assignment.abstract_id, User.id, User.name, User.email)
        .join(User, User.id == Assignment.user_id)
        .where(Assignment.abstract_id.in_(in_edition))
        .order_by(User.name, User.email)
    ):
        found[abstract_id].append(Reviewing(user_id, name or email, (abstract_id, user_id) in done))
    return found
