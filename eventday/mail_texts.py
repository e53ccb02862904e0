"""The organisers' own wording of each mail, per edition and language.

A mail is made of a greeting, its message, the facts that go with it (the
workshops chosen, the link to the attendee's page, the reference, the
signature). Organisers may replace the subject and the message of each kind
of mail, in French and in English; what they leave empty keeps the standard
wording, and the facts are always added, so a mail never loses its link.

Their text may name a few values in braces, e.g. "{first_name}"; only those
in PLACEHOLDERS are known, and a text naming another one is refused when it
is saved, so a typo never reaches an attendee as "{frist_name}".
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from eventday import audit
from eventday.database import write_transaction
from eventday.domain import DomainError, Violation
from eventday.extensions import db

LANGUAGES = ("fr", "en")
SUBJECT_LIMIT = 200
BODY_LIMIT = 5000
PLACEHOLDER = re.compile(r"\{(\w*)\}")

PLACEHOLDERS = {
    "first_name": _l("the attendee's first name"),
    "last_name": _l("the attendee's last name"),
    "reference": _l("the registration's reference"),
    "edition": _l("the edition's name"),
    "date": _l("the day's date"),
    "venue": _l("the venue"),
    "status": _l("the registration's status (confirmed, on the waiting list…)"),
}
# Each kind of mail, as organisers know it (the keys are mail.MailKind's values).
KIND_LABELS = {
    "confirmed": _l("Registration confirmed"),
    "waitlisted": _l("Registration on the waiting list"),
    "pending_approval": _l("Registration awaiting approval"),
    "approved": _l("Registration approved"),
    "declined": _l("Registration declined"),
    "promoted": _l("A seat freed up: confirmed from the waiting list"),
    "cancelled": _l("Registration cancelled"),
    "manage_link": _l("Already registered: the link to their page again"),
    "session_changed": _l("A chosen session moved or was cancelled"),
    "confirm_address": _l("A new address to confirm (sent to that address)"),
    "abstract_poster": _l("Abstract accepted as a poster"),
    "abstract_oral": _l("Abstract accepted as a short talk"),
    "abstract_rejected": _l("Abstract not accepted"),
}
# The mails to an abstract's presenting author (eventday.abstracts.mails) know these.
ABSTRACT_PLACEHOLDERS = {
    "first_name": _l("the presenting author's first name"),
    "last_name": _l("the presenting author's last name"),
    "title": _l("the abstract's title"),
    "reference": _l("the abstract's number"),
    "edition": _l("the edition's name"),
    "date": _l("the day's date"),
    "venue": _l("the venue"),
}
# Only the mail about a changed session knows which session it is.
SESSION_PLACEHOLDERS = {
    "session": _l("the session's title"),
    "when": _l("the session's new day, time and room"),
}


class MailText(db.Model):
    __tablename__ = "mail_texts"
    __table_args__ = (UniqueConstraint("edition_id", "kind", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    language: Mapped[str] = mapped_column(String(5))
    subject: Mapped[str] = mapped_column(String(SUBJECT_LIMIT), default="")
    body: Mapped[str] = mapped_column(Text, default="")


class MailTextRefused(DomainError):
    pass


def known_placeholders(kind: str) -> dict[str, object]:
    if kind.startswith("abstract_"):
        return dict(ABSTRACT_PLACEHOLDERS)
    return {**PLACEHOLDERS, **(SESSION_PLACEHOLDERS if kind == "session_changed" else {})}


def own_text(edition_id: int, kind: str, language: str) -> MailText | None:
    """The organisers' wording of one mail, if they wrote one."""
    return db.session.scalars(
        select(MailText).where(
            MailText.edition_id == edition_id,
            MailText.kind == kind,
            MailText.language == language,
        )
    ).first()


def texts(edition_id: int, kind: str) -> dict[str, MailText]:
    """The organisers' wording of one kind of mail, by language."""
    rows = db.session.scalars(
        select(MailText).where(MailText.edition_id == edition_id, MailText.kind == kind)
    )
    return {row.language: row for row in rows}


def fill(text: str, values: Mapping[str, str]) -> str:
    """The text with each known {placeholder} replaced by its value; anything else as typed."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def _check(field: str, text: str, limit: int, known: Mapping[str, object]) -> list[Violation]:
    problems = []
    if len(text) > limit:
        problems.append(Violation(field, _("At most %(n)d characters.", n=limit)))
    unknown = sorted({name for name in PLACEHOLDER.findall(text) if name not in known})
    if unknown:
        problems.append(
            Violation(
                field,
                _(
                    "Unknown value %(names)s: use %(known)s.",
                    names=", ".join(f"{{{name}}}" for name in unknown),
                    known=", ".join(f"{{{name}}}" for name in known),
                ),
            )
        )
    return problems


def save(
    edition_id: int,
    kind: str,
    wording: Mapping[str, tuple[str, str]],
    actor: int | None,
) -> None:
    """Keep the organisers' subject and message of `kind` per language; empty = standard."""
    known = known_placeholders(kind)
    problems = []
    for language, (subject, body) in wording.items():
        if language not in LANGUAGES:
            raise ValueError(language)
        problems += _check(f"subject_{language}", subject, SUBJECT_LIMIT, known)
        problems += _check(f"body_{language}", body, BODY_LIMIT, known)
    if problems:
        raise MailTextRefused(problems)
    with write_transaction(edition_id):
        rows = texts(edition_id, kind)
        changes: dict[str, list[str]] = {}
        for language, (subject, body) in wording.items():
            row = rows.get(language)
            before = (row.subject, row.body) if row else ("", "")
            if before == (subject, body):
                continue
            changes[f"{kind} {language}"] = [" / ".join(before), f"{subject} / {body}"]
            if not subject and not body:
                if row is not None:
                    db.session.delete(row)
                continue
            row = row or MailText(edition_id=edition_id, kind=kind, language=language)
            row.subject, row.body = subject, body
            db.session.add(row)
        if changes:
            audit.record(edition_id, actor, "mail_text", None, changes)


def copy_texts(source_id: int, target_id: int) -> None:
    """A new edition starts with last year's wording."""
    with write_transaction(target_id):
        for row in db.session.scalars(select(MailText).where(MailText.edition_id == source_id)):
            db.session.add(
                MailText(
                    edition_id=target_id,
                    kind=row.kind,
                    language=row.language,
                    subject=row.subject,
                    body=row.body,
                )
            )
