"""`eventday send-mail --watch` run by two nodes at once: each mail delivered exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from flask_migrate import upgrade

from eventday.extensions import db
from eventday.mail import OutboxMail
from tests.conftest import make_app
from tests.server import free_port
from tests.test_concurrent_registration import connected
from tests.test_mail import smtp_server

MAILS = 200
EVENTDAY = Path(sys.executable).parent / "eventday"


def test_two_workers_deliver_two_hundred_mails_each_once(database_url: str, tmp_path: Path):
    app = make_app(database_url)
    with connected(app):
        upgrade()
        db.session.add_all(
            OutboxMail(
                kind="manage_link",
                recipient=f"personne{n}@example.org",
                language="fr",
                subject=f"Message {n}",
                body="Bonjour,\n",
            )
            for n in range(MAILS)
        )
        db.session.commit()
    port = free_port()
    env = {
        **os.environ,
        "EVENTDAY_DATABASE_URL": database_url,
        "EVENTDAY_SECRET_KEY": "worker-test-key",
        "EVENTDAY_INSTANCE_PATH": str(tmp_path / "instance"),
        "EVENTDAY_MAIL_SERVER": "127.0.0.1",
        "EVENTDAY_MAIL_PORT": str(port),
    }
    command = [str(EVENTDAY), "send-mail", "--watch", "--interval", "0.1", "--rounds", "15"]
    with smtp_server(port) as inbox:
        workers = [subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL) for _ in range(2)]
        for worker in workers:
            assert worker.wait(timeout=120) == 0
    ids = [message["Message-ID"] for message in inbox.messages]
    assert len(ids) == MAILS and len(set(ids)) == MAILS
    assert sorted(r[0] for r in inbox.recipients) == sorted(
        f"personne{n}@example.org" for n in range(MAILS)
    )
    with connected(app):
        waiting = db.session.query(OutboxMail).filter(OutboxMail.sent_at.is_(None)).count()
    assert waiting == 0


def test_the_shipped_systemd_unit_runs_a_command_eventday_knows(app) -> None:
    unit = (Path(__file__).parent.parent / "deploy" / "eventday-mail.service").read_text()
    command = next(line for line in unit.splitlines() if line.startswith("ExecStart="))
    program, *arguments = command.removeprefix("ExecStart=").split()
    assert program.endswith("/.venv/bin/eventday")
    assert arguments[:2] == ["send-mail", "--watch"]
    result = app.test_cli_runner().invoke(args=[*arguments, "--rounds", "1"])
    assert result.exit_code == 0, result.output
