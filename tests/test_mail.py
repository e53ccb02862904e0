"""Mail to attendees through a real SMTP server: content, language, attachments, the outbox."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import email
import email.policy
import functools
import io
import logging
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import icalendar
import pytest
from aiosmtpd.controller import Controller
from babel.messages.pofile import read_po
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select

from eventday import mail, mail_texts
from eventday.extensions import db
from eventday.mail import MailKind, OutboxMail
from eventday.programme.models import Edition
from eventday.registration import capacity
from eventday.registration.capacity import AlreadyRegistered, Applicant
from eventday.registration.models import Registration
from tests.conftest import PUBLIC_URL, make_app, make_edition, make_session
from tests.server import free_port

DAY = dt.date(2027, 1, 25)
EDITION_NAME = "Journée d'essai"
CATALOGUE = (
    Path(__file__).resolve().parent.parent
    / "eventday"
    / "translations"
    / "fr"
    / "LC_MESSAGES"
    / "messages.po"
)
SUBJECTS = {
    MailKind.CONFIRMED: "Your registration is confirmed",
    MailKind.WAITLISTED: "You are on the waiting list",
    MailKind.PENDING_APPROVAL: "Your registration awaits approval",
    MailKind.PROMOTED: "A seat is yours: your registration is confirmed",
    MailKind.APPROVED: "Your registration has been approved",
    MailKind.DECLINED: "Your registration could not be accepted",
    MailKind.CANCELLED: "Your registration is cancelled",
    MailKind.MANAGE_LINK: "Your registration: the link to your page",
}


@dataclasses.dataclass
class Inbox:
    """An aiosmtpd handler keeping every message it accepts."""

    messages: list[EmailMessage] = dataclasses.field(default_factory=list)
    recipients: list[list[str]] = dataclasses.field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"

    def subjects(self) -> list[tuple[str, str]]:
        return [(m["To"], m["Subject"]) for m in self.messages]


@contextlib.contextmanager
def smtp_server(port: int) -> Iterator[Inbox]:
    """A real SMTP server on 127.0.0.1:port until the block ends."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def inbox(smtp_port: int) -> Iterator[Inbox]:
    with smtp_server(smtp_port) as inbox:
        yield inbox


@pytest.fixture
def mail_app(database_url: str, smtp_port: int) -> Iterator[Flask]:
    """The app sending mail to 127.0.0.1:smtp_port (where a server may or may not listen)."""
    app = make_app(database_url, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_port)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def edition_id(mail_app: Flask) -> Iterator[int]:
    """An edition with a plenary and two workshops; the test runs inside the app context."""
    with mail_app.app_context():
        edition_id = make_edition(DAY).id
        make_session(edition_id, DAY, "09:00", "10:00", "Ouverture", kind="plenary")
        make_session(edition_id, DAY, "10:00", "11:00", "Atelier A", kind="workshop", capacity=9)
        make_session(edition_id, DAY, "10:00", "11:00", "Atelier B", kind="workshop", capacity=9)
        yield edition_id


def applicant(name: str, stakeholder_type: str = "researcher", **changes) -> Applicant:
    typed = Applicant(
        first_name=name,
        last_name="Lefèvre",
        email=f"{name.lower()}@example.org",
        organisation="Inserm",
        stakeholder_type=stakeholder_type,
        answers={"institution": "Université Paris Cité", "position": "postdoc"},
        language="en",
    )
    return dataclasses.replace(typed, **changes)


def register(edition_id: int, name: str, *args, **changes) -> Registration:
    return capacity.register(edition_id, applicant(name, *args, **changes))


def workshop_id(edition_id: int, title: str) -> int:
    edition = db.session.get_one(Edition, edition_id)
    return next(s.id for s in edition.sessions if s.title == title)


def set_capacity(edition_id: int, seats: int | None) -> None:
    db.session.get_one(Edition, edition_id).capacity = seats
    db.session.commit()


def outbox() -> list[OutboxMail]:
    db.session.rollback()
    return list(db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)))


def attachments(message: EmailMessage) -> dict[str, bytes]:
    """The message's attachments by content type."""
    return {part.get_content_type(): part.get_content() for part in message.iter_attachments()}


def body(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def event_titles(calendar: bytes) -> list[str]:
    parsed = icalendar.Calendar.from_ical(calendar)
    return [str(event["SUMMARY"]) for event in parsed.walk("VEVENT")]


@functools.cache
def french_catalogue() -> dict[str, str]:
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle, locale="fr")
    return {m.id: m.string for m in catalogue if isinstance(m.id, str) and m.string}


# What a confirmed attendee receives


def test_a_confirmed_registration_sends_one_mail_in_english_with_badge_and_agenda(
    mail_app: Flask, edition_id: int, inbox: Inbox
) -> None:
    chosen = workshop_id(edition_id, "Atelier A")
    alice = register(edition_id, "Alice", workshop_ids=(chosen,))
    [message] = inbox.messages
    assert inbox.recipients == [["alice@example.org"]]
    assert message["To"] == "alice@example.org"
    assert message["Subject"] == f"Your registration is confirmed · {EDITION_NAME}"
    text = body(message)
    assert text.startswith("Hello Alice,")
    assert "Your registration is confirmed. Your badge and your agenda are attached" in text
    assert f"{PUBLIC_URL}/registration/{alice.token}" in text
    assert f"Reference: {alice.reference}" in text
    assert "Monday 25 January 2027" in text
    assert "- Atelier A (10:00–11:00)" in text

    files = attachments(message)
    assert set(files) == {"application/pdf", "text/calendar"}
    badge = PdfReader(io.BytesIO(files["application/pdf"]))
    assert len(badge.pages) == 1
    assert "Alice" in badge.pages[0].extract_text()
    assert sorted(event_titles(files["text/calendar"])) == ["Atelier A", "Ouverture"]
    [row] = outbox()
    assert (row.kind, row.attempts, row.last_error) == ("confirmed", 1, "")
    assert row.sent_at is not None


def test_a_french_registration_is_mailed_in_french(
    mail_app: Flask, edition_id: int, inbox: Inbox
) -> None:
    chloe = register(edition_id, "Chloé", email="chloe@example.org", language="fr")
    [message] = inbox.messages
    text = body(message)
    assert "lundi 25 janvier 2027" in text
    assert f"{PUBLIC_URL}/registration/{chloe.token}" in text
    assert chloe.reference in text
    french = french_catalogue()

    def in_french(msgid: str, **values: str) -> str:
        """The msgid as a French mail shows it: translated if the catalogue has it."""
        return french.get(msgid, msgid) % values

    subject = in_french(SUBJECTS[MailKind.CONFIRMED])
    assert message["Subject"] == f"{subject} · {EDITION_NAME}"
    assert text.startswith(in_french("Hello %(name)s,", name="Chloé"))
    assert in_french("Reference: %(reference)s", reference=chloe.reference) in text
    assert set(attachments(message)) == {"application/pdf", "text/calendar"}


def test_a_name_with_markup_appears_verbatim_in_the_plain_text_mail(
    mail_app: Flask, edition_id: int, inbox: Inbox
) -> None:
    name = "<script>alert('x')</script> & Co"
    register(edition_id, "Eve", first_name=name, email="eve@example.org")
    [message] = inbox.messages
    assert message.get_body().get_content_type() == "text/plain"
    text = body(message)
    assert f"Hello {name}," in text
    assert "&lt;" not in text and "&amp;" not in text and "&#39;" not in text


# Every kind of mail


def test_each_change_of_status_sends_its_own_mail(
    mail_app: Flask, edition_id: int, inbox: Inbox
) -> None:
    set_capacity(edition_id, 1)
    alice = register(edition_id, "Alice")
    bruno = register(edition_id, "Bruno")
    vendor = register(edition_id, "Vendor", "industry")
    victor = register(edition_id, "Victor", "industry")
    capacity.decide(vendor.id, approve=True)
    capacity.decide(victor.id, approve=False)
    with pytest.raises(AlreadyRegistered):
        register(edition_id, "Alice", email="ALICE@example.org")
    capacity.cancel(alice.id)

    expected = [
        ("alice@example.org", MailKind.CONFIRMED),
        ("bruno@example.org", MailKind.WAITLISTED),
        ("vendor@example.org", MailKind.PENDING_APPROVAL),
        ("victor@example.org", MailKind.PENDING_APPROVAL),
        ("vendor@example.org", MailKind.APPROVED),
        ("victor@example.org", MailKind.DECLINED),
        ("alice@example.org", MailKind.MANAGE_LINK),
        ("alice@example.org", MailKind.CANCELLED),
        ("bruno@example.org", MailKind.PROMOTED),
    ]
    assert inbox.subjects() == [(to, f"{SUBJECTS[kind]} · {EDITION_NAME}") for to, kind in expected]
    assert [(row.recipient, row.kind) for row in outbox()] == expected
    assert all(row.sent_at is not None and row.attempts == 1 for row in outbox())

    by_kind = dict(zip((kind for _, kind in expected), inbox.messages, strict=True))
    # Only a mail that tells of a seat carries the badge and agenda.
    assert set(attachments(by_kind[MailKind.PROMOTED])) == {"application/pdf", "text/calendar"}
    for kind in set(by_kind) - {MailKind.CONFIRMED, MailKind.PROMOTED}:
        assert attachments(by_kind[kind]) == {}, kind
    assert "you are on the waiting list" in body(by_kind[MailKind.APPROVED])
    assert f"{PUBLIC_URL}/registration/{bruno.token}" in body(by_kind[MailKind.PROMOTED])
    assert f"{PUBLIC_URL}/registration/{alice.token}" in body(by_kind[MailKind.MANAGE_LINK])


def test_an_approval_that_confirms_carries_the_badge_and_agenda(
    mail_app: Flask, edition_id: int, inbox: Inbox
) -> None:
    vendor = register(edition_id, "Vendor", "industry")
    capacity.decide(vendor.id, approve=True)
    pending, approved = inbox.messages
    assert approved["Subject"] == f"Your registration has been approved · {EDITION_NAME}"
    assert "it is confirmed" in body(approved)
    assert set(attachments(approved)) == {"application/pdf", "text/calendar"}


# When the SMTP server does not answer


def test_a_registration_succeeds_while_the_smtp_server_is_down_and_send_mail_delivers_later(
    mail_app: Flask, edition_id: int, smtp_port: int
) -> None:
    set_capacity(edition_id, 0)
    bruno = register(edition_id, "Bruno")
    assert db.session.get_one(Registration, bruno.id).status == "waitlisted"
    [row] = outbox()
    assert (row.kind, row.sent_at, row.attempts) == ("waitlisted", None, 1)
    assert "Connection" in row.last_error

    runner = mail_app.test_cli_runner()
    still_down = runner.invoke(args=["send-mail"])
    assert still_down.exit_code == 1
    assert "0 mail(s) sent, 1 still waiting." in still_down.output
    assert [(r.sent_at, r.attempts) for r in outbox()] == [(None, 2)]

    with smtp_server(smtp_port) as inbox:
        first = runner.invoke(args=["send-mail"])
        second = runner.invoke(args=["send-mail"])
    assert first.exit_code == 0, first.output
    assert "1 mail(s) sent, 0 still waiting." in first.output
    assert [m["Subject"] for m in inbox.messages] == [
        f"You are on the waiting list · {EDITION_NAME}"
    ]
    assert f"/registration/{bruno.token}" in body(inbox.messages[0])
    [row] = outbox()
    assert row.sent_at is not None
    assert (row.attempts, row.last_error) == (3, "")
    assert second.exit_code == 0
    assert "0 mail(s) sent, 0 still waiting." in second.output


def test_send_mail_delivers_a_confirmation_with_its_badge_and_agenda(
    mail_app: Flask, edition_id: int, smtp_port: int
) -> None:
    alice = register(edition_id, "Alice")
    assert db.session.get_one(Registration, alice.id).status == "confirmed"
    with smtp_server(smtp_port) as inbox:
        result = mail_app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    [message] = inbox.messages
    assert f"{PUBLIC_URL}/registration/{alice.token}" in body(message)
    files = attachments(message)
    assert len(PdfReader(io.BytesIO(files["application/pdf"])).pages) == 1
    assert event_titles(files["text/calendar"]) == ["Ouverture"]
    calendar = icalendar.Calendar.from_ical(files["text/calendar"])
    [event] = calendar.walk("VEVENT")
    assert str(event["URL"]).startswith(f"{PUBLIC_URL}/programme/")
    assert outbox()[0].sent_at is not None


def test_a_mail_says_which_language_it_is_in(
    mail_app: Flask, edition_id: int, inbox: Inbox
) -> None:
    set_capacity(edition_id, 1)
    register(edition_id, "Alice", language="en")
    register(edition_id, "Chloe", language="fr")
    languages = [
        m["Content-Language"] or m.get_body(("plain",))["Content-Language"] for m in inbox.messages
    ]
    assert languages == ["en", "fr"]


def test_without_a_mail_server_mails_are_logged_and_count_as_sent(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=app.logger.name)
    with app.app_context():
        edition_id = make_edition(DAY).id
        token = register(edition_id, "Alice").token
        [row] = outbox()
        assert row.sent_at is not None
        assert (row.attempts, row.last_error) == (1, "")
    [record] = [r for r in caplog.records if "alice@example.org" in r.getMessage()]
    logged = record.getMessage()
    assert f"Your registration is confirmed · {EDITION_NAME}" in logged
    assert f"{PUBLIC_URL}/registration/{token}" in logged


# Delivering each mail once


def test_delivering_the_same_mails_twice_sends_each_once(
    mail_app: Flask, edition_id: int, inbox: Inbox
) -> None:
    alice = register(edition_id, "Alice", stakeholder_type="association")
    ids = queued_reminders(alice.id, 3)
    assert mail.deliver(ids) == mail.DeliveryReport(sent=3, failed=0)
    assert mail.deliver(ids) == mail.DeliveryReport(sent=0, failed=0)
    assert [m["Subject"] for m in inbox.messages[1:]] == [
        f"Your registration: the link to your page · {EDITION_NAME}"
    ] * 3


def test_two_deliveries_at_once_send_each_mail_once(
    mail_app: Flask, edition_id: int, inbox: Inbox
) -> None:
    alice = register(edition_id, "Alice")
    ids = queued_reminders(alice.id, 8)
    start = threading.Barrier(2)
    reports: list[mail.DeliveryReport] = []

    def deliver() -> None:
        with mail_app.app_context():
            start.wait()
            reports.append(mail.deliver(ids))

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.sent for r in reports) == 8
    assert sum(r.failed for r in reports) == 0
    assert len(inbox.messages) == 1 + 8
    assert all(row.sent_at is not None and row.attempts == 1 for row in outbox())


def queued_reminders(registration_id: int, count: int) -> list[int]:
    """`count` manage-link mails written to the outbox and not delivered yet."""
    registration = db.session.get_one(Registration, registration_id)
    ids = [mail.enqueue(registration, MailKind.MANAGE_LINK) for _ in range(count)]
    db.session.commit()
    return ids


class RefusingInbox(Inbox):
    """An SMTP server that refuses one recipient (550) and takes every other mail."""

    refused = "bruno@example.org"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address == self.refused:
            return "550 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_refused_recipient_does_not_hold_up_the_other_mails(
    mail_app: Flask, edition_id: int, smtp_port: int
) -> None:
    mail_app.config["MAIL_SERVER"] = "127.0.0.1"
    inbox = RefusingInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    # While the server is away, three registrations wait in the outbox, Bruno's first.
    mail_app.config["MAIL_PORT"] = free_port()
    for name in ("Bruno", "Alice", "Chloé"):
        register(edition_id, name, email=f"{name.lower()}@example.org".replace("é", "e"))
    mail_app.config["MAIL_PORT"] = smtp_port
    controller.start()
    try:
        report = mail.deliver()
    finally:
        controller.stop()
    assert report == mail.DeliveryReport(sent=2, failed=1)
    assert sorted(r[0] for r in inbox.recipients) == ["alice@example.org", "chloe@example.org"]
    refused = [m for m in outbox() if m.sent_at is None]
    assert [m.recipient for m in refused] == ["bruno@example.org"]
    assert "SMTPRecipientsRefused" in refused[0].last_error


def test_a_line_separator_in_a_name_keeps_the_subject_on_one_line(
    mail_app: Flask, edition_id: int, inbox: Inbox
) -> None:
    with mail_app.test_request_context():
        mail_texts.save(edition_id, "confirmed", {"en": ("Welcome {first_name}", "")}, actor=None)
    # The form refuses such a name (test_registration_form's hostile values); one written
    # before, or by a script, must not stop its mail.
    register(edition_id, "Zoé\u2028X", email="zoe@example.org")
    assert [m["Subject"] for m in inbox.messages] == ["Welcome Zoé X"]
