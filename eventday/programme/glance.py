"""The day at a glance on the home page: the sessions everyone comes for, with their times."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from eventday.extensions import db
from eventday.programme.models import Edition, Session, SessionKind, SessionStatus

HEADLINE_KINDS = (SessionKind.PLENARY, SessionKind.ROUND_TABLE)


def headlines(edition: Edition, limit: int = 8) -> list[Session]:
    """The edition's plenaries and round tables in time order, not the cancelled ones.

    One small query: the home page must stay quick with a programme of a thousand sessions.
    """
    return list(
        db.session.scalars(
            select(Session)
            .where(
                Session.edition_id == edition.id,
                Session.kind.in_(HEADLINE_KINDS),
                Session.status == SessionStatus.SCHEDULED,
            )
            .options(joinedload(Session.room))
            .order_by(Session.starts_at, Session.id)
            .limit(limit)
        )
    )
