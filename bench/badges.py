"""How long the badges on A4 sheets take to make, and the memory it takes, for 1,000 and 1,500.

Makes up N attendees (1,000 and 1,500 by default, 10 badges a sheet): accented,
hyphenated and very long names, some in Cyrillic, Greek, Hebrew, Arabic,
Chinese and Japanese, organisations of one or two lines, every stakeholder type and role,
check-in codes of the real shape (`EV1-<edition>-<reference>-<MAC>`) and a
600 × 180 PNG logo, and times `badge_sheets_pdf` on them, as the organisers'
"Badges (PDF)" export calls it. Each run is a fresh Python process, so its peak
memory is that of one export: the child's peak resident set size
(`resource.getrusage(RUSAGE_SELF).ru_maxrss`, read by the child after the
export), the interpreter and eventday's imports included; "before" is the same
figure read just before the export. Rounds repeat each count and report the
median time and the largest peak, because a shared machine is noisy. The
report names the CJK fallback font found (eventday/badges/text.py looks at
well-known paths): with one, the CJK names are drawn in it, which costs more.

Targets (issue 13): 5 s per 1,000 badges (so 7.5 s for 1,500, well within
gunicorn's 30 s worker timeout) and a peak of 200 MB at either count.

Run from the project root: `.venv/bin/python bench/badges.py [--rounds 3 ...]`.
It prints figures and exits non-zero only when something failed to run; a
missed target is reported as "below target".
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import datetime as dt
import io
import json
import os
import random
import resource
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from checkin import ANSWERS, FIRST_NAMES, LAST_NAMES, ORGANISATION_FIELD, TYPE_SHARES
from programme import ROOT, BenchError, _progress

if TYPE_CHECKING:
    from eventday.badges.pdf import Badge

COUNTS = (1000, 1500)
TARGET_SECONDS_PER_1000 = 5.0
TARGET_PEAK_MB = 200
EDITION_NAME = "9e Journée de recherche sur les maladies auto-immunes"
ROLES = {"speaker": 0.04, "staff": 0.02, "guest": 0.02}
# One attendee in ten has a name of another script or an unusually long one.
OTHER_NAMES = (
    ("林", "梅"), ("王", "小明"), ("佐藤", "健一"), ("محمد", "العلي"), ("فاطمة", "الزهراء"),
    ("אברהם", "כהן"), ("Иван", "Петров"), ("Ωmega", "Παπαδόπουλος"),
    ("Marie-Élisabeth-Françoise", "de La Rochefoucauld-Montmorency-Sjögren"),
    ("Maximilian Alexander", "von Hohenzollern-Sigmaringen-Württemberg"),
)  # fmt: skip
LONG_ORGANISATIONS = (
    "Université Paris Cité, Institut Imagine, laboratoire d'immunogénétique des maladies "
    "auto-inflammatoires",
    "Assistance Publique – Hôpitaux de Paris, Hôpital Européen Georges-Pompidou, service de "
    "médecine interne",
)


@dataclasses.dataclass(frozen=True)
class Run:
    """One export in its own process."""

    seconds: float
    peak_mb: float
    before_mb: float
    pages: int
    pdf_mb: float
    cjk_font: str


def main() -> int:
    options = _parse_options()
    if options.child is not None:
        print(json.dumps(dataclasses.asdict(_export(options.child))))
        return 0
    load = os.getloadavg()[0]
    try:
        results = {count: _measure(count, options.rounds) for count in options.counts}
    except BenchError as error:
        print(f"bench/badges.py: {error}", file=sys.stderr)
        return 1
    print("\n".join(_report(options, results, load)))
    return 0


def _parse_options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--counts", type=int, nargs="+", default=list(COUNTS), help="badges per export"
    )
    parser.add_argument("--rounds", type=int, default=3, help="exports per count (median)")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if min(*options.counts, options.rounds) < 1:
        parser.error("counts and rounds must be at least 1")
    return options


def _measure(count: int, rounds: int) -> list[Run]:
    runs = []
    for round_number in range(1, rounds + 1):
        _progress(f"{count} badges, round {round_number} of {rounds}")
        command = [sys.executable, str(Path(__file__).resolve()), "--child", str(count)]
        done = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
        )
        if done.returncode != 0:
            raise BenchError(
                f"`{shlex.join(command)}` failed ({done.returncode}):\n{done.stdout}{done.stderr}"
            )
        runs.append(Run(**json.loads(done.stdout)))
    return runs


def _export(count: int) -> Run:
    """Make `count` badges' sheets in this process; what it took."""
    from pypdf import PdfReader

    from eventday.badges.pdf import BADGES_PER_SHEET, badge_sheets_pdf
    from eventday.badges.text import CJK_FONT_PATHS

    badges = _made_up_badges(count)
    logo = _logo()
    before = _peak_mb()
    started = time.perf_counter()
    pdf = badge_sheets_pdf(badges, logo=logo)
    seconds = time.perf_counter() - started
    peak = _peak_mb()
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    if pages != -(-count // BADGES_PER_SHEET):
        raise SystemExit(f"{count} badges gave {pages} pages")
    cjk_font = next((str(path) for path in CJK_FONT_PATHS if path.is_file()), "none")
    return Run(seconds, peak, before, pages, len(pdf) / 1e6, cjk_font)


def _peak_mb() -> float:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6


def _made_up_badges(count: int) -> list[Badge]:
    from eventday.badges.pdf import Badge

    rng = random.Random(2027)
    labels = {
        "researcher": "Chercheur·e",
        "clinician": "Clinicien·ne",
        "association": "Association de patients",
        "industry": "Industrie",
        "speaker": "Intervenant·e",
        "staff": "Organisation",
        "guest": "Invité·e",
    }
    badges = []
    for number in range(count):
        stakeholder_type = rng.choices(list(TYPE_SHARES), weights=list(TYPE_SHARES.values()))[0]
        role = rng.choices(
            [*ROLES, "attendee"], weights=[*ROLES.values(), 1 - sum(ROLES.values())]
        )[0]
        if rng.random() < 0.1:
            first_name, last_name = rng.choice(OTHER_NAMES)
        else:
            first_name, last_name = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        field = ORGANISATION_FIELD[stakeholder_type]
        organisation = (
            rng.choice(LONG_ORGANISATIONS)
            if rng.random() < 0.1
            else rng.choice(ANSWERS[stakeholder_type][field])
        )
        reference = f"RD27-{number:05d}"
        mac = base64.b32encode(rng.randbytes(16)).decode().rstrip("=")
        badges.append(
            Badge(
                first_name=first_name,
                last_name=last_name,
                organisation=organisation,
                stakeholder_type=stakeholder_type,
                type_label=labels.get(role, labels[stakeholder_type]),
                edition_name=EDITION_NAME,
                qr_data=f"EV1-3-{reference}-{mac}",
                reference=reference,
                role=role,
            )
        )
    return badges


def _logo() -> bytes:
    """A 600 × 180 PNG, the largest side the logo form keeps, in two colours."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 180), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 160, 160), fill=(29, 78, 216))
    draw.ellipse((200, 40, 580, 140), fill=(168, 67, 15))
    png = io.BytesIO()
    image.save(png, "PNG")
    return png.getvalue()


def _report(options: argparse.Namespace, results: dict[int, list[Run]], load: float) -> list[str]:
    lines = [
        "| badges | pages | seconds (median) | target s | peak MB (largest) | before MB "
        "| target MB | PDF MB | verdict |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for count, runs in results.items():
        seconds = statistics.median(run.seconds for run in runs)
        peak = max(run.peak_mb for run in runs)
        target_seconds = TARGET_SECONDS_PER_1000 * count / 1000
        met = seconds <= target_seconds and peak <= TARGET_PEAK_MB
        lines.append(
            f"| {count} | {runs[0].pages} | {seconds:.2f} | ≤ {target_seconds:.1f} | {peak:.0f} "
            f"| {max(run.before_mb for run in runs):.0f} | ≤ {TARGET_PEAK_MB} "
            f"| {runs[0].pdf_mb:.1f} | {'ok' if met else 'below target'} |"
        )
    command = shlex.join([".venv/bin/python", "bench/badges.py", *sys.argv[1:]])
    lines += [
        "",
        f"`{command}` on {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %z}, "
        f"{os.cpu_count()} CPUs, load average {load:.1f} before the run "
        "(other work on the machine slows it down): "
        f"{options.rounds} rounds, each export `badge_sheets_pdf(badges, logo=…)` in a fresh "
        "process; seconds are the call's wall-clock time, peak MB the process's peak "
        "resident set (ru_maxrss) after it, before MB the same just before it. "
        f"CJK fallback font: {next(iter(results.values()))[0].cjk_font} "
        "(with none, the Chinese and Japanese names print U+FFFD).",
    ]
    return lines


if __name__ == "__main__":
    sys.exit(main())
