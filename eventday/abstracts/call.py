"""The call for abstracts of an edition: its window and its rules.

An edition has at most one call (made on first use). Its opening and deadline
are instants, entered and shown in the edition's own zone: "until 15 January"
means submissions are taken until the end of 15 January in Paris, whatever
the server's or the author's zone. The window is read from the database on
every request, so `eventday call close` takes effect on every node at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from flask_babel import gettext as _
from sqlalchemy import select

from eventday import audit
from eventday.abstracts.models import Call, Presentation
from eventday.database import utcnow, write_transaction
from eventday.domain import DomainError, Violation
from eventday.extensions import db
from eventday.programme.models import Edition

WORD_LIMIT_MAX = 2000
TEXT_LIMIT = 5000


class CallRefused(DomainError):
    pass


def call_of(edition_id: int) -> Call | None:
    return db.session.scalars(select(Call).where(Call.edition_id == edition_id)).first()


def _call_for_writing(edition_id: int) -> Call:
    """The edition's call, made if it has none (inside the caller's write_transaction)."""
    call = call_of(edition_id)
    if call is None:
        call = Call(edition_id=edition_id)
        db.session.add(call)
        db.session.flush()
    return call


def end_of_day(edition: Edition, day: dt.date) -> dt.datetime:
    """The first instant after `day` in the edition's zone."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=edition.zone)


def open_call(
    edition_id: int, until: dt.date, actor: int | None = None, now: dt.datetime | None = None
) -> Call:
    """Open the call now, until the end of `until` in the edition's zone."""
    now = now or utcnow()
    with write_transaction(edition_id):
        edition = db.session.get(Edition, edition_id)
        if edition is None:
            raise LookupError(edition_id)
        closes = end_of_day(edition, until)
        if closes <= now:
            raise CallRefused([Violation("until", _("The deadline is already past."))])
        call = _call_for_writing(edition_id)
        before = _window(call)
        call.opens_at = min(call.opens_at, now) if call.state(now) == "open" else now
        call.closes_at = closes
        audit.record(edition_id, actor, "call_opened", None, audit.diff(before, _window(call)))
    return call


def close_call(edition_id: int, actor: int | None = None, now: dt.datetime | None = None) -> Call:
    """Close the call now (an unopened call stays unopened)."""
    now = now or utcnow()
    with write_transaction(edition_id):
        call = _call_for_writing(edition_id)
        before = _window(call)
        if call.state(now) == "open":
            call.closes_at = now
        audit.record(edition_id, actor, "call_closed", None, audit.diff(before, _window(call)))
    return call


def _window(call: Call) -> dict[str, str]:
    return {
        "opens_at": call.opens_at.isoformat() if call.opens_at else "",
        "closes_at": call.closes_at.isoformat() if call.closes_at else "",
    }


@dataclasses.dataclass
class CallSettings:
    opens_at: dt.datetime | None
    closes_at: dt.datetime | None
    word_limit: int
    poster_upload: bool
    presentations: list[str]
    text_fr: str
    text_en: str
    blind: bool


DEFAULT_SETTINGS = CallSettings(
    opens_at=None,
    closes_at=None,
    word_limit=300,
    poster_upload=False,
    presentations=list(Presentation),
    text_fr="",
    text_en="",
    blind=False,
)


def settings_of(call: Call | None) -> CallSettings:
    if call is None:
        return dataclasses.replace(DEFAULT_SETTINGS)
    return CallSettings(
        opens_at=call.opens_at,
        closes_at=call.closes_at,
        word_limit=call.word_limit,
        poster_upload=bool(call.poster_upload),
        presentations=call.offered,
        text_fr=call.text_fr or "",
        text_en=call.text_en or "",
        blind=bool(call.blind),
    )


def _check(settings: CallSettings) -> list[Violation]:
    problems = []
    if settings.opens_at and settings.closes_at and settings.closes_at <= settings.opens_at:
        problems.append(Violation("closes_at", _("The deadline comes after the opening.")))
    if settings.closes_at and not settings.opens_at:
        problems.append(Violation("opens_at", _("Give the opening as well as the deadline.")))
    if not 1 <= settings.word_limit <= WORD_LIMIT_MAX:
        problems.append(Violation("word_limit", _("Between 1 and %(n)d words.", n=WORD_LIMIT_MAX)))
    offered = [value for value in settings.presentations if value in set(Presentation)]
    if not offered:
        problems.append(Violation("presentations", _("Offer at least one kind of presentation.")))
    for name in ("text_fr", "text_en"):
        if len(getattr(settings, name)) > TEXT_LIMIT:
            problems.append(Violation(name, _("At most %(n)d characters.", n=TEXT_LIMIT)))
    return problems


def save_settings(edition_id: int, settings: CallSettings, actor: int | None) -> Call:
    """The organisers' settings of the call, checked, in one transaction with its history."""
    problems = _check(settings)
    if problems:
        raise CallRefused(problems)
    with write_transaction(edition_id):
        call = _call_for_writing(edition_id)
        before = _facts(call)
        call.opens_at = settings.opens_at
        call.closes_at = settings.closes_at
        call.word_limit = settings.word_limit
        call.poster_upload = settings.poster_upload
        call.presentations = " ".join(v for v in Presentation if v in settings.presentations)
        call.text_fr = settings.text_fr.strip()
        call.text_en = settings.text_en.strip()
        call.blind = settings.blind
        changes = audit.diff(before, _facts(call))
        if changes:
            audit.record(edition_id, actor, "call_settings", None, changes)
    return call


def _facts(call: Call) -> dict[str, object]:
    return {
        **_window(call),
        "word_limit": call.word_limit,
        "poster_upload": bool(call.poster_upload),
        "presentations": call.presentations,
        "text_fr": call.text_fr or "",
        "text_en": call.text_en or "",
        "blind": bool(call.blind),
    }
