"""The edition's settings (/admin/edition/) and "new edition from this one" (…/copy).

Settings are read back from the page's form as a browser would send them, changed,
and checked in the database, in the seats they free and in the mails that follow.
"""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from eventday.accounts.models import Role
from eventday.editions import lifecycle
from eventday.extensions import db
from eventday.mail import OutboxMail
from eventday.programme import rules
from eventday.programme.models import Edition, Room, Session, SessionStatus, Speaker, Track
from eventday.registration.models import Registration, StakeholderSetting
from tests.conftest import PARIS, make_edition, make_session
from tests.test_exports import mails_to, register, set_capacity, status_of
from tests.test_programme_editor import FormValues
from tests.test_users_admin import field_errors, flashes, post_form, signed_in, text, visible

SETTINGS = "/admin/edition/"
COPIED = (
    "The draft Journée 2028 is ready and you are now working on it. The current edition goes on "
    "unchanged until you publish the draft."
)
COPY = "/admin/edition/copy"
SATURDAY_BEFORE_DST = dt.date(2027, 3, 27)  # Paris on UTC+1; clocks go forward the next night


@pytest.fixture
def organiser(app: Flask) -> FlaskClient:
    return signed_in(app, Role.ORGANISER)


@pytest.fixture
def demo_organiser(app: Flask, demo: int) -> FlaskClient:
    """Signed in once the demo is there (on SQLite the demo arrives as a whole database file)."""
    return signed_in(app, Role.ORGANISER)


def settings_form(client: FlaskClient) -> dict[str, list[str]]:
    page = client.get(SETTINGS)
    assert page.status_code == 200
    return FormValues(text(page)).values


def save(client: FlaskClient, **changes: str | None):
    """Send the settings form back with some fields changed (None: a box left unticked)."""
    values = settings_form(client)
    for name, value in changes.items():
        if value is None:
            values.pop(name, None)
        else:
            values[name] = [value]
    return client.post(SETTINGS, data=values)


def edition_row(app: Flask, edition_id: int) -> Edition:
    with app.app_context():
        edition = db.session.get_one(Edition, edition_id)
        db.session.expunge(edition)
        return edition


def type_settings(app: Flask, edition_id: int) -> dict[str, tuple[int | None, bool]]:
    with app.app_context():
        return {
            row.stakeholder_type: (row.quota, row.needs_approval)
            for row in db.session.scalars(
                select(StakeholderSetting).where(StakeholderSetting.edition_id == edition_id)
            )
        }


# --- the settings page -------------------------------------------------------------------------


def test_the_settings_page_shows_the_edition_with_its_window_in_local_time(
    demo_organiser: FlaskClient, demo: int
) -> None:
    values = settings_form(demo_organiser)
    assert values["name"] == [
        "9e Journée de recherche sur les maladies inflammatoires et auto-immunes"
    ]
    assert (values["start_date"], values["end_date"]) == (["2027-01-25"], ["2027-01-25"])
    assert values["venue_name"] == ["Hôpital universitaire Paris-Centre"]
    assert values["capacity"] == ["600"]
    # Stored in UTC (07:00 in summer time, 22:59 in winter time), shown as typed in Paris.
    assert (values["opens_day"], values["opens_time"]) == (["2026-10-01"], ["09:00"])
    assert (values["closes_day"], values["closes_time"]) == (["2027-01-20"], ["23:59"])
    # By default industry needs approval and holds a tenth of the seats at most.
    assert values["quota_industry"] == ["10 %"]  # what it means: a share, following the seats
    assert values["approval_industry"] == ["y"]
    for kind in ("researcher", "clinician", "association"):
        assert values[f"quota_{kind}"] == [""]
        assert f"approval_{kind}" not in values
    assert "Time zone: Europe/Paris" in visible(text(demo_organiser.get(SETTINGS)))


def test_saving_the_settings_changes_the_edition(
    app: Flask, demo_organiser: FlaskClient, demo: int
) -> None:
    answer = save(
        demo_organiser,
        name="10e Journée de recherche",
        venue_name="Institut Imagine",
        capacity="450",
        opens_day="2026-11-02",
        opens_time="10:30",
        closes_day="2027-01-22",
        closes_time="18:00",
        quota_clinician="100",
        approval_association="y",
        quota_industry="30",
        approval_industry=None,
    )
    assert answer.status_code == 303
    assert answer.headers["Location"] == SETTINGS
    page = demo_organiser.get(SETTINGS)
    assert ("info", "Settings saved.") in flashes(page)

    edition = edition_row(app, demo)
    assert (edition.name, edition.venue_name, edition.capacity) == (
        "10e Journée de recherche",
        "Institut Imagine",
        450,
    )
    assert edition.registration_opens_at == dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)
    assert edition.registration_closes_at == dt.datetime(2027, 1, 22, 17, 0, tzinfo=dt.UTC)
    assert type_settings(app, demo) == {
        "researcher": (None, False),
        "clinician": (100, False),
        "association": (None, True),
        "industry": (30, False),
    }
    values = FormValues(text(demo_organiser.get(SETTINGS))).values
    assert (values["opens_day"], values["opens_time"]) == (["2026-11-02"], ["10:30"])
    assert values["approval_association"] == ["y"]
    assert "approval_industry" not in values
    assert "10e Journée de recherche" in visible(text(demo_organiser.get("/")))


def test_registration_cannot_close_before_it_opens(
    app: Flask, demo_organiser: FlaskClient, demo: int
) -> None:
    answer = save(
        demo_organiser,
        name="Un autre nom",
        opens_day="2027-01-10",
        opens_time="09:00",
        closes_day="2027-01-10",
        closes_time="08:59",
    )
    assert answer.status_code == 422
    assert "Registration must close after it opens." in visible(text(answer))
    edition = edition_row(app, demo)
    assert edition.name != "Un autre nom"
    assert edition.registration_closes_at == dt.datetime(2027, 1, 20, 22, 59, tzinfo=dt.UTC)


def test_the_last_day_cannot_come_before_the_first(
    app: Flask, demo_organiser: FlaskClient, demo: int
) -> None:
    answer = save(demo_organiser, start_date="2027-01-25", end_date="2027-01-24")
    assert answer.status_code == 422
    assert field_errors(answer, "end_date") == ["The last day cannot come before the first."]
    assert edition_row(app, demo).end_date == dt.date(2027, 1, 25)


def test_a_new_first_day_moves_every_session_at_the_same_local_times(
    app: Flask, demo_organiser: FlaskClient, demo: int
) -> None:
    with app.app_context():
        before = {
            s.id: (s.starts_at, s.ends_at, s.sequence) for s in db.session.scalars(select(Session))
        }
    answer = save(demo_organiser, start_date="2027-01-26", end_date="2027-01-26")
    assert answer.status_code == 303
    edition = edition_row(app, demo)
    assert (edition.start_date, edition.end_date) == (dt.date(2027, 1, 26), dt.date(2027, 1, 26))
    with app.app_context():
        for s in db.session.scalars(select(Session)):
            starts, ends, sequence = before[s.id]
            assert (s.starts_at - starts, s.ends_at - ends) == (dt.timedelta(days=1),) * 2
            assert s.sequence == sequence + (0 if s.is_cancelled else 1)
    changes = text(demo_organiser.get("/programme/changes"))
    assert "2027" in changes


def test_new_days_that_would_leave_sessions_outside_are_refused_with_their_count(
    app: Flask, demo_organiser: FlaskClient, demo: int
) -> None:
    assert save(demo_organiser, start_date="2027-01-25", end_date="2027-01-26").status_code == 303
    with app.app_context():
        session = db.session.scalars(select(Session).order_by(Session.starts_at)).first()
        moved = rules.SessionDraft(
            title=session.title,
            kind=session.kind,
            starts_at=session.starts_at + dt.timedelta(days=1),
            ends_at=session.ends_at + dt.timedelta(days=1),
            room_id=session.room_id,
        )
        rules.save_session(demo, moved, session.id)
    answer = save(demo_organiser, start_date="2027-01-25", end_date="2027-01-25")
    assert answer.status_code == 422
    assert field_errors(answer, "end_date") == [
        "1 session would fall outside these days: move it first."
    ]
    edition = edition_row(app, demo)
    assert (edition.start_date, edition.end_date) == (dt.date(2027, 1, 25), dt.date(2027, 1, 26))


def test_raising_the_capacity_confirms_and_mails_the_first_waitlisted(
    app: Flask, organiser: FlaskClient
) -> None:
    with app.app_context():
        edition = make_edition().id
    set_capacity(app, edition, 1)
    first = register(app, edition, "Anne", "Morel")
    second = register(app, edition, "Basile", "Roux")
    third = register(app, edition, "Céline", "Faure")
    assert [status_of(app, r) for r in (first, second, third)] == [
        "confirmed",
        "waitlisted",
        "waitlisted",
    ]

    assert save(organiser, capacity="2").status_code == 303
    assert edition_row(app, edition).capacity == 2
    assert [status_of(app, r) for r in (first, second, third)] == [
        "confirmed",
        "confirmed",
        "waitlisted",
    ]
    assert mails_to(app, second) == ["waitlisted", "promoted"]
    assert mails_to(app, third) == ["waitlisted"]


def test_without_approval_an_industry_registration_is_confirmed_at_once(
    app: Flask, organiser: FlaskClient
) -> None:
    with app.app_context():
        edition = make_edition().id
    assert status_of(app, register(app, edition, "Marc", "Avant", "industry")) == (
        "pending_approval"
    )

    assert save(organiser, quota_industry="5", approval_industry=None).status_code == 303
    assert type_settings(app, edition)["industry"] == (5, False)
    confirmed = register(app, edition, "Marc", "Après", "industry")
    assert status_of(app, confirmed) == "confirmed"
    assert mails_to(app, confirmed) == ["confirmed"]


def test_mail_notes_reach_the_next_mails_in_each_language(
    app: Flask, organiser: FlaskClient
) -> None:
    with app.app_context():
        edition = make_edition().id
    before = register(app, edition, "Anne", "Avant", language="fr")
    answer = save(
        organiser,
        mail_note_fr="Pensez à votre pièce d'identité.",
        mail_note_en="Please bring an ID card.",
    )
    assert answer.status_code == 303

    french = register(app, edition, "Hélène", "Marchand", language="fr")
    english = register(app, edition, "Mary", "Smith", language="en")
    with app.app_context():

        def body(registration_id: int) -> str:
            return db.session.scalars(
                select(OutboxMail.body)
                .where(OutboxMail.registration_id == registration_id)
                .order_by(OutboxMail.id.desc())
            ).first()

        french_body, english_body, earlier = body(french), body(english), body(before)
    assert "Pensez à votre pièce d'identité." in french_body
    assert "Please bring an ID card." not in french_body
    assert "Please bring an ID card." in english_body
    assert "Pensez à votre pièce d'identité." not in english_body
    assert "pièce d'identité" not in earlier


def test_a_check_in_desk_account_cannot_open_the_edition_s_settings(app: Flask, demo: int) -> None:
    desk = signed_in(app, Role.CHECKIN)
    data = {"name": "Pirate", "copy-name": "Pirate", "copy-slug": "pirate"}
    assert desk.get(SETTINGS).status_code == 403
    assert post_form(desk, "/admin/checkin", SETTINGS, data).status_code == 403
    assert post_form(desk, "/admin/checkin", COPY, data).status_code == 403
    with app.app_context():
        assert db.session.scalars(select(Edition.name)).all() == [
            "9e Journée de recherche sur les maladies inflammatoires et auto-immunes"
        ]


# --- a new edition from this one ---------------------------------------------------------------


@pytest.fixture
def spring_edition(app: Flask) -> int:
    """A current edition on the Saturday before clocks go forward, with one of everything."""
    with app.app_context():
        edition = make_edition(SATURDAY_BEFORE_DST, slug="printemps-2027").id
        amphi = rules.add_room(edition, "Amphithéâtre Charcot", 300).id
        salle = rules.add_room(edition, "Salle Pasteur", 40).id
        track = rules.add_track(edition, "Maladies rares", "#2b6cb0").id
        speaker = rules.add_speaker(edition, "Dr Inès Haddad", "Hôpital Necker").id
        other = rules.add_speaker(edition, "Zoé Perrin", "Association Lupus France").id
        make_session(edition, SATURDAY_BEFORE_DST, "08:30", "09:00", "Accueil", kind="break")
        make_session(
            edition,
            SATURDAY_BEFORE_DST,
            "09:00",
            "10:15",
            "Ouverture",
            kind="plenary",
            room_id=amphi,
            track_id=track,
            speaker_ids=(speaker, other),
        )
        make_session(
            edition,
            SATURDAY_BEFORE_DST,
            "14:00",
            "15:30",
            "Atelier : capillaroscopie",
            kind="workshop",
            room_id=salle,
            speaker_ids=(other,),
            capacity=25,
            abstract="En petit groupe.",
        )
        dropped = make_session(
            edition, SATURDAY_BEFORE_DST, "16:00", "17:00", "Session annulée", room_id=salle
        ).id
        rules.cancel_session(edition, dropped)
    register(app, edition, "Anne", "Morel")
    return edition


def copy(client: FlaskClient, **changes: str):
    fields = {"name": "Journée 2028", "slug": "journee-2028", "start_date": "2027-03-28", **changes}
    return post_form(
        client, SETTINGS, COPY, {f"copy-{name}": value for name, value in fields.items()}
    )


def programme_of(app: Flask, edition_id: int) -> list[dict[str, object]]:
    with app.app_context():
        sessions = db.session.scalars(
            select(Session).where(Session.edition_id == edition_id).order_by(Session.starts_at)
        ).all()
        return [
            {
                "title": s.title,
                "kind": s.kind,
                "starts_at": s.starts_at,
                "ends_at": s.ends_at,
                "room": s.room.name if s.room else None,
                "track": s.track.name if s.track else None,
                "speakers": [speaker.name for speaker in s.speakers],
                "capacity": s.capacity,
                "abstract": s.abstract,
                "status": s.status,
            }
            for s in sessions
        ]


def local_clock(moment: object) -> str:
    return moment.astimezone(PARIS).strftime("%H:%M")


@pytest.mark.parametrize("new_day", [dt.date(2027, 3, 28), dt.date(2027, 7, 3)])
def test_a_new_edition_keeps_each_session_s_local_time_across_daylight_saving(
    app: Flask, organiser: FlaskClient, spring_edition: int, new_day: dt.date
) -> None:
    answer = copy(organiser, start_date=new_day.isoformat())
    assert answer.status_code == 303
    assert ("info", COPIED) in flashes(organiser.get(SETTINGS))
    with app.app_context():
        new = db.session.scalars(select(Edition).where(Edition.slug == "journee-2028")).one()
        assert new.state == "draft"  # the copied edition stays the current one
        assert db.session.get_one(Edition, spring_edition).is_current
        assert (new.start_date, new.end_date, new.timezone) == (new_day, new_day, "Europe/Paris")
        assert new.capacity is None
        new_id = new.id

        def layout(model: type, *columns: str, edition_id: int) -> list[tuple]:
            rows = db.session.scalars(select(model).where(model.edition_id == edition_id))
            return sorted(tuple(getattr(row, c) for c in columns) for row in rows)

        for model, columns in (
            (Room, ("name", "capacity")),
            (Track, ("name", "colour")),
            (Speaker, ("name", "affiliation")),
        ):
            assert layout(model, *columns, edition_id=new_id) == layout(
                model, *columns, edition_id=spring_edition
            )

    before = [s for s in programme_of(app, spring_edition) if s["status"] == "scheduled"]
    after = programme_of(app, new_id)
    assert [s["title"] for s in after] == ["Accueil", "Ouverture", "Atelier : capillaroscopie"]
    shift = new_day - SATURDAY_BEFORE_DST
    for old, moved in zip(before, after, strict=True):
        unchanged = ("title", "kind", "room", "track", "speakers", "capacity", "abstract")
        assert {k: moved[k] for k in unchanged} == {k: old[k] for k in unchanged}
        assert moved["status"] == SessionStatus.SCHEDULED
        for end in ("starts_at", "ends_at"):
            assert local_clock(moved[end]) == local_clock(old[end])
            assert moved[end].astimezone(PARIS).date() == new_day
            # Summer time: the same wall-clock time is one hour earlier in UTC.
            assert moved[end] - old[end] == shift - dt.timedelta(hours=1)

    # The draft is not public; once published, its programme is what /programme.json gives.
    assert organiser.get("/programme.json").get_json()["edition"]["slug"] == "printemps-2027"
    with app.app_context():
        lifecycle.publish(new_id, actor=None)
    public = organiser.get("/programme.json").get_json()
    assert public["edition"]["slug"] == "journee-2028"
    opening = next(s for s in public["sessions"] if s["title"] == "Ouverture")
    assert opening["start"] == f"{new_day.isoformat()}T09:00:00+02:00"


def test_last_year_s_registrations_stay_with_last_year_s_edition(
    app: Flask, organiser: FlaskClient, spring_edition: int
) -> None:
    assert copy(organiser).status_code == 303
    with app.app_context():
        counts = dict(
            db.session.execute(
                select(Edition.slug, func.count(Registration.id))
                .outerjoin(Registration, Registration.edition_id == Edition.id)
                .group_by(Edition.slug)
            ).all()
        )
    assert counts == {"printemps-2027": 1, "journee-2028": 0}
    assert "Nobody found." in visible(text(organiser.get("/admin/registrations")))


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("printemps-2027", "An edition already uses this short name."),
        ("Journée 2028", "Lower-case letters, digits and - only."),
        ("journee 2028", "Lower-case letters, digits and - only."),
        ("-journee", "Lower-case letters, digits and - only."),
        ("", "This field is required."),
    ],
)
def test_a_short_name_already_used_or_not_fit_for_an_address_is_refused(
    app: Flask, organiser: FlaskClient, spring_edition: int, slug: str, message: str
) -> None:
    answer = copy(organiser, slug=slug)
    assert answer.status_code == 422
    assert field_errors(answer, "copy-slug") == [message]
    with app.app_context():
        editions = db.session.scalars(select(Edition.slug)).all()
        current = db.session.scalars(select(Edition.slug).where(Edition.is_current)).one()
    assert editions == ["printemps-2027"]
    assert current == "printemps-2027"


def test_saving_the_settings_shown_after_a_refused_copy_keeps_the_type_rules(
    app: Flask, organiser: FlaskClient, spring_edition: int
) -> None:
    answer = copy(organiser, slug="printemps-2027")
    assert answer.status_code == 422
    assert organiser.post(SETTINGS, data=FormValues(text(answer)).values).status_code == 303
    assert type_settings(app, spring_edition)["industry"] == (None, True)
    industry = register(app, spring_edition, "Marc", "Industriel", "industry")
    assert status_of(app, industry) == "pending_approval"


def test_moving_the_day_across_the_change_to_summer_time_keeps_local_times(
    app: Flask, organiser: FlaskClient, spring_edition: int
) -> None:
    before = programme_of(app, spring_edition)
    answer = save(
        organiser,
        start_date="2027-03-28",
        end_date="2027-03-28",
        opens_day="",
        opens_time="",
        closes_day="",
        closes_time="",
    )
    assert answer.status_code == 303, visible(text(answer))[:2000]
    after = programme_of(app, spring_edition)
    for old, moved in zip(before, after, strict=True):
        for end in ("starts_at", "ends_at"):
            assert local_clock(moved[end]) == local_clock(old[end])
            assert moved[end].astimezone(PARIS).date() == dt.date(2027, 3, 28)
            # Summer time: the same wall-clock time, one hour less in UTC.
            assert moved[end] - old[end] == dt.timedelta(hours=23)
    calendar = icalendar.Calendar.from_ical(organiser.get("/programme.ics").data)
    opening = next(e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]) == "Ouverture")
    assert opening["DTSTART"].dt.strftime("%Y-%m-%d %H:%M") == "2027-03-28 09:00"
    assert int(opening["SEQUENCE"]) >= 1
