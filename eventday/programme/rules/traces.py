"""What every programme write leaves behind: a higher programme version, and the history entry."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update

from eventday import audit
from eventday.domain import DomainError, Violation
from eventday.extensions import db
from eventday.programme.models import Edition, EditionState

# Abstracts and biographies are written in the history cut to this many characters.
TEXT_IN_HISTORY = 80


class ArchivedProgramme(DomainError):
    """An archived edition's programme stays as it was on its day."""


def touch_programme(edition_id: int) -> None:
    """A programme write: refused for an archived edition (its programme is kept as it was,
    with its calendars), else the programme's version raised (in the caller's transaction)."""
    state = db.session.scalar(select(Edition.state).where(Edition.id == edition_id))
    if state == EditionState.ARCHIVED:
        raise ArchivedProgramme(
            [Violation("", _("This edition is archived: its programme no longer changes."))]
        )
    raise_version(edition_id)


def raise_version(edition_id: int) -> None:
    """Raise the programme's version (in the caller's transaction): caches and calendars
    refresh. For what changes the public pages without changing the programme (settings,
    identity, publishing)."""
    db.session.execute(
        update(Edition)
        .where(Edition.id == edition_id)
        .values(programme_version=Edition.programme_version + 1)
    )


def shortened(text: str) -> str:
    """A long text as the history shows it: its beginning."""
    text = " ".join(text.split())
    return text if len(text) <= TEXT_IN_HISTORY else text[: TEXT_IN_HISTORY - 1].rstrip() + "…"


def record_change(
    edition_id: int,
    actor: int | None,
    action: str,
    before: dict[str, Any],
    after: dict[str, Any],
    named_by: str,
) -> None:
    """The facts that differ (before → after; none before: added, none after: deleted), led by
    `named_by`, what the entry is about, even when it stayed the same. Nothing changed: no entry."""
    if after != before:
        named = {named_by: [before.get(named_by), after.get(named_by)]}
        record(edition_id, actor, action, {**named, **audit.diff(before, after)})


def record(edition_id: int, actor: int | None, action: str, changes: dict[str, list[Any]]) -> None:
    """An organiser's change, in the history, in the caller's transaction.

    Programs that write a whole programme at once (the demo, a new edition copied from the
    last one, which the history records once as such) give no actor and leave no entry.
    """
    if actor is not None:
        audit.record(edition_id, actor, action, None, changes)
