"""Without an SMTP server, each mail shows once in the output of `eventday run` and of gunicorn."""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from flask_migrate import upgrade

from eventday.extensions import db
from tests.conftest import make_app, make_edition
from tests.server import free_port, serving, submit_form

DAY = dt.date(2027, 1, 25)
# How the README starts each server: `make run` and `make serve`.
SERVERS: dict[str, Callable[[int], list[str]]] = {
    "eventday run": lambda port: [
        str(Path(sys.executable).with_name("eventday")),
        "run",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ],
    "gunicorn": lambda port: [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        "1",
        "--bind",
        f"127.0.0.1:{port}",
        "eventday:create_app()",
    ],
}
ALICE = {
    "first_name": "Alice",
    "last_name": "Lefèvre",
    "email": "alice@example.org",
    "organisation": "Inserm",
    "stakeholder_type": "researcher",
    "institution": "Université Paris Cité",
    "position": "postdoc",
    "consent": "y",
    "language": "en",
}


def prepared_database(database_url: str) -> None:
    """Migrated, with an edition open for registration."""
    app = make_app(database_url)
    with app.app_context():
        upgrade()
        make_edition(DAY)
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("server", SERVERS)
def test_a_registration_mail_is_written_to_the_servers_output(
    database_url: str, tmp_path: Path, server: str
) -> None:
    prepared_database(database_url)
    port = free_port()
    output_path = tmp_path / "output.log"
    with (
        output_path.open("w") as output,
        serving(SERVERS[server](port), port, database_url, tmp_path / "instance", output) as base,
    ):
        status, location = submit_form(base, "/register", ALICE)
    assert status == 303, location
    token = re.search(r"/registration/([^/?#\s]+)", location).group(1)
    printed = output_path.read_text(encoding="utf-8", errors="replace")
    assert printed.count("mail (no SMTP server configured) to alice@example.org") == 1, printed
    assert "Your registration is confirmed · Journée d'essai" in printed
    assert f"{base}/registration/{token}" in printed
