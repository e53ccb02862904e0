"""How fast organisers get the registrations list and the CSV export of a large edition.

Seeds the demo edition and N registrations (5,000 by default; confirmed,
waitlisted, awaiting approval and cancelled, some already checked in) in a
fresh SQLite database, serves eventday with gunicorn (2 sync workers) on
loopback, signs in as an organiser and times, one request at a time,
`GET /admin/registrations` (first page, a search, a filter) and the whole
`GET /admin/registrations.csv`, after a warm-up. Each answer is checked: the
list shows registrations, the CSV starts with a BOM and has one row per
registration plus the header. Reports the median and the maximum.

Run from the project root: `.venv/bin/python bench/dashboard.py [--registrations 5000 ...]`.
It prints figures and exits non-zero only when something failed to run; a
missed target is reported as "below target".
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import io
import os
import re
import shlex
import signal
import statistics
import sys
import tempfile
import urllib.parse
from pathlib import Path

from checkin import Browser, Population, serving_site, sign_in
from programme import HOST, WORKERS, BenchError, _progress

STATUSES = {"confirmed": 0.80, "waitlisted": 0.08, "pending_approval": 0.05, "cancelled": 0.07}
CHECKED_IN_SHARE = 0.3
WARM_UP_REQUESTS = 2
PAGE_ROWS = 50
BOM = b"\xef\xbb\xbf"
DETAIL_LINK = re.compile(r'href="/admin/registrations/\d+"')


@dataclasses.dataclass(frozen=True)
class Case:
    label: str
    path: str
    target_ms: float
    csv: bool = False


@dataclasses.dataclass(frozen=True)
class Timing:
    case: Case
    rows: int
    milliseconds: list[float]


def main() -> int:
    options = _parse_options()
    # A plain `kill` must still reach the finally blocks that stop the server.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))
    try:
        with tempfile.TemporaryDirectory(prefix="eventday-bench-") as folder:
            lines = run(options, Path(folder))
    except BenchError as error:
        print(f"bench/dashboard.py: {error}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


def _parse_options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registrations", type=int, default=5000, help="registrations to seed")
    parser.add_argument("--page-repeats", type=int, default=20, help="timed requests per page")
    parser.add_argument("--csv-repeats", type=int, default=5, help="timed CSV exports")
    parser.add_argument("--search", default="lefèvre", help="the list's search (?q=)")
    options = parser.parse_args()
    if min(options.registrations, options.page_repeats, options.csv_repeats) < 1:
        parser.error("every count must be at least 1")
    return options


def _cases(options: argparse.Namespace) -> list[Case]:
    search = urllib.parse.urlencode({"q": options.search})
    return [
        Case("list, first page", "/admin/registrations", 100),
        Case(f"list, search ?q={options.search}", f"/admin/registrations?{search}", 100),
        Case(
            "list, filter ?type=clinician&status=confirmed",
            "/admin/registrations?type=clinician&status=confirmed",
            100,
        ),
        Case("CSV export, every registration", "/admin/registrations.csv", 1000, csv=True),
    ]


def run(options: argparse.Namespace, folder: Path) -> list[str]:
    """Seed, serve, time each case; the report's lines."""
    # Before anything of ours runs: what else keeps the CPUs busy.
    load = os.getloadavg()[0]
    population = Population(options.registrations, STATUSES, CHECKED_IN_SHARE)
    with serving_site(folder, population) as site:
        browser = sign_in(site)
        timings = []
        for case in _cases(options):
            repeats = options.csv_repeats if case.csv else options.page_repeats
            _progress(f"timing {case.label} ({repeats} times)")
            timings.append(_time(browser, case, repeats, options.registrations))
    return _report(options, timings, load)


def _time(browser: Browser, case: Case, repeats: int, registrations: int) -> Timing:
    """Warm up, then time `repeats` requests, checking every answer."""
    for _ in range(WARM_UP_REQUESTS):
        _rows(case, browser.request("GET", case.path).body, registrations)
    milliseconds = []
    rows = 0
    for _ in range(repeats):
        answer = browser.request("GET", case.path)
        if answer.status != 200:
            raise BenchError(f"{case.path} answered {answer.status}")
        milliseconds.append(answer.seconds * 1000)
        rows = _rows(case, answer.body, registrations)
    return Timing(case, rows, milliseconds)


def _rows(case: Case, body: bytes, registrations: int) -> int:
    """The registrations the answer shows, checked against what was seeded."""
    if not case.csv:
        rows = len(DETAIL_LINK.findall(body.decode()))
        if not 0 < rows <= PAGE_ROWS:
            raise BenchError(f"{case.path} lists {rows} registrations (want 1 to {PAGE_ROWS})")
        return rows
    if not body.startswith(BOM):
        raise BenchError(f"{case.path} does not start with a UTF-8 BOM")
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    if len(table) != registrations + 1 or table[0][0] != "reference":
        raise BenchError(
            f"{case.path} has {len(table)} rows starting with {table[0][:1]!r}; "
            f"want a header and {registrations} registrations"
        )
    return len(table) - 1


def _report(options: argparse.Namespace, timings: list[Timing], load: float) -> list[str]:
    lines = [
        "| request | rows | repeats | median ms | max ms | target ms | verdict |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for timing in timings:
        median = statistics.median(timing.milliseconds)
        verdict = "ok" if median <= timing.case.target_ms else "below target"
        rows = f"{timing.rows} + header" if timing.case.csv else str(timing.rows)
        lines.append(
            f"| {timing.case.label} | {rows} | {len(timing.milliseconds)} | {median:.1f} "
            f"| {max(timing.milliseconds):.1f} | ≤ {timing.case.target_ms:.0f} | {verdict} |"
        )
    shares = ", ".join(f"{status} {share:.0%}" for status, share in STATUSES.items())
    command = shlex.join([".venv/bin/python", "bench/dashboard.py", *sys.argv[1:]])
    lines += [
        "",
        f"`{command}` on {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %z}, "
        f"{os.cpu_count()} CPUs, load average {load:.1f} before the run "
        "(other work on the machine slows it down): "
        f"{options.registrations} registrations of the demo edition (SQLite; {shares}; "
        f"{CHECKED_IN_SHARE:.0%} of the confirmed checked in); gunicorn {WORKERS} sync workers "
        f"on {HOST}; one signed-in organiser, one request at a time, a new connection each, "
        f"time from connect to the last byte; {WARM_UP_REQUESTS} untimed requests first; "
        "verdict on the median.",
    ]
    return lines


if __name__ == "__main__":
    sys.exit(main())
