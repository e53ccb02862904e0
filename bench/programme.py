"""How fast eventday serves the public programme, against a bare Flask app returning the same bytes.

Measures requests per second and p99 latency of `/programme` (HTML),
`/programme.ics`, `/programme.json` and `/programme.ics` answered 304 to a
matching If-None-Match, on a synthetic programme (300 sessions in 10 rooms by
default) in a fresh SQLite database, served by gunicorn (2 sync workers) on
loopback and loaded with wrk. The ceiling is bench/ceiling.py on the same
gunicorn settings: one bare Flask route per URL returning the bytes and headers
eventday returned. The ratio eventday / ceiling is what the app itself costs;
each URL has a target ratio. Rounds alternate eventday and ceiling runs and the
median is reported, because a shared machine is noisy.

Run from the project root: `.venv/bin/python bench/programme.py [--rounds 3 ...]`.
It prints figures and exits non-zero only when something failed to run; a
missed target is reported as "below target".
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import http.client
import json
import os
import re
import secrets
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
WORKERS = 2
WRK_THREADS = 1
LATENCY_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}
WARM_UP_SECONDS = 1
START_TIMEOUT_SECONDS = 30
# Response headers the ceiling replays, so both servers put the same bytes on the wire.
REPLAYED_HEADERS = ("Content-Type", "ETag", "Cache-Control", "Content-Disposition", "Vary")


class BenchError(Exception):
    """Something failed to run; the figures would mean nothing."""


@dataclasses.dataclass(frozen=True)
class Case:
    label: str
    path: str
    status: int
    target_percent: int
    conditional: bool = False


CASES = (
    Case("/programme (HTML)", "/programme", 200, 30),
    Case("/programme.ics", "/programme.ics", 200, 50),
    Case("/programme.json", "/programme.json", 200, 50),
    Case("/programme.ics If-None-Match (304)", "/programme.ics", 304, 90, conditional=True),
)


@dataclasses.dataclass(frozen=True)
class Recorded:
    """What eventday answered to one case: replayed by the ceiling, sent back as If-None-Match."""

    status: int
    headers: dict[str, str]
    body: bytes


@dataclasses.dataclass(frozen=True)
class Load:
    requests_per_second: float
    p99_ms: float


@dataclasses.dataclass(frozen=True)
class Pair:
    """eventday and the ceiling measured back to back on one case: their ratio shares the noise."""

    eventday: Load
    ceiling: Load

    @property
    def percent(self) -> float:
        return 100 * self.eventday.requests_per_second / self.ceiling.requests_per_second


@dataclasses.dataclass(frozen=True)
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path


def main() -> int:
    options = _parse_options()
    # A plain `kill` must still reach the finally blocks that stop both servers.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))
    try:
        with tempfile.TemporaryDirectory(prefix="eventday-bench-") as folder:
            lines = run(options, Path(folder))
    except BenchError as error:
        print(f"bench/programme.py: {error}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


def _parse_options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=300, help="sessions in the programme")
    parser.add_argument("--rooms", type=int, default=10, help="rooms in the programme")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--rounds", type=int, default=3, help="runs per URL and server (median)")
    options = parser.parse_args()
    counts = (options.sessions, options.rooms, options.duration, options.connections)
    if min(*counts, options.rounds) < 1:
        parser.error("every option must be at least 1")
    return options


def run(options: argparse.Namespace, folder: Path) -> list[str]:
    """Seed, serve, measure; the report's lines."""
    env = {
        **os.environ,
        "EVENTDAY_DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
        "EVENTDAY_RATELIMIT_ENABLED": "false",
        # A key of our own, so the benchmark never writes instance/secret_key.
        "EVENTDAY_SECRET_KEY": secrets.token_hex(32),
        "BENCH_CEILING_DIR": str(folder / "ceiling"),
    }
    _progress(f"seeding {options.sessions} sessions in {options.rooms} rooms")
    _run_command([str(BIN / "eventday"), "db", "upgrade"], env)
    _run_command(
        [
            str(BIN / "eventday"),
            "seed-demo",
            "--sessions",
            str(options.sessions),
            "--rooms",
            str(options.rooms),
        ],
        env,
    )
    with contextlib.ExitStack() as stack:
        eventday = stack.enter_context(
            _serving("eventday", "eventday:create_app()", [], env, folder)
        )
        recorded = {case: _record(eventday, case) for case in CASES}
        _write_ceiling(folder / "ceiling", recorded)
        ceiling = stack.enter_context(
            _serving(
                "ceiling",
                "ceiling:create_app()",
                ["--pythonpath", str(ROOT / "bench")],
                env,
                folder,
            )
        )
        for case in CASES:
            _check_same_answer(ceiling, case, recorded[case])
        pairs = _measure(options, eventday, ceiling, recorded)
    return _report(options, recorded, pairs)


def _progress(message: str) -> None:
    print(f"bench: {message}…", file=sys.stderr, flush=True)


def _run_command(command: list[str], env: Mapping[str, str]) -> None:
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        raise BenchError(
            f"`{shlex.join(command)}` failed ({done.returncode}):\n{done.stdout}{done.stderr}"
        )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def _serving(
    name: str, app: str, extra: list[str], env: Mapping[str, str], folder: Path
) -> Iterator[Server]:
    """gunicorn serving `app` on a free loopback port until the block ends (its whole group)."""
    port = _free_port()
    log = folder / f"{name}.log"
    command = [
        str(BIN / "gunicorn"),
        "--workers",
        str(WORKERS),
        "--worker-class",
        "sync",
        "--bind",
        f"{HOST}:{port}",
        "--graceful-timeout",
        "5",
        *extra,
        app,
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(name, port, process, log)
    try:
        _wait_until_answering(server)
        yield server
    finally:
        _stop(process)


def _wait_until_answering(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise BenchError(f"{server.name}'s gunicorn exited:\n{_tail(server.log)}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            _get(server, "/")
            return
        time.sleep(0.2)
    raise BenchError(
        f"{server.name} did not answer within {START_TIMEOUT_SECONDS} s:\n{_tail(server.log)}"
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def _get(server: Server, path: str, headers: Mapping[str, str] | None = None) -> Recorded:
    connection = http.client.HTTPConnection(HOST, server.port, timeout=30)
    try:
        connection.request("GET", path, headers=dict(headers or {}))
        response = connection.getresponse()
        body = response.read()
        return Recorded(response.status, dict(response.getheaders()), body)
    finally:
        connection.close()


def _conditional_headers(case: Case, recorded: Recorded) -> dict[str, str]:
    return {"If-None-Match": recorded.headers["ETag"]} if case.conditional else {}


def _record(eventday: Server, case: Case) -> Recorded:
    """eventday's answer to the case, checked: the expected status, an ETag, a body if 200."""
    first = _get(eventday, case.path)
    if first.status != 200 or "ETag" not in first.headers:
        raise BenchError(f"eventday answered {first.status} to {case.path} (want 200 with ETag)")
    answer = _get(eventday, case.path, _conditional_headers(case, first))
    if answer.status != case.status:
        raise BenchError(f"eventday answered {answer.status} to {case.label} (want {case.status})")
    headers = {k: answer.headers[k] for k in REPLAYED_HEADERS if k in answer.headers}
    # The If-None-Match wrk will send: the ETag of the full answer.
    headers["ETag"] = first.headers["ETag"]
    return Recorded(answer.status, headers, answer.body)


def _ceiling_path(case: Case) -> str:
    return f"/not-modified{case.path}" if case.conditional else case.path


def _write_ceiling(folder: Path, recorded: Mapping[Case, Recorded]) -> None:
    folder.mkdir()
    manifest = []
    for number, (case, answer) in enumerate(recorded.items()):
        body = f"body-{number}"
        (folder / body).write_bytes(answer.body)
        manifest.append(
            {
                "path": _ceiling_path(case),
                "status": answer.status,
                "headers": answer.headers,
                "body": body,
            }
        )
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))


def _check_same_answer(ceiling: Server, case: Case, recorded: Recorded) -> None:
    answer = _get(ceiling, _ceiling_path(case), _conditional_headers(case, recorded))
    if (answer.status, len(answer.body)) != (recorded.status, len(recorded.body)):
        raise BenchError(
            f"the ceiling answered {answer.status} with {len(answer.body)} bytes to "
            f"{case.label}; eventday {recorded.status} with {len(recorded.body)} bytes"
        )
    for name, value in recorded.headers.items():
        if answer.headers.get(name) != value:
            raise BenchError(
                f"the ceiling's {name} for {case.label} is "
                f"{answer.headers.get(name)!r}, eventday's {value!r}"
            )


def _measure(
    options: argparse.Namespace,
    eventday: Server,
    ceiling: Server,
    recorded: Mapping[Case, Recorded],
) -> dict[Case, list[Pair]]:
    """Warm both servers up, then measure them back to back for each case, round after round."""
    targets = {
        (case, server.name): (server, path, _conditional_headers(case, recorded[case]))
        for case in CASES
        for server, path in ((eventday, case.path), (ceiling, _ceiling_path(case)))
    }
    _progress("warming up")
    for server, path, headers in targets.values():
        _wrk(server, path, headers, options.connections, WARM_UP_SECONDS)
    pairs: dict[Case, list[Pair]] = {case: [] for case in CASES}
    for round_number in range(options.rounds):
        _progress(f"round {round_number + 1} of {options.rounds}")
        for case in CASES:
            # Who goes first changes each round, so neither always gets the cooler machine.
            order = ("eventday", "ceiling") if round_number % 2 == 0 else ("ceiling", "eventday")
            loads = {
                name: _wrk(*targets[case, name], options.connections, options.duration)
                for name in order
            }
            pairs[case].append(Pair(loads["eventday"], loads["ceiling"]))
    return pairs


def _wrk_settings(connections: int, duration: int) -> list[str]:
    return [f"-t{WRK_THREADS}", f"-c{connections}", f"-d{duration}s", "--latency"]


def _wrk(
    server: Server, path: str, headers: Mapping[str, str], connections: int, duration: int
) -> Load:
    """One wrk run; every response must have been 2xx or 3xx and no request may time out."""
    command = ["wrk", *_wrk_settings(connections, duration)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://{HOST}:{server.port}{path}")
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=duration + 30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise BenchError(f"`{shlex.join(command)}` did not run: {error}") from None
    output = done.stdout
    if done.returncode != 0:
        raise BenchError(f"`{shlex.join(command)}` failed:\n{output}{done.stderr}")
    wrong = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", output)
    if wrong:
        raise BenchError(f"{server.name} {path}: {wrong.group(1)} non-2xx/3xx responses")
    errors = re.search(r"Socket errors:.*timeout (\d+)", output)
    if errors and int(errors.group(1)):
        raise BenchError(f"{server.name} {path}: {errors.group(1)} requests timed out")
    rate = re.search(r"Requests/sec:\s*([\d.]+)", output)
    p99 = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    if not rate or not p99:
        raise BenchError(f"cannot read wrk's output for {server.name} {path}:\n{output}")
    return Load(float(rate.group(1)), float(p99.group(1)) * LATENCY_UNITS_MS[p99.group(2)])


def _report(
    options: argparse.Namespace,
    recorded: Mapping[Case, Recorded],
    pairs: Mapping[Case, list[Pair]],
) -> list[str]:
    """The Markdown table (medians over rounds; the ratio's range shows the noise)."""
    lines = [
        "| URL | body bytes | eventday req/s | ceiling req/s | ratio % (range) | target % "
        "| eventday p99 ms | verdict |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for case in CASES:
        runs = pairs[case]
        ours = statistics.median(pair.eventday.requests_per_second for pair in runs)
        ceiling = statistics.median(pair.ceiling.requests_per_second for pair in runs)
        p99 = statistics.median(pair.eventday.p99_ms for pair in runs)
        percents = [pair.percent for pair in runs]
        ratio = statistics.median(percents)
        verdict = "ok" if ratio >= case.target_percent else "below target"
        lines.append(
            f"| {case.label} | {len(recorded[case].body)} | {ours:.0f} | {ceiling:.0f} "
            f"| {ratio:.0f} ({min(percents):.0f}–{max(percents):.0f}) "
            f"| ≥ {case.target_percent} | {p99:.1f} | {verdict} |"
        )
    command = shlex.join([".venv/bin/python", "bench/programme.py", *sys.argv[1:]])
    wrk = " ".join(["wrk", *_wrk_settings(options.connections, options.duration)])
    lines += [
        "",
        f"`{command}` on {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %z}, "
        f"{os.cpu_count()} CPUs: {options.sessions} sessions in {options.rooms} rooms (SQLite); "
        f"gunicorn {WORKERS} sync workers on {HOST}; `{wrk}`, {WARM_UP_SECONDS} s warm-up; "
        f"medians of {options.rounds} rounds, eventday and ceiling back to back in each, "
        "ratio = median of the rounds' eventday/ceiling.",
    ]
    return lines


if __name__ == "__main__":
    sys.exit(main())
