"""How fast the check-in desk answers a scan when several desks scan at once.

Seeds the demo edition and N confirmed registrations (5,000 by default) in a
fresh SQLite database, serves eventday with gunicorn (2 sync workers) on
loopback, signs in as an organiser and lets D desks (8 by default) scan every
badge's code once through `POST /admin/checkin/scan`, as fast as the server
answers. Reports scans per second, p50/p95/p99 latency and the count of each
`result`, for two clients: Python threads (one signed-in session per desk)
and wrk with a Lua script (one session shared by its D connections), because a
Python client on the same 2 cores can be the bottleneck itself. The check-ins
are forgotten between the two runs, so both see every answer `ok`.

Also the shared machinery of bench/dashboard.py: a seeded site with an
organiser account (`serving_site`) and a signed-in HTTP client (`Browser`).

Run from the project root: `.venv/bin/python bench/checkin.py [--desks 8 ...]`.
It prints figures and exits non-zero only when something failed to run; a
missed target is reported as "below target".
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import dataclasses
import datetime as dt
import http.client
import json
import os
import random
import re
import secrets
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
import urllib.parse
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from programme import BIN, HOST, ROOT, WORKERS, BenchError, Server, _progress, _serving

if TYPE_CHECKING:
    from eventday.programme.models import Edition
    from eventday.registration.models import Registration

TARGET_P99_MS = 20.0
TARGET_SYNC_SECONDS = 2.0
SYNC_ROUNDS = 3
SEATS = 6000
ORGANISER_EMAIL = "bench-organiser@example.org"
# Flask-Login's strong session protection ties a session to the address and the User-Agent.
USER_AGENT = "eventday-bench"
RESULTS = ("ok", "already_checked_in", "invalid", "cancelled", "not_confirmed")
MARKER = "eventday-bench: every code answered"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
CSRF_FIELD = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')

# Every code once, then the connections wait: no scan is sent twice. `delay`
# makes a connection wait before its next request (the desks' pause, then for
# ever), and is asked before each one.
WRK_SCRIPT = """\
local codes = {}
local desks = 1
local pause_ms = 0
local issued = 0
local answered = 0
local started_ns = nil
results = {}
elapsed_s = 0

local function now_ns()
  local clock = io.popen("date +%s%N")
  local value = tonumber(clock:read("*l"))
  clock:close()
  return value
end

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then codes[#codes + 1] = line end
  end
  desks = tonumber(args[2])
  pause_ms = tonumber(args[3])
end

function delay()
  if issued >= #codes then return 3600000 end
  return pause_ms
end

-- wrk calls request() once before the run to check it (never sent): that call takes no code.
local checked = false
function request()
  if not checked then
    checked = true
    return wrk.format("POST", nil, nil, "{}")
  end
  if started_ns == nil then started_ns = now_ns() end
  issued = issued + 1
  local body = string.format('{"code": "%s", "desk": "desk-%d", "nonce": "wrk-%d"}',
    codes[issued], (issued - 1) % desks + 1, issued)
  return wrk.format("POST", nil, nil, body)
end

function response(status, headers, body)
  answered = answered + 1
  local result = status == 200 and body:match('"result":%s*"([%a_]+)"') or ("http " .. status)
  results[result] = (results[result] or 0) + 1
  if answered == #codes then
    elapsed_s = (now_ns() - started_ns) / 1e9
    wrk.thread:stop()
    io.write("MARKER\\n")
    io.flush()
  end
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("answered %d\\n", summary.requests))
  io.write(string.format("socket_errors %d\\n",
    errors.connect + errors.read + errors.write + errors.timeout))
  for _, percent in ipairs({50, 95, 99}) do
    io.write(string.format("p%d_us %d\\n", percent, latency:percentile(percent)))
  end
  for _, thread in ipairs(threads) do
    io.write(string.format("elapsed_s %f\\n", thread:get("elapsed_s")))
    for result, count in pairs(thread:get("results")) do
      io.write(string.format("result %s %d\\n", result:gsub(" ", "_"), count))
    end
  end
end
""".replace("MARKER", MARKER)

FIRST_NAMES = (
    "Élodie", "Hélène", "François", "Jérôme", "Chloé", "Zoë", "Maëlle", "Noémie", "Loïc",
    "Benoît", "Anaïs", "Céline", "Gaëlle", "Raphaël", "Thérèse", "Agnès", "Clément", "Inès",
    "Léa", "Mathéo", "Joël", "Cécile", "Sébastien", "Frédérique", "Aurélien", "Amélie",
    "Jean-Baptiste", "Marie-Ève", "Yaël", "Björn", "Łucja", "Søren", "José", "Ngozi", "Mehmet",
    "Thi Thu Hằng", "Aïssatou", "Saïd", "Oğuz", "Dolorès",
)  # fmt: skip
LAST_NAMES = (
    "Lefèvre", "Dubois", "Martin", "Bernard", "Lemaître", "Côté", "Müller", "García", "Núñez",
    "O'Brien", "N'Diaye", "Kowalczyk", "Ødegaard", "Duchâteau", "Giraud-Bérenger", "Nguyễn",
    "Moreau", "Fontaine", "Lévêque", "Boël", "Da Silva", "Château", "Perrin", "Rousseau",
    "Faure", "Benoît", "Mercier", "Blanchard", "Gauthier", "Leclercq", "Œuvray", "Saint-Étienne",
    "Dupré", "Hébert", "Poirier", "Ménard", "Zoubir", "Kaczmarek", "Ibáñez", "Ferrière",
)  # fmt: skip
ANSWERS = {
    "researcher": {
        "institution": (
            "Inserm U1016", "CNRS UMR 7104", "Université Paris Cité", "Institut Pasteur",
            "Institut Imagine", "Université de Lorraine", "Karolinska Institutet",
        ),
        "team": ("Immunogénétique", "Auto-immunité et inflammation", "Interféronopathies", ""),
        "position": (
            "Doctorante", "Chargé de recherche", "Post-doctorant", "Directrice de recherche",
            "Ingénieure d'études", "Maître de conférences",
        ),
    },
    "clinician": {
        "specialty": ("Rhumatologie", "Médecine interne", "Dermatologie", "Néphrologie",
                      "Pédiatrie", "Immunologie clinique"),
        "hospital": ("Hôpital Cochin (AP-HP)", "CHU de Nantes", "Hôpital Necker-Enfants malades",
                     "CHU de Besançon", "Hospices Civils de Lyon", "CHU de Saint-Étienne"),
    },
    "association": {
        "association_name": ("Association Française du Lupus", "ASF Sclérodermie",
                             "Amis de la Myosite", "Association Gougerot-Sjögren"),
        "association_role": ("Présidente", "Bénévole", "Trésorier", "Patiente experte"),
    },
    "industry": {
        "company": ("Biogénix SAS", "Laboratoires Méridien", "ImmunoThéra", "Pharmédis Europe"),
        "job_title": ("Responsable affaires médicales", "MSL", "Chef de projet clinique"),
    },
}  # fmt: skip
ORGANISATION_FIELD = {
    "researcher": "institution",
    "clinician": "hospital",
    "association": "association_name",
    "industry": "company",
}
TYPE_SHARES = {"researcher": 0.45, "clinician": 0.30, "association": 0.15, "industry": 0.10}
# Letters that NFKD leaves whole, so they would vanish from e-mail addresses.
UNDECOMPOSED = str.maketrans({"Ø": "O", "ø": "o", "Œ": "Oe", "œ": "oe", "Ł": "L", "ł": "l"})
# The demo edition's registration window opens then; registrations arrive over 160 days.
REGISTRATION_OPENS = dt.datetime(2026, 10, 1, 8, tzinfo=dt.UTC)
DIETARY = ("Végétarien", "Sans gluten", "Halal", "Allergie aux fruits à coque")
ACCESSIBILITY = ("Fauteuil roulant", "Boucle magnétique", "Place près de l'entrée")


@dataclasses.dataclass(frozen=True)
class Population:
    """The registrations to insert; `statuses` gives each status's share."""

    registrations: int
    statuses: Mapping[str, float]
    checked_in_share: float = 0.0
    seed: int = 2027


@dataclasses.dataclass(frozen=True)
class Site:
    """eventday served on loopback with a seeded database and an organiser account."""

    server: Server
    env: Mapping[str, str]
    password: str


@dataclasses.dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    seconds: float


class Browser:
    """One signed-in person's HTTP client: keeps the cookies, sends the CSRF header if read.

    gunicorn's sync workers close every connection, so each request opens a new one.
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.csrf_token: str | None = None

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        sent = {"User-Agent": USER_AGENT, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = self.cookie_header()
        if self.csrf_token and method != "GET":
            sent["X-CSRFToken"] = self.csrf_token
        connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
        try:
            started = time.perf_counter()
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            data = response.read()
            seconds = time.perf_counter() - started
        finally:
            connection.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if value and "max-age=0" not in cookie.lower():
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return Answer(response.status, data, seconds)

    def read_csrf_meta(self, path: str) -> None:
        """Take the token for JSON requests from the page's `<meta name="csrf-token">`."""
        page = self.request("GET", path)
        found = CSRF_META.search(page.body.decode())
        if page.status != 200 or found is None:
            raise BenchError(f"{path} answered {page.status} without a csrf-token meta")
        self.csrf_token = found.group(1)


def sign_in(site: Site) -> Browser:
    """A browser signed in as the organiser through the login form."""
    browser = Browser(site.server.port)
    form = browser.request("GET", "/admin/login")
    found = CSRF_FIELD.search(form.body.decode())
    if form.status != 200 or found is None:
        raise BenchError(f"/admin/login answered {form.status} without a csrf_token field")
    fields = {"csrf_token": found.group(1), "email": ORGANISER_EMAIL, "password": site.password}
    answer = browser.request(
        "POST",
        "/admin/login",
        urllib.parse.urlencode(fields).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    if answer.status != 303:
        raise BenchError(f"signing in answered {answer.status}, not 303")
    return browser


def run_command(command: list[str], env: Mapping[str, str], stdin: str = "") -> str:
    done = subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(
            f"`{shlex.join(command)}` failed ({done.returncode}):\n{done.stdout}{done.stderr}"
        )
    return done.stdout


def run_in_app(env: Mapping[str, str], task: Mapping[str, object]) -> str:
    """Run one of `IN_APP_TASKS` in a fresh process inside eventday's app context."""
    command = [sys.executable, str(Path(__file__).resolve()), "--in-app", json.dumps(task)]
    return run_command(command, env)


@contextlib.contextmanager
def serving_site(folder: Path, population: Population, codes: Path | None = None) -> Iterator[Site]:
    """The demo edition with `population`, an organiser account, gunicorn serving it.

    With `codes`, the confirmed registrations' check-in codes are written there, one a line.
    """
    password = secrets.token_urlsafe(16)
    env = {
        **os.environ,
        "EVENTDAY_DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
        "EVENTDAY_RATELIMIT_ENABLED": "false",
        # A key of our own, so the benchmark never writes instance/secret_key.
        "EVENTDAY_SECRET_KEY": secrets.token_hex(32),
        "EVENTDAY_INSTANCE_PATH": str(folder),
    }
    eventday = str(BIN / "eventday")
    _progress(f"seeding the demo edition and {population.registrations} registrations")
    run_command([eventday, "db", "upgrade"], env)
    run_command([eventday, "seed-demo", "--capacity", str(SEATS)], env)
    run_in_app(
        env,
        {
            "task": "populate",
            "population": dataclasses.asdict(population),
            "codes": str(codes) if codes else "",
        },
    )
    run_command(
        [eventday, "create-user", ORGANISER_EMAIL, "--role", "organiser", "--password-stdin"],
        env,
        password + "\n",
    )
    with _serving("eventday", "eventday:create_app()", [], env, folder) as server:
        yield Site(server, env, password)


def _ascii(text: str) -> str:
    """A name as an e-mail address's local part: Hélène → helene, Ødegaard → odegaard."""
    decomposed = unicodedata.normalize("NFKD", text.translate(UNDECOMPOSED))
    return re.sub(r"[^a-z0-9]+", "", decomposed.encode("ascii", "ignore").decode().lower())


def _orcid(rng: random.Random) -> str:
    """A well-formed ORCID iD (ISO 7064 11,2 check character)."""
    digits = "000" + "".join(rng.choice("0123456789") for _ in range(12))
    total = 0
    for digit in digits:
        total = (total + int(digit)) * 2
    check = (12 - total % 11) % 11
    text = digits + ("X" if check == 10 else str(check))
    return "-".join(text[i : i + 4] for i in range(0, 16, 4))


def _populate(spec: Mapping[str, Any]) -> None:
    """Insert the registrations through the models, bypassing the registration form's rules.

    With `codes`, writes every confirmed registration's check-in code there, one a line.
    """
    from sqlalchemy import select

    from eventday import create_app
    from eventday.extensions import db
    from eventday.programme.models import Session, SessionKind, current_edition
    from eventday.registration.tokens import checkin_code

    population = Population(**spec["population"])
    rng = random.Random(population.seed)
    app = create_app()
    with app.app_context():
        edition = current_edition()
        if edition is None:
            raise SystemExit("no current edition")
        workshops = db.session.scalars(
            select(Session).where(
                Session.edition_id == edition.id, Session.kind == SessionKind.WORKSHOP
            )
        ).all()
        seats_left = {w.id: w.capacity or 0 for w in workshops}
        references: set[str] = set()
        codes = []
        for number in range(population.registrations):
            registration = _registration(rng, edition, number, population, references)
            if registration.status == "confirmed":
                free = [w for w in workshops if seats_left[w.id] > 0]
                if free and rng.random() < 0.5:
                    chosen = rng.choice(free)
                    seats_left[chosen.id] -= 1
                    registration.workshops.append(chosen)
                codes.append(checkin_code(edition.id, registration.reference))
            db.session.add(registration)
        db.session.commit()
    if spec["codes"]:
        Path(spec["codes"]).write_text("\n".join(codes) + "\n")


def _registration(
    rng: random.Random,
    edition: Edition,
    number: int,
    population: Population,
    references: set[str],
) -> Registration:
    """One registration with a made-up person of a random type, status and creation time."""
    from eventday.registration.models import Registration
    from eventday.registration.tokens import new_reference, new_token

    kind = rng.choices(list(TYPE_SHARES), weights=list(TYPE_SHARES.values()))[0]
    status = rng.choices(list(population.statuses), weights=list(population.statuses.values()))[0]
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    answers = {name: rng.choice(values) for name, values in ANSWERS[kind].items()}
    if kind == "researcher":
        answers["orcid"] = _orcid(rng) if rng.random() < 0.6 else ""
    elif kind == "clinician":
        answers["rpps"] = "10" + "".join(rng.choice("0123456789") for _ in range(9))
    reference = new_reference(edition.start_date.year)
    while reference in references:
        reference = new_reference(edition.start_date.year)
    references.add(reference)
    email = f"{_ascii(first)}.{_ascii(last)}.{number}@example.org"
    created = REGISTRATION_OPENS + dt.timedelta(minutes=rng.randrange(160 * 24 * 60))
    registration = Registration(
        edition_id=edition.id,
        token=new_token(),
        reference=reference,
        first_name=first,
        last_name=last,
        email=email,
        email_key=email.lower(),
        organisation=answers[ORGANISATION_FIELD[kind]],
        stakeholder_type=kind,
        answers=answers,
        dietary=rng.choice(DIETARY) if rng.random() < 0.1 else "",
        accessibility=rng.choice(ACCESSIBILITY) if rng.random() < 0.02 else "",
        consent_at=created,
        listed=rng.random() < 0.5,
        language="en" if rng.random() < 0.2 else "fr",
        status=status,
        created_at=created,
        updated_at=created,
    )
    registration.refresh_name_key()
    if status == "confirmed" and rng.random() < population.checked_in_share:
        doors_open = dt.datetime.combine(edition.start_date, dt.time(7, 30), tzinfo=dt.UTC)
        registration.checked_in_at = doors_open + dt.timedelta(seconds=rng.randrange(3 * 3600))
        registration.checked_in_desk = f"desk-{rng.randrange(1, 4)}"
    return registration


def _forget_checkins(spec: Mapping[str, Any]) -> None:
    """Every registration back to not checked in, and the scan log emptied."""
    from sqlalchemy import delete, update

    from eventday import create_app
    from eventday.checkin.models import CheckinScan
    from eventday.extensions import db
    from eventday.registration.models import Registration

    app = create_app()
    with app.app_context():
        db.session.execute(update(Registration).values(checked_in_at=None, checked_in_desk=""))
        db.session.execute(delete(CheckinScan))
        db.session.commit()


IN_APP_TASKS = {"populate": _populate, "forget-checkins": _forget_checkins}


@dataclasses.dataclass(frozen=True)
class Run:
    """One client's pass over the codes."""

    client: str
    scans: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    results: Mapping[str, int]
    complete: bool

    @property
    def scans_per_second(self) -> float:
        return self.scans / self.seconds


def main() -> int:
    options = _parse_options()
    if options.in_app:
        task = json.loads(options.in_app)
        IN_APP_TASKS[task["task"]](task)
        return 0
    # A plain `kill` must still reach the finally blocks that stop the server.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))
    try:
        with tempfile.TemporaryDirectory(prefix="eventday-bench-") as folder:
            lines = run(options, Path(folder))
    except BenchError as error:
        print(f"bench/checkin.py: {error}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


def _parse_options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--registrations", type=int, default=5000, help="confirmed registrations, each scanned once"
    )
    parser.add_argument("--desks", type=int, default=8, help="desks scanning at once")
    parser.add_argument(
        "--duration", type=int, default=60, help="seconds at most per client's pass over the codes"
    )
    parser.add_argument(
        "--pause",
        type=int,
        default=0,
        help="milliseconds a desk waits between its scans (0: the next at once)",
    )
    parser.add_argument(
        "--client", choices=("python", "wrk", "both"), default="both", help="which client to run"
    )
    parser.add_argument(
        "--sync-scans",
        type=int,
        default=500,
        help="scans in the offline desk's queue sent to /admin/checkin/sync (0: no sync pass)",
    )
    parser.add_argument("--in-app", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.registrations < 2:
        parser.error("percentiles need at least 2 registrations")
    if min(options.desks, options.duration) < 1 or options.pause < 0:
        parser.error("desks and the duration must be at least 1, the pause at least 0")
    return options


def run(options: argparse.Namespace, folder: Path) -> list[str]:
    """Seed, serve, scan with each client; the report's lines."""
    # Before anything of ours runs: what else keeps the CPUs busy.
    load = os.getloadavg()[0]
    codes_file = folder / "codes.txt"
    population = Population(options.registrations, {"confirmed": 1.0})
    with serving_site(folder, population, codes_file) as site:
        runs = []
        if options.client in ("python", "both"):
            runs.append(_scan_with_python(site, codes_file, options))
        if options.client in ("wrk", "both"):
            if runs:
                _progress("forgetting the check-ins")
                run_in_app(site.env, {"task": "forget-checkins"})
            runs.append(_scan_with_wrk(site, codes_file, options, folder))
        synced = _sync_queue(site, codes_file, options) if options.sync_scans else None
    return _report(options, runs, load) + (_sync_report(options, synced) if synced else [])


@dataclasses.dataclass(frozen=True)
class Synced:
    """Rounds of one offline desk's queue sent at once; `again`: the same queue resent."""

    seconds: list[float]
    again_seconds: list[float]
    results: Mapping[str, int]


def _sync_queue(site: Site, codes_file: Path, options: argparse.Namespace) -> Synced:
    """An offline desk's queue of N scans (each made a minute apart, the last a minute ago)
    sent in one POST to /admin/checkin/sync, then sent again as after a lost answer."""
    codes = codes_file.read_text().split()[: options.sync_scans]
    if len(codes) < options.sync_scans:
        raise BenchError(f"only {len(codes)} codes for a queue of {options.sync_scans}")
    seconds, again, results = [], [], collections.Counter()
    for round_number in range(SYNC_ROUNDS):
        _progress(f"sync round {round_number + 1}: forgetting the check-ins")
        run_in_app(site.env, {"task": "forget-checkins"})
        desk = sign_in(site)
        desk.read_csrf_meta("/admin/checkin")
        now = dt.datetime.now(dt.UTC)
        scans = [
            {
                "code": code,
                "nonce": secrets.token_hex(16),
                "at": (now - dt.timedelta(minutes=len(codes) - n) / 10).isoformat(),
            }
            for n, code in enumerate(codes)
        ]
        body = json.dumps({"desk": "Hors ligne", "scans": scans}).encode()
        headers = {"Content-Type": "application/json"}
        first = desk.request("POST", "/admin/checkin/sync", body, headers)
        second = desk.request("POST", "/admin/checkin/sync", body, headers)
        for answer in (first, second):
            if answer.status != 200:
                raise BenchError(f"/admin/checkin/sync answered {answer.status}")
        answers = json.loads(first.body)["answers"]
        if json.loads(second.body)["answers"] != answers or len(answers) != len(codes):
            raise BenchError("the queue sent again did not get the same answers")
        results.update(a["result"] for a in answers)
        seconds.append(first.seconds)
        again.append(second.seconds)
    return Synced(seconds, again, results)


def _sync_report(options: argparse.Namespace, synced: Synced) -> list[str]:
    median = statistics.median(synced.seconds)
    verdict = "ok" if median <= TARGET_SYNC_SECONDS else "below target"
    results = ", ".join(f"{name} {count}" for name, count in sorted(synced.results.items()))
    return [
        "",
        "| offline queue sent to /admin/checkin/sync | scans | median s | rounds s "
        "| sent again, median s | target s | results | verdict |",
        "|---|---:|---:|---|---:|---:|---|---|",
        f"| one POST, one transaction | {options.sync_scans} | {median:.2f} "
        f"| {' / '.join(f'{s:.2f}' for s in synced.seconds)} "
        f"| {statistics.median(synced.again_seconds):.2f} | ≤ {TARGET_SYNC_SECONDS:.0f} "
        f"| {results} (all rounds) | {verdict} |",
        "",
        f"Sync: {SYNC_ROUNDS} rounds, the check-ins forgotten before each; a desk's queue of "
        f"{options.sync_scans} different badges scanned offline (times in the past hour), "
        "sent in one request, then the same request again (every nonce known: the first "
        "answers from the scan log).",
    ]


def _percentiles_ms(seconds: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles([s * 1000 for s in seconds], n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def _scan_with_python(site: Site, codes_file: Path, options: argparse.Namespace) -> Run:
    """D threads, each a desk with its own signed-in session, sharing one queue of codes."""
    codes = codes_file.read_text().split()
    _progress(f"signing in {options.desks} desks")
    browsers = [sign_in(site) for _ in range(options.desks)]
    for browser in browsers:
        browser.read_csrf_meta("/admin/checkin")
    pending = iter(codes)
    lock = threading.Lock()
    start = threading.Barrier(options.desks + 1)
    latencies: list[float] = []
    results: collections.Counter[str] = collections.Counter()
    failures: list[BaseException] = []
    deadline = time.monotonic() + options.duration

    def desk(number: int, browser: Browser) -> None:
        mine: list[float] = []
        seen: collections.Counter[str] = collections.Counter()
        start.wait()
        try:
            while time.monotonic() < deadline:
                with lock:
                    code = next(pending, None)
                if code is None:
                    break
                body = {"code": code, "desk": f"desk-{number}", "nonce": secrets.token_hex(8)}
                answer = browser.request(
                    "POST",
                    "/admin/checkin/scan",
                    json.dumps(body).encode(),
                    {"Content-Type": "application/json"},
                )
                mine.append(answer.seconds)
                ok = answer.status == 200
                seen[json.loads(answer.body)["result"] if ok else f"http {answer.status}"] += 1
                time.sleep(options.pause / 1000)
        except (OSError, http.client.HTTPException, ValueError, KeyError) as error:
            failures.append(error)
        with lock:
            latencies.extend(mine)
            results.update(seen)

    threads = [
        threading.Thread(target=desk, args=(number, browser), daemon=True)
        for number, browser in enumerate(browsers, start=1)
    ]
    for thread in threads:
        thread.start()
    _progress(f"scanning {len(codes)} codes from {options.desks} Python threads")
    started = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if failures:
        raise BenchError(f"a desk failed: {failures[0]!r}")
    return Run(
        f"Python, {options.desks} threads, a session each",
        len(latencies),
        seconds,
        *_percentiles_ms(latencies),
        dict(results),
        complete=len(latencies) == len(codes),
    )


def _wrk_settings(desks: int, duration: int) -> list[str]:
    return ["-t1", f"-c{desks}", f"-d{duration}s", "--timeout", "10s"]


def _scan_with_wrk(site: Site, codes_file: Path, options: argparse.Namespace, folder: Path) -> Run:
    """wrk's D connections share one signed-in session; the script stops after the last answer."""
    script = folder / "checkin.lua"
    script.write_text(WRK_SCRIPT)
    browser = sign_in(site)
    browser.read_csrf_meta("/admin/checkin")
    headers = {
        "User-Agent": USER_AGENT,
        "Cookie": browser.cookie_header(),
        "X-CSRFToken": browser.csrf_token or "",
        "Content-Type": "application/json",
    }
    command = ["wrk", *_wrk_settings(options.desks, options.duration)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command += [
        "-s",
        str(script),
        f"http://{HOST}:{site.server.port}/admin/checkin/scan",
        "--",
        str(codes_file),
        str(options.desks),
        str(options.pause),
    ]
    count = len(codes_file.read_text().split())
    _progress(f"scanning {count} codes with wrk ({options.desks} connections)")
    output = _run_wrk_until_marker(command, options.duration)
    values = dict(re.findall(r"^(answered|socket_errors|elapsed_s|p\d+_us) (\S+)$", output, re.M))
    if "answered" not in values:
        raise BenchError(f"cannot read wrk's output:\n{output}")
    if int(values["socket_errors"]):
        raise BenchError(f"wrk had {values['socket_errors']} socket errors:\n{output}")
    results = {name: int(n) for name, n in re.findall(r"^result (\S+) (\d+)$", output, re.M)}
    complete = float(values["elapsed_s"]) > 0
    seconds = float(values["elapsed_s"]) if complete else float(options.duration)
    return Run(
        f"wrk, {options.desks} connections, one session",
        int(values["answered"]),
        seconds,
        *(int(values[f"p{percent}_us"]) / 1000 for percent in (50, 95, 99)),
        results,
        complete=complete and int(values["answered"]) == count,
    )


def _run_wrk_until_marker(command: list[str], duration: int) -> str:
    """wrk's output; interrupted once the script says every code is answered.

    wrk sleeps for its whole -d before it reports, even when its threads have stopped;
    an interrupt makes it report at once.
    """
    try:
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
    except OSError as error:
        raise BenchError(f"`{shlex.join(command)}` did not run: {error}") from None
    lines = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if line.strip() == MARKER:
                process.send_signal(signal.SIGINT)
                break
        rest, _ = process.communicate(timeout=duration + 30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    output = "".join(lines) + rest
    if process.returncode != 0:
        raise BenchError(f"`{shlex.join(command)}` failed ({process.returncode}):\n{output}")
    return output


def _report(options: argparse.Namespace, runs: list[Run], load: float) -> list[str]:
    lines = [
        "| client | scans | scans/s | p50 ms | p95 ms | p99 ms | target p99 ms | results "
        "| verdict |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for run in runs:
        known = [f"{name} {run.results.get(name, 0)}" for name in RESULTS]
        other = [f"{name} {n}" for name, n in run.results.items() if name not in RESULTS]
        verdict = "ok" if run.p99_ms <= TARGET_P99_MS else "below target"
        if not run.complete:
            verdict += f" (stopped after {options.duration} s)"
        lines.append(
            f"| {run.client} | {run.scans} | {run.scans_per_second:.0f} | {run.p50_ms:.1f} "
            f"| {run.p95_ms:.1f} | {run.p99_ms:.1f} | ≤ {TARGET_P99_MS:.0f} "
            f"| {', '.join(known + other)} | {verdict} |"
        )
    command = shlex.join([".venv/bin/python", "bench/checkin.py", *sys.argv[1:]])
    wrk = " ".join(["wrk", *_wrk_settings(options.desks, options.duration)])
    pace = (
        f"each desk waiting {options.pause} ms after each answer"
        if options.pause
        else "each desk scanning again as soon as answered"
    )
    lines += [
        "",
        f"`{command}` on {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %z}, "
        f"{os.cpu_count()} CPUs, load average {load:.1f} before the run "
        "(other work on the machine slows it down): "
        f"{options.registrations} confirmed registrations of the demo edition (SQLite), "
        f"every code scanned once per client by {options.desks} desks, {pace}; "
        f"gunicorn {WORKERS} sync workers on {HOST}, "
        "a new connection per scan; latency from connect to the last byte. "
        f"Python: {options.desks} threads, each desk its own signed-in session, on the same "
        f"CPUs as the server. wrk: `{wrk} -s checkin.lua`, one signed-in session shared "
        "by its connections, the check-ins forgotten before its pass.",
    ]
    return lines


if __name__ == "__main__":
    sys.exit(main())
