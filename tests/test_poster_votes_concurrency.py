"""Best-poster votes hold under concurrency: 200 attendees voting at once against a real server
(gunicorn, several workers), double-clicks and second phones included, on both databases."""

from __future__ import annotations

import http.cookiejar
import secrets
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from flask_migrate import upgrade
from sqlalchemy import func, select

from eventday.abstracts.models import Abstract, Author, Call, PosterVote
from eventday.extensions import db
from eventday.programme.models import Track
from eventday.registration.models import Registration
from tests.conftest import make_app, make_edition
from tests.server import CSRF_PATTERN, NoRedirect, running_server
from tests.test_concurrent_registration import connected
from tests.test_poster_prize import attendee

ATTENDEES = 200
DOUBLE_CLICKS = 20  # attendees 0-19 send their vote twice at once
SECOND_PHONES = 10  # attendees 20-29 vote at the same time from a second phone, elsewhere
# Boards 1 and 2 share a topic; 3 and 4 have none (category 0).
BOARDS = (1, 2, 3, 4)
OTHER_BOARD = {1: 2, 2: 1, 3: 4, 4: 3}


def prepared_database(database_url: str) -> tuple[object, list[str], dict[int, int]]:
    """Migrate; an edition whose vote is open, four posters, 200 checked-in attendees."""
    app = make_app(database_url)
    with connected(app):
        upgrade()
        edition = make_edition()
        track = Track(edition_id=edition.id, name="Immunologie")
        db.session.add_all([track, Call(edition_id=edition.id, vote_open=True)])
        db.session.flush()
        posters = {}
        for board in BOARDS:
            poster = Abstract(
                edition_id=edition.id,
                token=secrets.token_urlsafe(32),
                number=board,
                title=f"Poster {board}",
                body="Résumé.",
                presentation="poster",
                decision="poster",
                released_decision="poster",
                board_number=board,
                track_id=track.id if board <= 2 else None,
                authors=[
                    Author(
                        position=0,
                        first_name="Anaïs",
                        last_name="Lefèvre",
                        email=f"p{board}@example.org",
                        affiliations="Inserm",
                        presenting=True,
                    )
                ],
            )
            db.session.add(poster)
            db.session.flush()
            posters[board] = poster.id
        tokens = [secrets.token_urlsafe(32) for _ in range(ATTENDEES)]
        db.session.add_all(attendee(edition.id, n, token) for n, token in enumerate(tokens))
        db.session.commit()
    return app, tokens, posters


class Phone:
    """One browser: its cookies (the signed session that says who votes) and CSRF token."""

    def __init__(self, base: str) -> None:
        self.base = base
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(jar), NoRedirect()
        )
        self.csrf = ""

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, str]:
        data = urllib.parse.urlencode({**fields, "csrf_token": self.csrf}).encode()
        try:
            with self.opener.open(self.base + path, data=data, timeout=60) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as answer:
            return answer.code, answer.headers.get("Location") or answer.read().decode()

    def open_link(self, token: str, board: int) -> int:
        """Scan the board's code, give the attendee link: this phone now votes for them."""
        with self.opener.open(f"{self.base}/posters/{board}/vote", timeout=60) as page:
            self.csrf = CSRF_PATTERN.search(page.read().decode()).group(1)
        status, _ = self.post("/posters/voter", {"token": token, "board": str(board)})
        return status


def test_two_hundred_attendees_voting_at_once_are_each_counted_once(database_url, tmp_path):
    app, tokens, posters = prepared_database(database_url)
    chosen = {n: BOARDS[n % len(BOARDS)] for n in range(ATTENDEES)}
    with running_server(database_url, tmp_path, workers=6) as base:
        phones = [Phone(base) for _ in range(ATTENDEES)]
        second = [Phone(base) for _ in range(SECOND_PHONES)]
        ready = [(phones[n], tokens[n], chosen[n]) for n in range(ATTENDEES)] + [
            (phone, tokens[DOUBLE_CLICKS + i], OTHER_BOARD[chosen[DOUBLE_CLICKS + i]])
            for i, phone in enumerate(second)
        ]
        with ThreadPoolExecutor(max_workers=32) as pool:
            linked = list(pool.map(lambda job: job[0].open_link(job[1], job[2]), ready))
        assert linked == [303] * len(ready)

        votes = [(phones[n], chosen[n]) for n in range(ATTENDEES)]
        votes += [(phones[n], chosen[n]) for n in range(DOUBLE_CLICKS)]
        votes += [(phone, board) for phone, _, board in ready[ATTENDEES:]]
        start = threading.Barrier(len(votes))

        def send(job: tuple[Phone, int]) -> int:
            phone, board = job
            start.wait(timeout=30)
            return phone.post(f"/posters/{board}/vote", {})[0]

        with ThreadPoolExecutor(max_workers=len(votes)) as pool:
            answers = list(pool.map(send, votes))
    assert answers == [303] * len(votes)

    with connected(app):
        rows = db.session.execute(
            select(Registration.token, PosterVote.category, PosterVote.abstract_id).join(
                Registration, Registration.id == PosterVote.registration_id
            )
        ).all()
        per_poster = dict(
            db.session.execute(
                select(PosterVote.abstract_id, func.count()).group_by(PosterVote.abstract_id)
            ).all()
        )
    assert len(rows) == ATTENDEES
    assert sorted(token for token, _, _ in rows) == sorted(tokens)  # one vote each, none twice
    assert sum(per_poster.values()) == ATTENDEES
    recorded = {token: abstract for token, _, abstract in rows}
    for n, token in enumerate(tokens):
        sent = {posters[chosen[n]]}
        if DOUBLE_CLICKS <= n < DOUBLE_CLICKS + SECOND_PHONES:
            sent.add(posters[OTHER_BOARD[chosen[n]]])  # either phone may have been last
        assert recorded[token] in sent, n
    # Those who voted from one phone only: exactly as sent.
    for board in BOARDS:
        alone = [
            n
            for n in range(ATTENDEES)
            if chosen[n] == board and not DOUBLE_CLICKS <= n < DOUBLE_CLICKS + SECOND_PHONES
        ]
        assert sum(recorded[tokens[n]] == posters[board] for n in alone) == len(alone)
