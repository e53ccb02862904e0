"""Counting seats: those held of the edition, of each profile's quota and of each workshop,
and a registration's chosen workshops checked against them.

Counted only under the edition's write lock by the functions that change seats (see
capacity.py), so what is counted is what the change then takes.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Sequence

from babel.lists import format_list
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from eventday.domain import DomainError, Violation
from eventday.extensions import db
from eventday.programme.models import Edition, Session, SessionKind, SessionStatus
from eventday.registration.models import Registration, RegistrationStatus, registration_workshops
from eventday.registration.type_rules import TypeRule


class RegistrationRefused(DomainError):
    """The registration cannot be taken as asked; nothing was written."""


@dataclasses.dataclass(frozen=True)
class WorkshopSeats:
    session: Session
    seats: int | None
    taken: int

    @property
    def left(self) -> int | None:
        return None if self.seats is None else max(0, self.seats - self.taken)

    @property
    def is_full(self) -> bool:
        return self.left == 0


def workshop_holders(edition_id: int, *, arrived_only: bool = False) -> dict[int, int]:
    """How many confirmed attendees hold a seat in each workshop (only those checked in,
    with `arrived_only`), by session id."""
    query = (
        select(registration_workshops.c.session_id, func.count())
        .join(Registration, Registration.id == registration_workshops.c.registration_id)
        .where(
            Registration.edition_id == edition_id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        .group_by(registration_workshops.c.session_id)
    )
    if arrived_only:
        query = query.where(Registration.checked_in_at.is_not(None))
    return dict(db.session.execute(query).all())


def workshop_seats(edition_id: int) -> list[WorkshopSeats]:
    """Every scheduled workshop of the edition with its seats taken by confirmed attendees."""
    taken = workshop_holders(edition_id)
    workshops = db.session.scalars(
        select(Session)
        .where(
            Session.edition_id == edition_id,
            Session.kind == SessionKind.WORKSHOP,
            Session.status == SessionStatus.SCHEDULED,
        )
        .order_by(Session.starts_at, Session.id)
    )
    return [WorkshopSeats(w, w.seats, taken.get(w.id, 0)) for w in workshops]


@dataclasses.dataclass
class Seats:
    """Seats taken by confirmed registrations, counted under the edition's lock."""

    total: int
    by_type: Counter[str]
    by_workshop: dict[int, WorkshopSeats]

    def fits(
        self, edition: Edition, rule: TypeRule, stakeholder_type: str, workshop_ids: Iterable[int]
    ) -> bool:
        if edition.capacity is not None and self.total >= edition.capacity:
            return False
        quota = rule.seats(edition.capacity)
        if quota is not None and self.by_type[stakeholder_type] >= quota:
            return False
        return not any(self.by_workshop[w].is_full for w in workshop_ids if w in self.by_workshop)

    def take(self, stakeholder_type: str, workshop_ids: Iterable[int]) -> None:
        self.total += 1
        self.by_type[stakeholder_type] += 1
        for w in workshop_ids:
            seats = self.by_workshop.get(w)
            if seats is not None:  # a cancelled workshop holds no seats
                self.by_workshop[w] = dataclasses.replace(seats, taken=seats.taken + 1)


def confirmed_count(edition_id: int) -> int:
    """How many attendees hold a seat of the edition."""
    return count_seats(edition_id).total


def count_seats(edition_id: int) -> Seats:
    by_type = Counter(
        dict(
            db.session.execute(
                select(Registration.stakeholder_type, func.count())
                .where(
                    Registration.edition_id == edition_id,
                    Registration.status == RegistrationStatus.CONFIRMED,
                )
                .group_by(Registration.stakeholder_type)
            ).all()
        )
    )
    workshops = {seats.session.id: seats for seats in workshop_seats(edition_id)}
    return Seats(sum(by_type.values()), by_type, workshops)


def chosen_workshops(
    edition_id: int, workshop_ids: Sequence[int], seats: dict[int, WorkshopSeats]
) -> list[Session]:
    """The chosen workshops, refused if unknown, cancelled or overlapping each other."""
    chosen = []
    for workshop_id in dict.fromkeys(workshop_ids):
        if workshop_id not in seats:
            raise RegistrationRefused(
                [Violation("workshops", _("One of the chosen workshops does not exist."))]
            )
        chosen.append(seats[workshop_id].session)
    chosen.sort(key=lambda s: s.starts_at)
    clashes = workshop_clashes(chosen)
    if clashes:
        raise RegistrationRefused(clashes)
    return chosen


def workshop_clashes(workshops: Iterable[Session]) -> list[Violation]:
    """One refusal for each group of chosen workshops running at the same time, naming them.

    The registration form asks this too, to show a clash with the form's other mistakes
    rather than after them; `register` and `update` decide, under the edition's lock.
    """
    groups: list[list[Session]] = []
    for workshop in sorted(workshops, key=lambda s: (s.starts_at, s.id)):
        if groups and any(workshop.overlaps(other) for other in groups[-1]):
            groups[-1].append(workshop)
        else:
            groups.append([workshop])
    return [
        Violation(
            "workshops",
            _(
                "%(workshops)s take place at the same time: choose one of them.",
                workshops=format_list(
                    [_("“%(title)s”", title=w.title) for w in group], locale=get_locale()
                ),
            ),
        )
        for group in groups
        if len(group) > 1
    ]


def full_workshops(seats: Seats, workshops: Iterable[Session], holding: Iterable[int] = ()):
    held = set(holding)
    return [w for w in workshops if w.id not in held and seats.by_workshop[w.id].is_full]


def refuse_full(full: Sequence[Session]) -> RegistrationRefused:
    return RegistrationRefused(
        [
            Violation(
                "workshops",
                _("The workshop “%(title)s” is now full: please choose another.", title=w.title),
            )
            for w in full
        ]
    )
