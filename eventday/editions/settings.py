"""An edition's settings: its days, venue, seats, registration window and mail notes, each
checked against what already depends on them."""

from __future__ import annotations

import dataclasses
import datetime as dt

from flask_babel import gettext as _
from flask_babel import ngettext

from eventday import audit, mail
from eventday.database import write_transaction
from eventday.domain import DomainError, Violation
from eventday.extensions import db
from eventday.programme import rules
from eventday.programme.models import Edition, EditionState
from eventday.registration import capacity
from eventday.registration.seats import confirmed_count
from eventday.registration.type_rules import TypeRule, write_type_rules


@dataclasses.dataclass(frozen=True)
class EditionSettings:
    """What organisers set on the edition's page (dates, venue, seats, window, mail notes)."""

    name: str
    start_date: dt.date
    end_date: dt.date
    venue_name: str
    venue_address: str
    description: str
    capacity: int | None
    registration_opens_at: dt.datetime | None
    registration_closes_at: dt.datetime | None
    mail_note_fr: str
    mail_note_en: str
    # The English beside the French ("": the French is shown in English too).
    name_en: str = ""
    description_en: str = ""


class EditionRefused(DomainError):
    pass


def update_edition(
    edition_id: int,
    settings: EditionSettings,
    chosen_rules: dict[str, TypeRule] | None = None,
    actor: int | None = None,
) -> Edition:
    """Change the edition's settings and its profiles' rules, in one transaction.

    Refused, with the reason next to the field, when the days would leave a session
    outside them, the registration window closes after the day or opens after it closes,
    or the seats fall below the attendees already confirmed. A new first day moves every
    session to it at the same local times (across daylight-saving changes), raising each
    one's SEQUENCE so subscribed calendars follow. Only what changed is in the history.
    """
    with write_transaction(edition_id):
        edition = db.session.get_one(Edition, edition_id)
        days = (settings.start_date - edition.start_date).days
        violations = _refusals(edition, settings, days)
        if violations:
            raise EditionRefused(violations)
        before = _snapshot(edition)
        for name, value in dataclasses.asdict(settings).items():
            setattr(edition, name, value.strip() if isinstance(value, str) else value)
        if days:
            rules.move_sessions(edition, days)
        changes = audit.diff(before, _snapshot(edition))
        if chosen_rules is not None:
            changes.update(write_type_rules(edition_id, chosen_rules))
        if changes:
            audit.record(edition_id, actor, "edition_settings", None, changes)
            rules.raise_version(edition_id)
        # More seats, or a larger share, may be what waitlisted attendees were waiting for.
        outbox = capacity.refill(edition_id, actor)
    mail.deliver(outbox)
    return edition


def _refusals(edition: Edition, settings: EditionSettings, days: int) -> list[Violation]:
    violations = []
    if days and edition.state == EditionState.ARCHIVED:
        violations.append(
            Violation("start_date", _("This edition is archived: its programme no longer changes."))
        )
    if settings.end_date < settings.start_date:
        violations.append(Violation("end_date", _("The last day cannot come before the first.")))
    opens, closes = settings.registration_opens_at, settings.registration_closes_at
    if opens and closes and closes <= opens:
        violations.append(
            Violation("closes_day", _("Registration must close after it opens."))
        )
    day_ends = dt.datetime.combine(
        settings.end_date + dt.timedelta(days=1), dt.time(0), tzinfo=edition.zone
    )
    if closes and closes > day_ends:
        violations.append(
            Violation("closes_day", _("Registration cannot close after the last day."))
        )
    if opens and opens >= day_ends:
        violations.append(Violation("opens_day", _("Registration cannot open after the day.")))
    if settings.capacity is not None:
        confirmed = confirmed_count(edition.id)
        if settings.capacity < confirmed:
            violations.append(
                Violation(
                    "capacity",
                    _(
                        "%(n)d attendees are already confirmed: the seats cannot be fewer.",
                        n=confirmed,
                    ),
                )
            )
    if not violations:
        outside = rules.sessions_outside(
            edition, days, settings.start_date, settings.end_date
        )
        if outside:
            violations.append(
                Violation(
                    "end_date",
                    ngettext(
                        "%(num)d session would fall outside these days: move it first.",
                        "%(num)d sessions would fall outside these days: move them first.",
                        outside,
                    ),
                )
            )
    return violations


def _snapshot(edition: Edition) -> dict[str, object]:
    """What the history compares before and after a save (days and times as ISO text, in
    the edition's zone)."""

    def kept(value: object) -> object:
        if isinstance(value, dt.datetime):
            return edition.local(value).isoformat(timespec="minutes")
        return value.isoformat() if isinstance(value, dt.date) else value

    return {
        field.name: kept(getattr(edition, field.name))
        for field in dataclasses.fields(EditionSettings)
    }
