"""How long the book of abstracts takes to draw, and how much memory it takes, for a large call.

Seeds, in a fresh SQLite database (migrated as in production), a current
edition whose released call has N accepted abstracts (300 by default): a
fifth orals in six programme sessions, the rest posters with board numbers,
spread over eight topics; each about 250 words long (with italics,
superscripts, subscripts, accents and Greek letters) and with 5 authors from
a pool of French institutions, one to three affiliations each. Then times
`book.build` R times (3 by default), wall and CPU time, and
reads the last book back with pypdf to check that it holds one outline entry
per abstract. Peak memory is the process's maximum resident set size
(`resource.getrusage`), which counts the interpreter, the app and the seeded
rows too.

Run from the project root: `.venv/bin/python bench/abstracts.py [--abstracts 300 ...]`.
It prints figures and exits non-zero only when something failed to run; a
missed target is reported as "below target".
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import io
import os
import random
import resource
import secrets
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path

from programme import BenchError, _progress
from pypdf import PdfReader

TARGET_SECONDS = 5.0
TARGET_MB = 300.0
TABLE_TARGET_MS = 200.0
REVIEWS_EACH = 3
AUTHORS = 5
WORDS = 250
SESSIONS = 6
ORAL_SHARE = 0.2
TOPICS = (
    "Immunologie",
    "Génétique et génomique",
    "Infectiologie",
    "Neurosciences",
    "Cancérologie",
    "Épidémiologie",
    "Biologie cellulaire",
    "Pharmacologie",
)
INSTITUTIONS = (
    "Institut Pasteur, Paris",
    "Université Paris Cité",
    "CNRS UMR 8104, Institut Cochin",
    "Inserm U1016",
    "Sorbonne Université, Paris",
    "Hôpital Necker-Enfants malades, AP-HP",
    "Université de Lyon, Centre International de Recherche en Infectiologie",
    "Inserm U1111, CNRS UMR 5308, ENS de Lyon",
    "Université de Montpellier, IRIM, CNRS UMR 9004",
    "Institut Curie, PSL Research University",
    "Université de Strasbourg, IGBMC, Inserm U1258",
    "CHU de Bordeaux",
    "Aix-Marseille Université, CIML, Inserm U1104",
    "Université Grenoble Alpes, Institut pour l'Avancée des Biosciences",
)
FIRST_NAMES = ("Hélène", "Zoé", "Jérôme", "Gaël", "Anaïs", "François", "Léa", "Noël", "Inès")
LAST_NAMES = ("Lefèvre", "Dupré", "Le Bihan", "Ferré", "Nguyễn", "Müller", "Château", "Garçon")
PLAIN_WORDS = [
    "les",
    "lymphocytes",
    "activés",
    "sécrètent",
    "des",
    "cytokines",
    "dans",
    "la",
    "rate",
    "et",
    "le",
    "thymus",
    "chez",
    "des",
    "patients",
    "atteints",
    "de",
    "maladies",
    "inflammatoires",
    "chroniques",
    "une",
    "cohorte",
    "de",
    "suivi",
    "prospectif",
    "a",
    "été",
    "étudiée",
    "par",
    "cytométrie",
    "en",
    "flux",
    "séquençage",
    "et",
    "imagerie",
    "confocale",
    "nous",
    "montrons",
    "que",
    "la",
    "voie",
    "de",
    "signalisation",
    "régule",
    "la",
    "différenciation",
    "cellulaire",
    "ainsi",
    "que",
    "la",
    "réponse",
    "immunitaire",
    "innée",
    "et",
    "adaptative",
    "après",
    "infection",
    "expérimentale",
]
MARKED_WORDS = (
    "TNF-α",
    "IFN-γ",
    "TGF-β",
    "IL-1β",
    "CD4<sup>+</sup>",
    "CD8<sup>+</sup>",
    "CO<sub>2</sub>",
    "Ca<sup>2+</sup>",
    "<i>Mus musculus</i>",
    "<i>Mycobacterium tuberculosis</i>",
    "<i>FOXP3</i>",
    "10<sup>6</sup>",
    "H<sub>2</sub>O<sub>2</sub>",
)


def main() -> int:
    options = _parse_options()
    try:
        with tempfile.TemporaryDirectory(prefix="eventday-bench-") as folder:
            lines = run(options, Path(folder))
    except BenchError as error:
        print(f"bench/abstracts.py: {error}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


def _parse_options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--abstracts", type=int, default=300, help="accepted abstracts")
    parser.add_argument("--repeats", type=int, default=3, help="timed drawings of the book")
    parser.add_argument("--seed", type=int, default=12, help="random seed of the texts")
    parser.add_argument("--keep", type=Path, help="also write the last book to this file")
    options = parser.parse_args()
    if min(options.abstracts, options.repeats) < 1:
        parser.error("every count must be at least 1")
    return options


def run(options: argparse.Namespace, folder: Path) -> list[str]:
    """Seed, draw the book, check it; the report's lines."""
    from flask_migrate import upgrade

    from eventday import create_app
    from eventday.abstracts import book

    load = os.getloadavg()[0]
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
            "SECRET_KEY": secrets.token_hex(32),
        }
    )
    with app.app_context():
        _progress("migrating a fresh SQLite database")
        upgrade()
        _progress(f"seeding {options.abstracts} accepted abstracts")
        edition_id = _seed(options.abstracts, random.Random(options.seed))
        memory_before = _peak_mb()
        seconds, cpu_seconds = [], []
        for repeat in range(options.repeats):
            _progress(f"drawing the book ({repeat + 1}/{options.repeats})")
            started, cpu_started = time.perf_counter(), time.process_time()
            pdf = book.build(edition_id)
            seconds.append(time.perf_counter() - started)
            cpu_seconds.append(time.process_time() - cpu_started)
        memory_after = _peak_mb()
        _progress(f"reviewing: {REVIEWS_EACH} reviews of each abstract")
        _seed_reviews(edition_id, random.Random(options.seed))
        table_ms, page_ms = _time_committee_table(app, edition_id)
    pages, entries = _check(pdf, options.abstracts)
    if options.keep:
        options.keep.write_bytes(pdf)
    figures = Figures(seconds, cpu_seconds, memory_before, memory_after, pages, len(pdf), entries)
    return [*_report(options, figures, load), "", *_table_report(options, table_ms, page_ms)]


def _seed_reviews(edition_id: int, chance: random.Random) -> None:
    """Three reviewers, three weighted criteria, and a review of every abstract by each."""
    from sqlalchemy import select

    from eventday.abstracts.models import Abstract, Criterion, Review, Score
    from eventday.accounts.models import User
    from eventday.database import write_transaction
    from eventday.extensions import db

    with write_transaction(edition_id):
        people = [
            User(email=f"relecteur{n}@example.org", role="reviewer", password_hash="-")
            for n in range(REVIEWS_EACH)
        ]
        criteria = [
            Criterion(edition_id=edition_id, name=name, weight=weight, position=position)
            for position, (name, weight) in enumerate(
                [("Originalité", 2), ("Méthodes", 2), ("Clarté", 1)]
            )
        ]
        db.session.add_all([*people, *criteria])
        db.session.flush()
        ids = db.session.scalars(select(Abstract.id).where(Abstract.edition_id == edition_id))
        for abstract_id in ids:
            for person in people:
                db.session.add(
                    Review(
                        abstract_id=abstract_id,
                        user_id=person.id,
                        recommendation=chance.choice(["poster", "oral", "reject"]),
                        comment_committee="Travail solide.",
                        scores=[
                            Score(criterion_id=criterion.id, value=chance.randint(0, 5))
                            for criterion in criteria
                        ],
                    )
                )


def _time_committee_table(app: object, edition_id: int) -> tuple[list[float], list[float]]:
    """The table's function alone, then the whole page as an organiser gets it (ms each)."""
    import re

    from eventday.abstracts import committee
    from eventday.accounts.rules import create_user

    password = secrets.token_urlsafe(16)
    create_user("bench-admin@example.org", "admin", password)
    table_ms, page_ms = [], []
    for _round in range(10):
        started = time.perf_counter()
        rows = committee.table(edition_id)
        table_ms.append((time.perf_counter() - started) * 1000)
    if len(rows) < 1:
        raise BenchError("the committee's table is empty")
    client = app.test_client()
    login = client.get("/admin/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
    answer = client.post(
        "/admin/login",
        data={"csrf_token": token, "email": "bench-admin@example.org", "password": password},
    )
    if answer.status_code != 303:
        raise BenchError(f"signing in answered {answer.status_code}")
    for _round in range(10):
        started = time.perf_counter()
        answer = client.get("/admin/abstracts/committee?sort=mean")
        page_ms.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200:
            raise BenchError(f"the committee's table answered {answer.status_code}")
    return table_ms, page_ms


def _table_report(
    options: argparse.Namespace, table_ms: list[float], page_ms: list[float]
) -> list[str]:
    lines = ["| figure | value | target | verdict |", "|---|---:|---:|---|"]
    for label, values in (
        ("committee's table, the function, median", table_ms),
        ("committee's table, the whole page (GET, signed in), median", page_ms),
    ):
        value = statistics.median(values)
        verdict = "ok" if value <= TABLE_TARGET_MS else "below target"
        lines.append(f"| {label} | {value:.0f} ms | ≤ {TABLE_TARGET_MS:.0f} ms | {verdict} |")
    return [
        *lines,
        "",
        f"{options.abstracts} abstracts × {REVIEWS_EACH} reviews, 3 weighted criteria, SQLite, "
        "sorted by weighted mean; medians of 10 rounds in one process (Flask's test client, "
        "no network).",
    ]


def _seed(count: int, chance: random.Random) -> int:
    """A current edition, its released call and `count` accepted abstracts; the edition's id."""
    from eventday.abstracts.models import Abstract, Call
    from eventday.database import utcnow, write_transaction
    from eventday.editions.lifecycle import EditionDraft, create_edition
    from eventday.extensions import db
    from eventday.programme import rules
    from eventday.programme.models import Track

    day = dt.date(2027, 1, 25)
    edition = create_edition(
        EditionDraft(
            name="Journée de la recherche 2027",
            slug="bench-2027",
            start_date=day,
            end_date=day,
            venue_name="Faculté de médecine",
            venue_address="15 rue de l'École-de-Médecine\n75006 Paris",
        ),
        state="current",
    )
    zone = edition.zone
    sessions = [
        rules.save_session(
            edition.id,
            rules.SessionDraft(
                title=f"Communications orales {number + 1}",
                kind="talk",
                starts_at=dt.datetime.combine(day, dt.time(9 + number, 0), tzinfo=zone),
                ends_at=dt.datetime.combine(day, dt.time(9 + number, 55), tzinfo=zone),
            ),
        ).id
        for number in range(SESSIONS)
    ]
    with write_transaction(edition.id):
        db.session.add(Call(edition_id=edition.id, released_at=utcnow()))
        tracks = [Track(edition_id=edition.id, name=name) for name in TOPICS]
        db.session.add_all(tracks)
        orals = round(count * ORAL_SHARE)
        for number in range(1, count + 1):
            oral = number <= orals
            db.session.add(
                Abstract(
                    edition_id=edition.id,
                    token=secrets.token_hex(32),
                    number=number,
                    title=_title(chance),
                    body=_body(chance),
                    track=chance.choice(tracks),
                    keywords=", ".join(chance.sample(PLAIN_WORDS, 4)),
                    presentation="either",
                    decision="oral" if oral else "poster",
                    released_decision="oral" if oral else "poster",
                    session_id=sessions[number % SESSIONS] if oral else None,
                    board_number=None if oral else number - orals,
                    authors=_authors(number, chance),
                )
            )
    return edition.id


def _title(chance: random.Random) -> str:
    words = chance.sample(PLAIN_WORDS, 9)
    return (
        f"{' '.join(words).capitalize()} : rôle de l'{chance.choice(('IFN-γ', 'TNF-α', 'IL-1β'))}"
    )


def _body(chance: random.Random) -> str:
    """About WORDS words in two paragraphs, one word in eight carrying a mark or a Greek letter."""
    words = [
        chance.choice(MARKED_WORDS) if chance.random() < 0.125 else chance.choice(PLAIN_WORDS)
        for _ in range(WORDS)
    ]
    half = WORDS // 2
    first, second = " ".join(words[:half]), " ".join(words[half:])
    return f"{first[0].upper()}{first[1:]}.\n\n{second[0].upper()}{second[1:]}."


def _authors(number: int, chance: random.Random) -> list:
    from eventday.abstracts.models import Author

    presenting = chance.randrange(AUTHORS)
    return [
        Author(
            position=position,
            first_name=chance.choice(FIRST_NAMES),
            last_name=f"{chance.choice(LAST_NAMES)}-{number % 37 + position}",
            email=f"author-{number}-{position}@example.org",
            affiliations="\n".join(chance.sample(INSTITUTIONS, chance.randint(1, 3))),
            presenting=position == presenting,
        )
        for position in range(AUTHORS)
    ]


def _peak_mb() -> float:
    # Linux gives ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _check(pdf: bytes, abstracts: int) -> tuple[int, int]:
    """The book's pages and outline entries at the abstracts' level, checked against the seed."""
    reader = PdfReader(io.BytesIO(pdf))
    # The outline nests: a part, then its topics' list, each followed by its abstracts' list.
    entries = sum(
        1
        for part in reader.outline
        if isinstance(part, list)
        for topic in part
        if isinstance(topic, list)
        for _ in topic
    )
    if entries != abstracts:
        raise BenchError(f"the book's outline lists {entries} abstracts, not {abstracts}")
    return len(reader.pages), entries


@dataclasses.dataclass(frozen=True)
class Figures:
    seconds: list[float]
    cpu_seconds: list[float]
    memory_before: float
    memory_after: float
    pages: int
    size: int
    entries: int


def _report(options: argparse.Namespace, figures: Figures, load: float) -> list[str]:
    rows = [
        ("book of abstracts, median wall time", statistics.median(figures.seconds), "s"),
        ("book of abstracts, median CPU time", statistics.median(figures.cpu_seconds), "s"),
    ]
    lines = ["| figure | value | target | verdict |", "|---|---:|---:|---|"]
    for label, value, unit in rows:
        verdict = "ok" if value <= TARGET_SECONDS else "below target"
        lines.append(f"| {label} | {value:.2f} {unit} | ≤ {TARGET_SECONDS:.0f} s | {verdict} |")
    verdict = "ok" if figures.memory_after <= TARGET_MB else "below target"
    lines.append(
        f"| peak resident memory of the process | {figures.memory_after:.0f} MB "
        f"| ≤ {TARGET_MB:.0f} MB | {verdict} |"
    )
    command = shlex.join([".venv/bin/python", "bench/abstracts.py", *sys.argv[1:]])
    each = ", ".join(
        f"{wall:.2f} ({cpu:.2f} CPU)"
        for wall, cpu in zip(figures.seconds, figures.cpu_seconds, strict=True)
    )
    return [
        *lines,
        "",
        f"`{command}` on {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %z}, "
        f"{os.cpu_count()} CPUs, load average {load:.1f} before the run (other work on the "
        f"machine slows the wall time, not the CPU time): {options.abstracts} "
        f"accepted abstracts ({ORAL_SHARE:.0%} orals in {SESSIONS} sessions, the rest posters, "
        f"{len(TOPICS)} topics), about {WORDS} words and {AUTHORS} authors each, SQLite; "
        f"{len(figures.seconds)} drawings of {each} s; the book has {figures.pages} pages, "
        f"{figures.size / 1e6:.1f} MB, {figures.entries} abstracts in its outline; peak memory "
        f"{figures.memory_before:.0f} MB before the first drawing (interpreter, app, seeded "
        "rows).",
    ]


if __name__ == "__main__":
    sys.exit(main())
