"""How many people can register per second through the real form, against a bare Flask app.

Each registration is what a browser does: `GET /register` (a new visitor: no cookie), then
`POST /register` sending back the session cookie and every hidden input of the form (the
CSRF token, the signed moment the form was shown) with a new person's answers and a unique
e-mail address, answered 303. The demo edition (with N registrations already, 1,000 by
default, and seats for all) is served by gunicorn (2 sync workers) on loopback, on SQLite
and on PostgreSQL (a database dropped and created again for the run), and loaded with wrk:
one thread per connection, each doing GET then POST in turn (a Lua script). The rate limit
stays on, raised by configuration (EVENTDAY_REGISTRATION_RATE_LIMIT), and the fill-time
check is off (EVENTDAY_REGISTRATION_MIN_SECONDS=0), as robots.py says for load tests.
No SMTP server is configured, and EVENTDAY_MAIL_WORKER is true (unless the environment
says otherwise): the confirmation mails wait in the outbox for `eventday send-mail
--watch`, not run here; with EVENTDAY_MAIL_WORKER=false each request writes its mail to
the log once committed.

The ceiling is bench/ceiling.py on the same gunicorn settings, driven by the same script:
a bare Flask route answering the GET with the form's bytes and headers as eventday sent
them, and the POST with eventday's 303. Rounds alternate eventday and ceiling runs and
the median is reported, because a shared machine is noisy.

Run from the project root: `.venv/bin/python bench/registration.py [--database sqlite ...]`.
It prints figures and exits non-zero only when something failed to run; a missed target
is reported as "below target".
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
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
from collections.abc import Mapping
from pathlib import Path

from checkin import Population, run_command, run_in_app
from programme import BIN, HOST, ROOT, WORKERS, BenchError, Server, _progress, _serving

TARGET_PER_SECOND = 150
SEATS = 1_000_000
DEFAULT_POSTGRESQL_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_registration"
# High enough never to refuse the bench's one address; the limiter still counts each form.
BENCH_RATE_LIMIT = "1000000 per minute"
HIDDEN_INPUT = re.compile(r"<input[^>]*\btype=\"hidden\"[^>]*>")
ATTRIBUTE = re.compile(r'\b(name|value)="([^"]*)"')
# What a person of each profile types; the bench takes them in turn (none needs approval).
PEOPLE = (
    {
        "stakeholder_type": "researcher",
        "institution": "Université Paris Cité",
        "team": "Immunogénétique",
        "position": "postdoc",
    },
    {"stakeholder_type": "clinician", "specialty": "Rhumatologie", "hospital": "CHU de Nantes"},
    {
        "stakeholder_type": "association",
        "association_name": "Association Française du Lupus",
        "association_role": "patient",
    },
)
COMMON_ANSWERS = {"first_name": "Hélène", "consent": "y", "language": "fr"}

# Each wrk thread has one connection and alternates: GET the form, POST it back with the
# cookie and hidden inputs the GET gave, a new address each time. wrk calls request()
# once before the run to check it (never sent); that call changes nothing.
WRK_SCRIPT = r"""
local people = PEOPLE
local common = COMMON
local run = "run"
local count = 0
local form = nil
local cookie = nil
local checked = false
registered = 0
failed = 0
failure = ""

local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("number", #threads)
end

function init(args)
  run = args[1]
end

local function encode(text)
  return (tostring(text):gsub("[^%w%-%._~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

local function body_of(fields)
  local parts = {}
  for name, value in pairs(fields) do
    parts[#parts + 1] = encode(name) .. "=" .. encode(value)
  end
  return table.concat(parts, "&")
end

function request()
  if not checked then
    checked = true
    return wrk.format("GET", "/register")
  end
  if form == nil then
    return wrk.format("GET", "/register")
  end
  count = count + 1
  local fields = {}
  for name, value in pairs(form) do fields[name] = value end
  for name, value in pairs(common) do fields[name] = value end
  for name, value in pairs(people[count % #people + 1]) do fields[name] = value end
  fields["last_name"] = string.format("Lefèvre-%d", count)
  fields["email"] = string.format("%s.%d.%d@example.org", run, number, count)
  local headers = {["Content-Type"] = "application/x-www-form-urlencoded"}
  if cookie then headers["Cookie"] = cookie end
  return wrk.format("POST", "/register", headers, body_of(fields))
end

local function fail(status, body)
  failed = failed + 1
  if failure == "" then failure = status .. " " .. body:sub(1, 300):gsub("%s+", " ") end
end

function response(status, headers, body)
  if form == nil then
    if status ~= 200 then return fail(status, body) end
    form = {}
    for tag in body:gmatch("<input[^>]*>") do
      if tag:find('type="hidden"', 1, true) then
        local name = tag:match('name="([^"]*)"')
        if name then form[name] = tag:match('value="([^"]*)"') or "" end
      end
    end
    -- eventday also clears remember_token; only the session cookie is sent back.
    local set = headers["Set-Cookie"] or ""
    cookie = set:match("(session=[^;]+)")
    return
  end
  if status == 303 then registered = registered + 1 else fail(status, body) end
  form, cookie = nil, nil
end

function done(summary, latency, requests)
  local total, wrong, first = 0, 0, ""
  for _, thread in ipairs(threads) do
    total = total + thread:get("registered")
    wrong = wrong + thread:get("failed")
    if first == "" then first = thread:get("failure") end
  end
  local errors = summary.errors
  io.write(string.format("registered %d\n", total))
  io.write(string.format("failed %d\n", wrong))
  io.write(string.format("seconds %f\n", summary.duration / 1e6))
  io.write(string.format("socket_errors %d\n",
    errors.connect + errors.read + errors.write + errors.timeout))
  io.write(string.format("p99_us %d\n", latency:percentile(99)))
  io.write("failure " .. first .. "\n")
end
"""


def _lua_table(mapping: Mapping[str, str]) -> str:
    # Lua reads UTF-8 as it is, and knows no \u escapes.
    pairs = (f"[{json.dumps(k)}] = {json.dumps(v, ensure_ascii=False)}" for k, v in mapping.items())
    return "{" + ", ".join(pairs) + "}"


def wrk_script() -> str:
    people = "{" + ", ".join(_lua_table(person) for person in PEOPLE) + "}"
    return WRK_SCRIPT.replace("PEOPLE", people, 1).replace("COMMON", _lua_table(COMMON_ANSWERS), 1)


@dataclasses.dataclass(frozen=True)
class Recorded:
    """What eventday answered to the GET and the POST of one registration: the ceiling's."""

    form: http.client.HTTPResponse
    form_body: bytes
    registered: http.client.HTTPResponse
    registered_body: bytes


@dataclasses.dataclass(frozen=True)
class Load:
    registrations_per_second: float
    p99_ms: float
    # CPU time the server's processes spent per registration: what the app costs, whatever
    # else the machine was doing meanwhile.
    cpu_ms: float


@dataclasses.dataclass(frozen=True)
class Pair:
    eventday: Load
    ceiling: Load

    @property
    def percent(self) -> float:
        return 100 * self.eventday.registrations_per_second / self.ceiling.registrations_per_second


def main() -> int:
    options = _parse_options()
    # A plain `kill` must still reach the finally blocks that stop the servers.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))
    load = os.getloadavg()[0]
    results = {}
    try:
        for database in _databases(options):
            with tempfile.TemporaryDirectory(prefix="eventday-bench-") as folder:
                results[database] = run(options, database, Path(folder))
    except BenchError as error:
        print(f"bench/registration.py: {error}", file=sys.stderr)
        return 1
    print("\n".join(_report(options, results, load)))
    return 0


def _parse_options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database", choices=("sqlite", "postgresql", "both"), default="both", help="which"
    )
    parser.add_argument(
        "--postgresql-url",
        default=DEFAULT_POSTGRESQL_URL,
        help="a PostgreSQL database the bench drops and creates again",
    )
    parser.add_argument(
        "--registrations", type=int, default=1000, help="registrations before the run"
    )
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--rounds", type=int, default=3, help="runs per server (median)")
    options = parser.parse_args()
    if min(options.duration, options.connections, options.rounds) < 1:
        parser.error("duration, connections and rounds must be at least 1")
    if options.registrations < 0:
        parser.error("registrations must be at least 0")
    return options


def _databases(options: argparse.Namespace) -> tuple[str, ...]:
    return ("sqlite", "postgresql") if options.database == "both" else (options.database,)


def _fresh_postgresql(url: str) -> None:
    """Drop the URL's database and create it again, empty."""
    import psycopg

    parts = urllib.parse.urlsplit(url.replace("postgresql+psycopg://", "postgresql://", 1))
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"\w+", name):
        raise BenchError(f"not a database name the bench may drop: {name!r}")
    server = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as error:
        raise BenchError(f"cannot create {name} on PostgreSQL: {error}") from None


def run(options: argparse.Namespace, database: str, folder: Path) -> list[Pair]:
    """Seed, serve, measure one database; the rounds' pairs."""
    if database == "postgresql":
        url = options.postgresql_url
        _fresh_postgresql(url)
    else:
        url = f"sqlite:///{folder / 'bench.sqlite3'}"
    env = {
        **os.environ,
        "EVENTDAY_DATABASE_URL": url,
        "EVENTDAY_REGISTRATION_RATE_LIMIT": BENCH_RATE_LIMIT,
        "EVENTDAY_REGISTRATION_MIN_SECONDS": "0",
        "EVENTDAY_MAIL_WORKER": _mail_worker(),
        # A key of our own, so the benchmark never writes instance/secret_key.
        "EVENTDAY_SECRET_KEY": secrets.token_hex(32),
        "EVENTDAY_INSTANCE_PATH": str(folder),
        "BENCH_CEILING_DIR": str(folder / "ceiling"),
    }
    eventday = str(BIN / "eventday")
    _progress(f"{database}: seeding the demo edition and {options.registrations} registrations")
    run_command([eventday, "db", "upgrade"], env)
    run_command([eventday, "seed-demo", "--capacity", str(SEATS)], env)
    population = Population(options.registrations, {"confirmed": 1.0})
    run_in_app(env, {"task": "populate", "population": dataclasses.asdict(population), "codes": ""})
    script = folder / "registration.lua"
    script.write_text(wrk_script())
    with contextlib.ExitStack() as stack:
        ours = stack.enter_context(_serving("eventday", "eventday:create_app()", [], env, folder))
        recorded = _register_once(ours)
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
        servers = {"eventday": ours, "ceiling": ceiling}
        _progress(f"{database}: warming up")
        for server in servers.values():
            _wrk(server, script, options.connections, 1, "warm")
        pairs = []
        for number in range(options.rounds):
            _progress(f"{database}: round {number + 1} of {options.rounds}")
            # Who goes first changes each round, so neither always gets the cooler machine.
            order = ("eventday", "ceiling") if number % 2 == 0 else ("ceiling", "eventday")
            loads = {
                name: _wrk(
                    servers[name], script, options.connections, options.duration, f"r{number}"
                )
                for name in order
            }
            pairs.append(Pair(loads["eventday"], loads["ceiling"]))
    return pairs


def _request(
    server: Server, method: str, body: bytes | None = None, headers: Mapping[str, str] = {}
) -> tuple[http.client.HTTPResponse, bytes]:
    connection = http.client.HTTPConnection(HOST, server.port, timeout=30)
    try:
        connection.request(method, "/register", body=body, headers=dict(headers))
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()


def _register_once(server: Server) -> Recorded:
    """One registration as the wrk script makes it, checked: the answers the ceiling replays."""
    form, form_body = _request(server, "GET")
    if form.status != 200:
        raise BenchError(f"GET /register answered {form.status}")
    fields = {}
    for tag in HIDDEN_INPUT.findall(form_body.decode()):
        attributes = dict(ATTRIBUTE.findall(tag))
        if "name" in attributes:
            fields[attributes["name"]] = attributes.get("value", "")
    fields |= COMMON_ANSWERS | PEOPLE[0]
    fields |= {"last_name": "Lefèvre-0", "email": "bench.check@example.org"}
    cookie = "; ".join(set.split(";", 1)[0] for set in _cookies_set(form))
    registered, registered_body = _request(
        server,
        "POST",
        urllib.parse.urlencode(fields).encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    location = registered.getheader("Location") or ""
    if registered.status != 303 or not location.startswith("/registration/"):
        raise BenchError(
            f"POST /register answered {registered.status} to {location!r}:\n"
            f"{registered_body[:2000].decode(errors='replace')}"
        )
    return Recorded(form, form_body, registered, registered_body)


def _cookies_set(answer: http.client.HTTPResponse) -> list[str]:
    """The Set-Cookie headers that set a cookie (not those that clear one)."""
    return [set for set in answer.msg.get_all("Set-Cookie") or [] if "max-age=0" not in set.lower()]


def _write_ceiling(folder: Path, recorded: Recorded) -> None:
    """The ceiling's manifest: the form's answer to GET, the 303 to POST, as eventday sent them."""
    folder.mkdir()
    manifest = []
    answers = (
        ("GET", recorded.form, recorded.form_body, ("Content-Type", "Vary")),
        ("POST", recorded.registered, recorded.registered_body, ("Content-Type", "Location")),
    )
    for method, answer, body, replayed in answers:
        name = f"body-{method.lower()}"
        (folder / name).write_bytes(body)
        headers = {k: answer.getheader(k) for k in replayed if answer.getheader(k)}
        # The session cookie (the form's CSRF token): one Set-Cookie, as the ceiling sends one.
        headers.update(("Set-Cookie", set) for set in _cookies_set(answer)[:1])
        manifest.append(
            {
                "path": "/register",
                "methods": [method],
                "status": answer.status,
                "headers": headers,
                "body": name,
            }
        )
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))


def _wrk_settings(connections: int, duration: int) -> list[str]:
    return [f"-t{connections}", f"-c{connections}", f"-d{duration}s", "--latency"]


def _wrk(server: Server, script: Path, connections: int, duration: int, run: str) -> Load:
    """One wrk run; every registration must have been answered 303 and none timed out."""
    command = [
        "wrk",
        *_wrk_settings(connections, duration),
        "-s",
        str(script),
        f"http://{HOST}:{server.port}",
        "--",
        f"{server.name}-{run}-{secrets.token_hex(3)}",
    ]
    cpu_before = _cpu_seconds(server)
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=duration + 30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise BenchError(f"`{shlex.join(command)}` did not run: {error}") from None
    cpu = _cpu_seconds(server) - cpu_before
    output = done.stdout
    if done.returncode != 0:
        raise BenchError(f"`{shlex.join(command)}` failed:\n{output}{done.stderr}")
    values = dict(
        re.findall(r"^(registered|failed|seconds|socket_errors|p99_us) (\S+)$", output, re.M)
    )
    if len(values) < 5:
        raise BenchError(f"cannot read wrk's output for {server.name}:\n{output}{done.stderr}")
    if int(values["failed"]):
        failure = re.search(r"^failure (.*)$", output, re.M)
        raise BenchError(
            f"{server.name}: {values['failed']} registrations failed, the first: "
            f"{failure.group(1) if failure else '?'}"
        )
    if int(values["socket_errors"]):
        raise BenchError(f"{server.name}: wrk had {values['socket_errors']} socket errors")
    registered = int(values["registered"])
    if not registered:
        raise BenchError(f"{server.name}: no registration answered in {duration} s")
    return Load(
        registered / float(values["seconds"]),
        int(values["p99_us"]) / 1000,
        1000 * cpu / registered,
    )


def _cpu_seconds(server: Server) -> float:
    """User and system CPU time of gunicorn's master and workers (its process group) so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            # After the command's name: state, ppid, pgrp, … utime (12th), stime (13th).
            fields = stat.read_text().rpartition(")")[2].split()
            if int(fields[2]) == server.process.pid:
                total += int(fields[11]) + int(fields[12])
    return total / ticks


def _mail_worker() -> str:
    return os.environ.get("EVENTDAY_MAIL_WORKER", "true")


def _report(
    options: argparse.Namespace, results: Mapping[str, list[Pair]], load: float
) -> list[str]:
    """The Markdown table (medians over rounds; the ratio's range shows the noise)."""
    lines = [
        "| database | eventday registrations/s | ceiling registrations/s | ratio % (range) "
        "| target /s | eventday p99 ms (GET or POST) | server CPU ms per registration: "
        "eventday / ceiling | verdict |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for database, pairs in results.items():
        ours = statistics.median(pair.eventday.registrations_per_second for pair in pairs)
        ceiling = statistics.median(pair.ceiling.registrations_per_second for pair in pairs)
        p99 = statistics.median(pair.eventday.p99_ms for pair in pairs)
        cpu = statistics.median(pair.eventday.cpu_ms for pair in pairs)
        ceiling_cpu = statistics.median(pair.ceiling.cpu_ms for pair in pairs)
        percents = [pair.percent for pair in pairs]
        verdict = "ok" if ours >= TARGET_PER_SECOND else "below target"
        lines.append(
            f"| {database} | {ours:.0f} | {ceiling:.0f} | {statistics.median(percents):.0f} "
            f"({min(percents):.0f}–{max(percents):.0f}) | ≥ {TARGET_PER_SECOND} | {p99:.1f} "
            f"| {cpu:.1f} / {ceiling_cpu:.1f} | {verdict} |"
        )
    command = shlex.join([".venv/bin/python", "bench/registration.py", *sys.argv[1:]])
    wrk = " ".join(["wrk", *_wrk_settings(options.connections, options.duration)])
    lines += [
        "",
        f"`{command}` on {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %z}, "
        f"{os.cpu_count()} CPUs, load average {load:.1f} before the run: the demo edition "
        f"with {options.registrations} confirmed registrations before each database's run, "
        f"EVENTDAY_MAIL_WORKER={_mail_worker()}; "
        f"gunicorn {WORKERS} sync workers on {HOST}; `{wrk} -s registration.lua`, each "
        "connection a new visitor's GET /register then POST /register (303), 1 s warm-up; "
        f"medians of {options.rounds} rounds, eventday and ceiling back to back in each; "
        "server CPU: user and system time of gunicorn's processes during the run divided by "
        "the registrations answered (PostgreSQL's own processes not counted).",
    ]
    return lines


if __name__ == "__main__":
    sys.exit(main())
