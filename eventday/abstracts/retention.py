"""What of the call is kept once an edition's attendees are anonymised (eventday anonymise).

Kept: what was published — accepted abstracts with their authors' names and
affiliations, as printed in the book. Gone: every author's e-mail address, the
abstracts not accepted or withdrawn (their text was never public), posters'
files, the votes (tied to attendees), the mails to authors and the history's
record of what authors typed. Runs inside the caller's transaction.
"""

from __future__ import annotations

from sqlalchemy import delete, or_, select, update

from eventday.abstracts.models import Abstract, Author, PosterVote
from eventday.audit import AuditEntry
from eventday.extensions import db
from eventday.mail import OutboxMail


def forget(edition_id: int) -> None:
    abstracts = select(Abstract.id).where(Abstract.edition_id == edition_id)
    unpublished = abstracts.where(
        or_(
            Abstract.status == "withdrawn",
            Abstract.released_decision.is_(None),
            Abstract.released_decision == "rejected",
        )
    )
    options = {"synchronize_session": False}
    recipients = select(Author.email).where(Author.abstract_id.in_(abstracts))
    db.session.execute(
        delete(OutboxMail)
        .where(OutboxMail.kind.like("abstract_%"), OutboxMail.recipient.in_(recipients))
        .execution_options(**options)
    )
    db.session.execute(
        delete(Abstract).where(Abstract.id.in_(unpublished)).execution_options(**options)
    )
    db.session.execute(
        update(Author)
        .where(Author.abstract_id.in_(abstracts))
        .values(email="")
        .execution_options(**options)
    )
    db.session.execute(
        update(Abstract)
        .where(Abstract.edition_id == edition_id)
        .values(poster_pdf=None)
        .execution_options(**options)
    )
    db.session.execute(
        delete(PosterVote).where(PosterVote.edition_id == edition_id).execution_options(**options)
    )
    db.session.execute(
        update(AuditEntry)
        .where(AuditEntry.edition_id == edition_id, AuditEntry.action.like("abstract_%"))
        .values(changes={})
        .execution_options(**options)
    )


def votes_of(registration_id: int) -> list[dict[str, object]]:
    """An attendee's best-poster votes, for their data.json."""
    rows = db.session.execute(
        select(Abstract.board_number, Abstract.title, PosterVote.updated_at)
        .join(Abstract, Abstract.id == PosterVote.abstract_id)
        .where(PosterVote.registration_id == registration_id)
        .order_by(PosterVote.id)
    )
    return [
        {"board": board, "title": title, "at": at.isoformat() if at else None}
        for board, title, at in rows
    ]
