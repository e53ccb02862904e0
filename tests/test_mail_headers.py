"""No attendee's name or address and no organiser's wording adds a header to a mail on the wire.

Each mail goes through a real SMTP server on loopback (aiosmtpd); what it
received is read back from its bytes. Python 3.11.7's email package writes
the line breaks an encoded word holds onto the wire (CVE-2024-6923): the
encoded-word cases fail there without eventday.mail_headers.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import select

from eventday import mail_headers, mail_texts
from eventday.extensions import db
from eventday.mail import OutboxMail
from eventday.registration import capacity
from eventday.registration.capacity import Applicant
from tests.conftest import make_app, make_edition
from tests.server import free_port

DAY = dt.date(2027, 1, 25)
# Decodes to "\r\nReply-To: a@evil.example\r\nX-Injected: yes".
ENCODED_WORD = "=?utf-8?b?DQpSZXBseS1UbzogYUBldmlsLmV4YW1wbGUNClgtSW5qZWN0ZWQ6IHllcw==?="
HOSTILE_NAMES = {
    "encoded word": ENCODED_WORD,
    "CR LF": "Zoé\r\nBcc: x@evil.example",
    "line separator": "Zoé\u2028Bcc: x@evil.example",
}
OWN_SUBJECTS = {
    "confirmed": "{first_name}, your seat is kept",
    "waitlisted": "{first_name}, you are on the waiting list",
}
# The headers eventday gives a mail, and no other.
TEXT_ONLY = [
    "From",
    "To",
    "Subject",
    "Message-ID",
    "Content-Type",
    "Content-Transfer-Encoding",
    "MIME-Version",
    "Content-Language",
]
WITH_BADGE_AND_AGENDA = [
    "From",
    "To",
    "Subject",
    "Message-ID",
    "MIME-Version",
    "Content-Type",
]


@dataclasses.dataclass
class Wire:
    """An aiosmtpd handler keeping each mail as it came: its recipients and its bytes."""

    recipients: list[list[str]] = dataclasses.field(default_factory=list)
    contents: list[bytes] = dataclasses.field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:
        self.recipients.append(list(envelope.rcpt_tos))
        self.contents.append(envelope.original_content)
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        """The mails as a receiving server reads their bytes."""
        return [BytesParser(policy=policy.SMTP).parsebytes(raw) for raw in self.contents]


@contextlib.contextmanager
def smtp_server(port: int, **options: bool) -> Iterator[Wire]:
    wire = Wire()
    controller = Controller(wire, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield wire
    finally:
        controller.stop()


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def mail_app(database_url: str, smtp_port: int) -> Iterator[Flask]:
    app = make_app(database_url, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_port)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def edition_id(mail_app: Flask) -> Iterator[int]:
    """An edition of one seat whose organisers wrote their own subjects; inside the app context."""
    with mail_app.app_context():
        edition = make_edition(DAY)
        edition.capacity = 1
        db.session.commit()
        with mail_app.test_request_context():
            for kind, subject in OWN_SUBJECTS.items():
                mail_texts.save(edition.id, kind, {"en": (subject, "")}, actor=None)
        yield edition.id


def register(edition_id: int, first_name: str, email: str) -> None:
    capacity.register(
        edition_id,
        Applicant(
            first_name=first_name,
            last_name="Lefèvre",
            email=email,
            organisation="Inserm",
            stakeholder_type="researcher",
            answers={"institution": "Université Paris Cité", "position": "postdoc"},
            language="en",
        ),
    )


def outbox() -> list[OutboxMail]:
    db.session.rollback()
    return list(db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)))


def visible(text: str) -> str:
    """What a reader sees of a text: its printable characters."""
    return "".join(char for char in text if char.isprintable())


@pytest.mark.parametrize("name", HOSTILE_NAMES.values(), ids=HOSTILE_NAMES.keys())
def test_a_first_name_in_the_organisers_subject_adds_no_header(
    mail_app: Flask, edition_id: int, smtp_port: int, name: str
) -> None:
    with smtp_server(smtp_port) as wire:
        register(edition_id, name, "first@example.org")
        register(edition_id, name, "second@example.org")
    assert wire.recipients == [["first@example.org"], ["second@example.org"]]
    confirmed, waitlisted = wire.messages()
    one_line_name = " ".join(name.split())
    for message, kind, headers in [
        (confirmed, "confirmed", WITH_BADGE_AND_AGENDA),
        (waitlisted, "waitlisted", TEXT_ONLY),
    ]:
        for injected in ("Reply-To", "X-Injected", "Bcc"):
            assert injected not in message, kind
        assert sorted(message.keys()) == sorted(headers), kind
        subject = str(message["Subject"])
        assert "\r" not in subject and "\n" not in subject, kind
        assert visible(subject) == OWN_SUBJECTS[kind].format(first_name=one_line_name)
    assert [str(m["To"]) for m in (confirmed, waitlisted)] == [
        "first@example.org",
        "second@example.org",
    ]
    assert all(row.sent_at is not None for row in outbox())


def test_a_mail_whose_bytes_would_carry_other_headers_is_never_sent(
    mail_app: Flask,
    edition_id: int,
    smtp_port: int,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The last line of defence alone: the name reaches the subject as typed, and whatever
    # this interpreter's email package makes of it, the bytes read back are refused.
    monkeypatch.setattr(mail_headers, "header_text", lambda value: value)
    caplog.set_level(logging.ERROR, logger=mail_app.logger.name)
    with smtp_server(smtp_port) as wire:
        register(edition_id, ENCODED_WORD, "first@example.org")
    assert wire.contents == []
    [row] = outbox()
    assert row.sent_at is None
    assert row.last_error != ""
    [record] = caplog.records
    assert record.getMessage() == f"mail {row.id} could not be made"


@pytest.mark.parametrize("address", ["=?utf-8?q?eve?=@example.org", f"{ENCODED_WORD}@example.org"])
def test_an_address_that_a_header_would_read_otherwise_is_not_mailed(
    mail_app: Flask, edition_id: int, smtp_port: int, address: str
) -> None:
    with smtp_server(smtp_port) as wire:
        register(edition_id, "Eve", address)
    assert wire.contents == []
    [row] = outbox()
    assert (row.recipient, row.sent_at) == (address, None)
    assert row.last_error.startswith("UnsafeHeaders: ")


def test_an_address_that_is_not_ascii_is_mailed_through_smtputf8(
    mail_app: Flask, edition_id: int, smtp_port: int
) -> None:
    with smtp_server(smtp_port, enable_SMTPUTF8=True) as wire:
        register(edition_id, "Chloé", "chloé@example.org")
    assert wire.recipients == [["chloé@example.org"]]
    [message] = wire.messages()
    assert sorted(message.keys()) == sorted(WITH_BADGE_AND_AGENDA)
    assert (str(message["To"]), str(message["Subject"])) == (
        "chloé@example.org",
        "Chloé, your seat is kept",
    )
    [row] = outbox()
    assert row.sent_at is not None
