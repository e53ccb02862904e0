"""Submitting, changing and withdrawing an abstract: the author's side of the call.

No account: the submission answers with a private link (256 bits, as a
registration's), the only way to the submitter's page. Every rule is checked
inside the same write transaction that writes, against the call as it is then:
an author who presses "send" one second after the deadline is refused, even
if the form was opened before it. A refused submission writes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from flask_babel import gettext as _
from sqlalchemy import func, select

from eventday import audit, mail
from eventday.abstracts import mails, markup
from eventday.abstracts.call import call_of
from eventday.abstracts.models import (
    Abstract,
    AbstractStatus,
    Author,
    Call,
    Presentation,
)
from eventday.database import utcnow, write_transaction
from eventday.domain import DomainError, Violation
from eventday.extensions import db
from eventday.programme.models import Track
from eventday.programme.rules import raise_version
from eventday.registration.tokens import TOKEN_SHAPE, new_token

AUTHORS_MAX = 30
AFFILIATIONS_MAX = 10
POSTER_PDF_MAX = 10 * 1024 * 1024


class SubmissionRefused(DomainError):
    pass


class CallNotOpen(SubmissionRefused):
    """The call is not open (not yet, or past its deadline)."""


@dataclasses.dataclass
class AuthorDraft:
    first_name: str
    last_name: str
    email: str
    affiliations: list[str]
    presenting: bool


@dataclasses.dataclass
class SubmissionDraft:
    title: str
    body: str
    topic: str  # a track's name, "" for none
    keywords: str
    presentation: str
    authors: list[AuthorDraft]
    language: str = "fr"
    poster_pdf: bytes | None = None


@dataclasses.dataclass
class Checked:
    track_id: int | None


def check(call: Call, draft: SubmissionDraft) -> tuple[list[Violation], Checked]:
    """What is wrong with the draft under this call's rules (fields' own checks are the form's)."""
    problems: list[Violation] = []
    words = markup.word_count(draft.body)
    if words > call.word_limit:
        problems.append(
            Violation(
                "abstract",
                _(
                    "At most %(limit)d words: this text has %(n)d.",
                    limit=call.word_limit,
                    n=words,
                ),
            )
        )
    elif words == 0:
        problems.append(Violation("abstract", _("Please write your abstract.")))
    unknown = markup.unknown_tags(draft.body)
    if unknown:
        problems.append(
            Violation(
                "abstract",
                _(
                    "Only the marks <i>, <sup> and <sub> are kept: please remove %(tags)s.",
                    tags=", ".join(f"<{tag}>" for tag in unknown),
                ),
            )
        )
    if draft.presentation not in call.offered:
        problems.append(Violation("presentation", _("Please choose one of the offered kinds.")))
    track_id = None
    tracks = db.session.scalars(select(Track).where(Track.edition_id == call.edition_id)).all()
    if draft.topic:
        track = next((t for t in tracks if t.name == draft.topic), None)
        if track is None:
            problems.append(Violation("topic", _("Please choose one of the topics listed.")))
        else:
            track_id = track.id
    elif tracks:
        problems.append(Violation("topic", _("Please choose a topic.")))
    problems += _check_authors(draft.authors)
    if draft.poster_pdf is not None and not call.poster_upload:
        problems.append(Violation("poster", _("This call takes no poster file.")))
    return problems, Checked(track_id)


def _check_authors(authors: list[AuthorDraft]) -> list[Violation]:
    problems = []
    if not authors:
        problems.append(Violation("authors", _("Please name at least one author.")))
    if len(authors) > AUTHORS_MAX:
        problems.append(Violation("authors", _("At most %(n)d authors.", n=AUTHORS_MAX)))
    presenting = sum(1 for author in authors if author.presenting)
    if authors and presenting != 1:
        problems.append(
            Violation(
                "authors",
                _("Please tick exactly one presenting author (%(n)d ticked).", n=presenting),
            )
        )
    for author in authors:
        if len(author.affiliations) > AFFILIATIONS_MAX:
            problems.append(
                Violation("authors", _("At most %(n)d affiliations an author.", n=AFFILIATIONS_MAX))
            )
            break
    return problems


def _fill(abstract: Abstract, draft: SubmissionDraft, checked: Checked) -> None:
    abstract.title = draft.title.strip()
    abstract.body = "\n".join(draft.body.strip().splitlines())  # a browser sends CR LF
    abstract.track_id = checked.track_id
    abstract.keywords = draft.keywords.strip()
    abstract.presentation = draft.presentation
    abstract.updated_at = utcnow()
    if draft.poster_pdf is not None:
        abstract.poster_pdf = draft.poster_pdf
    abstract.authors = [
        Author(
            position=position,
            first_name=author.first_name.strip(),
            last_name=author.last_name.strip(),
            email=author.email.strip(),
            affiliations="\n".join(line.strip() for line in author.affiliations if line.strip()),
            presenting=author.presenting,
        )
        for position, author in enumerate(draft.authors)
    ]


def _open_call(edition_id: int, now: dt.datetime) -> Call:
    call = call_of(edition_id)
    if call is None or call.state(now) != "open":
        raise CallNotOpen([Violation("", _("The call for abstracts is not open."))])
    return call


def submit(edition_id: int, draft: SubmissionDraft, now: dt.datetime | None = None) -> Abstract:
    """Take a new abstract (refused unless the call is open now) and send its acknowledgement."""
    now = now or utcnow()
    with write_transaction(edition_id):
        call = _open_call(edition_id, now)
        problems, checked = check(call, draft)
        if problems:
            raise SubmissionRefused(problems)
        last = db.session.scalar(
            select(func.max(Abstract.number)).where(Abstract.edition_id == edition_id)
        )
        abstract = Abstract(
            edition_id=edition_id,
            token=new_token(),
            number=(last or 0) + 1,
            language=draft.language,
            status=AbstractStatus.SUBMITTED,
            consent_at=now,
            created_at=now,
        )
        _fill(abstract, draft, checked)
        db.session.add(abstract)
        db.session.flush()
        mail_ids = [mails.enqueue(abstract, mails.RECEIVED)]
        first = abstract.authors[0]
        if first.email.casefold() != abstract.presenter.email.casefold():
            # Who fills the form is most often the first author: they get the link too.
            mail_ids.append(mails.enqueue(abstract, mails.RECEIVED, to=first))
        audit.record(
            edition_id, None, "abstract_submitted", None, {"abstract": [None, abstract.label]}
        )
    mail.deliver(mail_ids)
    return abstract


def can_change(abstract: Abstract, call: Call, now: dt.datetime | None = None) -> bool:
    """Authors change their abstract while the call is open and until its decision is out
    (after it, the book, the posters and the programme show it as decided)."""
    return (
        not abstract.is_withdrawn
        and abstract.released_decision is None
        and call.state(now) == "open"
    )


def by_token(token: str) -> Abstract | None:
    if not TOKEN_SHAPE.fullmatch(token or ""):
        return None
    return db.session.scalars(select(Abstract).where(Abstract.token == token)).first()


def change(token: str, draft: SubmissionDraft, now: dt.datetime | None = None) -> Abstract:
    """The authors' new version, until the deadline (not once withdrawn)."""
    now = now or utcnow()
    abstract = by_token(token)
    if abstract is None:
        raise LookupError("no such abstract")
    edition_id = abstract.edition_id
    with write_transaction(edition_id):
        abstract = by_token(token)
        if abstract is None:
            raise LookupError("no such abstract")
        call = _open_call(edition_id, now)
        if abstract.is_withdrawn:
            raise SubmissionRefused([Violation("", _("This abstract was withdrawn."))])
        if not can_change(abstract, call, now):
            raise SubmissionRefused(
                [Violation("", _("The committee's decision is out: the abstract stays as it is."))]
            )
        problems, checked = check(call, draft)
        if problems:
            raise SubmissionRefused(problems)
        before = _facts(abstract)
        draft.language = abstract.language
        _fill(abstract, draft, checked)
        db.session.flush()
        changes = audit.diff(before, _facts(abstract))
        if changes and abstract.is_accepted:
            call.book_version += 1  # the book and the poster session show it
            raise_version(edition_id)
        if changes:
            audit.record(
                edition_id,
                None,
                "abstract_changed",
                None,
                {"abstract": [None, abstract.label], **changes},
            )
    return abstract


def withdraw(token: str) -> Abstract:
    """The authors take their abstract back; an accepted one leaves the book and the posters."""
    abstract = by_token(token)
    if abstract is None:
        raise LookupError("no such abstract")
    with write_transaction(abstract.edition_id):
        abstract = by_token(token)
        if abstract is None:
            raise LookupError("no such abstract")
        if abstract.is_withdrawn:
            return abstract
        was_accepted = abstract.is_accepted
        abstract.status = AbstractStatus.WITHDRAWN
        abstract.board_number = None
        abstract.updated_at = utcnow()
        if was_accepted:
            # Out of the book, /posters and the programme's poster session at once.
            call = call_of(abstract.edition_id)
            if call is not None:
                call.book_version += 1
            raise_version(abstract.edition_id)
        audit.record(
            abstract.edition_id,
            None,
            "abstract_withdrawn",
            None,
            {"abstract": [None, abstract.label]},
        )
    if abstract.session_id is not None:
        from eventday.abstracts import placement  # placement builds on this module

        placement.cancel_talk(abstract.edition_id, abstract.id)
    return abstract


def _facts(abstract: Abstract) -> dict[str, object]:
    return {
        "title": abstract.title,
        "body": abstract.body,
        "topic": abstract.track_id,
        "keywords": abstract.keywords,
        "presentation": abstract.presentation,
        "authors": "; ".join(
            f"{a.first_name} {a.last_name} <{a.email}> [{' | '.join(a.institutions)}]"
            f"{' *' if a.presenting else ''}"
            for a in abstract.authors
        ),
    }


def is_pdf(data: bytes) -> bool:
    """A file that is a PDF by its content (its header and its end), whatever its name says."""
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]


def presentation_offered(call: Call) -> list[str]:
    return [value for value in Presentation if value in call.offered]


def comments_to_authors(abstract: Abstract, call: Call) -> list[str]:
    """The reviewers' comments for the authors, unsigned, once the decision is released."""
    if call.released_at is None or abstract.released_decision is None:
        return []
    return mails.comments_for_authors(abstract.id)
