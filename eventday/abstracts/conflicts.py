"""Conflicts of interest: which abstracts a reviewer may not review, and why; and the
suggested assignment, which never proposes one.

One rule, `conflict()`, serves the organisers' assignment by hand and by topic,
the suggested assignment and every page a reviewer opens. A reviewer may not
review an abstract when:

- OWN: an author is the reviewer: the same e-mail address (case aside), or the
  same first and last name (accents, case and spacing aside, in either order);
- INSTITUTION: an author's affiliation is one of the reviewer's institutions
  (`users.institutions`, one a line). Both are compared as their words, accents
  and case folded, punctuation and spacing ignored; they match when they are the
  same words or when one holds all the other's words in a row ("Inserm U1234"
  matches "Inserm U1234, Hôpital Cochin" but not "Inserm U12345": whole words
  only). A reviewer who gives a broad institution ("CNRS") is kept from every
  abstract with an author from it, as they asked;
- DECLARED: the reviewer declared a conflict on it (DeclaredConflict).

`conflicts()` applies the rule to many reviewers and abstracts with three
queries, for the suggested assignment and the organisers' lists.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from eventday.abstracts.models import Abstract, AbstractStatus, Assignment, Author, DeclaredConflict
from eventday.accounts.models import Role, User
from eventday.extensions import db
from eventday.i18n import fold

WORDS = re.compile(r"[^\W_]+")
DEFAULT_PER_ABSTRACT = 3


class Conflict(enum.StrEnum):
    OWN = "own"
    INSTITUTION = "institution"
    DECLARED = "declared"


REASONS = {
    Conflict.OWN: _l("they are one of its authors"),
    Conflict.INSTITUTION: _l("an author is from one of their institutions"),
    Conflict.DECLARED: _l("they declared a conflict of interest"),
}


def words(text: str) -> tuple[str, ...]:
    """A name or an institution as the words it is compared by: folded, no punctuation."""
    return tuple(WORDS.findall(fold(text)))


def _holds(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    size = len(shorter)
    return any(longer[i : i + size] == shorter for i in range(len(longer) - size + 1))


def same_institution(one: str, other: str) -> bool:
    """The same institution: the same words, or one's words in a row within the other's."""
    return _same(words(one), words(other))


def _same(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    if not a or not b:
        return False
    return _holds(a, b) if len(a) >= len(b) else _holds(b, a)


@dataclasses.dataclass(frozen=True)
class Reviewer:
    """What the rule reads of a reviewer's account, folded once."""

    id: int
    email: str
    name: tuple[str, ...]
    institutions: tuple[tuple[str, ...], ...]

    @classmethod
    def of(cls, user: User) -> Reviewer:
        lines = (words(line) for line in (user.institutions or "").splitlines())
        return cls(
            id=user.id,
            email=user.email.strip().casefold(),
            name=words(user.name or ""),
            institutions=tuple(line for line in lines if line),
        )


@dataclasses.dataclass(frozen=True)
class Authorship:
    """What the rule reads of an abstract's authors, folded once."""

    emails: frozenset[str]
    names: frozenset[tuple[str, ...]]
    affiliations: tuple[tuple[str, ...], ...]

    @classmethod
    def of(cls, authors: Iterable[Author]) -> Authorship:
        authors = list(authors)
        names = set()
        for author in authors:
            first, last = words(author.first_name), words(author.last_name)
            names |= {first + last, last + first}
        return cls(
            emails=frozenset(author.email.strip().casefold() for author in authors),
            names=frozenset(names),
            affiliations=tuple(
                words(line) for author in authors for line in author.institutions if words(line)
            ),
        )


def conflict(reviewer: Reviewer, authorship: Authorship, declared: bool) -> Conflict | None:
    """Why `reviewer` may not review the abstract of `authorship` (None: they may)."""
    if declared:
        return Conflict.DECLARED
    if reviewer.email in authorship.emails or (reviewer.name and reviewer.name in authorship.names):
        return Conflict.OWN
    for affiliation in authorship.affiliations:
        if any(_same(affiliation, mine) for mine in reviewer.institutions):
            return Conflict.INSTITUTION
    return None


def conflict_of(user: User, abstract: Abstract) -> Conflict | None:
    """`conflict()` for one account and one abstract (a reviewer's page)."""
    declared = db.session.scalar(
        select(DeclaredConflict.id).where(
            DeclaredConflict.abstract_id == abstract.id, DeclaredConflict.user_id == user.id
        )
    )
    return conflict(Reviewer.of(user), Authorship.of(abstract.authors), declared is not None)


def conflicts(
    users: Sequence[User], abstract_ids: Collection[int]
) -> dict[tuple[int, int], Conflict]:
    """Every (user id, abstract id) pair in conflict, with its reason: three queries."""
    if not users or not abstract_ids:
        return {}
    reviewers = [Reviewer.of(user) for user in users]
    authors: dict[int, list[Author]] = defaultdict(list)
    for author in db.session.scalars(select(Author).where(Author.abstract_id.in_(abstract_ids))):
        authors[author.abstract_id].append(author)
    declared = set(
        db.session.execute(
            select(DeclaredConflict.user_id, DeclaredConflict.abstract_id).where(
                DeclaredConflict.abstract_id.in_(abstract_ids),
                DeclaredConflict.user_id.in_([r.id for r in reviewers]),
            )
        )
    )
    authorships = {i: Authorship.of(authors.get(i, [])) for i in abstract_ids}
    found = {}
    for reviewer in reviewers:
        for abstract_id, authorship in authorships.items():
            reason = conflict(reviewer, authorship, (reviewer.id, abstract_id) in declared)
            if reason is not None:
                found[reviewer.id, abstract_id] = reason
    return found


# --- the suggested assignment ----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Suggestion:
    """Pairs (abstract id, user id) to add, and the abstracts that still lack reviewers."""

    pairs: list[tuple[int, int]]
    short: list[int]

    @property
    def fingerprint(self) -> str:
        return ",".join(f"{a}:{u}" for a, u in self.pairs)


def suggest(edition_id: int, per_abstract: int = DEFAULT_PER_ABSTRACT) -> Suggestion:
    """Reviewers for every abstract that has fewer than `per_abstract`, never in conflict.

    Abstracts are served in number order; each takes the reviewers with the fewest
    abstracts so far (existing assignments of the edition count, and each pair
    suggested), among equals those who already review its topic, then the oldest
    account: the same data always gives the same suggestion.
    """
    users = db.session.scalars(
        select(User).where(User.active.is_(True), User.role == Role.REVIEWER).order_by(User.id)
    ).all()
    abstracts = db.session.scalars(
        select(Abstract)
        .where(Abstract.edition_id == edition_id, Abstract.status == AbstractStatus.SUBMITTED)
        .order_by(Abstract.number)
    ).all()
    conflicted = conflicts(users, [a.id for a in abstracts])
    assigned = defaultdict(set)
    load: Counter[int] = Counter()
    topics = defaultdict(set)
    track_of = {a.id: a.track_id for a in abstracts}
    for abstract_id, user_id in db.session.execute(
        select(Assignment.abstract_id, Assignment.user_id).where(
            Assignment.abstract_id.in_(track_of)
        )
    ):
        assigned[abstract_id].add(user_id)
        load[user_id] += 1
        topics[user_id].add(track_of[abstract_id])
    pairs, short = [], []
    for abstract in abstracts:
        wanted = per_abstract - len(assigned[abstract.id])
        if wanted <= 0:
            continue
        candidates = [
            u.id
            for u in users
            if u.id not in assigned[abstract.id] and (u.id, abstract.id) not in conflicted
        ]
        candidates.sort(key=lambda uid: (load[uid], abstract.track_id not in topics[uid], uid))
        for user_id in candidates[:wanted]:
            pairs.append((abstract.id, user_id))
            load[user_id] += 1
            topics[user_id].add(abstract.track_id)
        if len(candidates) < wanted:
            short.append(abstract.id)
    return Suggestion(pairs, short)
