"""What the dashboard shows: counts by stakeholder type and status, seats, check-ins."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter

from sqlalchemy import func, select

from eventday.extensions import db
from eventday.programme.models import Edition
from eventday.registration.models import Registration, RegistrationStatus, StakeholderType
from eventday.registration.seats import WorkshopSeats, workshop_seats
from eventday.registration.type_rules import type_rules


@dataclasses.dataclass(frozen=True)
class Overview:
    by_type_and_status: Counter[tuple[str, str]]
    confirmed: int
    waitlisted: int
    pending: int
    checked_in: int
    capacity: int | None
    quotas: dict[str, tuple[int, int | None]]  # type → (confirmed, quota)
    workshops: list[WorkshopSeats]
    per_day: list[tuple[dt.date, int]]  # registrations made each day, in the edition's zone

    def count(self, stakeholder_type: str, status: str) -> int:
        return self.by_type_and_status[(stakeholder_type, status)]


def overview(edition: Edition) -> Overview:
    rows = db.session.execute(
        select(Registration.stakeholder_type, Registration.status, func.count())
        .where(Registration.edition_id == edition.id)
        .group_by(Registration.stakeholder_type, Registration.status)
    ).all()
    counts: Counter[tuple[str, str]] = Counter({(t, s): n for t, s, n in rows})

    def total(status: str) -> int:
        return sum(n for (_, s), n in counts.items() if s == status)

    checked_in = db.session.scalar(
        select(func.count()).where(
            Registration.edition_id == edition.id, Registration.checked_in_at.is_not(None)
        )
    )
    rules = type_rules(edition)
    return Overview(
        by_type_and_status=counts,
        confirmed=total(RegistrationStatus.CONFIRMED),
        waitlisted=total(RegistrationStatus.WAITLISTED),
        pending=total(RegistrationStatus.PENDING_APPROVAL),
        checked_in=checked_in or 0,
        capacity=edition.capacity,
        quotas={
            kind.value: (
                counts[(kind.value, RegistrationStatus.CONFIRMED)],
                rules[kind].seats(edition.capacity),
            )
            for kind in StakeholderType
        },
        workshops=workshop_seats(edition.id),
        per_day=_per_day(edition),
    )


def _per_day(edition: Edition) -> list[tuple[dt.date, int]]:
    """Registrations per local day, every day from the first to the last one present."""
    days = Counter(
        edition.local(moment).date()
        for moment in db.session.scalars(
            select(Registration.created_at).where(Registration.edition_id == edition.id)
        )
    )
    if not days:
        return []
    first, last = min(days), max(days)
    span = (last - first).days + 1
    return [(first + dt.timedelta(days=n), days[first + dt.timedelta(days=n)]) for n in range(span)]
