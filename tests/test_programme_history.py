"""The programme editor's changes in the history (/admin/history): who changed which session,
room, track or speaker, and what, in words and in the reader's language."""

from __future__ import annotations

import dataclasses
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from eventday.accounts.models import Role
from eventday.extensions import db
from eventday.programme.models import Room, Speaker, Track
from tests.test_programme_editor import EDITOR, create, edit, press
from tests.test_users_admin import post_form, signed_in, text, visible

BIOPSY = "Atelier : lire une biopsie cutanée"


@dataclasses.dataclass(frozen=True)
class Entry:
    who: str
    what: str
    changes: list[str]


def history(client: FlaskClient, lang: str = "en") -> list[Entry]:
    """The history page's entries, newest first, as a reader sees them."""
    page = text(client.get(f"/admin/history?lang={lang}"))
    entries = []
    for body in re.findall(r"<tbody>(.*?)</tbody>", page, re.S):
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
            _when, who, what, changes = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            items = [visible(item) for item in re.findall(r"<li>(.*?)</li>", changes, re.S)]
            entries.append(Entry(visible(who), visible(what), items))
    return entries


@pytest.fixture
def organiser(app: Flask, demo: int) -> FlaskClient:
    return signed_in(app, Role.ORGANISER, "programme@example.org")


def named(app: Flask, model: type[Room] | type[Track] | type[Speaker], name: str) -> int:
    """The id of the demo's room (track, speaker) of that name."""
    with app.app_context():
        return db.session.scalars(select(model.id).where(model.name == name)).one()


def created_id(answer) -> int:
    assert answer.status_code == 303, answer.status
    return int(re.fullmatch(r"/admin/programme/sessions/(\d+)", answer.headers["Location"])[1])


def test_loading_the_demo_programme_leaves_no_entry(organiser: FlaskClient) -> None:
    assert history(organiser) == []


def test_a_new_session_is_in_the_history_with_the_organiser_and_its_facts_in_words(
    app: Flask, organiser: FlaskClient
) -> None:
    create(
        organiser,
        room_id=named(app, Room, "Salle Dausset"),
        track_id=named(app, Track, "Maladies rares"),
        speaker_ids=[named(app, Speaker, "Dr Léa Nguyen")],
        capacity="12",
    )

    [entry] = history(organiser)
    assert entry == Entry(
        "programme@example.org",
        "session added",
        [
            f"Title: — → {BIOPSY}",
            "Kind: — → Workshop",
            "Time: — → 25 Jan 2027 19:00–20:00",
            "Room: — → Salle Dausset",
            "Track: — → Maladies rares",
            "Speakers: — → Dr Léa Nguyen",
            "Seats: — → 12",
        ],
    )


def test_a_change_says_which_session_and_what_changed_in_the_reader_s_language(
    app: Flask, organiser: FlaskClient
) -> None:
    session_id = created_id(create(organiser))

    edit(organiser, session_id, starts_at="19:30", ends_at="20:30", kind="talk")

    changed = history(organiser)[0]
    assert (changed.who, changed.what) == ("programme@example.org", "session changed")
    assert changed.changes == [
        f"Title: {BIOPSY}",
        "Kind: Workshop → Talk",
        "Time: 25 Jan 2027 19:00–20:00 → 25 Jan 2027 19:30–20:30",
    ]
    in_french = history(organiser, lang="fr")[0]
    assert in_french.what == "session modifiée"
    assert in_french.changes == [
        f"Titre : {BIOPSY}",
        "Format : Atelier → Communication",
        "Heure : 25 janv. 2027 19:00–20:00 → 25 janv. 2027 19:30–20:30",
    ]


def test_saving_a_session_unchanged_or_refused_adds_no_entry(
    app: Flask, organiser: FlaskClient
) -> None:
    session_id = created_id(create(organiser))

    edit(organiser, session_id)
    refused = edit(  # the room is taken then
        organiser,
        session_id,
        room_id=named(app, Room, "Amphithéâtre Charcot"),
        starts_at="17:00",
        ends_at="17:30",
    )

    assert refused.status_code == 422
    assert [entry.what for entry in history(organiser)] == ["session added"]


def test_cancelling_then_deleting_a_session_are_both_in_the_history(
    app: Flask, organiser: FlaskClient
) -> None:
    session_id = created_id(create(organiser))

    press(organiser, session_id, "cancel")
    press(organiser, session_id, "delete")

    deleted, cancelled, _added = history(organiser)
    assert cancelled == Entry("programme@example.org", "session cancelled", [f"Title: {BIOPSY}"])
    assert deleted == Entry("programme@example.org", "session deleted", [f"Title: {BIOPSY} → —"])


def test_rooms_tracks_and_speakers_added_changed_and_deleted_are_in_the_history(
    app: Flask, organiser: FlaskClient
) -> None:
    post_form(organiser, EDITOR, "/admin/programme/rooms", {"room-name": "Salle Curie"})
    post_form(
        organiser,
        EDITOR,
        "/admin/programme/tracks",
        {"track-name": "Pédiatrie", "track-colour": "#336699"},
    )
    post_form(
        organiser,
        EDITOR,
        "/admin/programme/speakers",
        {"speaker-name": "Dr Ada Lovelace", "speaker-affiliation": "CHU de Nantes"},
    )
    added = history(organiser)
    room_id = named(app, Room, "Salle Curie")

    post_form(
        organiser,
        EDITOR,
        f"/admin/programme/rooms/{room_id}",
        {f"room-{room_id}-name": "Salle Marie-Curie", f"room-{room_id}-capacity": "40"},
    )
    post_form(organiser, EDITOR, f"/admin/programme/rooms/{room_id}/delete")

    assert added == [
        Entry(
            "programme@example.org",
            "speaker added",
            ["Name: — → Dr Ada Lovelace", "Affiliation: — → CHU de Nantes"],
        ),
        Entry(
            "programme@example.org",
            "track added",
            ["Name: — → Pédiatrie", "Colour: — → #336699"],
        ),
        Entry("programme@example.org", "room added", ["Name: — → Salle Curie"]),
    ]
    deleted, changed = history(organiser)[:2]
    assert changed == Entry(
        "programme@example.org",
        "room changed",
        ["Name: Salle Curie → Salle Marie-Curie", "Seats: — → 40"],
    )
    assert deleted == Entry(
        "programme@example.org", "room deleted", ["Name: Salle Marie-Curie → —"]
    )
