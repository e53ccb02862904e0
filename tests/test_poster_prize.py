"""The best-poster prize: attendees' votes from their phones, the jury's scores, the results,
the boards' signs; on both databases."""

from __future__ import annotations

import io
import re
import secrets

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import func, select

from eventday.abstracts import prize, signs
from eventday.abstracts.models import Abstract, Author, Call, JuryScore, PosterVote
from eventday.accounts.models import User
from eventday.audit import AuditEntry
from eventday.badges.qr import dark_runs, qr_matrix
from eventday.database import utcnow
from eventday.extensions import db
from eventday.programme.models import Track
from eventday.registration.models import Registration, RegistrationStatus
from tests.conftest import PUBLIC_URL, make_edition
from tests.server import CSRF_PATTERN
from tests.test_admin_access import add_user, csrf_token, sign_in

NOT_CHECKED_IN = "check in at the desk first"


def add_poster(
    edition_id: int,
    number: int,
    board: int | None,
    track_id: int | None = None,
    decision: str = "poster",
    title: str | None = None,
) -> int:
    poster = Abstract(
        edition_id=edition_id,
        token=secrets.token_urlsafe(32),
        number=number,
        title=title or f"Rôle de l'IL-<i>{number}</i> dans la fibrose",
        body="Un résumé.",
        presentation="poster",
        decision=decision,
        released_decision=decision,
        board_number=board,
        track_id=track_id,
        authors=[
            Author(
                position=0,
                first_name="Anaïs",
                last_name=f"Lefèvre{number}",
                email=f"a{number}@example.org",
                affiliations="Inserm U1234\nUniversité Paris Cité",
                presenting=True,
            ),
            Author(
                position=1,
                first_name="Bo",
                last_name="Chen",
                email=f"b{number}@example.org",
                affiliations="CNRS",
            ),
        ],
    )
    db.session.add(poster)
    db.session.commit()
    return poster.id


def attendee(edition_id: int, n: int, token: str, checked_in: bool = True, **fields: object):
    """A confirmed registration, checked in unless told (not added to the session)."""
    return Registration(
        edition_id=edition_id,
        token=token,
        reference=f"RD27-V{n:04d}",
        first_name="Votante",
        last_name=f"n°{n}",
        email=f"votant{n}@example.org",
        email_key=f"votant{n}@example.org",
        stakeholder_type="researcher",
        consent_at=utcnow(),
        status=RegistrationStatus.CONFIRMED,
        checked_in_at=utcnow() if checked_in else None,
        **fields,
    )


def add_attendee(edition_id: int, n: int, checked_in: bool = True, **fields: object) -> str:
    """A confirmed registration (checked in unless told); its token."""
    token = secrets.token_urlsafe(32)
    db.session.add(attendee(edition_id, n, token, checked_in, **fields))
    db.session.commit()
    return token


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A phone whose browser asks for English (the French texts have a test of their own)."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def day(app: Flask) -> dict:
    """A current edition whose vote is open: two topics' posters and posters without topic."""
    with app.app_context():
        edition = make_edition()
        immunology = Track(edition_id=edition.id, name="Immunologie", name_en="Immunology")
        db.session.add(immunology)
        db.session.add(Call(edition_id=edition.id, vote_open=True))
        db.session.commit()
        ids = {
            "edition": edition.id,
            "track": immunology.id,
            1: add_poster(edition.id, 1, 1, immunology.id),
            2: add_poster(edition.id, 2, 2, immunology.id),
            3: add_poster(edition.id, 3, 3),
            "unboarded": add_poster(edition.id, 4, None),
            "rejected": add_poster(edition.id, 5, 9, decision="rejected"),
            "token": add_attendee(edition.id, 1),
        }
    return ids


ANY_CSRF = re.compile(r'name="csrf_token"[^>]* value="([^"]+)"')


def page_csrf(client: FlaskClient, path: str) -> str:
    """The CSRF token of the first form on `path` (the session's, valid for all its forms)."""
    return ANY_CSRF.search(client.get(path).get_data(as_text=True)).group(1)


def session_csrf(client: FlaskClient) -> str:
    """The session's CSRF token, kept by the client (the list page offers the voter's form
    until the browser votes; then every page keeps the same token)."""
    if not hasattr(client, "csrf"):
        client.csrf = page_csrf(client, "/posters/vote")
    return client.csrf


def become_voter(client: FlaskClient, token: str, board: int = 1):
    return client.post(
        "/posters/voter",
        data={"csrf_token": session_csrf(client), "token": token, "board": str(board)},
    )


def vote(client: FlaskClient, board: int):
    return client.post(f"/posters/{board}/vote", data={"csrf_token": session_csrf(client)})


def votes(app: Flask) -> list[tuple[int, int, int]]:
    """Every vote as (registration id, category, abstract id)."""
    with app.app_context():
        rows = db.session.execute(
            select(PosterVote.registration_id, PosterVote.category, PosterVote.abstract_id)
        )
        return sorted(rows.all())


def text_of(response) -> str:
    return response.get_data(as_text=True)


def test_a_checked_in_attendee_votes_changes_and_votes_once_per_topic(app, client, day):
    answer = become_voter(client, day["token"])
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith("/posters/1/vote")
    assert "Vote for this poster" in text_of(client.get("/posters/1/vote"))

    answer = vote(client, 1)
    assert answer.status_code == 303
    assert [abstract for _, _, abstract in votes(app)] == [day[1]]
    assert "Your vote in this topic goes to this poster" in text_of(client.get("/posters/1/vote"))

    # Twice the same vote (a double-click) is still one vote.
    assert vote(client, 1).status_code == 303
    assert len(votes(app)) == 1

    # Another poster of the same topic: the vote moves.
    assert vote(client, 2).status_code == 303
    assert [(category, abstract) for _, category, abstract in votes(app)] == [
        (day["track"], day[2])
    ]
    assert "another poster of this topic" in text_of(client.get("/posters/1/vote"))

    # A poster without a topic is a category of its own.
    assert vote(client, 3).status_code == 303
    assert sorted((category, abstract) for _, category, abstract in votes(app)) == sorted(
        [(day["track"], day[2]), (0, day[3])]
    )
    page = text_of(client.get("/posters/vote"))
    assert page.count("(your vote)") == 2


def test_the_attendee_may_paste_their_page_link(app, client, day):
    link = f"{PUBLIC_URL}/registration/{day['token']}"
    answer = become_voter(client, link, board=2)
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith("/posters/2/vote")
    assert vote(client, 2).status_code == 303
    assert len(votes(app)) == 1


def test_the_link_alone_leads_to_the_list_of_posters(app, client, day):
    csrf = page_csrf(client, "/posters/vote")
    answer = client.post("/posters/voter", data={"csrf_token": csrf, "token": day["token"]})
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith("/posters/vote")
    page = text_of(client.get("/posters/vote"))
    assert "/posters/1/vote" in page and "/posters/3/vote" in page
    assert "/posters/9/vote" not in page  # a rejected abstract is no poster


def test_an_attendee_who_has_not_checked_in_cannot_vote(app, client, day):
    with app.app_context():
        token = add_attendee(day["edition"], 2, checked_in=False)
    answer = become_voter(client, token)
    assert answer.status_code == 422
    assert NOT_CHECKED_IN in text_of(answer)
    assert token in text_of(answer)  # what was typed is kept
    assert vote(client, 1).status_code == 422
    assert votes(app) == []


def test_the_refusal_is_in_french_for_a_french_phone(app, day):
    with app.app_context():
        token = add_attendee(day["edition"], 2, checked_in=False)
    french = app.test_client()
    french.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    answer = become_voter(french, token)
    assert answer.status_code == 422
    assert "passez d’abord à l’accueil" in text_of(answer)
    assert "Qui vote ?" in text_of(answer)


def test_a_check_in_undone_stops_the_votes(app, client, day):
    assert become_voter(client, day["token"]).status_code == 303
    with app.app_context():
        registration = db.session.scalars(
            select(Registration).where(Registration.token == day["token"])
        ).one()
        registration.checked_in_at = None
        db.session.commit()
    answer = vote(client, 1)
    assert answer.status_code == 422
    assert votes(app) == []


@pytest.mark.parametrize(
    "pasted",
    ["n'importe quoi", "x" * 43, f"{PUBLIC_URL}/registration/<script>", "a" * 500],
)
def test_an_unknown_link_is_refused_with_a_message(app, client, day, pasted):
    answer = become_voter(client, pasted)
    assert answer.status_code == 422
    assert "not an attendee link of this research day" in text_of(answer)


def test_an_attendee_of_another_edition_cannot_vote(app, client, day):
    with app.app_context():
        other = make_edition(slug="autre-jour", state="draft")
        token = add_attendee(other.id, 3)
    assert become_voter(client, token).status_code == 422
    assert votes(app) == []


def test_a_closed_vote_is_refused(app, client, day):
    assert become_voter(client, day["token"]).status_code == 303
    with app.app_context():
        prize.set_vote_open(day["edition"], False)
    page = client.get("/posters/1/vote")
    assert page.status_code == 200
    assert "The vote for the best poster is not open." in text_of(page)
    answer = vote(client, 1)
    assert answer.status_code == 422
    assert "not open" in text_of(answer)
    assert votes(app) == []


def test_an_unknown_board_is_not_found(app, client, day):
    assert client.get("/posters/77/vote").status_code == 404
    assert client.get("/posters/9/vote").status_code == 404  # rejected
    assert client.get("/posters/99999999999/vote").status_code == 404
    assert become_voter(client, day["token"]).status_code == 303
    assert vote(client, 77).status_code == 404
    assert votes(app) == []


def test_a_vote_needs_the_csrf_token(app, client, day):
    assert become_voter(client, day["token"]).status_code == 303
    assert client.post("/posters/1/vote", data={}).status_code == 400
    assert client.post("/posters/1/vote", data={"csrf_token": "forged"}).status_code == 400
    assert client.post("/posters/voter", data={"token": day["token"]}).status_code == 400
    assert votes(app) == []


def test_the_vote_page_is_kept_by_no_cache(app, client, day):
    answer = client.get("/posters/1/vote")
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "private, no-store"


# The jury.


def jury_client(app: Flask, role: str = "reviewer") -> tuple[FlaskClient, int]:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    user_id = add_user(app, f"{role}@example.org", role)
    assert sign_in(client, f"{role}@example.org").status_code in (302, 303)
    return client, user_id


def score(client: FlaskClient, poster_id: object, value: object):
    csrf = csrf_token(client, "/admin/abstracts/reviews/jury")
    return client.post(
        "/admin/abstracts/reviews/jury",
        data={"csrf_token": csrf, "poster": str(poster_id), "score": str(value)},
    )


def jury_scores(app: Flask) -> list[tuple[int, int, int]]:
    with app.app_context():
        rows = db.session.execute(select(JuryScore.user_id, JuryScore.abstract_id, JuryScore.value))
        return sorted(rows.all())


def test_a_jury_member_scores_and_rescores_each_poster(app, day):
    client, user_id = jury_client(app)
    page = text_of(client.get("/admin/abstracts/reviews/jury"))
    assert "Poster 1" in page and "A-004" in page  # without a board, by its label
    assert score(client, day[1], 7).status_code == 303
    assert score(client, day[1], 9).status_code == 303
    assert score(client, day["unboarded"], 0).status_code == 303
    assert jury_scores(app) == sorted([(user_id, day[1], 9), (user_id, day["unboarded"], 0)])
    assert 'value="9"' in text_of(client.get("/admin/abstracts/reviews/jury"))


@pytest.mark.parametrize("value", ["11", "-1", "7.5", "", "sept"])
def test_a_jury_score_out_of_range_is_refused_next_to_its_poster(app, day, value):
    client, _ = jury_client(app)
    answer = score(client, day[2], value)
    assert answer.status_code == 422
    assert f'id="score-{day[2]}-errors"' in text_of(answer)
    assert f'value="{value}"' in text_of(answer)
    assert jury_scores(app) == []


def test_a_jury_score_for_no_poster_is_not_found(app, day):
    client, _ = jury_client(app)
    assert score(client, day["rejected"], 5).status_code == 404
    assert score(client, 987654, 5).status_code == 404
    assert score(client, "99999999999", 5).status_code == 404
    assert jury_scores(app) == []


def test_a_jury_member_never_scores_a_poster_from_their_own_institution(app, day):
    client, user_id = jury_client(app)
    with app.app_context():
        db.session.get(User, user_id).institutions = "Université Paris-Cité"
        db.session.commit()
        poster = add_poster(day["edition"], 6, 6, title="Un poster de Lyon")
        db.session.execute(
            Author.__table__.update()
            .where(Author.abstract_id == poster)
            .values(affiliations="Université Lyon 1")
        )
        db.session.commit()
    page = text_of(client.get("/admin/abstracts/reviews/jury"))
    assert page.count("Conflict of interest: you do not score this poster.") == 4
    assert f'id="score-{poster}"' in page and f'id="score-{day[1]}"' not in page
    answer = score(client, day[1], 7)
    assert answer.status_code == 422
    assert "Conflict of interest" in text_of(answer)
    assert score(client, poster, 7).status_code == 303
    assert jury_scores(app) == [(user_id, poster, 7)]


def test_jury_scores_stop_when_the_vote_closes(app, day):
    client, _ = jury_client(app)
    with app.app_context():
        prize.set_vote_open(day["edition"], False)
    assert "scores can no longer be changed" in text_of(client.get("/admin/abstracts/reviews/jury"))
    assert score(client, day[1], 5).status_code == 422
    assert jury_scores(app) == []


def test_the_organisers_pages_are_not_for_reviewers(app, day):
    client, _ = jury_client(app)
    assert client.get("/admin/abstracts/prize").status_code == 403
    assert client.get("/admin/abstracts/prize/signs.pdf").status_code == 403


# The organisers.


def test_organisers_open_and_close_the_vote_in_the_history(app, day):
    client, user_id = jury_client(app, "organiser")
    page = client.get("/admin/abstracts/prize")
    csrf = CSRF_PATTERN.search(text_of(page)).group(1)
    answer = client.post(
        "/admin/abstracts/prize/vote", data={"csrf_token": csrf, "state": "closed"}
    )
    assert answer.status_code == 303
    with app.app_context():
        assert not prize.vote_is_open(day["edition"])
    assert "Open the vote" in text_of(client.get("/admin/abstracts/prize"))
    client.post("/admin/abstracts/prize/vote", data={"csrf_token": csrf, "state": "open"})
    client.post("/admin/abstracts/prize/vote", data={"csrf_token": csrf, "state": "ajar"})
    with app.app_context():
        assert prize.vote_is_open(day["edition"])
        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        assert [(e.action, e.user_id, e.changes) for e in entries] == [
            ("poster_vote_close", user_id, {"vote_open": [True, False]}),
            ("poster_vote_open", user_id, {"vote_open": [False, True]}),
        ]


def test_the_results_rank_votes_then_the_jury_per_topic(app, day):
    juror_ids = [add_user(app, f"jury{n}@example.org", "reviewer") for n in range(2)]
    with app.app_context():
        tokens = [add_attendee(day["edition"], n) for n in range(10, 15)]
        voters = [
            db.session.scalars(select(Registration.id).where(Registration.token == t)).one()
            for t in tokens
        ]
        for registration_id, board in zip(voters, [2, 2, 1, 3, 3], strict=True):
            prize.cast_vote(day["edition"], registration_id, board)
        jurors = [db.session.get(User, juror) for juror in juror_ids]
        prize.score_poster(day["edition"], jurors[0], day[1], 8)
        prize.score_poster(day["edition"], jurors[1], day[1], 5)
        prize.score_poster(day["edition"], jurors[0], day[2], 3)
        found = {
            result.category: [
                (r.poster.id, r.votes, r.jury_mean, r.jury_count, r.rank) for r in result.posters
            ]
            for result in prize.results(day["edition"])
        }
    assert found[day["track"]] == [(day[2], 2, 3.0, 1, 1), (day[1], 1, 6.5, 2, 2)]
    assert found[0] == [(day[3], 2, None, 0, 1), (day["unboarded"], 0, None, 0, 2)]

    client, _ = jury_client(app, "organiser")
    page = text_of(client.get("/admin/abstracts/prize"))
    assert "6.50" in page and "Immunology" in page
    assert "1 poster has no board number yet" in page


def pdf_text(body: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(body)).pages]


def test_the_signs_are_one_a4_page_per_boarded_poster(app, day):
    client, _ = jury_client(app, "organiser")
    answer = client.get("/admin/abstracts/prize/signs.pdf")
    assert answer.status_code == 200
    assert answer.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(answer.data))
    assert len(reader.pages) == 3
    assert [round(float(x)) for x in reader.pages[0].mediabox[2:]] == [595, 842]  # A4 in points
    texts = pdf_text(answer.data)
    for board, page in zip([1, 2, 3], texts, strict=True):
        compact = re.sub(r"\s+", " ", page)
        assert f"{PUBLIC_URL}/posters/{board}/vote" in compact.replace(" ", "")
        assert f"Rôle de l'IL-{board} dans la fibrose" in compact  # the marks dropped
        assert "<i>" not in page
        assert f"Anaïs Lefèvre{board}" in compact and "Bo Chen" in compact
    assert "Immunology" in texts[0]

    one = client.get("/admin/abstracts/prize/signs/3.pdf")
    assert one.status_code == 200
    assert len(PdfReader(io.BytesIO(one.data)).pages) == 1
    assert client.get("/admin/abstracts/prize/signs/4.pdf").status_code == 404


def test_a_sign_s_qr_code_is_the_vote_page_s_public_address(app, day):
    with app.test_request_context("/", base_url="http://attacker.example"):
        poster = db.session.get(Abstract, day[2])
        sign = signs.sign_of(poster)
        assert sign.vote_url == f"{PUBLIC_URL}/posters/2/vote"
        body = signs.signs_pdf([sign])
    # The code drawn is the address's: as many filled rectangles as its dark runs.
    runs = sum(len(dark_runs(row)) for row in qr_matrix(sign.vote_url))
    content = PdfReader(io.BytesIO(body)).pages[0].get_contents().get_data().decode("latin-1")
    assert content.count(" 1 re\n") == runs  # one filled path: a rectangle per dark run


def test_no_two_votes_from_one_attendee_in_one_topic(app, day):
    """The unique constraint stands behind the check: a second row is refused by the database."""
    with app.app_context():
        registration_id = db.session.scalars(
            select(Registration.id).where(Registration.token == day["token"])
        ).one()
        prize.cast_vote(day["edition"], registration_id, 1)
        db.session.add(
            PosterVote(
                edition_id=day["edition"],
                registration_id=registration_id,
                category=day["track"],
                abstract_id=day[2],
            )
        )
        with pytest.raises(Exception, match="(?i)unique"):
            db.session.commit()
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(PosterVote)) == 1


def test_the_attendee_page_leads_to_the_vote_while_it_is_open(app, client, day):
    """A checked-in attendee's page offers the vote; its form makes this phone the voter."""
    token = day["token"]
    page = client.get(f"/registration/{token}").get_data(as_text=True)
    assert 'action="/posters/voter"' in page and f'name="token" value="{token}"' in page
    client.csrf = page_csrf(client, f"/registration/{token}")
    answer = client.post("/posters/voter", data={"csrf_token": client.csrf, "token": token})
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/posters/vote")
    assert vote(client, 1).status_code == 303
    assert len(votes(app)) == 1
    with app.app_context():
        prize.set_vote_open(day["edition"], False)
    assert 'action="/posters/voter"' not in client.get(f"/registration/{token}").get_data(
        as_text=True
    )


def test_the_voters_list_is_in_board_order_whatever_the_votes(app, client, day):
    """The standing is the organisers' until they announce it."""
    become_voter(client, day["token"], board=2)
    assert vote(client, 2).status_code == 303
    page = client.get("/posters/vote").get_data(as_text=True)
    assert page.index("Poster 1 —") < page.index("Poster 2 —")
