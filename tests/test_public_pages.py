"""The public pages: the edition, the programme grid and list, one session, in FR and EN."""

import re

import pytest
from sqlalchemy import select

from eventday.editions.identity import IdentityDetails, save_identity
from eventday.extensions import db
from eventday.programme import rules
from eventday.programme.demo import DEMO_DAY
from eventday.programme.models import Edition, Room, Session
from tests.conftest import make_session

DEMO_NAME = "9e Journée de recherche sur les maladies inflammatoires et auto-immunes"


def html(response) -> str:
    return response.get_data(as_text=True)


def test_home_shows_the_edition_in_french_by_default(client, demo):
    page = html(client.get("/"))
    assert '<html lang="fr">' in page
    assert DEMO_NAME in page
    assert "lundi 25 janvier 2027" in page
    assert "Hôpital universitaire Paris-Centre" in page
    assert "Voir le programme" in page


def test_home_follows_accept_language(client, demo):
    page = html(client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}))
    assert '<html lang="en">' in page
    assert "Monday 25 January 2027" in page
    assert "See the programme" in page


def test_language_switch_is_remembered_in_a_cookie(client, demo):
    response = client.get("/programme?lang=en")
    assert "lang=en" in response.headers["Set-Cookie"]
    assert "Plenary lecture" in html(response)
    assert "Plenary lecture" in html(client.get("/programme"))
    assert "Conférence plénière" in html(client.get("/programme?lang=fr"))
    assert "Conférence plénière" in html(
        client.get("/programme", headers={"Accept-Language": "en"})
    )


def test_language_links_carry_hreflang_and_keep_filters(client, demo):
    page = html(client.get("/programme?kind=workshop"))
    assert 'href="/programme?kind=workshop&amp;lang=en" hreflang="en"' in page
    assert 'href="/programme?kind=workshop&amp;lang=fr" hreflang="fr"' in page


def test_unknown_language_falls_back_to_french(client, demo):
    page = html(client.get("/programme?lang=de", headers={"Accept-Language": "de"}))
    assert '<html lang="fr">' in page


def test_programme_has_a_rooms_by_time_grid_and_a_list(client, demo):
    page = html(client.get("/programme"))
    for room in ("Amphithéâtre Charcot", "Salle Pasteur", "Salle Claude-Bernard", "Salle Dausset"):
        assert f'<th scope="col">{room}' in page
    assert (
        '<th scope="row" class="time-col"><time datetime="2027-01-25T09:00:00+01:00">09:00</time>'
        in page
    )
    assert '<ol class="timeline">' in page
    # The three parallel workshops of the morning are in one row of the grid.
    assert page.count('data-start="2027-01-25T11:00:00+01:00"') == 2 * 4
    assert "Sjögren" in page
    # The welcome coffee runs for everyone: one cell across all four rooms.
    assert 'colspan="4"' in page


def test_a_workshop_running_through_a_break_leaves_the_break_across_the_other_rooms(
    client, app, demo
):
    with app.app_context():
        dausset = db.session.scalars(select(Room.id).where(Room.name == "Salle Dausset")).one()
        make_session(
            demo,
            DEMO_DAY,
            "10:30",
            "11:00",
            title="Atelier matinal",
            kind="workshop",
            room_id=dausset,
        )

    page = html(client.get("/programme"))

    assert "Autres lieux" not in page
    coffee = re.search(
        r'<td[^>]*>\s*<article class="session kind-break[^"]*"[^>]*'
        r'data-start="2027-01-25T10:40:00\+01:00"',
        page,
    )
    assert coffee and 'colspan="3"' in coffee[0]  # Dausset, the last room, has the workshop


def test_programme_can_be_filtered_by_kind_track_and_room(client, demo):
    workshops = html(client.get("/programme?kind=workshop"))
    assert "capillaroscopie" in workshops
    assert "Cellules CAR-T" not in workshops
    track = html(client.get("/programme?track=Maladies+rares"))
    assert "Protocoles nationaux" in track
    assert "Cellules CAR-T" not in track
    room = html(client.get("/programme?room=Salle+Dausset"))
    assert "Behçet" in room
    assert "Behçet" in room and "capillaroscopie" not in room
    nothing = html(client.get("/programme?track=Inconnue"))
    assert "Aucune session ne correspond à ces filtres." in nothing


def test_programme_offers_download_and_subscribe_links(client, demo):
    page = html(client.get("/programme?kind=workshop"))
    assert 'href="/programme.ics?kind=workshop"' in page
    assert 'href="webcal://journee.example.org/programme.ics?kind=workshop"' in page
    assert 'href="/programme.json?kind=workshop"' in page


def test_session_page_shows_time_room_speakers_and_calendar_links(client, app, demo):
    with app.app_context():
        session = db.session.scalars(
            select(Session).where(Session.title.like("Cellules CAR-T%"))
        ).one()
        session_id = session.id
    page = html(client.get(f"/programme/{session_id}"))
    assert "Cellules CAR-T dans le lupus systémique réfractaire" in page
    assert "09:20" in page and "10:00" in page
    assert "Amphithéâtre Charcot" in page
    assert "Dr Karim Benali" in page
    assert f'href="/programme/{session_id}.ics"' in page
    assert 'href="webcal://journee.example.org/programme.ics"' in page
    english = html(client.get(f"/programme/{session_id}?lang=en"))
    assert "Add to calendar" in english and "Speakers" in english


def facts(page: str) -> dict[str, str]:
    """A session page's facts (When, Where, Kind…), as a reader sees them."""
    pairs = re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", page, re.S)
    return {term: " ".join(re.sub(r"<[^>]+>", " ", value).split()) for term, value in pairs}


def test_a_break_s_page_says_where_it_is_and_never_all_participants(client, app, demo):
    with app.app_context():
        coffee = db.session.scalars(select(Session.id).where(Session.title == "Pause café")).one()

    page = html(client.get(f"/programme/{coffee}?lang=en"))

    assert facts(page)["Where"] == "Hôpital universitaire Paris-Centre"
    assert "All participants" not in page
    assert "All participants" not in html(client.get("/programme?lang=en"))
    with app.app_context():
        db.session.get(Edition, demo).venue_name = ""
        rules.touch_programme(demo)  # as the edition's settings page does
        db.session.commit()
    assert "Where" not in facts(html(client.get(f"/programme/{coffee}?lang=en")))


def test_unknown_session_is_a_404_page_for_html_and_ics(client, demo):
    for path in ("/programme/999999", "/programme/999999.ics", "/programme/abc"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.mimetype == "text/html"
        assert "Cette page n’existe pas." in html(response)


def test_cancelled_session_stays_listed_and_struck_through(client, app, demo):
    with app.app_context():
        session = db.session.scalars(select(Session).where(Session.title == "Pause café")).one()
        rules.cancel_session(demo, session.id)
    page = html(client.get("/programme"))
    assert page.count("is-cancelled") == 2  # in the grid and in the list
    assert "Annulée" in page


def test_programme_follows_changes_at_once_when_the_cache_delay_is_zero(client, app, demo):
    before = client.get("/programme")
    with app.app_context():
        session = db.session.scalars(select(Session).where(Session.title == "Pause")).one()
        draft = rules.SessionDraft(
            title="Pause prolongée",
            kind=session.kind,
            starts_at=session.starts_at,
            ends_at=session.ends_at,
        )
        rules.save_session(demo, draft, session.id)
    after = client.get("/programme", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert "Pause prolongée" in html(after)


def test_html_pages_answer_304_and_vary_on_language(client, demo):
    first = client.get("/programme")
    assert first.headers["ETag"]
    assert {"Accept-Language", "Cookie"} <= set(first.headers["Vary"].replace(" ", "").split(","))
    again = client.get("/programme", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    english = client.get("/programme?lang=en", headers={"If-None-Match": first.headers["ETag"]})
    assert english.status_code == 200


def test_pages_escape_html_typed_into_the_programme(client, app, demo):
    with app.app_context():
        room = rules.add_room(demo, '<img src=x onerror="alert(1)">', 10)
        rules.save_session(
            demo,
            rules.SessionDraft(
                title="<script>alert('titre')</script>",
                kind="talk",
                starts_at=db.session.get(Session, 1).starts_at,
                ends_at=db.session.get(Session, 1).ends_at,
                room_id=room.id,
                abstract="<b>gras</b>",
            ),
        )
    page = html(client.get("/programme"))
    assert "<script>alert(" not in page
    assert "&lt;script&gt;alert(" in page
    assert "<img src=x" not in page


def test_pages_fetch_nothing_from_other_sites(client, demo):
    for path in ("/", "/programme", "/programme/2"):
        page = html(client.get(path))
        for address in re.findall(r'(?:src|href)="([^"]+)"', page):
            assert address.startswith(("/", "#", "webcal://journee.example.org")), address


def test_without_an_edition_the_home_page_says_so_and_the_programme_is_404(client):
    assert "Aucune édition n’est encore publiée." in html(client.get("/"))
    assert client.get("/programme").status_code == 404
    assert client.get("/programme.ics").status_code == 404
    assert client.get("/programme.json").status_code == 404


def test_json_clients_get_json_errors(client, demo):
    response = client.get("/programme/999999", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["error"] == 404


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True).strip() == "ok"


@pytest.mark.parametrize("address", [None, "contact@journee.example.org"])
def test_the_privacy_notice_offers_to_write_only_to_a_given_address(app, client, demo, address):
    if address:  # as the organisers give it on the edition's identity page
        with app.app_context():
            save_identity(demo, IdentityDetails(contact_email=address))

    page = html(client.get("/privacy?lang=en"))

    assert "erase it with all your data at once." in page
    if address is None:
        assert "write to the organisers" not in page
    else:
        assert (
            "For anything else, write to the organisers at "
            f'<a href="mailto:{address}">{address}</a>.'
        ) in page


def test_static_stylesheet_is_served(client):
    with client.get("/static/css/eventday.css") as response:
        assert response.status_code == 200
        assert "grid" in response.get_data(as_text=True)
