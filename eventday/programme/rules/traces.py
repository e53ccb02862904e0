"""What every programme write leaves behind: a higher programme version, and the history entry."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from eventday.admin import audit
from eventday.extensions import db
from eventday.programme.models import Edition

# Abstracts and biographies are written in the history cut to this many characters.
TEXT_IN_HISTORY = 80


def touch_programme(edition_id: int) -> None:
    """Raise the programme's version (in the caller's transaction): caches and calendars refresh."""
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
