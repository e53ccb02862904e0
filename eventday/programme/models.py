"""Edition, Room, Track, Speaker and Session: the programme's data."""

from __future__ import annotations

import datetime as dt
import enum
from zoneinfo import ZoneInfo

from flask import abort
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    select,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship, selectinload
from sqlalchemy.sql.elements import ColumnElement

from eventday.database import UTCDateTime, utcnow
from eventday.extensions import db


class SessionKind(enum.StrEnum):
    PLENARY = "plenary"
    TALK = "talk"
    WORKSHOP = "workshop"
    ROUND_TABLE = "round-table"
    POSTER = "poster"
    BREAK = "break"
    MEAL = "meal"


# The kinds everyone attends, with no room to choose: while one runs, nobody is expected
# elsewhere (a workshop is for those who chose it, talks may run in parallel tracks, posters
# are visited at will).
FOR_EVERYONE = frozenset(
    {SessionKind.PLENARY, SessionKind.ROUND_TABLE, SessionKind.BREAK, SessionKind.MEAL}
)


class SessionStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class EditionState(enum.StrEnum):
    """An edition's life: prepared as a draft, published as the current one, then archived."""

    DRAFT = "draft"
    CURRENT = "current"
    ARCHIVED = "archived"


class Edition(db.Model):
    """One year's research day; exactly one edition is the current one (a unique index on
    `state` for the rows where it is 'current' holds that under concurrency too)."""

    __tablename__ = "editions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Each *_en column: the English beside the French, "" where none is given.
    name_en: Mapped[str] = mapped_column(String(200), default="")
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")
    venue_name: Mapped[str] = mapped_column(String(200), default="")
    venue_address: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    # The organisers' own words added to every mail, per language.
    mail_note_fr: Mapped[str] = mapped_column(Text, default="")
    mail_note_en: Mapped[str] = mapped_column(Text, default="")
    registration_opens_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    capacity: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(10), default=EditionState.DRAFT)
    # Raised in the same transaction as every programme change: caches compare it.
    programme_version: Mapped[int] = mapped_column(Integer, default=0)
    # When `eventday anonymise` removed its attendees' personal data (None: not yet).
    anonymised_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    rooms: Mapped[list[Room]] = relationship(
        back_populates="edition", order_by="(Room.position, Room.id)", cascade="all, delete-orphan"
    )
    tracks: Mapped[list[Track]] = relationship(
        back_populates="edition", order_by="Track.name", cascade="all, delete-orphan"
    )
    speakers: Mapped[list[Speaker]] = relationship(
        back_populates="edition", order_by="Speaker.name", cascade="all, delete-orphan"
    )
    sessions: Mapped[list[Session]] = relationship(
        back_populates="edition",
        order_by="(Session.starts_at, Session.id)",
        cascade="all, delete-orphan",
    )

    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="dates_in_order"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        Index(
            "uq_editions_one_current",
            "state",
            unique=True,
            sqlite_where=text("state = 'current'"),
            postgresql_where=text("state = 'current'"),
        ),
    )

    @hybrid_property
    def is_current(self) -> bool:
        return self.state == EditionState.CURRENT

    @is_current.inplace.expression
    @classmethod
    def _is_current_expression(cls) -> ColumnElement[bool]:
        return cls.state == EditionState.CURRENT

    @property
    def is_published(self) -> bool:
        """Current or archived: its programme is public (a draft's is not)."""
        return self.state != EditionState.DRAFT

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def starts_at(self) -> dt.datetime:
        """The first instant of the edition's first day, in its own zone."""
        return dt.datetime.combine(self.start_date, dt.time(0), tzinfo=self.zone)

    @property
    def ends_at(self) -> dt.datetime:
        """The first instant after the edition's last day, in its own zone."""
        day_after = self.end_date + dt.timedelta(days=1)
        return dt.datetime.combine(day_after, dt.time(0), tzinfo=self.zone)

    def local(self, moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(self.zone)

    def registration_state(self, now: dt.datetime | None = None) -> str:
        """'not_yet', 'open' or 'closed' at `now`."""
        now = now or utcnow()
        if self.registration_opens_at and now < self.registration_opens_at:
            return "not_yet"
        if self.registration_closes_at and now >= self.registration_closes_at:
            return "closed"
        return "open"


def current_edition() -> Edition | None:
    return db.session.scalars(select(Edition).where(Edition.is_current)).first()


def published_edition_or_404(slug: str) -> Edition:
    """A current or archived edition by its slug; a draft's slug is not found."""
    edition = db.session.scalars(select(Edition).where(Edition.slug == slug)).first()
    if edition is None or not edition.is_published:
        abort(404)
    return edition


def edition_or_404() -> Edition:
    """The current edition, which every page but the home page works on."""
    edition = current_edition()
    if edition is None:
        abort(404)
    return edition


class Room(db.Model):
    __tablename__ = "rooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120), default="")
    capacity: Mapped[int | None] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)

    edition: Mapped[Edition] = relationship(back_populates="rooms")

    __table_args__ = (
        UniqueConstraint("edition_id", "name", name="uq_rooms_edition_id_name"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
    )


class Track(db.Model):
    __tablename__ = "tracks"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120), default="")
    colour: Mapped[str] = mapped_column(String(7), default="#4a5568")

    edition: Mapped[Edition] = relationship(back_populates="tracks")

    __table_args__ = (UniqueConstraint("edition_id", "name", name="uq_tracks_edition_id_name"),)


session_speakers = Table(
    "session_speakers",
    db.metadata,
    Column("session_id", ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("speaker_id", ForeignKey("speakers.id", ondelete="CASCADE"), primary_key=True),
)


class Speaker(db.Model):
    __tablename__ = "speakers"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    affiliation: Mapped[str] = mapped_column(String(300), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    bio_en: Mapped[str] = mapped_column(Text, default="")
    # For the organisers only: never on a public page, a calendar or the JSON programme.
    email: Mapped[str] = mapped_column(String(254), default="")
    # A PNG drawn again from the upload (editions.images.clean_image), and its digest for URLs.
    photo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    photo_digest: Mapped[str] = mapped_column(String(12), default="")

    edition: Mapped[Edition] = relationship(back_populates="speakers")
    sessions: Mapped[list[Session]] = relationship(
        secondary=session_speakers, back_populates="speakers"
    )

    def bio_in(self, language: str) -> str:
        """The bio in `language` where there is one, the French one otherwise."""
        return (self.bio_en if language == "en" else "") or self.bio


class Session(db.Model):
    """One slot of the programme. Written only through programme.rules."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300), default="")
    kind: Mapped[str] = mapped_column(String(20))
    abstract: Mapped[str] = mapped_column(Text, default="")
    abstract_en: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    room_id: Mapped[int | None] = mapped_column(
        ForeignKey("rooms.id", ondelete="RESTRICT"), index=True
    )
    track_id: Mapped[int | None] = mapped_column(ForeignKey("tracks.id", ondelete="SET NULL"))
    # Seats of a workshop (None: the room's capacity, or no limit).
    capacity: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=SessionStatus.SCHEDULED)
    # iCalendar SEQUENCE: raised when the time, room or title changes, or on cancelling.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    edition: Mapped[Edition] = relationship(back_populates="sessions")
    room: Mapped[Room | None] = relationship()
    track: Mapped[Track | None] = relationship()
    speakers: Mapped[list[Speaker]] = relationship(
        secondary=session_speakers, back_populates="sessions", order_by="Speaker.name"
    )

    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        CheckConstraint(
            "kind IN ('plenary', 'talk', 'workshop', 'round-table', 'poster', 'break', 'meal')",
            name="kind_known",
        ),
        CheckConstraint("status IN ('scheduled', 'cancelled')", name="status_known"),
    )

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    @property
    def is_workshop(self) -> bool:
        return self.kind == SessionKind.WORKSHOP

    @property
    def is_for_everyone(self) -> bool:
        return self.kind in FOR_EVERYONE

    def overlaps(self, other: Session) -> bool:
        """Whether the two share some time (touching, 10:00-10:30 then 10:30-11:00, is not)."""
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at

    @property
    def seats(self) -> int | None:
        """The workshop's seats: its own capacity, else its room's."""
        if self.capacity is not None:
            return self.capacity
        return self.room.capacity if self.room else None


class ProgrammeChange(db.Model):
    """A change attendees should know about: a session moved, renamed or cancelled."""

    __tablename__ = "programme_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # {"starts_at": [before, after], "room": [...], "title": [...], "status": [...]}
    changes: Mapped[dict] = mapped_column(JSON, default=dict)

    session: Mapped[Session] = relationship()

    __table_args__ = (
        Index("ix_programme_changes_edition_id_changed_at", "edition_id", "changed_at"),
    )


def programme_sessions(edition_id: int) -> list[Session]:
    """Every session of the edition with its room, track and speakers, in time order."""
    return list(
        db.session.scalars(
            select(Session)
            .where(Session.edition_id == edition_id)
            .options(
                joinedload(Session.room),
                joinedload(Session.track),
                selectinload(Session.speakers),
            )
            .order_by(Session.starts_at, Session.ends_at, Session.id)
        ).unique()
    )
