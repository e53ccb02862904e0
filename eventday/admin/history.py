"""The history as organisers read it: whose registration, and each change in words."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from eventday.abstracts.labels import FIELD_LABELS as ABSTRACT_FIELDS
from eventday.abstracts.labels import VALUE_LABELS as ABSTRACT_VALUES
from eventday.audit import AuditEntry
from eventday.extensions import db
from eventday.i18n import local_datetime, local_time
from eventday.programme.labels import FACT_LABELS, kind_label
from eventday.programme.models import Edition, Session
from eventday.registration.labels import FIELD_LABELS as REGISTRATION_FIELDS
from eventday.registration.labels import (
    STAKEHOLDER_LABELS,
    answer_label,
    answer_value,
    language_label,
    stakeholder_label,
    status_label,
)
from eventday.registration.models import Registration

EMPTY = "—"

# The stored field names (English keys) as organisers call them.
FIELD_LABELS = {
    **REGISTRATION_FIELDS,
    "desk": _l("Arrival desk"),
    "registrations": _l("Registrations"),
    "session": _l("Session"),
    "from": _l("Copied from"),
    # What the programme editor changes: sessions, rooms, tracks, speakers.
    **FACT_LABELS,
    # The quotas and approvals are recorded by profile.
    **STAKEHOLDER_LABELS,
    # The call for abstracts: its settings, submissions, decisions.
    **ABSTRACT_FIELDS,
}


@dataclasses.dataclass(frozen=True)
class Change:
    """One field of an entry, before and after, in words."""

    field: str
    before: str
    after: str


@dataclasses.dataclass(frozen=True)
class HistoryLine:
    entry: AuditEntry
    person: str | None  # whose registration it is, by name (None: not about one)
    changes: list[Change]


def lines(
    edition: Edition, registration_id: int | None = None, limit: int = 200
) -> list[HistoryLine]:
    """The edition's history (or one registration's), newest first, ready to read."""
    query = select(AuditEntry).where(AuditEntry.edition_id == edition.id)
    if registration_id is not None:
        query = query.where(AuditEntry.registration_id == registration_id)
    found = list(
        db.session.scalars(
            query.options(selectinload(AuditEntry.user)).order_by(AuditEntry.id.desc()).limit(limit)
        )
    )
    people = _people(e.registration_id for e in found)
    titles = _workshop_titles(found)
    return [
        HistoryLine(
            entry,
            people.get(entry.registration_id) if entry.registration_id else None,
            _changes(entry.changes, edition, titles),
        )
        for entry in found
    ]


def _people(ids: Iterable[int | None]) -> dict[int, str]:
    """Each registration's name ("Hélène Lefèvre"); its reference once its name is removed."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    rows = db.session.execute(
        select(
            Registration.id, Registration.first_name, Registration.last_name, Registration.reference
        ).where(Registration.id.in_(wanted))
    )
    return {
        row.id: f"{row.first_name} {row.last_name}".strip() or row.reference for row in rows.all()
    }


def _workshop_titles(found: list[AuditEntry]) -> dict[int, str]:
    ids = {
        workshop
        for entry in found
        for value in entry.changes.get("workshops", [])
        for workshop in value or []
    }
    if not ids:
        return {}
    return dict(
        db.session.execute(select(Session.id, Session.title).where(Session.id.in_(ids))).all()
    )


def _changes(changes: dict[str, Any], edition: Edition, titles: dict[int, str]) -> list[Change]:
    words = []
    for field, (before, after) in changes.items():
        if field == "answers":
            words += _answer_changes(before or {}, after or {})
            continue
        label = FIELD_LABELS.get(field)
        words.append(
            Change(
                str(label) if label is not None else field,
                _value(field, before, edition, titles),
                _value(field, after, edition, titles),
            )
        )
    return words


def _answer_changes(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    """A profile's own questions, one by one: those whose answer changed."""
    return [
        Change(
            answer_label(name),
            answer_value(name, str(before[name])) if before.get(name) else EMPTY,
            answer_value(name, str(after[name])) if after.get(name) else EMPTY,
        )
        for name in dict.fromkeys([*before, *after])
        if (before.get(name) or "") != (after.get(name) or "")
    ]


def _value(field: str, value: Any, edition: Edition, titles: dict[int, str]) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if field == "status":
        return status_label(value)
    if field == "stakeholder_type":
        return stakeholder_label(value)
    if field == "language":
        return language_label(value)
    if field == "workshops":
        return ", ".join(titles.get(w, _("deleted workshop")) for w in value)
    if field in ("checked_in_at", "opens_at", "closes_at"):
        return local_datetime(dt.datetime.fromisoformat(value), edition.zone)
    if field in ABSTRACT_VALUES and isinstance(value, str):
        return str(ABSTRACT_VALUES[field].get(value, value))
    if field == "kind":
        return kind_label(value)
    if field == "time":  # a session's [start, end] (programme/rules)
        start, end = (dt.datetime.fromisoformat(moment) for moment in value)
        return f"{local_datetime(start, edition.zone)}–{local_time(end, edition.zone)}"
    return str(value)
