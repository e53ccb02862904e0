"""Request logs hold no attendee token nor query value: gunicorn as `make serve` runs it, and
the development server of `eventday run`, read from their real output."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from eventday.extensions import db
from eventday.log_redaction import redact
from eventday.registration.models import Registration
from tests.conftest import make_app, make_edition
from tests.server import ROOT, free_port, serving
from tests.test_exports import register

TOKEN = "Zq8RkM2vYpW4tXe7LbN1cJ5hGf3dSa6uKo9iQw0ErTy"
VARIABLE = re.compile(r"<(?:(?P<converter>\w+)(?:\((?P<choices>[^)]*)\))?:)?(?P<name>\w+)>")
# Values in organiser paths that are no secret: ids, which mail wording, which change to make.
NOT_SECRET = {
    "session_id",
    "registration_id",
    "user_id",
    "item_id",
    "what",
    "kind",
    "action",
    "change",
    "slug",  # an edition's short name, public: /editions/<slug>/
    "edition_id",
    "sponsor_id",
    "speaker_id",  # a speaker's photo: /speakers/<id>/photo.<digest>.png
    "digest",  # an image's content hash in its public address: /identity/…/logo.<digest>.png
}
SEARCHED = "Quillon"


def sample_path(rule: str) -> tuple[str, list[str]]:
    """The rule's path with each variable filled in; (the path, the values of its strings)."""
    strings: list[str] = []

    def value(variable: re.Match[str]) -> str:
        converter, name = variable.group("converter"), variable.group("name")
        if converter in ("int", "float"):
            return "12"
        if converter == "any":
            return variable.group("choices").split(",")[0].strip()
        strings.append(f"{TOKEN}{name}")
        return strings[-1]

    return VARIABLE.sub(value, rule), strings


def test_every_value_in_an_attendee_path_and_every_unknown_one_is_redacted(
    tmp_path: Path,
) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'eventday.sqlite3'}")
    checked = 0
    for rule in app.url_map.iter_rules():
        path, strings = sample_path(rule.rule)
        attendee_path = rule.rule.startswith("/registration/<")
        if not attendee_path and rule.arguments <= NOT_SECRET | {"filename"}:
            continue
        line = redact(f"GET {path}?lang=fr HTTP/1.1")
        for secret in strings:
            assert secret not in line, (rule.rule, "a secret in the log: see SECRET_AFTER")
        assert line.endswith("?lang=fr HTTP/1.1"), line
        checked += 1
    assert checked >= 9
    assert redact(f"/registration/{TOKEN}/address/{TOKEN}x") == "/registration/…/address/…"


def test_query_values_are_cut_but_harmless_ones() -> None:
    assert redact(f"/admin/checkin?q={SEARCHED}&lang=fr") == "/admin/checkin?q=…&lang=fr"
    assert redact("/register?email=zephyrine%40example.org") == "/register?email=…"
    assert redact(f"https://journee.example.org/registration/{TOKEN}/edit?{TOKEN}") == (
        "https://journee.example.org/registration/…/edit?…"
    )
    assert redact("/programme/12.ics") == "/programme/12.ics"
    assert redact("/admin/registrations/12/edit") == "/admin/registrations/12/edit"


def test_percent_encoded_secrets_are_read_as_the_server_reads_them() -> None:
    encoded = "".join(f"%{ord(c):02x}" for c in TOKEN)
    assert redact(f"GET /%72egistration/{TOKEN} HTTP/1.1") == "GET /registration/… HTTP/1.1"
    assert redact(f"/registration%2F{TOKEN}/badge.pdf") == "/registration/…/badge.pdf"
    assert redact(f"/registration/{encoded}") == "/registration/…"
    # Only letters, digits and path signs are decoded: nothing that changes how a line reads.
    assert redact("/a%0Ab%20c") == "/a%0Ab%20c"
    assert redact("/programme?track=Maladies%20rares&lang=fr") == "/programme?track=…&lang=fr"


@pytest.fixture
def served_database(tmp_path: Path) -> tuple[str, str]:
    """A SQLite database holding one confirmed attendee; (its URL, their token)."""
    url = f"sqlite:///{tmp_path / 'eventday.sqlite3'}"
    app = make_app(url)
    with app.app_context():
        db.create_all()
        edition_id = make_edition().id
    registration_id = register(app, edition_id, "Zéphyrine")
    with app.app_context():
        token = db.session.get_one(Registration, registration_id).token
        db.engine.dispose()
    return url, token


def make_serve_command(port: int) -> list[str]:
    """The gunicorn command of `make serve`, as make would run it, bound to loopback."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed: the Makefile's serve target cannot be read")
    recipe = subprocess.run(
        ["make", "--no-print-directory", "-n", "serve", f"PORT={port}", "WEB_CONCURRENCY=1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    [line] = [line for line in recipe.replace("\\\n", " ").splitlines() if "gunicorn" in line]
    return [word.replace("0.0.0.0:", "127.0.0.1:") for word in shlex.split(line)]


def request_attendee_pages(base: str, token: str) -> None:
    for path in (
        f"/registration/{token}",
        f"/registration/{token}/badge.pdf",
        f"/admin/checkin?q={SEARCHED}",
        # The same page, percent-encoded: the server decodes it, so must the log.
        f"/%72egistration/{token}",
        f"/registration%2F{token}",
    ):
        with urllib.request.urlopen(base + path, timeout=10) as answer:
            assert answer.status == 200, path  # the desk's page: after a redirect to sign in


def assert_redacted(log: str, token: str) -> None:
    assert "GET /registration/… " in log, log
    assert "GET /registration/…/badge.pdf " in log, log
    assert "/admin/checkin?q=… " in log, log
    assert token not in log
    assert SEARCHED not in log


@pytest.mark.parametrize("server", ["gunicorn", "development"])
def test_the_server_s_request_log_shows_no_token(
    server: str, served_database: tuple[str, str], tmp_path: Path
) -> None:
    url, token = served_database
    port = free_port()
    if server == "gunicorn":
        command = make_serve_command(port)
        assert "--logger-class" in command and "--access-logformat" in command
    else:
        command = [str(Path(sys.executable).parent / "eventday"), "run"]
        command += ["--host", "127.0.0.1", "--port", str(port)]
    log_file = tmp_path / f"{server}.log"
    with log_file.open("w") as output, serving(command, port, url, tmp_path, output) as base:
        request_attendee_pages(base, token)
    log = log_file.read_text()
    assert_redacted(log, token)
