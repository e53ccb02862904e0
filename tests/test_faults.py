"""Faults: a server killed in the middle of registrations, a database out of reach, SMTP down."""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import json
import logging
import os
import re
import signal
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.engine import make_url

from eventday import create_app, mail
from eventday.extensions import db
from eventday.log_redaction import redact
from eventday.mail import OutboxMail
from eventday.registration import capacity
from eventday.registration.models import Registration, RegistrationStatus
from tests.conftest import make_app, make_edition, make_session
from tests.server import CSRF_PATTERN, free_port, running_server, submit_form
from tests.test_checkin_desk import signed_in
from tests.test_concurrent_registration import DAY, connected, person, prepared_database
from tests.test_mail import applicant, french_catalogue, smtp_server

UNAVAILABLE = "The service is briefly unavailable. Please try again in a moment."
REFERENCE = re.compile(r"RD27-[0-9A-Z]{5}")
TOKEN_IN_LOCATION = re.compile(r"/registration/([A-Za-z0-9_-]{43,})$")
RESEARCHER_ANSWERS = {"institution": "Université Paris Cité", "position": "postdoc"}


def attempt(base: str, fields: dict) -> tuple[int, str] | None:
    """Register as a browser would; None when the server vanished before answering."""
    try:
        return submit_form(base, "/register", fields)
    except urllib.error.HTTPError:
        raise  # the server answered, with an error: that is not a vanished server
    except (OSError, http.client.HTTPException):
        return None


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as answer:
        with answer:
            return answer.code, answer.read()


# A server killed in the middle of a burst of registrations

PEOPLE = 30
SENDERS = 8
ANSWERED_BEFORE_KILL = 6
SEATS = 8
WORKERS = 2


def burst_cut_by_sigkill(
    database_url: str, instance: Path, monkeypatch: pytest.MonkeyPatch, forms: list[dict]
) -> list[tuple[int, str] | None]:
    """Send the forms from several threads to gunicorn; SIGKILL its master and workers at once
    when ANSWERED_BEFORE_KILL registrations have had their 303."""
    pid_file = instance / "gunicorn.pid"
    # gunicorn takes extra options from this variable; the master's pid names its process group.
    monkeypatch.setenv("GUNICORN_CMD_ARGS", f"--pid {pid_file}")
    with running_server(database_url, instance, WORKERS) as base:
        process_group = int(pid_file.read_text())
        with ThreadPoolExecutor(max_workers=SENDERS) as pool:
            futures = [pool.submit(attempt, base, fields) for fields in forms]
            answered = 0
            for future in as_completed(futures):
                answer = future.result()
                answered += answer is not None and answer[0] == 303
                if answered == ANSWERED_BEFORE_KILL:
                    os.killpg(process_group, signal.SIGKILL)
                    break
    monkeypatch.delenv("GUNICORN_CMD_ARGS")
    return [future.result() for future in futures]


def wants_workshop(n: int) -> bool:
    return n % 2 == 1


def test_a_server_killed_mid_burst_keeps_every_answered_registration_whole(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, edition_id = prepared_database(database_url, capacity=SEATS)
    with connected(app):
        workshop = make_session(
            edition_id, DAY, "11:00", "12:00", "Atelier", kind="workshop", capacity=PEOPLE
        )
        workshop_id = workshop.id
    forms = [
        person(n, workshops=[str(workshop_id)] if wants_workshop(n) else []) for n in range(PEOPLE)
    ]

    answers = burst_cut_by_sigkill(database_url, tmp_path, monkeypatch, forms)

    # Every request either had its 303 or no answer at all: the kill never shows as an error page.
    assert {answer[0] for answer in answers if answer is not None} == {303}, answers
    tokens = {
        n: TOKEN_IN_LOCATION.search(answer[1]).group(1)
        for n, answer in enumerate(answers)
        if answer is not None
    }
    unanswered = [n for n, answer in enumerate(answers) if answer is None]
    assert len(tokens) >= ANSWERED_BEFORE_KILL and unanswered, "the kill came too late"

    # What the crash left: whole registrations only, each with the mail of its transaction.
    with connected(app):
        rows = db.session.scalars(
            select(Registration).where(Registration.edition_id == edition_id)
        ).all()
        held_by_email = {
            row.email: (row.token, row.reference, row.status, [w.id for w in row.workshops])
            for row in rows
        }
        assert len(held_by_email) == len(rows), "one registration per address"
        for n, token in tokens.items():
            assert held_by_email.get(forms[n]["email"], [None])[0] == token, n
        for row in rows:
            n = int(re.fullmatch(r"personne(\d+)@example\.org", row.email).group(1))
            assert row.status in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
            assert REFERENCE.fullmatch(row.reference) and len(row.token) >= 43
            assert row.first_name == forms[n]["first_name"] and row.consent_at is not None
            assert RESEARCHER_ANSWERS.items() <= row.answers.items()
            assert [w.id for w in row.workshops] == ([workshop_id] if wants_workshop(n) else [])
        confirmed = sum(row.status == RegistrationStatus.CONFIRMED for row in rows)
        assert confirmed == min(SEATS, len(rows))
        outbox = db.session.scalars(select(OutboxMail)).all()
        assert sorted((m.registration_id, m.kind, m.recipient) for m in outbox) == sorted(
            (row.id, row.status, row.email) for row in rows
        )

    with running_server(database_url, tmp_path, WORKERS) as base:
        for n, token in tokens.items():
            _, reference, status, workshop_ids = held_by_email[forms[n]["email"]]
            answer, page = fetch(f"{base}/registration/{token}")
            assert answer == 200 and reference in page.decode()
            answer, data = fetch(f"{base}/registration/{token}/data.json")
            assert answer == 200
            held = json.loads(data)
            assert (held["reference"], held["status"], held["email"]) == (
                reference,
                status,
                forms[n]["email"],
            )
            assert [w["id"] for w in held["workshops"]] == workshop_ids
        # Those left without an answer try again: a registration the crash had already
        # committed is found ("already registered"), any other is taken now.
        with ThreadPoolExecutor(max_workers=4) as pool:
            retries = list(pool.map(lambda n: attempt(base, forms[n]), unanswered))
    assert all(answer is not None and answer[0] in (200, 303) for answer in retries), retries
    assert any(answer[0] == 303 for answer in retries)

    with connected(app):
        rows = db.session.scalars(
            select(Registration).where(Registration.edition_id == edition_id)
        ).all()
        assert sorted(row.email for row in rows) == sorted(form["email"] for form in forms)
        assert sum(row.status == RegistrationStatus.CONFIRMED for row in rows) == SEATS
        already = {
            forms[n]["email"]
            for n, answer in zip(unanswered, retries, strict=True)
            if answer[0] == 200
        }
        manage_links = db.session.scalars(
            select(OutboxMail.recipient).where(OutboxMail.kind == "manage_link")
        ).all()
        assert sorted(manage_links) == sorted(already)
    # Mails a killed worker had claimed wait CLAIM_EXPIRES; then send-mail delivers them all.
    monkeypatch.setattr(mail, "CLAIM_EXPIRES", dt.timedelta(0))
    delivered = app.test_cli_runner().invoke(args=["send-mail"])
    assert delivered.exit_code == 0, delivered.output
    assert "0 still waiting" in delivered.output
    with connected(app):
        waiting = select(OutboxMail.id).where(OutboxMail.sent_at.is_(None))
        assert db.session.scalars(waiting).all() == []


# A database out of reach


@pytest.fixture(params=["postgresql-port-closed", "sqlite-folder-missing"])
def unreachable_app(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Flask:
    """The app as gunicorn builds it (create_app() from EVENTDAY_* variables), database down."""
    if request.param.startswith("postgresql"):
        url = f"postgresql+psycopg://eventday@127.0.0.1:{free_port()}/eventday"
    else:
        url = f"sqlite:///{tmp_path / 'missing' / 'eventday.sqlite3'}"
    monkeypatch.setenv("EVENTDAY_DATABASE_URL", url)
    monkeypatch.setenv("EVENTDAY_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("EVENTDAY_SECRET_KEY", "faults-test-key")
    return create_app()


HTML_PAGES = [
    "/",
    "/programme",
    "/programme/1",
    "/register",
    "/registration/" + "x" * 43,
    "/registration/" + "x" * 43 + "/edit",
]
JSON_PAGES = ["/programme.json", "/registration/" + "x" * 43 + "/data.json"]


def assert_short_and_without_trace(body: str) -> None:
    assert len(body) < 3000
    for leak in ("Traceback", "OperationalError", "psycopg", "sqlite3", "SELECT"):
        assert leak not in body


def test_pages_answer_503_with_a_short_page_while_the_database_is_unreachable(
    unreachable_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=unreachable_app.logger.name)
    client = unreachable_app.test_client()
    french = french_catalogue()[UNAVAILABLE]
    for path in HTML_PAGES:
        caplog.clear()
        answer = client.get(path)
        page = answer.get_data(as_text=True)
        assert (answer.status_code, answer.mimetype) == (503, "text/html"), path
        assert '<html lang="fr">' in page and french in page, path
        assert_short_and_without_trace(page)
        # Logged once, in one line, without the statement (it may hold personal data)
        # nor an attendee's token.
        [record] = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert record.getMessage().startswith(f"database unavailable on GET {redact(path)}: ")
        assert "x" * 43 not in record.getMessage()
        assert record.exc_info is None and "\n" not in record.getMessage()
        assert_short_and_without_trace(record.getMessage())

    for path, headers in [(p, {}) for p in JSON_PAGES] + [("/", {"Accept": "application/json"})]:
        answer = client.get(path, headers=headers)
        assert answer.status_code == 503, path
        assert answer.get_json() == {"error": 503, "message": french}, path

    health = client.get("/healthz")
    assert (health.status_code, health.get_data(as_text=True)) == (503, "database unavailable\n")

    # The sign-in form needs no database; signing in and registering do.
    login_page = client.get("/admin/login")
    assert login_page.status_code == 200
    token = CSRF_PATTERN.search(login_page.get_data(as_text=True)).group(1)
    for path, fields in [
        ("/admin/login", {"email": "orga@example.org", "password": "not-checked"}),
        ("/register", person(1)),
    ]:
        answer = client.post(path, data={**fields, "csrf_token": token})
        assert answer.status_code == 503, path
        assert_short_and_without_trace(answer.get_data(as_text=True))
    # A form without its token is answered by a handler that reads the database too.
    expired = client.post("/register", data=person(2))
    assert expired.status_code == 503
    assert french in expired.get_data(as_text=True)

    english = client.get("/programme?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english and UNAVAILABLE in english


class Relay:
    """A TCP relay in front of PostgreSQL that can be cut (every connection dropped, nothing
    answering) and restored on the same port, as when the database server restarts."""

    def __init__(self, host: str, port: int) -> None:
        self.upstream = (host, port)
        self.port = free_port()
        self.open = threading.Event()
        self.links: set[socket.socket] = set()
        self.guard = threading.Lock()
        self.listener: threading.Thread | None = None

    def restore(self) -> None:
        server = socket.create_server(("127.0.0.1", self.port))
        server.settimeout(0.05)
        self.open.set()
        self.listener = threading.Thread(target=self._listen, args=(server,), daemon=True)
        self.listener.start()

    def cut(self) -> None:
        self.open.clear()
        self.listener.join()
        with self.guard:
            for link in self.links:
                with contextlib.suppress(OSError):
                    link.shutdown(socket.SHUT_RDWR)

    def _listen(self, server: socket.socket) -> None:
        with server:
            while self.open.is_set():
                with contextlib.suppress(TimeoutError):
                    client, _ = server.accept()
                    threading.Thread(target=self._carry, args=(client,), daemon=True).start()

    def _carry(self, client: socket.socket) -> None:
        with client, contextlib.suppress(OSError), socket.create_connection(self.upstream) as end:
            pair = {client, end}
            with self.guard:
                self.links |= pair
            try:
                back = threading.Thread(target=_pump, args=(end, client), daemon=True)
                back.start()
                _pump(client, end)
                back.join()
            finally:
                with self.guard:
                    self.links -= pair


def _pump(source: socket.socket, sink: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while chunk := source.recv(65536):
            sink.sendall(chunk)
    with contextlib.suppress(OSError):
        sink.shutdown(socket.SHUT_WR)


class Outage:
    """The database going away while the app runs, then coming back."""

    def __init__(self, database_url: str, tmp_path: Path) -> None:
        self.relay: Relay | None = None
        if database_url.startswith("sqlite"):
            self.folder = tmp_path / "volume"
            self.folder.mkdir()
            self.url = f"sqlite:///{self.folder / 'eventday.sqlite3'}"
            return
        parsed = make_url(database_url)
        self.relay = Relay(parsed.host or "127.0.0.1", parsed.port or 5432)
        self.relay.restore()
        self.url = parsed.set(host="127.0.0.1", port=self.relay.port).render_as_string(
            hide_password=False
        )

    def begin(self, app: Flask) -> None:
        if self.relay is not None:
            self.relay.cut()
            return
        # An open SQLite file stays readable after its folder goes: drop the connections
        # so the next one has to find the file, as a restarted worker would.
        with app.app_context():
            db.engine.dispose()
        self.folder.rename(self.folder.with_name("volume-away"))

    def end(self) -> None:
        if self.relay is not None:
            self.relay.restore()
        else:
            self.folder.with_name("volume-away").rename(self.folder)


def test_the_site_answers_503_during_an_outage_and_recovers_without_a_restart(
    database_url: str, tmp_path: Path
) -> None:
    outage = Outage(database_url, tmp_path)
    app = make_app(outage.url, TESTING=False)
    try:
        with app.app_context():
            db.create_all()
            make_edition(DAY)
        organiser = signed_in(app, role="organiser", email="orga@example.org")
        visitor = app.test_client()
        assert visitor.get("/programme").status_code == 200
        assert organiser.get("/admin/").status_code == 200

        outage.begin(app)
        assert visitor.get("/programme").status_code == 503
        assert visitor.get("/programme.json").status_code == 503
        assert visitor.get("/healthz").status_code == 503
        # A signed-in organiser is not sent to the sign-in page: their account cannot be read.
        dashboard = organiser.get("/admin/")
        assert dashboard.status_code == 503
        assert UNAVAILABLE in dashboard.get_data(as_text=True)

        outage.end()
        assert visitor.get("/healthz").get_data(as_text=True) == "ok\n"
        assert visitor.get("/programme").status_code == 200
        assert organiser.get("/admin/").status_code == 200
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if outage.relay is not None:
            outage.relay.cut()


# SMTP down: the registration is taken over the web, its mail waits for send-mail


def test_a_registration_over_the_web_succeeds_while_smtp_is_down_and_send_mail_delivers_it(
    database_url: str,
) -> None:
    smtp_port = free_port()
    app = make_app(database_url, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_port)
    with app.app_context():
        db.create_all()
        make_edition(DAY)
    client = app.test_client()
    form = client.get("/register?lang=en").get_data(as_text=True)
    fields = {**person(1, language="en"), "csrf_token": CSRF_PATTERN.search(form).group(1)}
    answer = client.post("/register", data=fields)
    assert answer.status_code == 303
    token = TOKEN_IN_LOCATION.search(answer.headers["Location"]).group(1)
    assert client.get(f"/registration/{token}").status_code == 200
    with app.app_context():
        [waiting] = db.session.scalars(select(OutboxMail)).all()
        assert (waiting.kind, waiting.sent_at, waiting.attempts) == ("confirmed", None, 1)
        assert "Connection" in waiting.last_error

    with smtp_server(smtp_port) as inbox:
        delivered = app.test_cli_runner().invoke(args=["send-mail"])
    assert delivered.exit_code == 0, delivered.output
    [message] = inbox.messages
    assert message["To"] == fields["email"]
    assert f"/registration/{token}" in message.get_body(("plain",)).get_content()
    assert {part.get_content_type() for part in message.iter_attachments()} == {
        "application/pdf",
        "text/calendar",
    }
    with app.app_context():
        assert db.session.scalars(select(OutboxMail.sent_at)).one() is not None
        db.session.remove()
        db.engine.dispose()


@contextlib.contextmanager
def silent_smtp_server() -> Iterator[tuple[int, list[socket.socket]]]:
    """A mail server that takes connections and never says a word (overloaded, stuck);
    yields its port and the connections made to it so far."""
    connections: list[socket.socket] = []
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(0.05)
        listening = threading.Event()
        listening.set()

        def take() -> None:
            while listening.is_set():
                with contextlib.suppress(TimeoutError):
                    connections.append(server.accept()[0])

        taker = threading.Thread(target=take, daemon=True)
        taker.start()
        try:
            yield server.getsockname()[1], connections
        finally:
            listening.clear()
            taker.join()
            for connection in connections:
                connection.close()


def test_a_silent_smtp_server_is_waited_for_once_per_request(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mail, "SMTP_TIMEOUT_SECONDS", 0.2)
    with silent_smtp_server() as (port, connections):
        app = make_app(database_url, MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        with app.app_context():
            db.create_all()
            edition = make_edition(DAY)
            edition.capacity = 1
            db.session.commit()
            alice = capacity.register(edition.id, applicant("Alice"))
            capacity.register(edition.id, applicant("Bruno"))
            before = len(connections)
            # One seat freed: Alice's cancellation and Bruno's promotion, two mails.
            [bruno] = capacity.cancel(alice.id)
            tried = len(connections) - before
            waiting = db.session.scalars(select(OutboxMail).where(OutboxMail.sent_at.is_(None)))
            assert len(waiting.all()) == 4 and bruno.is_confirmed
            db.session.remove()
            db.engine.dispose()
    assert tried == 1
