"""Creating editions and choosing the current one."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select, update

from eventday.extensions import db
from eventday.programme.models import Edition


class EditionExists(Exception):
    pass


@dataclasses.dataclass(frozen=True)
class EditionDraft:
    name: str
    slug: str
    start_date: dt.date
    end_date: dt.date
    timezone: str = "Europe/Paris"
    venue_name: str = ""
    venue_address: str = ""
    description: str = ""
    registration_opens_at: dt.datetime | None = None
    registration_closes_at: dt.datetime | None = None
    capacity: int | None = None


def create_edition(draft: EditionDraft, make_current: bool = True) -> Edition:
    """Create an edition (refusing a slug already used); it becomes the current one."""
    try:
        ZoneInfo(draft.timezone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {draft.timezone!r}") from error
    if draft.end_date < draft.start_date:
        raise ValueError("the edition must end on or after its first day")
    session = db.session()
    if session.in_transaction():
        session.rollback()
    with session.begin():
        if session.scalar(select(Edition.id).where(Edition.slug == draft.slug)):
            raise EditionExists(draft.slug)
        if make_current:
            session.execute(update(Edition).values(is_current=False))
        edition = Edition(**dataclasses.asdict(draft), is_current=make_current)
        session.add(edition)
    return edition
