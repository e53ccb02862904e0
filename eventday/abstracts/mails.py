"""Mails about an abstract, through the outbox (eventday.mail): written in the caller's
transaction, delivered once it commits.

They go to the presenting author, in the language the abstract was submitted in.
Organisers may word the decision mails themselves, as the registration mails
(eventday.mail_texts, kinds below); the facts (the title, the link to the
submitter's page) are always added.
"""

from __future__ import annotations

import types

from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from eventday import mail_texts
from eventday.abstracts import markup
from eventday.abstracts.models import Abstract, Author, Review
from eventday.extensions import db
from eventday.i18n import local_date, localised
from eventday.mail import OutboxMail, finished
from eventday.programme.models import Edition
from eventday.urls import absolute_url

RECEIVED = "abstract_received"
POSTER = "abstract_poster"
ORAL = "abstract_oral"
REJECTED = "abstract_rejected"
REGISTER = "abstract_register"
TALK = "abstract_talk"

SUBJECTS = {
    RECEIVED: _l("Your abstract has been received"),
    POSTER: _l("Your abstract is accepted as a poster"),
    ORAL: _l("Your abstract is accepted as a short talk"),
    REJECTED: _l("The committee's decision on your abstract"),
    REGISTER: _l("You present at the day: remember to register"),
    TALK: _l("Your talk in the programme"),
}
# The decision mails, worded by the organisers if they wish (eventday.mail_texts).
OWN_WORDING = (POSTER, ORAL, REJECTED)


def compose(
    abstract: Abstract, kind: str, to: Author | None = None, **context: object
) -> tuple[str, str, str]:
    """The mail's recipient (the presenting author unless `to`), subject and body, in the
    abstract's language. Decision mails carry the reviewers' comments for the authors."""
    edition = abstract.edition
    presenter = to or abstract.presenter or abstract.authors[0]
    if kind in OWN_WORDING and "comments" not in context:
        context["comments"] = comments_for_authors(abstract.id)
    own = mail_texts.own_text(edition.id, kind, abstract.language) if kind in OWN_WORDING else None
    with force_locale(abstract.language):
        values = placeholder_values(abstract, presenter)
        subject = f"{SUBJECTS[kind]} · {localised(edition, 'name', abstract.language)}"
        if own is not None and own.subject:
            subject = mail_texts.fill(own.subject, values)
        body = render_template(
            f"mail/{kind}.txt",
            abstract=abstract,
            author=presenter,
            edition=edition,
            page_url=absolute_url("abstracts.page", token=abstract.token),
            register_url=absolute_url("registration.register"),
            own_message=mail_texts.fill(own.body, values) if own is not None else "",
            **context,
        )
    return presenter.email, *finished(subject, body)


def enqueue(abstract: Abstract, kind: str, to: Author | None = None, **context: object) -> int:
    """Write the mail into the outbox, in the caller's transaction; its id."""
    recipient, subject, body = compose(abstract, kind, to, **context)
    mail = OutboxMail(
        registration_id=None,
        kind=kind,
        recipient=recipient,
        language=abstract.language,
        subject=subject,
        body=body,
    )
    db.session.add(mail)
    db.session.flush()
    return mail.id


def comments_for_authors(abstract_id: int) -> list[str]:
    """The reviewers' comments for the authors, unsigned, in the order written."""
    rows = db.session.scalars(
        select(Review.comment_authors)
        .where(Review.abstract_id == abstract_id, Review.comment_authors != "")
        .order_by(Review.id)
    )
    return list(rows)


def placeholder_values(abstract: Abstract, author: Author) -> dict[str, str]:
    edition = abstract.edition
    return {
        "first_name": author.first_name,
        "last_name": author.last_name,
        "title": markup.plain(abstract.title),
        "reference": abstract.label,
        "edition": localised(edition, "name", abstract.language),
        "date": local_date(edition.start_date),
        "venue": edition.venue_name,
    }


def preview(edition: Edition, kind: str, language: str) -> tuple[str, str]:
    """A decision mail as a sample author would get it now."""
    author = types.SimpleNamespace(first_name="Camille", last_name="Durand", email="")
    sample = types.SimpleNamespace(
        edition=edition,
        language=language,
        token="sample",
        title=str(_l("Type I interferon signature in refractory lupus")),
        label="A-001",
        presenter=author,
        authors=[author],
        board_number=12,
        session=None,
        id=0,
    )
    _recipient, subject, body = compose(sample, kind)  # type: ignore[arg-type]
    return subject, body
