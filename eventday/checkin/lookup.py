"""The desk's other tools: find a forgotten badge by name, take back a check-in, the count."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from eventday import audit
from eventday.database import write_transaction
from eventday.extensions import db
from eventday.i18n import fold
from eventday.registration.models import Registration, RegistrationStatus
from eventday.registration.tokens import checkin_code
from eventday.validation import like_pattern, without_controls


def search(edition_id: int, text: str, limit: int = 20) -> list[Registration]:
    """Registrations whose name, organisation or reference contains `text` (forgotten badge)."""
    words = [w for w in without_controls(text).strip().lower().split() if w][:4]
    if not words:
        return []
    query = select(Registration).where(Registration.edition_id == edition_id)
    for word in words:
        pattern = like_pattern(word)
        query = query.where(
            or_(
                # name_key is folded: "lefevre" finds Lefèvre, "EMILIE" finds Émilie.
                Registration.name_key.like(like_pattern(fold(word)), escape="\\"),
                func.lower(Registration.organisation).like(pattern, escape="\\"),
                func.lower(Registration.reference).like(pattern, escape="\\"),
            )
        )
    return list(db.session.scalars(query.order_by(Registration.name_key).limit(limit)))


def undo(edition_id: int, registration_id: int, actor: int | None = None) -> None:
    """Take back a check-in made by mistake."""
    with write_transaction(edition_id):
        registration = db.session.get(Registration, registration_id)
        if registration is None or registration.edition_id != edition_id:
            raise LookupError(registration_id)
        if registration.checked_in_at is not None:
            audit.record(
                edition_id,
                actor,
                "undo_checkin",
                registration.id,
                {"checked_in_at": [registration.checked_in_at.isoformat(), None]},
            )
        registration.checked_in_at = None
        registration.checked_in_desk = ""


def code_of(edition_id: int, registration_id: int) -> str | None:
    """The check-in code of a registration found by name (a forgotten badge)."""
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.edition_id != edition_id:
        return None
    return checkin_code(edition_id, registration.reference)


def counts(edition_id: int) -> tuple[int, int]:
    """(checked in, confirmed) for the desk's header, in one query."""
    arrived, confirmed = db.session.execute(
        select(
            func.count().filter(Registration.checked_in_at.is_not(None)),
            func.count().filter(Registration.status == RegistrationStatus.CONFIRMED),
        ).where(Registration.edition_id == edition_id)
    ).one()
    return arrived or 0, confirmed or 0
