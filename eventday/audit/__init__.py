"""The audit log: who changed which registration, when, and what it was before."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventday.accounts.models import User
from eventday.database import UTCDateTime, utcnow
from eventday.extensions import db
from eventday.registration.models import Registration


class AuditEntry(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL")
    )
    action: Mapped[str] = mapped_column(String(40))
    # {"field": [before, after], …}
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User | None] = relationship()

    __table_args__ = (
        Index("ix_audit_log_registration_id", "registration_id"),
        Index("ix_audit_log_edition_id_created_at", "edition_id", "created_at"),
    )


_INSERT = AuditEntry.__table__.insert()

# Each action as organisers read it in the history (the stored names stay English keys).
ACTION_LABELS = {
    "approve": _l("approved"),
    "decline": _l("declined"),
    "promote": _l("promoted from the waiting list"),
    "cancel": _l("cancelled"),
    "resend": _l("mail sent again"),
    "register_by_hand": _l("registered by an organiser"),
    "edit": _l("details changed"),
    "retype": _l("profile changed"),
    "checkin": _l("checked in"),
    "undo_checkin": _l("check-in undone"),
    "attend_session": _l("came to a session"),
    "type_rules": _l("quotas and approvals changed"),
    "notify_session": _l("workshop's attendees written to"),
    "mail_text": _l("mail wording changed"),
    "copy_edition": _l("edition created from the previous one"),
    "erase": _l("registration erased by the attendee"),
    "anonymise": _l("personal data removed"),
    # The programme editor's changes (eventday/programme/rules/).
    "session_create": _l("session added"),
    "session_edit": _l("session changed"),
    "session_cancel": _l("session cancelled"),
    "session_delete": _l("session deleted"),
    "room_add": _l("room added"),
    "room_edit": _l("room changed"),
    "room_delete": _l("room deleted"),
    "track_add": _l("track added"),
    "track_edit": _l("track changed"),
    "track_delete": _l("track deleted"),
    "speaker_add": _l("speaker added"),
    "speaker_edit": _l("speaker changed"),
    "speaker_delete": _l("speaker deleted"),
    "edition_settings": _l("edition settings changed"),
    "publish": _l("edition published (the former one archived)"),
    "call_opened": _l("call for abstracts opened"),
    "call_closed": _l("call for abstracts closed"),
    "call_settings": _l("call for abstracts changed"),
    "abstract_submitted": _l("abstract submitted"),
    "abstract_changed": _l("abstract changed by its authors"),
    "abstract_withdrawn": _l("abstract withdrawn"),
    "review_assigned": _l("reviewers assigned"),
    "review_unassigned": _l("reviewer removed from an abstract"),
    "conflict_declared": _l("conflict of interest declared"),
    "criteria": _l("review criteria changed"),
    "abstract_decision": _l("decision prepared"),
    "abstract_release": _l("decisions sent to the authors"),
    "abstract_talk": _l("accepted talk placed in the programme"),
    "abstract_boards": _l("poster boards numbered"),
    "poster_session": _l("poster session chosen"),
    "abstract_reminder": _l("presenting author reminded to register"),
    "poster_vote_open": _l("best-poster vote opened"),
    "poster_vote_close": _l("best-poster vote closed"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def record(
    edition_id: int,
    user_id: int | None,
    action: str,
    registration_id: int | None = None,
    changes: dict[str, Any] | None = None,
) -> None:
    """Add an entry in the caller's transaction (so it exists only if the change does)."""
    db.session.execute(
        _INSERT,
        {
            "edition_id": edition_id,
            "user_id": user_id,
            "registration_id": registration_id,
            "action": action,
            "changes": changes or {},
            "created_at": utcnow(),
        },
    )


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        key: [before.get(key), after.get(key)] for key in after if before.get(key) != after.get(key)
    }


def references(found: list[AuditEntry]) -> dict[int, str]:
    """The reference of each registration the entries name, by registration id."""
    ids = {e.registration_id for e in found if e.registration_id}
    if not ids:
        return {}
    rows = db.session.execute(
        select(Registration.id, Registration.reference).where(Registration.id.in_(ids))
    )
    return dict(rows.all())


def entries(
    edition_id: int, registration_id: int | None = None, limit: int = 200
) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.edition_id == edition_id)
    if registration_id is not None:
        query = query.where(AuditEntry.registration_id == registration_id)
    return list(db.session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit)))


def record_many(edition_id: int, user_id: int | None, entries: list[tuple[str, int, dict]]) -> None:
    """`record` for many (action, registration id, changes) at once: one statement."""
    if not entries:
        return
    now = utcnow()
    db.session.execute(
        _INSERT,
        [
            {
                "edition_id": edition_id,
                "user_id": user_id,
                "registration_id": registration_id,
                "action": action,
                "changes": changes,
                "created_at": now,
            }
            for action, registration_id, changes in entries
        ],
    )
