"""The call for abstracts and posters: its settings, submissions, reviews, votes.

Written only through the modules beside this one (call, submission, review,
decisions, posters, prize); each change is one `write_transaction`.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventday.database import UTCDateTime, utcnow
from eventday.extensions import db
from eventday.programme.models import Edition, Session, Track


class Presentation(enum.StrEnum):
    """What an author wishes to present."""

    POSTER = "poster"
    ORAL = "oral"
    EITHER = "either"


class Decision(enum.StrEnum):
    """What the committee decides (staged, then released together)."""

    POSTER = "poster"
    ORAL = "oral"
    REJECTED = "rejected"


class Recommendation(enum.StrEnum):
    """What a reviewer recommends."""

    POSTER = "poster"
    ORAL = "oral"
    REJECT = "reject"


class AbstractStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"


class Call(db.Model):
    """One edition's call: its window, its rules, its reviews' settings, its vote."""

    __tablename__ = "abstract_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), unique=True
    )
    opens_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The deadline: submissions and edits are taken until this instant, excluded.
    closes_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    word_limit: Mapped[int] = mapped_column(Integer, default=300)
    poster_upload: Mapped[bool] = mapped_column(Boolean, default=False)
    # The presentations offered, space-separated Presentation values.
    presentations: Mapped[str] = mapped_column(String(40), default="poster oral either")
    text_fr: Mapped[str] = mapped_column(Text, default="")
    text_en: Mapped[str] = mapped_column(Text, default="")
    # Reviewers do not see the authors.
    blind: Mapped[bool] = mapped_column(Boolean, default=False)
    # When the staged decisions were released (None: not yet); later changes are released again.
    released_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Raised with every change the book of abstracts shows: its cache compares it.
    book_version: Mapped[int] = mapped_column(Integer, default=0)
    # The best-poster vote: open while True.
    vote_open: Mapped[bool] = mapped_column(Boolean, default=False)
    # The poster session of the programme (its page lists the posters).
    poster_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("sessions.id", ondelete="SET NULL")
    )

    edition: Mapped[Edition] = relationship()
    poster_session: Mapped[Session | None] = relationship()

    __table_args__ = (CheckConstraint("word_limit > 0", name="word_limit_positive"),)

    @property
    def offered(self) -> list[str]:
        return [value for value in self.presentations.split() if value in set(Presentation)]

    def state(self, now: dt.datetime | None = None) -> str:
        """'not_yet' (no opening, or before it), 'open' or 'closed' at `now`."""
        now = now or utcnow()
        if self.opens_at is None or now < self.opens_at:
            return "not_yet"
        if self.closes_at is not None and now >= self.closes_at:
            return "closed"
        return "open"


class Criterion(db.Model):
    """One score criterion of the reviews, with its weight."""

    __tablename__ = "abstract_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120), default="")
    weight: Mapped[int] = mapped_column(Integer, default=1)
    position: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        CheckConstraint("weight BETWEEN 1 AND 10", name="weight_in_range"),
        UniqueConstraint("edition_id", "name", name="uq_abstract_criteria_edition_id_name"),
    )


class Abstract(db.Model):
    __tablename__ = "abstracts"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), index=True
    )
    # The submitter's private link; 256 bits, the only way to their page.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    # Numbered in the order received, per edition (A-001 for the organisers).
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    # The source as typed: plain text with <i>, <sup>, <sub> (markup.render shows it).
    body: Mapped[str] = mapped_column(Text)
    track_id: Mapped[int | None] = mapped_column(ForeignKey("tracks.id", ondelete="SET NULL"))
    keywords: Mapped[str] = mapped_column(String(300), default="")
    presentation: Mapped[str] = mapped_column(String(10))
    language: Mapped[str] = mapped_column(String(5), default="fr")
    status: Mapped[str] = mapped_column(String(10), default=AbstractStatus.SUBMITTED)
    consent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The committee's decision: staged until released (`released_decision`).
    decision: Mapped[str | None] = mapped_column(String(10))
    released_decision: Mapped[str | None] = mapped_column(String(10))
    # An accepted oral's talk in the programme.
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="SET NULL"))
    board_number: Mapped[int | None] = mapped_column(Integer)
    poster_pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    edition: Mapped[Edition] = relationship()
    track: Mapped[Track | None] = relationship()
    session: Mapped[Session | None] = relationship()
    authors: Mapped[list[Author]] = relationship(
        back_populates="abstract",
        order_by="Author.position",
        cascade="all, delete-orphan",
    )

    __table_args__ = (
        UniqueConstraint("edition_id", "number", name="uq_abstracts_edition_id_number"),
        UniqueConstraint("edition_id", "board_number", name="uq_abstracts_edition_id_board"),
        CheckConstraint("presentation IN ('poster', 'oral', 'either')", name="presentation_known"),
        CheckConstraint("status IN ('submitted', 'withdrawn')", name="status_known"),
        CheckConstraint(
            "decision IS NULL OR decision IN ('poster', 'oral', 'rejected')", name="decision_known"
        ),
    )

    @property
    def label(self) -> str:
        return f"A-{self.number:03d}"

    @property
    def is_withdrawn(self) -> bool:
        return self.status == AbstractStatus.WITHDRAWN

    @property
    def presenter(self) -> Author | None:
        return next((author for author in self.authors if author.presenting), None)

    @property
    def is_accepted(self) -> bool:
        """Accepted, as released to the authors."""
        return not self.is_withdrawn and self.released_decision in (Decision.POSTER, Decision.ORAL)


class Author(db.Model):
    __tablename__ = "abstract_authors"

    id: Mapped[int] = mapped_column(primary_key=True)
    abstract_id: Mapped[int] = mapped_column(
        ForeignKey("abstracts.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    # One institution a line, in order.
    affiliations: Mapped[str] = mapped_column(Text)
    presenting: Mapped[bool] = mapped_column(Boolean, default=False)

    abstract: Mapped[Abstract] = relationship(back_populates="authors")

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def institutions(self) -> list[str]:
        return [line for line in self.affiliations.splitlines() if line.strip()]


class Assignment(db.Model):
    """A reviewer asked to review one abstract."""

    __tablename__ = "review_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    abstract_id: Mapped[int] = mapped_column(
        ForeignKey("abstracts.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    abstract: Mapped[Abstract] = relationship()

    __table_args__ = (UniqueConstraint("abstract_id", "user_id"),)


class DeclaredConflict(db.Model):
    """A reviewer's own word that they should not review an abstract."""

    __tablename__ = "review_conflicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    abstract_id: Mapped[int] = mapped_column(
        ForeignKey("abstracts.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    declared_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("abstract_id", "user_id"),)


class Review(db.Model):
    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    abstract_id: Mapped[int] = mapped_column(
        ForeignKey("abstracts.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    recommendation: Mapped[str] = mapped_column(String(10))
    comment_authors: Mapped[str] = mapped_column(Text, default="")
    comment_committee: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    scores: Mapped[list[Score]] = relationship(cascade="all, delete-orphan")

    __table_args__ = (
        UniqueConstraint("abstract_id", "user_id"),
        CheckConstraint(
            "recommendation IN ('poster', 'oral', 'reject')", name="recommendation_known"
        ),
    )


class Score(db.Model):
    """One criterion's score in one review, 0 to SCORE_MAX."""

    __tablename__ = "review_scores"

    review_id: Mapped[int] = mapped_column(
        ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True
    )
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("abstract_criteria.id", ondelete="CASCADE"), primary_key=True
    )
    value: Mapped[int] = mapped_column(Integer)

    __table_args__ = (CheckConstraint("value BETWEEN 0 AND 5", name="value_in_range"),)


SCORE_MAX = 5


class PosterVote(db.Model):
    """An attendee's vote for the best poster of one topic (the category); changeable."""

    __tablename__ = "poster_votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), index=True
    )
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    # The poster's topic's id, 0 for posters without one: one vote per attendee per category.
    category: Mapped[int] = mapped_column(Integer)
    abstract_id: Mapped[int] = mapped_column(
        ForeignKey("abstracts.id", ondelete="CASCADE"), index=True
    )
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("registration_id", "category"),)


class JuryScore(db.Model):
    """A jury member's score of one poster at the day, 0 to JURY_MAX."""

    __tablename__ = "jury_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    abstract_id: Mapped[int] = mapped_column(
        ForeignKey("abstracts.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    value: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("abstract_id", "user_id"),
        CheckConstraint("value BETWEEN 0 AND 10", name="value_in_range"),
    )


JURY_MAX = 10


class Book(db.Model):
    """The book of abstracts as last generated, for one `Call.book_version`."""

    __tablename__ = "abstract_books"

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer)
    # The edition's programme_version it was drawn at: a session renamed or moved shows too.
    programme_version: Mapped[int] = mapped_column(Integer, default=0)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    generated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
