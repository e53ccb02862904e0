"""The committee's decisions: staged, then released to the authors together, each mailed once.

How "mailed once" holds: an abstract's `decision` is what the committee has
staged, `released_decision` what its authors were told. Releasing writes,
in one `write_transaction`, `released_decision = decision` for every abstract
where the two differ, and one mail for each of them; an abstract whose two
agree gets nothing. Releasing again therefore sends only what changed since.
The transaction holds the edition's write lock and the differing abstracts are
read inside it, so two organisers releasing at once run one after the other:
the second finds nothing left to release and sends nothing.

Withdrawn abstracts never get a decision mail (nor a staged decision). A
decision taken back (staged to none after a release) is released without a
mail: the committee tells the authors in its own words if it must.

Presenting authors of accepted abstracts who have not registered for the day
(no registration of the edition with their address, whatever its case, that is
not cancelled) may be reminded to. Who was reminded is read from the history:
each reminder leaves an entry `abstract_reminder` naming the abstract's label,
so each abstract's presenter is reminded once, even by two organisers at once
(the same lock).
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
from collections.abc import Mapping

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from eventday import audit, mail
from eventday.abstracts import book, mails
from eventday.abstracts.call import call_of
from eventday.abstracts.models import Abstract, Call, Decision
from eventday.audit import AuditEntry
from eventday.database import utcnow, write_transaction
from eventday.domain import DomainError, Violation
from eventday.extensions import db
from eventday.programme.rules import raise_version
from eventday.registration.models import Registration, RegistrationStatus

MAIL_OF = {
    Decision.POSTER: mails.POSTER,
    Decision.ORAL: mails.ORAL,
    Decision.REJECTED: mails.REJECTED,
}
REMINDER = "abstract_reminder"


class DecisionRefused(DomainError):
    """The decisions cannot be staged or released as asked; nothing was written."""


def field_name(abstract_id: int) -> str:
    """The name of an abstract's decision field in the organisers' form."""
    return f"decision-{abstract_id}"


def edition_abstracts(edition_id: int) -> list[Abstract]:
    """Every abstract of the edition with its authors and topic, by number."""
    return list(
        db.session.scalars(
            select(Abstract)
            .where(Abstract.edition_id == edition_id)
            .options(selectinload(Abstract.authors), selectinload(Abstract.track))
            .order_by(Abstract.number)
        )
    )


def stage(edition_id: int, chosen: Mapping[int, str | None], actor: int | None = None) -> int:
    """Stage each abstract's decision (None: no decision yet); how many changed.

    Nothing goes to the authors: the history records each change. Refuses, all
    or nothing, an unknown value, an abstract of another edition, or a decision
    for a withdrawn abstract."""
    known = {None, *Decision}
    violations = [
        Violation(field_name(abstract_id), _("Choose one of the decisions offered."))
        for abstract_id, value in chosen.items()
        if value not in known
    ]
    if violations:
        raise DecisionRefused(violations)
    with write_transaction(edition_id):
        found = {
            abstract.id: abstract
            for abstract in db.session.scalars(
                select(Abstract).where(
                    Abstract.edition_id == edition_id, Abstract.id.in_(list(chosen))
                )
            )
        }
        missing = [abstract_id for abstract_id in chosen if abstract_id not in found]
        if missing:
            raise LookupError(missing)
        violations = [
            Violation(field_name(abstract.id), _("A withdrawn abstract gets no decision."))
            for abstract in found.values()
            if abstract.is_withdrawn and chosen[abstract.id] is not None
        ]
        if violations:
            raise DecisionRefused(violations)
        changed = 0
        for abstract_id, value in chosen.items():
            abstract = found[abstract_id]
            if abstract.decision == value:
                continue
            audit.record(
                edition_id,
                actor,
                "abstract_decision",
                None,
                {"abstract": [abstract.label] * 2, "decision": [abstract.decision, value]},
            )
            abstract.decision = value
            changed += 1
    return changed


def _unreleased(edition_id: int) -> list[Abstract]:
    """The abstracts whose staged decision differs from the one released."""
    return list(
        db.session.scalars(
            select(Abstract)
            .where(
                Abstract.edition_id == edition_id,
                Abstract.decision.is_distinct_from(Abstract.released_decision),
            )
            .options(selectinload(Abstract.authors))
            .order_by(Abstract.number)
        )
    )


def _mail_kind(abstract: Abstract) -> str | None:
    """The mail releasing this abstract's staged decision sends (None: none)."""
    if abstract.is_withdrawn or abstract.decision is None:
        return None
    return MAIL_OF[Decision(abstract.decision)]


def pending(edition_id: int) -> dict[str, int]:
    """What releasing now would mail: how many of each mail kind (MAIL_OF's values)."""
    counts = collections.Counter(_mail_kind(a) for a in _unreleased(edition_id))
    return {kind: counts.get(kind, 0) for kind in MAIL_OF.values()}


@dataclasses.dataclass(frozen=True)
class Released:
    """What one release did: the abstracts released and the mails written, by kind."""

    abstracts: int
    mails: dict[str, int]


def release(edition_id: int, actor: int | None = None, now: dt.datetime | None = None) -> Released:
    """Release every staged decision not released yet, one mail each, in one transaction;
    the mails are delivered once it has committed."""
    now = now or utcnow()
    with write_transaction(edition_id):
        call = call_of(edition_id)
        if call is None:
            raise DecisionRefused([Violation("", _("This edition has no call for abstracts."))])
        changed = _unreleased(edition_id)
        outbox: list[int] = []
        sent: collections.Counter[str] = collections.Counter()
        for abstract in changed:
            kind = _mail_kind(abstract)
            abstract.released_decision = abstract.decision
            if kind is not None:
                outbox.append(mails.enqueue(abstract, kind))
                sent[kind] += 1
        if changed:
            _published(call, now)
            audit.record(
                edition_id,
                actor,
                "abstract_release",
                None,
                {"released": [None, ", ".join(a.label for a in changed)]},
            )
    mail.deliver(outbox)
    no_longer_talks = [
        a.id for a in changed if a.session_id is not None and a.released_decision != Decision.ORAL
    ]
    if no_longer_talks:
        from eventday.abstracts import placement  # placement builds on this module

        for abstract_id in no_longer_talks:
            placement.cancel_talk(edition_id, abstract_id, actor=actor)
    if changed:
        book.draw_later(edition_id)
    return Released(len(changed), {kind: sent.get(kind, 0) for kind in MAIL_OF.values()})


def _published(call: Call, now: dt.datetime) -> None:
    """What every change of the public posters and talks leaves, in the caller's transaction:
    the release's time, a new book of abstracts, a fresh public programme."""
    call.released_at = now
    call.book_version += 1
    raise_version(call.edition_id)


def is_released(call: Call | None) -> bool:
    """Whether the decisions have been published (the posters and the book are public)."""
    return call is not None and call.released_at is not None


# --- presenting authors who have not registered ---------------------------------------------


def registered_addresses(edition_id: int) -> set[str]:
    """The addresses (lower case) of the edition's registrations that are not cancelled."""
    return set(
        db.session.scalars(
            select(Registration.email_key).where(
                Registration.edition_id == edition_id,
                Registration.status != RegistrationStatus.CANCELLED,
            )
        )
    )


def is_registered(abstract: Abstract, addresses: set[str]) -> bool:
    presenter = abstract.presenter
    return presenter is not None and presenter.email.strip().lower() in addresses


def reminded_labels(edition_id: int) -> set[str]:
    """The labels of the abstracts whose presenter was reminded to register (the history)."""
    changes = db.session.scalars(
        select(AuditEntry.changes).where(
            AuditEntry.edition_id == edition_id, AuditEntry.action == REMINDER
        )
    )
    return {entry["abstract"][1] for entry in changes if entry.get("abstract")}


def to_remind(edition_id: int) -> list[Abstract]:
    """Accepted abstracts whose presenter has not registered and was not reminded yet."""
    addresses = registered_addresses(edition_id)
    reminded = reminded_labels(edition_id)
    return [
        abstract
        for abstract in edition_abstracts(edition_id)
        if abstract.is_accepted
        and abstract.label not in reminded
        and not is_registered(abstract, addresses)
    ]


def remind_unregistered(edition_id: int, actor: int | None = None) -> int:
    """Mail each unregistered presenting author not reminded yet (once per abstract); how many."""
    with write_transaction(edition_id):
        outbox = []
        for abstract in to_remind(edition_id):
            outbox.append(mails.enqueue(abstract, mails.REGISTER))
            audit.record(edition_id, actor, REMINDER, None, {"abstract": [None, abstract.label]})
    mail.deliver(outbox)
    return len(outbox)


def count_by_decision(abstracts: list[Abstract]) -> dict[str, int]:
    """How many abstracts (not withdrawn) each staged decision has, "" for none."""
    counts = collections.Counter(a.decision or "" for a in abstracts if not a.is_withdrawn)
    return {key: counts.get(key, 0) for key in ("", *Decision)}
