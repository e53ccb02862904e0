"""The organisers' view of registrations: filters, sorting, one registration's record,
badge batches, lists for the day."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from eventday import mail_texts
from eventday.admin import history
from eventday.database import utcnow, write_transaction
from eventday.extensions import db
from eventday.i18n import fold
from eventday.mail import OutboxMail
from eventday.programme.models import Edition
from eventday.registration.forms import TYPE_FIELDS
from eventday.registration.models import (
    Registration,
    RegistrationStatus,
    StakeholderType,
    registration_workshops,
)
from eventday.urls import database_id
from eventday.validation import like_pattern, without_controls

PER_PAGE = 50
SORTS = {
    "newest": (Registration.created_at.desc(), Registration.id.desc()),
    "oldest": (Registration.created_at, Registration.id),
    "name": (Registration.name_key, Registration.id),
    "organisation": (func.lower(Registration.organisation), Registration.name_key),
}
ANSWER_COLUMNS = [name for fields in TYPE_FIELDS.values() for name in fields]


@dataclasses.dataclass(frozen=True)
class RegistrationFilter:
    text: str = ""
    stakeholder_type: str = ""
    status: str = ""
    workshop: int | None = None
    checked_in: str = ""  # "yes", "no" or "" (either)
    printed: str = ""  # badge printed: "yes", "no" or ""
    sort: str = "newest"

    @classmethod
    def from_args(cls, args: MultiDict[str, str]) -> RegistrationFilter:
        def one_of(key: str, allowed: set[str]) -> str:
            value = args.get(key, "")
            return value if value in allowed else ""

        sort = args.get("sort", "newest")
        return cls(
            text=without_controls(args.get("q", "")).strip()[:100],
            stakeholder_type=one_of("type", set(StakeholderType)),
            status=one_of("status", set(RegistrationStatus)),
            workshop=args.get("workshop", type=database_id),
            checked_in=one_of("checked_in", {"yes", "no"}),
            printed=one_of("printed", {"yes", "no"}),
            sort=sort if sort in SORTS else "newest",
        )

    def args(self) -> dict[str, str]:
        """The filter as query arguments (for pagination and export links)."""
        values = {
            "q": self.text,
            "type": self.stakeholder_type,
            "status": self.status,
            "workshop": str(self.workshop) if self.workshop else "",
            "checked_in": self.checked_in,
            "printed": self.printed,
            "sort": self.sort if self.sort != "newest" else "",
        }
        return {k: v for k, v in values.items() if v}

    def query(self, edition_id: int) -> Select:
        query = select(Registration).where(Registration.edition_id == edition_id)
        for word in self.text.lower().split()[:4]:
            pattern = like_pattern(word)
            query = query.where(
                or_(
                    # name_key is folded: "lefevre" finds Lefèvre, "EMILIE" finds Émilie.
                    Registration.name_key.like(like_pattern(fold(word)), escape="\\"),
                    *(
                        func.lower(column).like(pattern, escape="\\")
                        for column in (
                            Registration.email,
                            Registration.organisation,
                            Registration.reference,
                        )
                    ),
                )
            )
        if self.stakeholder_type:
            query = query.where(Registration.stakeholder_type == self.stakeholder_type)
        if self.status:
            query = query.where(Registration.status == self.status)
        if self.workshop:
            query = query.where(
                Registration.id.in_(
                    select(registration_workshops.c.registration_id).where(
                        registration_workshops.c.session_id == self.workshop
                    )
                )
            )
        if self.checked_in == "yes":
            query = query.where(Registration.checked_in_at.is_not(None))
        elif self.checked_in == "no":
            query = query.where(Registration.checked_in_at.is_(None))
        if self.printed == "yes":
            query = query.where(Registration.badge_printed_at.is_not(None))
        elif self.printed == "no":
            query = query.where(Registration.badge_printed_at.is_(None))
        return query.order_by(*SORTS[self.sort])


def page(edition_id: int, chosen: RegistrationFilter, number: int):
    return db.paginate(
        chosen.query(edition_id).options(selectinload(Registration.workshops)),
        page=number,
        per_page=PER_PAGE,
        error_out=False,
    )


@dataclasses.dataclass(frozen=True)
class RegistrationRecord:
    """What the detail page shows of a registration besides its fields."""

    registration: Registration
    mails: list[tuple[str, OutboxMail]]  # (its kind in words, the mail), newest first
    history: list[history.HistoryLine]


def record_of(edition: Edition, registration_id: int) -> RegistrationRecord | None:
    """One registration of `edition` with the mails written to it and its history."""
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.edition_id != edition.id:
        return None
    mails = db.session.scalars(
        select(OutboxMail)
        .where(OutboxMail.registration_id == registration.id)
        .order_by(OutboxMail.id.desc())
    )
    return RegistrationRecord(
        registration,
        [(str(mail_texts.KIND_LABELS.get(m.kind, m.kind)), m) for m in mails],
        history.lines(edition, registration.id),
    )


def badge_batch(
    edition_id: int,
    chosen: RegistrationFilter,
    upto: int | None = None,
    unchanged_since: dt.datetime | None = None,
) -> list[Registration]:
    """Whom a sheet of badges is for: the list's filters (the confirmed when no status is
    chosen), by name.

    With `upto`, only registrations up to that id; with `unchanged_since` too, only those
    not changed (approved, promoted, edited, checked in) since the list was shown. Marking
    that batch as printed after printing marks only people who were on the sheet, whoever
    registered or changed in between (they stay "not yet printed").
    """
    chosen = dataclasses.replace(
        chosen, status=chosen.status or RegistrationStatus.CONFIRMED, sort="name"
    )
    query = chosen.query(edition_id)
    if upto is not None:
        query = query.where(Registration.id <= upto)
    if unchanged_since is not None:
        query = query.where(
            Registration.updated_at <= unchanged_since,
            or_(
                Registration.checked_in_at.is_(None),
                Registration.checked_in_at <= unchanged_since,
            ),
        )
    return list(db.session.scalars(query))


def latest_registration_id(edition_id: int) -> int:
    """The newest registration's id (0 without any): where a batch of badges stops."""
    newest = select(func.max(Registration.id)).where(Registration.edition_id == edition_id)
    return db.session.scalar(newest) or 0


def mark_printed(edition_id: int, registration_ids: list[int]) -> int:
    """Remember that these badges went to the printer (for "not yet printed" next time);
    how many were not marked before."""
    if not registration_ids:
        return 0
    with write_transaction(edition_id):
        marked = db.session.execute(
            update(Registration)
            .where(Registration.id.in_(registration_ids), Registration.badge_printed_at.is_(None))
            .values(badge_printed_at=utcnow())
        )
    return marked.rowcount


def day_list(edition_id: int, everyone: bool) -> list[Registration]:
    """Confirmed attendees by name: everyone (the welcome desk) or those who agreed to be listed."""
    query = select(Registration).where(
        Registration.edition_id == edition_id,
        Registration.status == RegistrationStatus.CONFIRMED,
    )
    if not everyone:
        query = query.where(Registration.listed.is_(True))
    return list(db.session.scalars(query.order_by(Registration.name_key)))
