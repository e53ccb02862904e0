"""An edition's figures for the funders' report, counted by the database in a few queries.

One GROUP BY over the edition's registrations counts them by stakeholder
type, status, arrival, type of institution and whether the address came
before; every table of the report is a sum over those few hundred groups at
most, whatever the number of registrations. Workshops add two queries
(their seats and enrolments, then the enrolled who arrived), earlier
editions one.

"Returning": the same address (`email_key`, case folded) registered for an
edition that began before this one, whatever became of that registration.
Anonymising an edition replaces its addresses, so its attendees can no longer
be recognised: `Report.anonymised_before` names those editions for the page
to say so. An attendee "arrived" when checked in at the desk; the check-in
records arrival at the day, not at each workshop's door, so a workshop's
attendance is its enrolled attendees who arrived that day.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from eventday.extensions import db
from eventday.programme.models import Edition
from eventday.registration.models import Registration, RegistrationStatus
from eventday.registration.seats import workshop_holders, workshop_seats
from eventday.statistics.institutions import institution_type, named_institution


@dataclasses.dataclass(frozen=True)
class Group:
    """How many of the edition's registrations share these five traits."""

    stakeholder_type: str
    status: str
    institution: str
    checked_in: bool
    returning: bool
    count: int


@dataclasses.dataclass(frozen=True)
class WorkshopFill:
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    seats: int | None
    enrolled: int  # confirmed attendees holding a seat
    arrived: int  # of them, checked in at the day's desk


@dataclasses.dataclass(frozen=True)
class Report:
    edition: Edition
    groups: list[Group]
    workshops: list[WorkshopFill]
    earlier_editions: int
    anonymised_before: list[str]  # names of earlier editions whose addresses are gone

    def count(self, **traits: object) -> int:
        """Registrations with all of `traits` (Group's fields): `count(status="confirmed")`."""
        return sum(
            group.count
            for group in self.groups
            if all(getattr(group, name) == value for name, value in traits.items())
        )

    def attendees(self, **traits: object) -> int:
        """Confirmed registrations with `traits`: the people holding a seat."""
        return self.count(status=RegistrationStatus.CONFIRMED, **traits)


def report(edition: Edition) -> Report:
    earlier = db.session.execute(
        select(Edition.name, Edition.anonymised_at)
        .where(Edition.start_date < edition.start_date)
        .order_by(Edition.start_date)
    ).all()
    return Report(
        edition=edition,
        groups=_groups(edition),
        workshops=_workshops(edition.id),
        earlier_editions=len(earlier),
        anonymised_before=[name for name, anonymised_at in earlier if anonymised_at is not None],
    )


def _groups(edition: Edition) -> list[Group]:
    before = aliased(Registration)
    earlier_addresses = (
        select(before.email_key)
        .join(Edition, Edition.id == before.edition_id)
        .where(Edition.start_date < edition.start_date)
    )
    registrations = (
        select(
            Registration.stakeholder_type,
            Registration.status,
            named_institution().label("names"),
            Registration.checked_in_at.is_not(None).label("checked_in"),
            Registration.email_key.in_(earlier_addresses).label("came_before"),
        )
        .where(Registration.edition_id == edition.id)
        .subquery()
    )
    # Grouped one query further out: PostgreSQL would not see that a CASE in the SELECT list
    # and the same CASE in GROUP BY are one expression, their LIKE patterns being separate binds.
    traits = select(
        registrations.c.stakeholder_type,
        registrations.c.status,
        institution_type(registrations.c.names, registrations.c.stakeholder_type).label(
            "institution"
        ),
        registrations.c.checked_in,
        registrations.c.came_before,
    ).subquery()
    columns = list(traits.c)
    rows = db.session.execute(select(*columns, func.count()).group_by(*columns)).all()
    return [
        Group(kind, status, institution, bool(checked_in), bool(came_before), count)
        for kind, status, institution, checked_in, came_before, count in rows
    ]


def _workshops(edition_id: int) -> list[WorkshopFill]:
    arrived = workshop_holders(edition_id, arrived_only=True)
    return [
        WorkshopFill(
            seats.session.title,
            seats.session.starts_at,
            seats.session.ends_at,
            seats.seats,
            seats.taken,
            arrived.get(seats.session.id, 0),
        )
        for seats in workshop_seats(edition_id)
    ]
