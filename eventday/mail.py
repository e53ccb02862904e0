"""Mail to attendees, through an outbox: a mail is never lost, and never holds up a registration.

Each mail is written to the `outbox` table in the same transaction as the
change it tells about (rendered then, in the attendee's language), and
delivered once that transaction has committed: by the change itself, or, with
MAIL_WORKER, by `eventday send-mail --watch` (mail_worker.py). A delivery that fails (no
answer from the SMTP server, a refusal) leaves the mail in the outbox with its
error; `eventday send-mail` tries again. With no SMTP server configured, mails
are written to the log instead and count as delivered. Attachments (badge,
agenda) are made at delivery, so they show the registration as it is then.
Each delivery first claims its mail with one conditional UPDATE, so two
processes never send the same mail.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import enum
import logging
import re
import smtplib
import types
from collections.abc import Iterable
from email.message import EmailMessage

from flask import Flask, current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Integer, String, Text, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from eventday import mail_headers, mail_texts
from eventday.database import UTCDateTime, utcnow
from eventday.extensions import db
from eventday.i18n import local_date, local_time
from eventday.programme.models import Edition, Session
from eventday.registration import documents
from eventday.registration.labels import STATUS_LABELS
from eventday.registration.models import Registration, RegistrationStatus
from eventday.urls import absolute_url

SMTP_TIMEOUT_SECONDS = 10
PARAGRAPH_BREAK = re.compile(r"\n{3,}")
# A claim older than this belongs to a process that died while sending.
CLAIM_EXPIRES = dt.timedelta(minutes=5)


class MailKind(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    PENDING_APPROVAL = "pending_approval"
    PROMOTED = "promoted"
    APPROVED = "approved"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    MANAGE_LINK = "manage_link"
    SESSION_CHANGED = "session_changed"
    CONFIRM_ADDRESS = "confirm_address"

    @classmethod
    def for_status(cls, status: str) -> MailKind:
        """The mail that tells a new registration its status."""
        return cls(status)


SUBJECTS = {
    MailKind.CONFIRMED: _l("Your registration is confirmed"),
    MailKind.WAITLISTED: _l("You are on the waiting list"),
    MailKind.PENDING_APPROVAL: _l("Your registration awaits approval"),
    MailKind.PROMOTED: _l("A seat is yours: your registration is confirmed"),
    MailKind.APPROVED: _l("Your registration has been approved"),
    MailKind.DECLINED: _l("Your registration could not be accepted"),
    MailKind.CANCELLED: _l("Your registration is cancelled"),
    MailKind.MANAGE_LINK: _l("Your registration: the link to your page"),
    MailKind.SESSION_CHANGED: _l("A session of your programme has changed"),
    MailKind.CONFIRM_ADDRESS: _l("Confirm your new e-mail address"),
}


class OutboxMail(db.Model):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30))
    recipient: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(5))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")


@dataclasses.dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0


def init_app(app: Flask) -> None:
    """With no SMTP server the log is where mails go: let their lines through.

    Flask's logger passes warnings only (under `eventday run` as under gunicorn).
    Only the mail's own logger is opened to INFO; its lines go on to the handlers
    above it, Flask's own on standard error or whatever logging is set up
    (pytest's caplog), so each is written once.
    """
    level = logging.NOTSET if app.config["MAIL_SERVER"] else logging.INFO
    app.logger.getChild("mail").setLevel(level)


def _logger() -> logging.Logger:
    return current_app.logger.getChild("mail")


def compose(registration: Registration, kind: MailKind, **context: object) -> tuple[str, str]:
    """A mail's subject and body, in the attendee's language.

    The organisers' own wording of this mail (see mail_texts) replaces the
    standard subject and message; the rest of the mail stays.
    """
    edition = registration.edition
    own = mail_texts.own_text(edition.id, kind.value, registration.language)
    if kind == MailKind.APPROVED and not registration.is_confirmed:
        own = None  # approved onto the waiting list: the standard wording says so
    with force_locale(registration.language):
        values = _placeholder_values(registration, context.get("session"))
        subject = f"{SUBJECTS[kind]} · {edition.name}"
        if own is not None and own.subject:
            subject = mail_texts.fill(own.subject, values)
        body = render_template(
            f"mail/{kind.value}.txt",
            registration=registration,
            edition=edition,
            page_url=absolute_url("registration.page", token=registration.token),
            own_message=mail_texts.fill(own.body, values) if own is not None else "",
            **context,
        )
    # Kept as it will leave: one line, whatever a name or a wording holds (mail_headers).
    return finished(subject, body)


def finished(subject: str, body: str) -> tuple[str, str]:
    """A composed mail as it is kept in the outbox: the subject on one line (mail_headers),
    the body with one blank line between paragraphs (templates are written for reading)."""
    return mail_headers.header_text(subject)[:300], PARAGRAPH_BREAK.sub("\n\n", body).strip() + "\n"


def enqueue(
    registration: Registration, kind: MailKind, recipient: str | None = None, **context: object
) -> int:
    """Write a mail for `registration` into the outbox (in the caller's transaction); its id.

    It goes to the registration's address, or to `recipient` (a new address to confirm)."""
    subject, body = compose(registration, kind, **context)
    mail = OutboxMail(
        registration_id=registration.id,
        kind=kind.value,
        recipient=recipient or registration.email,
        language=registration.language,
        subject=subject,
        body=body,
    )
    db.session.add(mail)
    db.session.flush()
    return mail.id


def preview(edition: Edition, kind: MailKind, language: str) -> tuple[str, str] | None:
    """The mail as a sample attendee would get it now (None: the edition has no session
    to show a session change with)."""
    context: dict[str, object] = {}
    if kind == MailKind.CONFIRM_ADDRESS:
        context["confirm_url"] = absolute_url("registration.page", token="sample") + "/address/…"
    if kind == MailKind.SESSION_CHANGED:
        session = db.session.scalars(
            select(Session).where(Session.edition_id == edition.id).order_by(Session.starts_at)
        ).first()
        if session is None:
            return None
        context["session"] = session
    sample = types.SimpleNamespace(
        edition=edition,
        language=language,
        first_name="Camille",
        last_name="Durand",
        reference="RD00-SAMPLE",
        token="sample",
        status=RegistrationStatus.CONFIRMED,
        is_confirmed=True,
        workshops=[],
    )
    return compose(sample, kind, **context)  # type: ignore[arg-type]


def _placeholder_values(registration: Registration, session: Session | None) -> dict[str, str]:
    edition = registration.edition
    values = {
        "first_name": registration.first_name,
        "last_name": registration.last_name,
        "reference": registration.reference,
        "edition": edition.name,
        "date": local_date(edition.start_date),
        "venue": edition.venue_name,
        "status": str(STATUS_LABELS[registration.status]).lower(),
    }
    if session is not None:
        room = f", {session.room.name}" if session.room else ""
        values["session"] = session.title
        values["when"] = (
            f"{local_date(edition.local(session.starts_at).date())}, "
            f"{local_time(session.starts_at, edition.zone)}–"
            f"{local_time(session.ends_at, edition.zone)}{room}"
        )
    return values


def deliver(ids: Iterable[int] | None = None) -> DeliveryReport:
    """Deliver the given waiting mails (all of them when `ids` is None); never raises.

    A change hands its own mails over with their `ids`; where a worker delivers them
    (MAIL_WORKER) they wait for it, and nothing is done here.

    Each mail is claimed before it is sent, so two senders never send it both: on
    PostgreSQL a batch at a time, by one `SELECT … FOR UPDATE SKIP LOCKED` (another
    worker's batch is skipped, not waited for); on SQLite, which has one writer at a
    time anyway, one conditional UPDATE per mail just before it goes.
    """
    if ids is not None and current_app.config["MAIL_WORKER"]:
        return DeliveryReport()
    query = select(OutboxMail.id).where(OutboxMail.sent_at.is_(None)).order_by(OutboxMail.id)
    if ids is not None:
        wanted = list(ids)
        if not wanted:
            return DeliveryReport()
        query = query.where(OutboxMail.id.in_(wanted))
    if db.session().in_transaction():
        db.session.commit()
    report = DeliveryReport()
    sender, last = _Sender(report), 0
    try:
        if db.engine.dialect.name == "postgresql":
            # Onwards from the last batch: a mail that failed is tried again next round.
            while batch := _claim_batch(query.where(OutboxMail.id > last)):
                last = batch[-1]
                if not sender.send_claimed(batch):
                    break
        else:
            waiting = db.session.scalars(query).all()
            db.session.commit()
            sender.send_one_by_one(waiting)
    finally:
        sender.close()
    return report


CLAIM_BATCH = 50


def _claimable(now: dt.datetime):  # noqa: ANN202 - a SQL condition
    return or_(OutboxMail.claimed_at.is_(None), OutboxMail.claimed_at < now - CLAIM_EXPIRES)


def _claim_batch(query) -> list[int]:  # noqa: ANN001 - a select of OutboxMail.id
    """Up to CLAIM_BATCH waiting mails claimed for this sender, in one transaction."""
    now = utcnow()
    found = db.session.scalars(
        query.where(_claimable(now)).limit(CLAIM_BATCH).with_for_update(skip_locked=True)
    ).all()
    if found:
        db.session.execute(
            update(OutboxMail)
            .where(OutboxMail.id.in_(found))
            .values(claimed_at=now, attempts=OutboxMail.attempts + 1)
        )
    db.session.commit()
    return list(found)


def _claim(mail_id: int) -> OutboxMail | None:
    now = utcnow()
    claimed = db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == mail_id, OutboxMail.sent_at.is_(None), _claimable(now))
        .values(claimed_at=now, attempts=OutboxMail.attempts + 1)
    ).rowcount
    db.session.commit()
    return db.session.get(OutboxMail, mail_id) if claimed else None


class _Sender:
    """One SMTP connection for a round of mails, opened at the first and kept for the rest."""

    def __init__(self, report: DeliveryReport) -> None:
        self.report = report
        self.connection: smtplib.SMTP | None = None

    def send_one_by_one(self, waiting: list[int]) -> None:
        for index, mail_id in enumerate(waiting):
            mail = _claim(mail_id)
            if mail is not None and not self._send(mail):
                self.report.failed += len(waiting) - index - 1
                return

    def send_claimed(self, batch: list[int]) -> bool:
        """Send a claimed batch; False when the server is down (the rest released)."""
        for index, mail_id in enumerate(batch):
            if not self._send(db.session.get_one(OutboxMail, mail_id)):
                rest = batch[index + 1 :]
                self.report.failed += len(rest)
                if rest:
                    db.session.execute(
                        update(OutboxMail)
                        .where(OutboxMail.id.in_(rest))
                        .values(claimed_at=None, attempts=OutboxMail.attempts - 1)
                    )
                    db.session.commit()
                return False
        return True

    def _send(self, mail: OutboxMail) -> bool:
        """Send one claimed mail and record how it went; False when the server is down."""
        mail_id = mail.id
        server = current_app.config["MAIL_SERVER"]
        try:
            # Attachments are made only for a real server: the log needs no badge.
            message = _message(mail, with_documents=bool(server))
            wire, options = _wire(message)
        except Exception as error:  # noqa: BLE001 - this mail waits; the others go on
            _logger().exception("mail %s could not be made", mail_id)
            _finish(mail_id, error=f"{type(error).__name__}: {error}")
            self.report.failed += 1
            return True
        try:
            if server:
                self.connection = self.connection or _connect()
                # The bytes that were checked, to the outbox's address: never one read
                # from a header.
                sender = message["From"].addresses[0].addr_spec
                self.connection.sendmail(sender, [mail.recipient], wire, options)
            else:
                _logger().info(
                    "mail (no SMTP server configured) to %s: %s\n%s",
                    mail.recipient,
                    mail.subject,
                    mail.body,
                )
        except (OSError, smtplib.SMTPException) as error:
            _logger().warning("mail %s to %s not sent: %s", mail_id, mail.recipient, error)
            _finish(mail_id, error=f"{type(error).__name__}: {error}")
            self.report.failed += 1
            if _server_down(error):
                # Each new try would wait as long again, inside someone's request:
                # the other mails wait in the outbox for `eventday send-mail`.
                self.connection = None
                return False
        except Exception as error:  # noqa: BLE001 - delivering never raises
            _logger().exception("mail %s could not be sent", mail_id)
            _finish(mail_id, error=f"{type(error).__name__}: {error}")
            self.report.failed += 1
        else:
            _finish(mail_id, error=None)
            self.report.sent += 1
        return True

    def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.connection.quit()


def _server_down(error: Exception) -> bool:
    """Whether a failure says the server, not this one mail, is the problem.

    Every smtplib error is an OSError; a refused recipient or message is not the
    server being away, and the next mail may well go.
    """
    if isinstance(error, (smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected)):
        return True
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)


def _finish(mail_id: int, error: str | None) -> None:
    values = {"claimed_at": None}
    if error is None:
        values |= {"sent_at": utcnow(), "last_error": ""}
    else:
        values |= {"last_error": error[:2000]}
    db.session.rollback()
    db.session.execute(update(OutboxMail).where(OutboxMail.id == mail_id).values(**values))
    db.session.commit()


def _connect() -> smtplib.SMTP:
    config = current_app.config
    connection = smtplib.SMTP(
        config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=SMTP_TIMEOUT_SECONDS
    )
    if config["MAIL_USE_TLS"]:
        connection.starttls()
    if config["MAIL_USERNAME"]:
        connection.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
    return connection


ATTACHING_KINDS = {MailKind.CONFIRMED, MailKind.PROMOTED, MailKind.APPROVED}


def _message(mail: OutboxMail, with_documents: bool) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = mail_headers.address(mail.recipient)
    # Here too: the outbox may hold a subject written before this rule, or by a script.
    message["Subject"] = mail_headers.header_text(mail.subject)
    # The same for every try of this mail: a copy sent again after a lost answer from the
    # server is one message to the recipient's system, not two.
    message["Message-ID"] = f"<outbox-{mail.id}-{mail.created_at:%Y%m%d%H%M%S}@eventday>"
    message.set_content(mail.body)
    # After set_content, which replaces every Content-* header.
    message["Content-Language"] = mail.language
    if with_documents and mail.kind in ATTACHING_KINDS and mail.registration_id is not None:
        _attach_documents(message, mail.registration_id)
    return message


def _wire(message: EmailMessage) -> tuple[bytes, tuple[str, ...]]:
    """The message's bytes, checked (mail_headers.wire_bytes), and the MAIL options they need.

    As smtplib's send_message does: an address that is not ASCII needs a server
    that takes SMTPUTF8, and headers written as UTF-8.
    """
    addresses = [*message["From"].addresses, *message["To"].addresses]
    international = not all(one.addr_spec.isascii() for one in addresses)
    options = ("SMTPUTF8", "BODY=8BITMIME") if international else ()
    return mail_headers.wire_bytes(message, utf8=international), options


def _attach_documents(message: EmailMessage, registration_id: int) -> None:
    registration = db.session.get(Registration, registration_id)
    if registration is None or not registration.is_confirmed:
        return
    message.add_attachment(
        documents.badge_file(registration),
        maintype="application",
        subtype="pdf",
        filename=f"badge-{registration.reference}.pdf",
    )
    message.add_attachment(
        documents.agenda_file(registration),
        maintype="text",
        subtype="calendar",
        filename="agenda.ics",
    )
