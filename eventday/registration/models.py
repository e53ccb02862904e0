"""Registration and the per-type settings of an edition (quota, approval)."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventday.database import UTCDateTime, utcnow
from eventday.extensions import db
from eventday.i18n import fold
from eventday.programme.models import Edition, Session, Speaker


class StakeholderType(enum.StrEnum):
    RESEARCHER = "researcher"
    CLINICIAN = "clinician"
    ASSOCIATION = "association"
    INDUSTRY = "industry"


class RegistrationStatus(enum.StrEnum):
    PENDING_APPROVAL = "pending_approval"
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class StakeholderSetting(db.Model):
    """How one stakeholder type registers: its seat quota and whether it needs approval."""

    __tablename__ = "stakeholder_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"))
    stakeholder_type: Mapped[str] = mapped_column(String(20))
    # Seats this type may hold at most (None: no quota beyond the edition's capacity).
    quota: Mapped[int | None] = mapped_column(Integer)
    # Or a share of the edition's seats, in per cent, which follows the capacity.
    quota_percent: Mapped[int | None] = mapped_column(Integer)
    needs_approval: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        UniqueConstraint(
            "edition_id", "stakeholder_type", name="uq_stakeholder_settings_edition_id_type"
        ),
        CheckConstraint("quota IS NULL OR quota >= 0", name="quota_not_negative"),
    )


registration_workshops = Table(
    "registration_workshops",
    db.metadata,
    Column("registration_id", ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True),
    Column("session_id", ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_registration_workshops_session_id", "session_id"),
)

# The programme's speaker a registration made by hand is for: their sessions join its agenda.
speaker_registrations = Table(
    "speaker_registrations",
    db.metadata,
    Column("registration_id", ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True),
    Column("speaker_id", ForeignKey("speakers.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_speaker_registrations_speaker_id", "speaker_id"),
)


class Registration(db.Model):
    """One person's registration for one edition. Written only through registration.capacity."""

    __tablename__ = "registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"))
    # The only key in attendee URLs: secrets.token_urlsafe(32).
    token: Mapped[str] = mapped_column(String(64), unique=True)
    # Short and human, for the desk and the phone: "RD27-7KQ3P".
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    # Lower-cased: one registration per address and edition, whatever the case typed.
    email_key: Mapped[str] = mapped_column(String(254))
    # Last then first name, accents and case folded: "Écuyer" sorts with the E's.
    name_key: Mapped[str] = mapped_column(String(250), default="", index=True)
    organisation: Mapped[str] = mapped_column(String(200), default="")
    stakeholder_type: Mapped[str] = mapped_column(String(20))
    # The type's own questions, by field name (institution, rpps, company, …).
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    dietary: Mapped[str] = mapped_column(Text, default="")
    accessibility: Mapped[str] = mapped_column(Text, default="")
    consent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    listed: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str] = mapped_column(String(5), default="fr")
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_in_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    checked_in_desk: Mapped[str] = mapped_column(String(60), default="")
    badge_printed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # attendee, or speaker / staff / guest for a registration an organiser made by hand.
    role: Mapped[str] = mapped_column(String(20), default="attendee")

    edition: Mapped[Edition] = relationship()
    workshops: Mapped[list[Session]] = relationship(
        secondary=registration_workshops, order_by="Session.starts_at"
    )
    speakers: Mapped[list[Speaker]] = relationship(secondary=speaker_registrations)

    __table_args__ = (
        UniqueConstraint("edition_id", "email_key", name="uq_registrations_edition_id_email_key"),
        Index("ix_registrations_edition_id_status", "edition_id", "status"),
        CheckConstraint(
            "status IN ('pending_approval', 'confirmed', 'waitlisted', 'cancelled')",
            name="status_known",
        ),
        CheckConstraint(
            "stakeholder_type IN ('researcher', 'clinician', 'association', 'industry')",
            name="stakeholder_type_known",
        ),
    )

    def refresh_name_key(self) -> None:
        self.name_key = f"{fold(self.last_name)} {fold(self.first_name)}"[:250]

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_confirmed(self) -> bool:
        return self.status == RegistrationStatus.CONFIRMED

    @property
    def is_cancelled(self) -> bool:
        return self.status == RegistrationStatus.CANCELLED
