"""A real eventday server process on loopback (gunicorn, or a command given) for tests."""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
CSRF_PATTERN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_server(
    database_url: str, instance: Path, workers: int = 4, env: Mapping[str, str] | None = None
) -> Iterator[str]:
    """Serve eventday with gunicorn on a free loopback port; yields its base URL.

    `env`: settings of this server beyond the tests' own (EVENTDAY_…)."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "eventday:create_app()",
    ]
    with serving(command, port, database_url, instance, env=env) as base:
        yield base


@contextlib.contextmanager
def serving(
    command: list[str],
    port: int,
    database_url: str,
    instance: Path,
    output: IO[str] | None = None,
    env: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """Run `command`, an eventday server on loopback `port`, for the block; yields its base URL.

    Its standard output and error go to `output` when given (a log to read afterwards).
    """
    settings = dict(env or {})
    env = {
        **os.environ,
        "EVENTDAY_DATABASE_URL": database_url,
        "EVENTDAY_SECRET_KEY": "concurrency-test-key",
        "EVENTDAY_INSTANCE_PATH": str(instance),
        "EVENTDAY_RATELIMIT_ENABLED": "false",
        "EVENTDAY_REGISTRATION_MIN_SECONDS": "0",
        "EVENTDAY_PUBLIC_URL": f"http://127.0.0.1:{port}",
        **settings,
    }
    env.pop("EVENTDAY_MAIL_SERVER", None)
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, start_new_session=True, stdout=output, stderr=output
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the test server did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def submit_form(base: str, path: str, fields: Mapping[str, str | list[str]]) -> tuple[int, str]:
    """GET the form (for its CSRF token and cookie), POST it; the status and Location or body."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())
    with opener.open(base + path, timeout=30) as page:
        token = CSRF_PATTERN.search(page.read().decode()).group(1)
    data = urllib.parse.urlencode({**fields, "csrf_token": token}, doseq=True).encode()
    try:
        with opener.open(base + path, data=data, timeout=60) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as answer:
        return answer.code, answer.headers.get("Location") or answer.read().decode()
