"""The book of abstracts: what it holds, in what order, and its cached PDF (`/abstracts.pdf`).

What it holds: the accepted abstracts only (`Abstract.is_accepted`: a released
decision, poster or oral, on an abstract not withdrawn). A decision staged but
not released, a rejection and a withdrawal never show.

The order: first the orals, session by session in the programme's order (start,
then id), then the orals not yet given a session, then the posters (the
poster session's title when the call names one); within each, topic by topic
(the track's name, accents aside; abstracts without a topic last); posters by
board number, orals by their number.

Affiliations are numbered per abstract in the order they first appear along
the authors; an institution written the same way (white space aside) by two
authors gets one number. The book is printed in French, the edition's
language: one PDF serves every reader, so it can be cached.

The cache: one `Book` row per edition, with the `Call.book_version` it was
drawn for. `pdf_for` returns the row while its version is the call's, else
draws the book again and stores it in one `write_transaction`. That
transaction holds the edition's write lock and reads the row again under it,
so two readers drawing at once serialise there: the second finds the first's
row, keeps it if it is as new as its own and replaces it if older; no insert
can collide. The version is read before the abstracts, so a book is never
labelled newer than what it shows.

Whoever changes what the book shows (releasing decisions, withdrawing an
accepted abstract, board numbers, an oral's session, an accepted abstract's
text or authors) calls `outdated(call)`, or raises `Call.book_version` itself,
inside that change's own `write_transaction`; the next reader draws the book
again. Renaming a session, a topic or the edition does not raise it today.
"""

from __future__ import annotations

import dataclasses
import itertools
import threading
from collections.abc import Iterable, Sequence

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from eventday.abstracts import book_layout, people
from eventday.abstracts.models import Abstract, AbstractStatus, Book, Call, Decision
from eventday.database import utcnow, write_transaction
from eventday.extensions import db
from eventday.i18n import fold, local_date, local_time, localised
from eventday.programme.models import Edition, Session

LANGUAGE = "fr"
FILENAME = "livre-des-resumes.pdf"


@dataclasses.dataclass(frozen=True)
class AuthorLine:
    name: str  # as printed: "Marie Curie"
    index_name: str  # as the index sorts and prints it: "Curie, Marie"
    numbers: tuple[int, ...]  # of the abstract's affiliations
    presenting: bool


@dataclasses.dataclass(frozen=True)
class Entry:
    """One abstract as the book prints it."""

    label: str
    board: str  # "Poster 12", or ""
    title: str
    authors: tuple[AuthorLine, ...]
    affiliations: tuple[str, ...]  # affiliation n is affiliations[n - 1]
    keywords: str
    body: str  # the source, with its marks


@dataclasses.dataclass(frozen=True)
class Topic:
    name: str
    entries: tuple[Entry, ...]


@dataclasses.dataclass(frozen=True)
class Part:
    """A session (or the posters): its heading, what it says under it, its topics."""

    title: str
    subtitle: str
    topics: tuple[Topic, ...]


@dataclasses.dataclass(frozen=True)
class Contents:
    """Everything the book prints, already in its language."""

    edition_name: str
    kind: str  # "Livre des résumés"
    dates: str
    venue: tuple[str, ...]
    note: str  # how the presenting author is marked
    contents_title: str
    index_title: str
    keywords_label: str
    parts: tuple[Part, ...]


def outdated(call: Call) -> None:
    """Mark the cached book stale: call inside the transaction that changes what it shows.

    The caller's `write_transaction` holds the edition's lock, so two changes
    never raise the version to the same number.
    """
    call.book_version += 1


def released_call(edition_id: int) -> Call | None:
    """The edition's call once its decisions are released (the book is public), else None."""
    call = db.session.scalars(select(Call).where(Call.edition_id == edition_id)).first()
    return call if call is not None and call.released_at is not None else None


_drawing: dict[int, threading.Lock] = {}
_drawing_guard = threading.Lock()


def _current(edition_id: int) -> tuple[tuple[int, int], Book | None]:
    version = tuple(
        db.session.execute(
            select(Call.book_version, Edition.programme_version)
            .join(Edition, Edition.id == Call.edition_id)
            .where(Call.edition_id == edition_id)
        ).one()
    )
    cached = db.session.get(Book, edition_id, populate_existing=True)
    return version, cached  # type: ignore[return-value]


def pdf_for(edition_id: int) -> bytes:
    """The book of the edition (which has a call): the cached one if still current.

    Current means drawn at the call's `book_version` (decisions, boards, talks) and
    at the edition's `programme_version` (a session renamed or moved, a track renamed).
    Readers of one process who find it outdated together draw it once: the first
    draws, the others wait for it and take it from the database.
    """
    version, cached = _current(edition_id)
    if cached is not None and (cached.version, cached.programme_version) == version:
        return cached.pdf
    with _drawing_guard:
        lock = _drawing.setdefault(edition_id, threading.Lock())
    with lock:
        db.session.rollback()  # a new look: what another drawer stored meanwhile
        version, cached = _current(edition_id)
        if cached is not None and (cached.version, cached.programme_version) == version:
            return cached.pdf
        pdf = build(edition_id)
        with write_transaction(edition_id):
            stored = db.session.get(Book, edition_id, populate_existing=True)
            if stored is None:
                db.session.add(
                    Book(
                        edition_id=edition_id,
                        version=version[0],
                        programme_version=version[1],
                        pdf=pdf,
                    )
                )
            elif (stored.version, stored.programme_version) < version:
                stored.version, stored.programme_version = version
                stored.pdf, stored.generated_at = pdf, utcnow()
    return pdf


def draw_later(edition_id: int) -> threading.Thread | None:
    """Draw the book in a thread of its own, once a release has committed: the organiser
    who released does not wait on it, nor does the first reader. None when switched off
    (BOOK_DRAW_LATER, off in the tests that do not ask for it)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("BOOK_DRAW_LATER", True):
        return None

    def draw() -> None:
        with app.app_context():
            try:
                pdf_for(edition_id)
            except Exception:  # a thread has no one to answer: say it in the log
                app.logger.exception("the book of abstracts could not be drawn")
            finally:
                db.session.remove()

    thread = threading.Thread(target=draw, name="book-of-abstracts", daemon=True)
    thread.start()
    return thread


def build(edition_id: int) -> bytes:
    """The book of abstracts as PDF bytes, drawn now."""
    edition = db.session.get_one(Edition, edition_id)
    call = db.session.scalars(select(Call).where(Call.edition_id == edition_id)).first()
    with force_locale(LANGUAGE):
        return book_layout.draw(contents(edition, call, accepted(edition_id)))


def accepted(edition_id: int) -> list[Abstract]:
    """The edition's accepted abstracts, with their authors, topics and sessions loaded."""
    abstracts = db.session.scalars(
        select(Abstract)
        .where(
            Abstract.edition_id == edition_id,
            Abstract.status != AbstractStatus.WITHDRAWN,
            Abstract.released_decision.in_([Decision.POSTER, Decision.ORAL]),
        )
        .options(
            selectinload(Abstract.authors),
            joinedload(Abstract.track),
            joinedload(Abstract.session),
        )
        .order_by(Abstract.number)
    )
    return [abstract for abstract in abstracts if abstract.is_accepted]


def contents(edition: Edition, call: Call | None, abstracts: Sequence[Abstract]) -> Contents:
    """What the book prints, grouped and in order (call in the book's language)."""
    return Contents(
        edition_name=localised(edition, "name", LANGUAGE),
        kind=_("Book of abstracts"),
        dates=_dates(edition),
        venue=tuple(
            line
            for line in (edition.venue_name, ", ".join(edition.venue_address.split("\n")))
            if line.strip()
        ),
        note=_("The presenting author's name is underlined."),
        contents_title=_("Contents"),
        index_title=_("Index of authors"),
        keywords_label=_("Keywords:"),
        parts=tuple(_parts(edition, call, abstracts)),
    )


def _parts(edition: Edition, call: Call | None, abstracts: Sequence[Abstract]) -> Iterable[Part]:
    orals = [abstract for abstract in abstracts if abstract.released_decision == Decision.ORAL]
    scheduled = sorted(
        {abstract.session for abstract in orals if abstract.session is not None},
        key=lambda session: (session.starts_at, session.id),
    )
    for session in scheduled:
        yield Part(
            localised(session, "title", LANGUAGE),
            _when(edition, session, _("Oral presentations")),
            _topics(abstract for abstract in orals if abstract.session_id == session.id),
        )
    unscheduled = [abstract for abstract in orals if abstract.session is None]
    if unscheduled:
        yield Part(_("Oral presentations"), _("Session to be announced"), _topics(unscheduled))
    posters = [abstract for abstract in abstracts if abstract.released_decision == Decision.POSTER]
    if posters:
        session = call.poster_session if call is not None else None
        yield Part(
            localised(session, "title", LANGUAGE) if session else _("The posters"),
            _when(edition, session, _("The posters")) if session else "",
            _topics(posters),
        )


def _topics(abstracts: Iterable[Abstract]) -> tuple[Topic, ...]:
    def topic_key(abstract: Abstract) -> tuple[bool, str, int]:
        track = abstract.track
        return (track is None, fold(track.name) if track else "", track.id if track else 0)

    def entry_key(abstract: Abstract) -> tuple[bool, int, int]:
        board = abstract.board_number
        return (board is None, board or 0, abstract.number)

    topics = []
    for _key, group in itertools.groupby(sorted(abstracts, key=topic_key), key=topic_key):
        members = sorted(group, key=entry_key)
        track = members[0].track
        name = localised(track, "name", LANGUAGE) if track else _("Other topics")
        topics.append(Topic(name, tuple(_entry(abstract) for abstract in members)))
    return tuple(topics)


def _entry(abstract: Abstract) -> Entry:
    listed = people.authors_with_affiliations(abstract)
    poster = abstract.released_decision == Decision.POSTER and abstract.board_number is not None
    return Entry(
        label=abstract.label,
        board=_("Poster %(number)s", number=abstract.board_number) if poster else "",
        title=abstract.title,
        authors=tuple(
            AuthorLine(
                name=" ".join(author.name.split()),
                index_name=" ".join(f"{author.last_name}, {author.first_name}".split()),
                numbers=one.numbers,
                presenting=author.presenting,
            )
            for author, one in zip(abstract.authors, listed.authors, strict=True)
        ),
        affiliations=tuple(listed.institutions),
        keywords=abstract.keywords.strip(),
        body=abstract.body,
    )


def _dates(edition: Edition) -> str:
    if edition.end_date == edition.start_date:
        return local_date(edition.start_date)
    return _(
        "%(start)s to %(end)s",
        start=local_date(edition.start_date),
        end=local_date(edition.end_date),
    )


def _when(edition: Edition, session: Session, kind: str) -> str:
    """ "Oral presentations · lundi 25 janvier 2027, 10:30–12:00 · Amphi A"."""
    day = local_date(edition.local(session.starts_at).date())
    hours = (
        f"{local_time(session.starts_at, edition.zone)}–{local_time(session.ends_at, edition.zone)}"
    )
    room = localised(session.room, "name", LANGUAGE) if session.room else ""
    return " · ".join(part for part in (kind, f"{day}, {hours}", room) if part)
