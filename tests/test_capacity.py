"""Seats: the edition's capacity, type quotas, approval, workshop seats and the waitlist."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import string
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import func, select

from eventday.database import utcnow
from eventday.domain import Violation
from eventday.extensions import db
from eventday.mail import OutboxMail
from eventday.programme import rules
from eventday.programme.models import Edition
from eventday.registration import capacity
from eventday.registration.capacity import AlreadyRegistered, Applicant, RegistrationRefused
from eventday.registration.models import (
    Registration,
    RegistrationStatus,
    StakeholderSetting,
    registration_workshops,
)
from eventday.registration.seats import workshop_seats
from tests.conftest import PUBLIC_URL, make_edition, make_session

DAY = dt.date(2027, 1, 25)
CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED
PENDING = RegistrationStatus.PENDING_APPROVAL
CANCELLED = RegistrationStatus.CANCELLED
REFERENCE = re.compile(r"RD27-[0-9A-HJKMNP-TV-Z]{5}")
URL_SAFE = frozenset(string.ascii_letters + string.digits + "-_")


@pytest.fixture
def edition_id(app: Flask) -> Iterator[int]:
    """A one-day edition on DAY, open for registration; the test runs inside the app context."""
    with app.app_context():
        yield make_edition(DAY).id


def set_capacity(edition_id: int, seats: int | None) -> None:
    db.session.get_one(Edition, edition_id).capacity = seats
    db.session.commit()


def set_rule(
    edition_id: int, stakeholder_type: str, quota: int | None, needs_approval: bool = False
) -> None:
    db.session.add(
        StakeholderSetting(
            edition_id=edition_id,
            stakeholder_type=stakeholder_type,
            quota=quota,
            needs_approval=needs_approval,
        )
    )
    db.session.commit()


def workshop(edition_id: int, title: str, start: str, end: str, seats: int | None = None) -> int:
    return make_session(edition_id, DAY, start, end, title, kind="workshop", capacity=seats).id


def applicant(
    name: str, stakeholder_type: str = "researcher", workshops: tuple[int, ...] = (), **changes
) -> Applicant:
    """What `name` types in the form (in English, so mails read as their msgids)."""
    typed = Applicant(
        first_name=name,
        last_name="Lefèvre",
        email=f"{name.lower()}@example.org",
        organisation="Inserm",
        stakeholder_type=stakeholder_type,
        answers={"institution": "Université Paris Cité", "position": "postdoc"},
        language="en",
        workshop_ids=workshops,
    )
    return dataclasses.replace(typed, **changes)


def register(
    edition_id: int, name: str, stakeholder_type: str = "researcher", workshops=(), **changes
) -> Registration:
    return capacity.register(
        edition_id, applicant(name, stakeholder_type, tuple(workshops), **changes)
    )


def stored(registration_id: int) -> Registration:
    """The registration as the database holds it now."""
    return db.session.get_one(Registration, registration_id, populate_existing=True)


def status_of(*registrations: Registration) -> list[str]:
    return [stored(r.id).status for r in registrations]


def mails(kind: str | None = None) -> list[tuple[str, str]]:
    """The outbox as (recipient, kind), oldest first."""
    query = select(OutboxMail.recipient, OutboxMail.kind).order_by(OutboxMail.id)
    if kind is not None:
        query = query.where(OutboxMail.kind == kind)
    return [tuple(row) for row in db.session.execute(query)]


def mail_body(recipient: str, kind: str) -> str:
    return db.session.scalars(
        select(OutboxMail.body).where(OutboxMail.recipient == recipient, OutboxMail.kind == kind)
    ).one()


def seats_taken(edition_id: int) -> dict[str, int]:
    """Seats held in each workshop, by title, as workshop_seats() counts them."""
    return {s.session.title: s.taken for s in workshop_seats(edition_id)}


def database_state() -> tuple:
    """Every row a registration call may write."""
    db.session.rollback()
    registrations = db.session.execute(
        select(
            Registration.id,
            Registration.status,
            Registration.email,
            Registration.first_name,
            Registration.organisation,
            Registration.answers,
            Registration.updated_at,
        ).order_by(Registration.id)
    ).all()
    workshops = db.session.execute(
        select(registration_workshops).order_by(
            registration_workshops.c.registration_id, registration_workshops.c.session_id
        )
    ).all()
    outbox = db.session.scalar(select(func.count()).select_from(OutboxMail))
    return [tuple(r) for r in registrations], [tuple(w) for w in workshops], outbox


def refusal(write: Callable[[], object]) -> list[Violation]:
    """The violations a call is refused with (in English); it must be refused and write nothing."""
    before = database_state()
    with force_locale("en"), pytest.raises(RegistrationRefused) as refused:
        write()
    assert database_state() == before
    return refused.value.violations


def only_refusal(write: Callable[[], object]) -> Violation:
    [violation] = refusal(write)
    return violation


# The edition's seats


def test_registrations_are_confirmed_while_seats_remain_then_waitlisted(edition_id: int) -> None:
    set_capacity(edition_id, 3)
    people = [
        register(edition_id, "Alice"),
        register(edition_id, "Bruno", "clinician"),
        register(edition_id, "Chloe", "association"),
        register(edition_id, "Driss"),
    ]
    assert [p.status for p in people] == [CONFIRMED, CONFIRMED, CONFIRMED, WAITLISTED]
    assert status_of(*people) == [CONFIRMED, CONFIRMED, CONFIRMED, WAITLISTED]
    assert mails() == [
        ("alice@example.org", "confirmed"),
        ("bruno@example.org", "confirmed"),
        ("chloe@example.org", "confirmed"),
        ("driss@example.org", "waitlisted"),
    ]
    assert "waiting list" in mail_body("driss@example.org", "waitlisted")


def test_an_edition_without_capacity_confirms_everyone(edition_id: int) -> None:
    set_capacity(edition_id, None)
    types = ["researcher", "clinician", "association"] * 2
    people = [register(edition_id, f"Person{n}", kind) for n, kind in enumerate(types)]
    assert set(status_of(*people)) == {CONFIRMED}


def test_an_edition_of_zero_seats_waitlists_the_first_person(edition_id: int) -> None:
    set_capacity(edition_id, 0)
    assert register(edition_id, "Alice").status == WAITLISTED


# Stakeholder types: quotas and approval


def test_a_full_type_quota_waitlists_that_type_while_others_are_confirmed(edition_id: int) -> None:
    set_capacity(edition_id, 10)
    set_rule(edition_id, "clinician", quota=2)
    clinicians = [register(edition_id, f"Clinician{n}", "clinician") for n in range(3)]
    others = [register(edition_id, "Rosa"), register(edition_id, "Aimé", "association")]
    assert status_of(*clinicians) == [CONFIRMED, CONFIRMED, WAITLISTED]
    assert status_of(*others) == [CONFIRMED, CONFIRMED]


def test_without_settings_industry_needs_approval_and_gets_a_tenth_of_the_seats(
    edition_id: int,
) -> None:
    set_capacity(edition_id, 20)
    rules_ = capacity.type_rules(db.session.get_one(Edition, edition_id))
    assert rules_ == {
        "researcher": capacity.TypeRule(quota=None, needs_approval=False),
        "clinician": capacity.TypeRule(quota=None, needs_approval=False),
        "association": capacity.TypeRule(quota=None, needs_approval=False),
        "industry": capacity.TypeRule(quota=None, needs_approval=True, percent=10),
    }
    assert rules_["industry"].seats(20) == 2
    industry = [register(edition_id, f"Vendor{n}", "industry") for n in range(3)]
    assert status_of(*industry) == [PENDING, PENDING, PENDING]
    for registration in industry:
        capacity.decide(registration.id, approve=True)
    assert status_of(*industry) == [CONFIRMED, CONFIRMED, WAITLISTED]
    assert register(edition_id, "Rosa").status == CONFIRMED


def test_a_small_edition_still_lets_one_industry_seat_in(edition_id: int) -> None:
    set_capacity(edition_id, 5)
    rule = capacity.type_rules(db.session.get_one(Edition, edition_id))["industry"]
    assert rule.seats(5) == 1


def test_someone_who_cancelled_may_register_again_at_the_back_of_the_queue(
    edition_id: int,
) -> None:
    first = register(edition_id, "Rosa")
    old_token = first.token
    capacity.cancel(first.id)
    again = register(edition_id, "Rosa")
    assert again.id == first.id
    assert again.status == CONFIRMED
    assert again.token != old_token
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1


def test_without_capacity_the_default_industry_quota_is_unlimited(edition_id: int) -> None:
    set_capacity(edition_id, None)
    rule = capacity.type_rules(db.session.get_one(Edition, edition_id))["industry"]
    assert rule.seats(None) is None and rule.needs_approval


def test_a_setting_row_replaces_the_default_industry_rule(edition_id: int) -> None:
    set_capacity(edition_id, 10)
    set_rule(edition_id, "industry", quota=None, needs_approval=False)
    vendors = [register(edition_id, f"Vendor{n}", "industry") for n in range(3)]
    assert status_of(*vendors) == [CONFIRMED] * 3


def test_a_setting_can_ask_approval_of_another_type(edition_id: int) -> None:
    set_rule(edition_id, "association", quota=None, needs_approval=True)
    assert register(edition_id, "Aimé", "association").status == PENDING
    assert register(edition_id, "Rosa").status == CONFIRMED


def test_a_registration_awaiting_approval_holds_no_seat(edition_id: int) -> None:
    set_capacity(edition_id, 2)
    first = register(edition_id, "Alice")
    vendor = register(edition_id, "Vendor", "industry")
    last_seat = register(edition_id, "Bruno")
    too_late = register(edition_id, "Chloe")
    assert status_of(first, vendor, last_seat, too_late) == [
        CONFIRMED,
        PENDING,
        CONFIRMED,
        WAITLISTED,
    ]
    assert mails("pending_approval") == [("vendor@example.org", "pending_approval")]
    assert "will look at your registration" in mail_body("vendor@example.org", "pending_approval")


def test_approval_confirms_a_registration_that_fits(edition_id: int) -> None:
    set_capacity(edition_id, 20)
    vendor = register(edition_id, "Vendor", "industry")
    assert capacity.decide(vendor.id, approve=True).status == CONFIRMED
    assert stored(vendor.id).status == CONFIRMED
    assert mails("approved") == [("vendor@example.org", "approved")]
    assert "it is confirmed" in mail_body("vendor@example.org", "approved")


def test_approval_waitlists_a_registration_that_no_longer_fits(edition_id: int) -> None:
    set_capacity(edition_id, 1)
    vendor = register(edition_id, "Vendor", "industry")
    register(edition_id, "Alice")
    assert capacity.decide(vendor.id, approve=True).status == WAITLISTED
    assert stored(vendor.id).status == WAITLISTED
    assert mails("approved") == [("vendor@example.org", "approved")]
    assert "you are on the waiting list" in mail_body("vendor@example.org", "approved")


def test_approval_waitlists_a_registration_whose_workshop_is_now_full(edition_id: int) -> None:
    atelier = workshop(edition_id, "Atelier", "10:00", "11:00", seats=1)
    set_rule(edition_id, "industry", quota=None, needs_approval=True)
    vendor = register(edition_id, "Vendor", "industry", [atelier])
    register(edition_id, "Alice", workshops=[atelier])
    assert capacity.decide(vendor.id, approve=True).status == WAITLISTED
    assert seats_taken(edition_id) == {"Atelier": 1}


def test_declining_cancels_the_registration_and_tells_the_person(edition_id: int) -> None:
    vendor = register(edition_id, "Vendor", "industry")
    assert capacity.decide(vendor.id, approve=False).status == CANCELLED
    assert stored(vendor.id).status == CANCELLED
    assert mails() == [
        ("vendor@example.org", "pending_approval"),
        ("vendor@example.org", "declined"),
    ]
    assert "could not accept your registration" in mail_body("vendor@example.org", "declined")


@pytest.mark.parametrize("first", [True, False], ids=["approved", "declined"])
@pytest.mark.parametrize("second", [True, False], ids=["then-approve", "then-decline"])
def test_a_registration_is_decided_only_once(edition_id: int, first: bool, second: bool) -> None:
    vendor = register(edition_id, "Vendor", "industry")
    decided = capacity.decide(vendor.id, approve=first).status
    violation = only_refusal(lambda: capacity.decide(vendor.id, approve=second))
    assert violation.message == "This registration is not awaiting approval."
    assert stored(vendor.id).status == decided


def test_a_registration_that_never_awaited_approval_cannot_be_decided(edition_id: int) -> None:
    alice = register(edition_id, "Alice")
    refusal(lambda: capacity.decide(alice.id, approve=False))
    assert stored(alice.id).status == CONFIRMED


# Cancelling and the waitlist


def test_a_cancelled_seat_goes_to_the_first_on_the_waitlist(edition_id: int) -> None:
    set_capacity(edition_id, 2)
    alice, bruno, chloe, driss = (
        register(edition_id, name) for name in ("Alice", "Bruno", "Chloe", "Driss")
    )
    promoted = capacity.cancel(alice.id)
    assert [p.id for p in promoted] == [chloe.id]
    assert status_of(alice, bruno, chloe, driss) == [CANCELLED, CONFIRMED, CONFIRMED, WAITLISTED]
    assert mails("cancelled") == [("alice@example.org", "cancelled")]
    assert mails("promoted") == [("chloe@example.org", "promoted")]
    assert "a seat has freed up and it is yours" in mail_body("chloe@example.org", "promoted")


def test_promotion_skips_a_waitlisted_person_whose_type_quota_is_full(edition_id: int) -> None:
    set_capacity(edition_id, 3)
    set_rule(edition_id, "clinician", quota=1)
    alice = register(edition_id, "Alice")
    register(edition_id, "Bruno", "clinician")
    register(edition_id, "Chloe")
    second_clinician = register(edition_id, "Clara", "clinician")
    researcher = register(edition_id, "Driss")
    assert status_of(second_clinician, researcher) == [WAITLISTED, WAITLISTED]

    assert [p.id for p in capacity.cancel(alice.id)] == [researcher.id]
    assert status_of(second_clinician, researcher) == [WAITLISTED, CONFIRMED]
    assert mails("promoted") == [("driss@example.org", "promoted")]


def test_promotion_skips_a_waitlisted_person_whose_workshop_is_full(edition_id: int) -> None:
    set_capacity(edition_id, 2)
    atelier = workshop(edition_id, "Atelier", "10:00", "11:00", seats=1)
    register(edition_id, "Alice", workshops=[atelier])
    bruno = register(edition_id, "Bruno")
    wants_atelier = register(edition_id, "Chloe", workshops=[atelier])
    next_in_line = register(edition_id, "Driss")

    assert [p.id for p in capacity.cancel(bruno.id)] == [next_in_line.id]
    assert status_of(wants_atelier, next_in_line) == [WAITLISTED, CONFIRMED]
    assert [w.id for w in stored(wants_atelier.id).workshops] == [atelier]
    assert seats_taken(edition_id) == {"Atelier": 1}


def test_a_freed_workshop_seat_goes_with_the_edition_seat(edition_id: int) -> None:
    set_capacity(edition_id, 1)
    atelier = workshop(edition_id, "Atelier", "10:00", "11:00", seats=1)
    alice = register(edition_id, "Alice", workshops=[atelier])
    chloe = register(edition_id, "Chloe", workshops=[atelier])
    assert [p.id for p in capacity.cancel(alice.id)] == [chloe.id]
    assert stored(chloe.id).status == CONFIRMED
    assert seats_taken(edition_id) == {"Atelier": 1}


def test_cancelling_a_waitlisted_registration_promotes_nobody(edition_id: int) -> None:
    set_capacity(edition_id, 1)
    alice, bruno, chloe = (register(edition_id, name) for name in ("Alice", "Bruno", "Chloe"))
    assert capacity.cancel(bruno.id) == []
    assert status_of(alice, bruno, chloe) == [CONFIRMED, CANCELLED, WAITLISTED]
    assert mails("cancelled") == [("bruno@example.org", "cancelled")]
    assert mails("promoted") == []


def test_cancelling_a_registration_awaiting_approval_promotes_nobody(edition_id: int) -> None:
    set_capacity(edition_id, 1)
    vendor = register(edition_id, "Vendor", "industry")
    register(edition_id, "Alice")
    waiting = register(edition_id, "Bruno")
    assert capacity.cancel(vendor.id) == []
    assert stored(waiting.id).status == WAITLISTED


def test_cancelling_twice_is_harmless(edition_id: int) -> None:
    set_capacity(edition_id, 1)
    alice, bruno, chloe = (register(edition_id, name) for name in ("Alice", "Bruno", "Chloe"))
    capacity.cancel(alice.id)
    before = database_state()
    assert capacity.cancel(alice.id) == []
    assert database_state() == before
    assert status_of(alice, bruno, chloe) == [CANCELLED, CONFIRMED, WAITLISTED]
    assert mails("cancelled") == [("alice@example.org", "cancelled")]


def test_a_waitlisted_wish_for_a_cancelled_workshop_does_not_block_cancelling(
    edition_id: int,
) -> None:
    set_capacity(edition_id, 1)
    atelier = workshop(edition_id, "Atelier", "10:00", "11:00", seats=10)
    alice = register(edition_id, "Alice")
    bruno = register(edition_id, "Bruno", workshops=[atelier])
    rules.cancel_session(edition_id, atelier)
    assert [p.id for p in capacity.cancel(alice.id)] == [bruno.id]
    assert status_of(alice, bruno) == [CANCELLED, CONFIRMED]


# Workshops


def test_overlapping_workshops_are_refused_naming_both(edition_id: int) -> None:
    morning = workshop(edition_id, "Atelier A", "10:00", "11:00")
    overlapping = workshop(edition_id, "Atelier B", "10:30", "11:30")
    violation = only_refusal(
        lambda: register(edition_id, "Alice", workshops=[overlapping, morning])
    )
    assert violation.field == "workshops"
    assert "“Atelier A” and “Atelier B” take place at the same time" in violation.message


def test_workshops_that_touch_can_both_be_chosen(edition_id: int) -> None:
    first = workshop(edition_id, "Atelier A", "10:00", "11:00", seats=5)
    then = workshop(edition_id, "Atelier B", "11:00", "12:00", seats=5)
    alice = register(edition_id, "Alice", workshops=[then, first])
    assert [w.title for w in stored(alice.id).workshops] == ["Atelier A", "Atelier B"]
    assert seats_taken(edition_id) == {"Atelier A": 1, "Atelier B": 1}


def test_a_workshop_chosen_twice_counts_once(edition_id: int) -> None:
    atelier = workshop(edition_id, "Atelier", "10:00", "11:00", seats=5)
    alice = register(edition_id, "Alice", workshops=[atelier, atelier])
    assert [w.id for w in stored(alice.id).workshops] == [atelier]
    assert seats_taken(edition_id) == {"Atelier": 1}


@pytest.mark.parametrize("which", ["unknown", "a-talk", "cancelled", "other-edition"])
def test_a_workshop_that_cannot_be_chosen_is_refused(edition_id: int, which: str) -> None:
    if which == "unknown":
        session_id = 999_999
    elif which == "a-talk":
        session_id = make_session(edition_id, DAY, "10:00", "11:00", "Exposé", kind="talk").id
    elif which == "cancelled":
        session_id = workshop(edition_id, "Atelier annulé", "10:00", "11:00")
        rules.cancel_session(edition_id, session_id)
    else:
        other = make_edition(DAY, slug="other-day").id
        session_id = workshop(other, "Atelier ailleurs", "10:00", "11:00")
    violation = only_refusal(lambda: register(edition_id, "Alice", workshops=[session_id]))
    assert violation == Violation("workshops", "One of the chosen workshops does not exist.")


def test_a_full_workshop_is_refused_to_a_new_confirmed_registration(edition_id: int) -> None:
    atelier = workshop(edition_id, "Atelier", "10:00", "11:00", seats=1)
    other = workshop(edition_id, "Autre atelier", "14:00", "15:00", seats=5)
    register(edition_id, "Alice", workshops=[atelier])
    violation = only_refusal(lambda: register(edition_id, "Bruno", workshops=[other, atelier]))
    assert violation == Violation(
        "workshops", "The workshop “Atelier” is now full: please choose another."
    )
    assert register(edition_id, "Bruno", workshops=[other]).status == CONFIRMED
    assert seats_taken(edition_id) == {"Atelier": 1, "Autre atelier": 1}


def test_a_workshop_without_seats_of_its_own_takes_its_rooms(edition_id: int) -> None:
    room = rules.add_room(edition_id, "Salle 2", capacity=1)
    atelier = make_session(
        edition_id, DAY, "10:00", "11:00", "Atelier", kind="workshop", room_id=room.id
    ).id
    register(edition_id, "Alice", workshops=[atelier])
    refusal(lambda: register(edition_id, "Bruno", workshops=[atelier]))


def test_a_waitlisted_registration_keeps_its_wishes_without_holding_seats(
    edition_id: int,
) -> None:
    set_capacity(edition_id, 1)
    atelier = workshop(edition_id, "Atelier", "10:00", "11:00", seats=1)
    register(edition_id, "Alice")
    waiting = register(edition_id, "Bruno", workshops=[atelier])
    assert waiting.status == WAITLISTED
    assert [w.id for w in stored(waiting.id).workshops] == [atelier]
    assert seats_taken(edition_id) == {"Atelier": 0}

    set_capacity(edition_id, 5)
    assert register(edition_id, "Chloe", workshops=[atelier]).status == CONFIRMED
    assert seats_taken(edition_id) == {"Atelier": 1}


def test_a_waitlisted_registration_may_wish_for_a_full_workshop(edition_id: int) -> None:
    set_capacity(edition_id, 1)
    atelier = workshop(edition_id, "Atelier", "10:00", "11:00", seats=1)
    register(edition_id, "Alice", workshops=[atelier])
    waiting = register(edition_id, "Bruno", workshops=[atelier])
    assert waiting.status == WAITLISTED
    assert seats_taken(edition_id) == {"Atelier": 1}


def test_a_pending_registration_holds_no_workshop_seat(edition_id: int) -> None:
    atelier = workshop(edition_id, "Atelier", "10:00", "11:00", seats=1)
    vendor = register(edition_id, "Vendor", "industry", [atelier])
    assert vendor.status == PENDING
    assert seats_taken(edition_id) == {"Atelier": 0}
    assert register(edition_id, "Alice", workshops=[atelier]).status == CONFIRMED


# Changing a registration


def test_update_changes_the_details_but_not_the_stakeholder_type(edition_id: int) -> None:
    alice = register(edition_id, "Alice", dietary="végétarien")
    # An attendee (no organiser acting) cannot change their own profile.
    with pytest.raises(capacity.RegistrationRefused) as refused:
        capacity.update(alice.id, applicant("Alice", "clinician"))
    assert [v.field for v in refused.value.violations] == ["stakeholder_type"]
    assert stored(alice.id).stakeholder_type == "researcher"
    changed = applicant(
        "Alice",
        "researcher",
        first_name="Alicia",
        last_name="Martin-Lefèvre",
        email="Alicia.Martin@Example.org",
        organisation="AP-HP",
        answers={"institution": "Sorbonne Université", "position": "PhD"},
        dietary="",
        accessibility="fauteuil roulant",
        listed=True,
    )
    capacity.update(alice.id, changed)
    row = stored(alice.id)
    assert (row.first_name, row.last_name, row.organisation) == (
        "Alicia",
        "Martin-Lefèvre",
        "AP-HP",
    )
    # The new address waits for the link mailed to it (tests/test_address_change.py).
    assert (row.email, row.email_key) == ("alice@example.org", "alice@example.org")
    assert row.answers == {"institution": "Sorbonne Université", "position": "PhD"}
    assert (row.dietary, row.accessibility, row.listed) == ("", "fauteuil roulant", True)
    assert row.stakeholder_type == "researcher"
    assert row.status == CONFIRMED


def test_update_swaps_a_workshop_only_for_one_with_a_free_seat(edition_id: int) -> None:
    first = workshop(edition_id, "Atelier A", "10:00", "11:00", seats=1)
    full = workshop(edition_id, "Atelier B", "14:00", "15:00", seats=1)
    free = workshop(edition_id, "Atelier C", "14:00", "15:00", seats=1)
    alice = register(edition_id, "Alice", workshops=[first])
    register(edition_id, "Bruno", workshops=[full])

    violation = only_refusal(
        lambda: capacity.update(alice.id, applicant("Alice", workshops=(full,)))
    )
    assert violation.message == "The workshop “Atelier B” is now full: please choose another."
    assert [w.id for w in stored(alice.id).workshops] == [first]

    capacity.update(alice.id, applicant("Alice", workshops=(free,)))
    assert [w.id for w in stored(alice.id).workshops] == [free]
    assert seats_taken(edition_id) == {"Atelier A": 0, "Atelier B": 1, "Atelier C": 1}
    assert register(edition_id, "Chloe", workshops=[first]).status == CONFIRMED


def test_a_confirmed_attendee_keeps_their_seat_in_a_full_workshop_when_saving(
    edition_id: int,
) -> None:
    atelier = workshop(edition_id, "Atelier", "10:00", "11:00", seats=1)
    alice = register(edition_id, "Alice", workshops=[atelier])
    capacity.update(alice.id, applicant("Alice", workshops=(atelier,), organisation="CNRS"))
    row = stored(alice.id)
    assert row.organisation == "CNRS"
    assert [w.id for w in row.workshops] == [atelier]
    assert seats_taken(edition_id) == {"Atelier": 1}


def test_a_waitlisted_attendee_may_change_wishes_to_a_full_workshop(edition_id: int) -> None:
    set_capacity(edition_id, 1)
    atelier = workshop(edition_id, "Atelier", "10:00", "11:00", seats=1)
    register(edition_id, "Alice", workshops=[atelier])
    waiting = register(edition_id, "Bruno")
    capacity.update(waiting.id, applicant("Bruno", workshops=(atelier,)))
    assert [w.id for w in stored(waiting.id).workshops] == [atelier]
    assert seats_taken(edition_id) == {"Atelier": 1}


def test_update_refuses_overlapping_workshops(edition_id: int) -> None:
    first = workshop(edition_id, "Atelier A", "10:00", "11:00")
    second = workshop(edition_id, "Atelier B", "10:30", "11:30")
    alice = register(edition_id, "Alice", workshops=[first])
    violation = only_refusal(
        lambda: capacity.update(alice.id, applicant("Alice", workshops=(first, second)))
    )
    assert violation.field == "workshops"


def test_an_attendee_s_new_address_waits_for_its_link_even_when_taken(edition_id: int) -> None:
    register(edition_id, "Alice")
    bruno = register(edition_id, "Bruno")
    capacity.update(bruno.id, applicant("Bruno", email="  ALICE@example.org "))
    assert stored(bruno.id).email == "bruno@example.org"
    asked = db.session.scalars(
        select(OutboxMail).where(OutboxMail.kind == "confirm_address")
    ).all()
    assert [(m.registration_id, m.recipient) for m in asked] == [(bruno.id, "ALICE@example.org")]


def test_update_keeps_an_address_that_only_changes_case(edition_id: int) -> None:
    alice = register(edition_id, "Alice")
    capacity.update(alice.id, applicant("Alice", email="ALICE@example.org"))
    assert stored(alice.id).email == "ALICE@example.org"


def test_a_cancelled_registration_cannot_be_changed(edition_id: int) -> None:
    alice = register(edition_id, "Alice")
    capacity.cancel(alice.id)
    violation = only_refusal(
        lambda: capacity.update(alice.id, applicant("Alice", organisation="CNRS"))
    )
    assert violation.message == "This registration is cancelled."
    assert stored(alice.id).organisation == "Inserm"


# The registration window


@pytest.mark.parametrize(
    ("opens", "closes", "message"),
    [
        (dt.timedelta(days=1), None, "Registration is not open yet."),
        (None, dt.timedelta(minutes=-1), "Registration is closed."),
        (dt.timedelta(days=-10), dt.timedelta(seconds=-1), "Registration is closed."),
    ],
    ids=["not-yet-open", "closed", "window-past"],
)
def test_registration_outside_its_window_is_refused(
    edition_id: int, opens: dt.timedelta | None, closes: dt.timedelta | None, message: str
) -> None:
    edition = db.session.get_one(Edition, edition_id)
    now = utcnow()
    edition.registration_opens_at = now + opens if opens is not None else None
    edition.registration_closes_at = now + closes if closes is not None else None
    db.session.commit()
    assert only_refusal(lambda: register(edition_id, "Alice")) == Violation("", message)
    assert mails() == []


def test_the_window_opens_at_its_first_instant_and_closes_at_its_last(edition_id: int) -> None:
    edition = db.session.get_one(Edition, edition_id)
    opens = dt.datetime(2026, 10, 1, 8, 0, tzinfo=dt.UTC)
    closes = dt.datetime(2027, 1, 20, 23, 0, tzinfo=dt.UTC)
    edition.registration_opens_at, edition.registration_closes_at = opens, closes
    db.session.commit()
    just_before = opens - dt.timedelta(microseconds=1)
    refusal(lambda: capacity.register(edition_id, applicant("Early"), now=just_before))
    assert capacity.register(edition_id, applicant("Alice"), now=opens).status == CONFIRMED
    last = closes - dt.timedelta(microseconds=1)
    assert capacity.register(edition_id, applicant("Bruno"), now=last).status == CONFIRMED
    refusal(lambda: capacity.register(edition_id, applicant("Late"), now=closes))


# One registration per address


def test_registering_again_with_the_same_address_mails_the_manage_link(edition_id: int) -> None:
    alice = register(edition_id, "Alice")
    before_registrations, _, outbox = database_state()
    again = applicant("Alicia", "clinician", email="  ALICE@Example.ORG  ", organisation="CNRS")
    with pytest.raises(AlreadyRegistered):
        capacity.register(edition_id, again)
    registrations, _, outbox_after = database_state()
    assert registrations == before_registrations
    assert outbox_after == outbox + 1
    assert mails() == [("alice@example.org", "confirmed"), ("alice@example.org", "manage_link")]
    body = mail_body("alice@example.org", "manage_link")
    assert f"{PUBLIC_URL}/registration/{alice.token}" in body
    assert alice.reference in body
    assert stored(alice.id).organisation == "Inserm"


def test_the_same_address_may_register_for_another_edition(edition_id: int) -> None:
    register(edition_id, "Alice")
    other = make_edition(dt.date(2028, 1, 24), slug="next-year").id
    assert register(other, "Alice").status == CONFIRMED


# References and tokens


def test_references_and_tokens_are_well_formed_and_unique(edition_id: int) -> None:
    set_capacity(edition_id, 0)  # waitlisted: no badge to draw, so the test stays quick
    people = [register(edition_id, f"Person{n}") for n in range(25)]
    references = [p.reference for p in people]
    tokens = [p.token for p in people]
    assert all(REFERENCE.fullmatch(r) for r in references), references
    assert all(len(t) >= 43 and set(t) <= URL_SAFE for t in tokens), tokens
    assert len(set(references)) == len(set(tokens)) == 25
    assert not set(references) & set(tokens)


def test_the_reference_carries_the_editions_year(edition_id: int) -> None:
    later = make_edition(dt.date(2031, 2, 3), slug="2031").id
    assert re.fullmatch(r"RD31-[0-9A-HJKMNP-TV-Z]{5}", register(later, "Alice").reference)
