"""The best-poster prize at the day: attendees' votes, the jury's scores, the results.

Which posters: the edition's abstracts accepted as posters (released decision
"poster", not withdrawn). A poster is voted for at its board, so only a poster
with a board number has a vote page and a sign.

Who votes: a confirmed registration of the edition that has checked in at the
desk (`checked_in_at` set). The attendee proves it once with their personal
link's token (`voter`); the view keeps the registration's id in the signed
session, and every vote checks the registration again, so a check-in undone
or a registration cancelled stops its votes at once.

One vote per attendee per category (the poster's topic, 0 without one),
changeable while `Call.vote_open`: voting for another poster of the same
category moves the vote, a poster of another category is a vote of its own.

How it holds under concurrency (a double-click, two phones at once, two
hundred attendees in the same minute): each vote is one `write_transaction`,
which takes the edition's write lock before it reads, so a vote's "is there
already a vote of this attendee in this category?" sees every earlier commit
and nothing slips in between the check and the write. The unique constraint
on (registration_id, category) stands behind it: should an insert ever meet a
row committed meanwhile, the database refuses it (IntegrityError), the
transaction is rolled back whole, and the vote is run once more, when it
finds that row and moves it. Never two rows, never a 500. The jury's scores
are written the same way (unique per jury member and poster); a jury member
never scores a poster they could not review (the conflicts of interest of
conflicts.py).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import TypeVar

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from eventday import audit
from eventday.abstracts import conflicts
from eventday.abstracts.call import call_of
from eventday.abstracts.models import (
    JURY_MAX,
    Abstract,
    AbstractStatus,
    Call,
    Decision,
    JuryScore,
    PosterVote,
)
from eventday.accounts.models import User
from eventday.database import utcnow, write_transaction
from eventday.domain import DomainError, Violation
from eventday.extensions import db
from eventday.programme.models import Track
from eventday.registration.models import Registration
from eventday.registration.tokens import TOKEN_SHAPE

# What secrets.token_urlsafe(32) makes (as registration/views.py checks it).
LINK_TOKEN = re.compile(r"/registration/([^/?#\s]+)")
NO_TOPIC = 0

T = TypeVar("T")


class PrizeRefused(DomainError):
    pass


def _refused(field: str, message: str) -> PrizeRefused:
    return PrizeRefused([Violation(field, message)])


def category_of(poster: Abstract) -> int:
    return poster.track_id or NO_TOPIC


def _posters_query(edition_id: int) -> Select[tuple[Abstract]]:
    return (
        select(Abstract)
        .where(
            Abstract.edition_id == edition_id,
            Abstract.status == AbstractStatus.SUBMITTED,
            Abstract.released_decision == Decision.POSTER,
        )
        .options(selectinload(Abstract.authors), selectinload(Abstract.track))
    )


def posters(edition_id: int) -> list[Abstract]:
    """The edition's accepted posters, by board number (those without one last), then number."""
    query = _posters_query(edition_id).order_by(
        Abstract.board_number.is_(None), Abstract.board_number, Abstract.number
    )
    return list(db.session.scalars(query))


def poster_at(edition_id: int, board: int) -> Abstract | None:
    """The accepted poster at board `board`, if any."""
    query = _posters_query(edition_id).where(Abstract.board_number == board)
    return db.session.scalars(query).first()


def vote_is_open(edition_id: int) -> bool:
    call = call_of(edition_id)
    return call is not None and call.vote_open


def token_in(text: str) -> str:
    """The attendee token in what was pasted: the token itself, or their page's address."""
    text = text.strip()
    found = LINK_TOKEN.search(text)
    return found.group(1) if found else text


def voter(edition_id: int, pasted: str) -> Registration:
    """The registration whose link was pasted, if it may vote; PrizeRefused otherwise."""
    token = token_in(pasted)
    registration = None
    if TOKEN_SHAPE.fullmatch(token):
        registration = db.session.scalars(
            select(Registration).where(Registration.token == token)
        ).first()
    if registration is None or registration.edition_id != edition_id:
        raise _refused(
            "token",
            _(
                "This is not an attendee link of this research day: copy the address of your "
                "registration page (in your confirmation e-mail); the badge's reference is not "
                "enough."
            ),
        )
    _check_voter(registration)
    return registration


def _check_voter(registration: Registration) -> None:
    if not registration.is_confirmed:
        raise _refused("token", _("This registration is not confirmed: it cannot vote."))
    if registration.checked_in_at is None:
        raise _refused(
            "token",
            _("The vote is open to attendees who came to the day: check in at the desk first."),
        )


def eligible_voter(edition_id: int, registration_id: int | None) -> Registration | None:
    """The registration kept in a browser's session, if it may still vote in this edition."""
    if registration_id is None:
        return None
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.edition_id != edition_id:
        return None
    try:
        _check_voter(registration)
    except PrizeRefused:
        return None
    return registration


def votes_of(registration_id: int) -> dict[int, int]:
    """An attendee's votes: the poster (abstract id) they chose, by category."""
    rows = db.session.execute(
        select(PosterVote.category, PosterVote.abstract_id).where(
            PosterVote.registration_id == registration_id
        )
    )
    return dict(rows.all())


def _once_more_on_conflict(write: Callable[[], T]) -> T:
    """Run `write` (one write_transaction); if a concurrent insert won the unique constraint
    (the transaction was rolled back whole), run it once more: it now finds that row."""
    try:
        return write()
    except IntegrityError:
        return write()


def _open_call(edition_id: int) -> Call:
    call = call_of(edition_id)
    if call is None or not call.vote_open:
        raise _refused("vote", _("The vote for the best poster is not open."))
    return call


def cast_vote(edition_id: int, registration_id: int | None, board: int) -> PosterVote:
    """Record the attendee's vote for the poster at `board`, or move their vote in its category.

    LookupError when no accepted poster is at `board`; PrizeRefused when the vote is
    closed or the attendee may not vote.
    """

    def write() -> PosterVote:
        with write_transaction(edition_id):
            poster = poster_at(edition_id, board)
            if poster is None:
                raise LookupError(board)
            _open_call(edition_id)
            registration = db.session.get(Registration, registration_id or 0)
            if registration is None or registration.edition_id != edition_id:
                raise _refused("token", _("Open your personal attendee link first."))
            _check_voter(registration)
            category = category_of(poster)
            vote = db.session.scalars(
                select(PosterVote).where(
                    PosterVote.registration_id == registration.id,
                    PosterVote.category == category,
                )
            ).first()
            if vote is None:
                vote = PosterVote(
                    edition_id=edition_id, registration_id=registration.id, category=category
                )
                db.session.add(vote)
            vote.abstract_id = poster.id
            vote.updated_at = utcnow()
            db.session.flush()
        return vote

    return _once_more_on_conflict(write)


def jury_scores_of(edition_id: int, user_id: int) -> dict[int, int]:
    """A jury member's scores in this edition, by poster (abstract id)."""
    rows = db.session.execute(
        select(JuryScore.abstract_id, JuryScore.value)
        .join(Abstract, Abstract.id == JuryScore.abstract_id)
        .where(JuryScore.user_id == user_id, Abstract.edition_id == edition_id)
    )
    return dict(rows.all())


def jury_conflicts(user: User, posters: list[Abstract]) -> set[int]:
    """The posters `user` may not score: the reviewers' conflict rule (conflicts.py)."""
    found = conflicts.conflicts([user], [poster.id for poster in posters])
    return {abstract_id for _user_id, abstract_id in found}


def score_poster(edition_id: int, user: User, abstract_id: int, value: int) -> JuryScore:
    """Record or change a jury member's score (0 to JURY_MAX) of a poster while the vote is open.

    A jury member never scores a poster they may not review: one they wrote or
    co-authored, one from their institution, one they declared a conflict on.
    """
    if not 0 <= value <= JURY_MAX:
        raise _refused("score", _("A score is a whole number from 0 to %(max)d.", max=JURY_MAX))

    def write() -> JuryScore:
        with write_transaction(edition_id):
            poster = db.session.scalars(
                _posters_query(edition_id).where(Abstract.id == abstract_id)
            ).first()
            if poster is None:
                raise LookupError(abstract_id)
            _open_call(edition_id)
            if conflicts.conflict_of(user, poster) is not None:
                raise _refused("score", _("Conflict of interest: you do not score this poster."))
            score = db.session.scalars(
                select(JuryScore).where(
                    JuryScore.abstract_id == poster.id, JuryScore.user_id == user.id
                )
            ).first()
            if score is None:
                score = JuryScore(abstract_id=poster.id, user_id=user.id)
                db.session.add(score)
            score.value = value
            score.updated_at = utcnow()
            db.session.flush()
        return score

    return _once_more_on_conflict(write)


def set_vote_open(edition_id: int, open_: bool, actor: int | None = None) -> Call:
    """Open or close the vote (and the jury's scoring), in the edition's history."""
    with write_transaction(edition_id):
        call = call_of(edition_id)
        if call is None:
            call = Call(edition_id=edition_id)
            db.session.add(call)
            db.session.flush()
        before = bool(call.vote_open)
        call.vote_open = open_
        action = "poster_vote_open" if open_ else "poster_vote_close"
        audit.record(edition_id, actor, action, None, {"vote_open": [before, open_]})
    return call


@dataclasses.dataclass(frozen=True)
class PosterResult:
    poster: Abstract
    votes: int
    jury_mean: float | None
    jury_count: int
    rank: int


@dataclasses.dataclass(frozen=True)
class CategoryResult:
    category: int
    track: Track | None
    posters: list[PosterResult]

    @property
    def votes(self) -> int:
        return sum(result.votes for result in self.posters)


@dataclasses.dataclass(frozen=True)
class Ballot:
    """One category's posters as voters see them: in board order, no count, no rank."""

    category: int
    track: Track | None
    posters: list[Abstract]


def _by_category(edition_id: int) -> dict[int, list[Abstract]]:
    found: dict[int, list[Abstract]] = {}
    for poster in posters(edition_id):
        found.setdefault(category_of(poster), []).append(poster)
    return found


def ballots(edition_id: int) -> list[Ballot]:
    """The posters to vote for, by topic and board: the standing stays the organisers'."""
    found = [
        Ballot(category, members[0].track, sorted(members, key=_board))
        for category, members in _by_category(edition_id).items()
    ]
    return sorted(found, key=lambda ballot: (ballot.track is None, _track_name(ballot.track)))


def _board(poster: Abstract) -> tuple[bool, int]:
    return poster.board_number is None, poster.board_number or 0


def results(edition_id: int) -> list[CategoryResult]:
    """Every category's posters ranked: by attendees' votes, then by the jury's mean.

    Posters with the same votes and jury mean share a rank (1, 2, 2, 4).
    """
    votes = dict(
        db.session.execute(
            select(PosterVote.abstract_id, func.count())
            .where(PosterVote.edition_id == edition_id)
            .group_by(PosterVote.abstract_id)
        ).all()
    )
    jury = {
        abstract_id: (float(mean), count)
        for abstract_id, mean, count in db.session.execute(
            select(JuryScore.abstract_id, func.avg(JuryScore.value), func.count())
            .join(Abstract, Abstract.id == JuryScore.abstract_id)
            .where(Abstract.edition_id == edition_id)
            .group_by(JuryScore.abstract_id)
        )
    }
    found = []
    for category, members in _by_category(edition_id).items():

        def key(poster: Abstract) -> tuple[int, float]:
            mean = jury.get(poster.id, (None, 0))[0]
            return votes.get(poster.id, 0), -1.0 if mean is None else mean

        ranked = sorted(members, key=key, reverse=True)
        keys = [key(poster) for poster in ranked]
        found.append(
            CategoryResult(
                category,
                ranked[0].track,
                [
                    PosterResult(
                        poster,
                        votes.get(poster.id, 0),
                        jury.get(poster.id, (None, 0))[0],
                        jury.get(poster.id, (None, 0))[1],
                        keys.index(keys[index]) + 1,
                    )
                    for index, poster in enumerate(ranked)
                ],
            )
        )
    return sorted(found, key=lambda result: (result.track is None, _track_name(result.track)))


def _track_name(track: Track | None) -> str:
    return track.name if track else ""
