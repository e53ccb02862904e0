"""Accepted abstracts in the programme: orals as talks, posters on numbered boards in the
poster session, and their authors with numbered affiliations as every page shows them.

How a talk is placed: the session is written by `programme.rules.save_session`,
so the scheduling rules refuse a clash as for any session (room taken, speaker
elsewhere, outside the day). The rules are first asked without writing
(`check_session`), so a refused placing writes nothing, not even the speaker;
the presenting author then becomes the talk's speaker (the edition's speaker
with the same address, else a new one), the rules save the session in their
own transaction, and a second transaction links it to the abstract
(`Abstract.session_id`). That one re-reads the abstract under the edition's
lock: if another organiser placed the same abstract in between, the session
just made is deleted again and the placing refused, so an abstract has one talk.

Board numbers go to the posters the committee has staged as posters (so the
release's mail can tell each author their board), by topic (track name, posters
without a topic last) then abstract number. Numbering keeps the boards already
given (posters may be printed, authors told): new posters get the numbers after
the highest, in the same order, and a poster no longer accepted frees its
board. "Renumber" gives every poster its number afresh, 1 to N. Public pages
show only the posters released as such.

Every change here raises `Call.book_version` (the book of abstracts is made
again) and the programme's version (the public programme, its JSON and its
pages are rendered again).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from eventday import audit, mail
from eventday.abstracts import mails, markup, people
from eventday.abstracts.call import call_of
from eventday.abstracts.decisions import edition_abstracts
from eventday.abstracts.models import Abstract, AbstractStatus, Call, Decision
from eventday.database import write_transaction
from eventday.domain import DomainError, Violation
from eventday.extensions import db
from eventday.i18n import fold, localised
from eventday.programme import rules
from eventday.programme.models import Edition, Session, SessionKind, Speaker, Track
from eventday.urls import session_url

TALK_MINUTES = (5, 120)


class PlacementRefused(DomainError):
    """The abstract cannot be placed (or the poster session chosen) as asked."""


# --- authors and titles as pages show them ---------------------------------------------------


def authors_document(abstract: Abstract) -> dict[str, list]:
    """The authors for /programme.json: names, affiliation numbers, who presents; no address."""
    listed = people.authors_with_affiliations(abstract)
    return {
        "authors": [
            {"name": one.name, "affiliations": list(one.numbers), "presenting": one.presenting}
            for one in listed.authors
        ],
        "affiliations": listed.institutions,
    }


# --- orals as talks --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class TalkSlot:
    """Where and when an organiser puts an accepted oral."""

    starts_at: dt.datetime
    minutes: int
    room_id: int | None
    track_id: int | None


def _abstract_in(edition_id: int, abstract_id: int) -> Abstract:
    abstract = db.session.get(Abstract, abstract_id)
    if abstract is None or abstract.edition_id != edition_id:
        raise LookupError(f"no abstract {abstract_id} in edition {edition_id}")
    return abstract


def _accepted_oral(edition_id: int, abstract_id: int) -> Abstract:
    abstract = _abstract_in(edition_id, abstract_id)
    if (
        abstract.is_withdrawn
        or abstract.released_decision != Decision.ORAL
        or abstract.presenter is None
    ):
        raise PlacementRefused(
            [Violation("", _("Only an abstract released as an oral is placed as a talk."))]
        )
    return abstract


def _speaker_with_address(edition_id: int, email: str) -> Speaker | None:
    return db.session.scalars(
        select(Speaker)
        .where(Speaker.edition_id == edition_id, func.lower(Speaker.email) == email.lower())
        .order_by(Speaker.id)
    ).first()


def place_talk(
    edition_id: int, abstract_id: int, slot: TalkSlot, *, actor: int | None = None
) -> Session:
    """Put an accepted oral in the programme as a talk, or move its talk; raises
    PlacementRefused or ScheduleError (the rules' refusals, by field), LookupError."""
    abstract = _accepted_oral(edition_id, abstract_id)
    low, high = TALK_MINUTES
    if not low <= slot.minutes <= high:
        raise PlacementRefused(
            [
                Violation(
                    "minutes", _("A talk lasts %(low)d to %(high)d minutes.", low=low, high=high)
                )
            ]
        )
    edition = db.session.get_one(Edition, edition_id)
    ends_at = slot.starts_at + dt.timedelta(minutes=slot.minutes)
    placed = db.session.get(Session, abstract.session_id) if abstract.session_id else None
    presenter = abstract.presenter
    known = _speaker_with_address(edition_id, presenter.email.strip())
    if placed is not None:
        speaker_ids = tuple(s.id for s in placed.speakers)
        title, text = placed.title, placed.abstract
    else:
        speaker_ids = (known.id,) if known else ()
        title, text = markup.plain(abstract.title), markup.plain(abstract.body)
    draft = rules.SessionDraft(
        title=title,
        kind=SessionKind.TALK if placed is None else placed.kind,
        starts_at=slot.starts_at,
        ends_at=ends_at,
        room_id=slot.room_id,
        track_id=slot.track_id,
        speaker_ids=speaker_ids,
        abstract=text,
        title_en=placed.title_en if placed else "",
        abstract_en=placed.abstract_en if placed else "",
    )
    violations = rules.check_session(edition, draft, placed)
    if violations:
        raise rules.ScheduleError(violations)
    where_before = (placed.starts_at, placed.room_id) if placed is not None else None
    if placed is None and known is None:
        institutions = presenter.institutions
        speaker = rules.add_speaker(
            edition_id,
            presenter.name,
            affiliation=institutions[0] if institutions else "",
            email=presenter.email.strip(),
            actor=actor,
        )
        draft = dataclasses.replace(draft, speaker_ids=(speaker.id,))
    session = rules.save_session(edition_id, draft, placed.id if placed else None, actor=actor)
    if placed is None:
        _link(edition_id, abstract_id, session, actor)
    if where_before != (draft.starts_at, draft.room_id):
        _tell_presenter(edition_id, abstract_id)
    return session


def _tell_presenter(edition_id: int, abstract_id: int) -> None:
    """The presenting author learns when and where they speak (and again if it moves)."""
    with write_transaction(edition_id):
        abstract = _abstract_in(edition_id, abstract_id)
        mail_id = mails.enqueue(abstract, mails.TALK, talk_url=session_url(abstract.session))
    mail.deliver([mail_id])


def _link(edition_id: int, abstract_id: int, session: Session, actor: int | None) -> None:
    """The talk just made becomes the abstract's, unless another was made for it meanwhile."""
    session_id = session.id
    try:
        with write_transaction(edition_id):
            abstract = _abstract_in(edition_id, abstract_id)
            if abstract.session_id is not None:
                raise PlacementRefused(
                    [Violation("", _("This abstract was placed in the programme meanwhile."))]
                )
            abstract.session_id = session_id
            _changed(edition_id)
            audit.record(
                edition_id, actor, "abstract_talk", None, {"abstract": [abstract.label] * 2}
            )
    except PlacementRefused:
        rules.delete_session(edition_id, session_id)
        raise


def remove_talk(edition_id: int, abstract_id: int, *, actor: int | None = None) -> None:
    """Take an oral's talk out of the programme (deleted through the rules)."""
    abstract = _abstract_in(edition_id, abstract_id)
    if abstract.session_id is None:
        return
    # Removed meanwhile (a second click): the link goes below all the same.
    with contextlib.suppress(LookupError):
        rules.delete_session(edition_id, abstract.session_id, actor=actor)
    with write_transaction(edition_id):
        abstract = _abstract_in(edition_id, abstract_id)
        abstract.session_id = None
        _changed(edition_id)


def cancel_talk(edition_id: int, abstract_id: int, *, actor: int | None = None) -> None:
    """An oral withdrawn, or no longer a talk after a new release: its talk stays in the
    programme, cancelled (struck through, STATUS:CANCELLED in calendars that hold it)."""
    abstract = _abstract_in(edition_id, abstract_id)
    if abstract.session_id is not None:
        with contextlib.suppress(LookupError):  # the organisers deleted it already
            rules.cancel_session(edition_id, abstract.session_id, actor=actor)


def _changed(edition_id: int) -> None:
    """In the caller's transaction: the book of abstracts and the public programme renewed."""
    call = call_of(edition_id)
    if call is not None:
        call.book_version += 1
    rules.raise_version(edition_id)


# --- posters: boards and the poster session ---------------------------------------------------


def topic_order(abstract: Abstract) -> tuple[bool, str, int]:
    """Posters by topic (its name, accents aside; no topic last), then by abstract number."""
    track = abstract.track
    return (track is None, fold(track.name) if track else "", abstract.number)


def number_boards(edition_id: int, *, renumber: bool = False, actor: int | None = None) -> int:
    """Give the staged posters their board numbers (see the module's docstring); how many
    posters have one."""
    with write_transaction(edition_id):
        abstracts = edition_abstracts(edition_id)
        posters = sorted(
            (a for a in abstracts if not a.is_withdrawn and a.decision == Decision.POSTER),
            key=topic_order,
        )
        chosen = {a.id for a in posters}
        kept = {
            a.id: a.board_number for a in posters if a.board_number is not None and not renumber
        }
        # Freed first: the unique (edition, board) must hold after every statement.
        for abstract in abstracts:
            if abstract.board_number is not None and (
                abstract.id not in chosen or abstract.id not in kept
            ):
                abstract.board_number = None
        db.session.flush()
        following = max(kept.values(), default=0) + 1
        for abstract in posters:
            if abstract.id not in kept:
                abstract.board_number = following
                following += 1
        _changed(edition_id)
        audit.record(
            edition_id,
            actor,
            "abstract_boards",
            None,
            {"boards": [None, f"{len(posters)}" + (" (renumbered)" if renumber else "")]},
        )
    return len(posters)


def poster_sessions(edition_id: int) -> list[Session]:
    """The edition's sessions of kind poster, one of which shows the posters."""
    return list(
        db.session.scalars(
            select(Session)
            .where(Session.edition_id == edition_id, Session.kind == SessionKind.POSTER)
            .order_by(Session.starts_at, Session.id)
        )
    )


def choose_poster_session(
    edition_id: int, session_id: int | None, *, actor: int | None = None
) -> Call:
    """Which programme session (of kind poster) shows the posters; None: none."""
    with write_transaction(edition_id):
        call = call_of(edition_id)
        if call is None:
            raise PlacementRefused([Violation("", _("This edition has no call for abstracts."))])
        if session_id is not None:
            session = db.session.get(Session, session_id)
            if (
                session is None
                or session.edition_id != edition_id
                or session.kind != SessionKind.POSTER
            ):
                raise PlacementRefused(
                    [Violation("session_id", _("Choose a poster session of this edition."))]
                )
        before = call.poster_session_id
        call.poster_session_id = session_id
        _changed(edition_id)
        audit.record(edition_id, actor, "poster_session", None, {"session": [before, session_id]})
    return call


# --- what the public sees ----------------------------------------------------------------------


def public_posters(edition_id: int) -> list[Abstract]:
    """The posters released as such (not withdrawn), by board number (none last), then topic."""
    found = db.session.scalars(
        select(Abstract)
        .where(
            Abstract.edition_id == edition_id,
            Abstract.released_decision == Decision.POSTER,
            Abstract.status != AbstractStatus.WITHDRAWN,
        )
        .options(selectinload(Abstract.authors), selectinload(Abstract.track))
    )
    return sorted(
        found, key=lambda a: (a.board_number is None, a.board_number or 0, topic_order(a))
    )


def posters_by_topic(edition_id: int) -> list[tuple[Track | None, list[Abstract]]]:
    """The public posters grouped by topic, topics in name order (no topic last)."""
    groups: dict[int | None, list[Abstract]] = {}
    for abstract in sorted(public_posters(edition_id), key=topic_order):
        groups.setdefault(abstract.track_id, []).append(abstract)
    ordered = sorted(groups.values(), key=lambda group: topic_order(group[0])[:2])
    for group in ordered:
        group.sort(key=lambda a: (a.board_number is None, a.board_number or 0, a.number))
    return [(group[0].track, group) for group in ordered]


def session_posters(session: Session) -> list[Abstract]:
    """The posters a session shows: the public posters if it is the poster session."""
    call = call_of(session.edition_id)
    if call is None or call.released_at is None or call.poster_session_id != session.id:
        return []
    return public_posters(session.edition_id)


def talk_abstracts(edition_id: int) -> dict[int, Abstract]:
    """The accepted orals placed as talks, by their session's id."""
    found = db.session.scalars(
        select(Abstract)
        .where(
            Abstract.edition_id == edition_id,
            Abstract.session_id.is_not(None),
            Abstract.released_decision == Decision.ORAL,
            Abstract.status != AbstractStatus.WITHDRAWN,
        )
        .options(selectinload(Abstract.authors))
    )
    return {abstract.session_id: abstract for abstract in found}


def _topic_name(abstract: Abstract, language: str) -> str | None:
    return localised(abstract.track, "name", language) if abstract.track else None


def add_to_programme_document(edition: Edition, document: dict, language: str) -> None:
    """Into /programme.json: the poster session's posters, and the talks' authors."""
    talks = talk_abstracts(edition.id)
    call = call_of(edition.id)
    poster_session = call.poster_session_id if call and call.released_at else None
    for entry in document["sessions"]:
        if entry["id"] in talks:
            entry.update(authors_document(talks[entry["id"]]))
        if entry["id"] == poster_session:
            entry["posters"] = [
                {
                    "board": abstract.board_number,
                    "title": markup.plain(abstract.title),
                    "topic": localised(abstract.track, "name", language)
                    if abstract.track
                    else None,
                    **authors_document(abstract),
                }
                for abstract in public_posters(edition.id)
            ]
