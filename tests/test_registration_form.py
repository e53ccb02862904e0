"""The registration form: each stakeholder type's questions, checks, workshops, hostile input."""

from __future__ import annotations

import datetime as dt
import re
import warnings
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner
from markupsafe import escape
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from eventday.editions.identity import IdentityDetails, save_identity
from eventday.extensions import db
from eventday.mail import OutboxMail
from eventday.programme import rules
from eventday.programme.demo import DEMO_DAY
from eventday.programme.models import Edition, Session, SessionKind
from eventday.registration import capacity
from eventday.registration.models import Registration
from tests.conftest import make_app, paris

PARIS = ZoneInfo("Europe/Paris")
CSRF_PATTERN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
TOKEN_LOCATION = re.compile(r"/registration/([A-Za-z0-9_-]{43,})")
TYPE_ANSWERS = {
    "researcher": {"institution", "team", "position", "orcid"},
    "clinician": {"specialty", "hospital", "rpps"},
    "association": {"association_name", "association_role"},
    "industry": {"company", "job_title"},
}
# Every type's questions answered: a type must keep its own answers and drop the others'.
EVERY_ANSWER = {
    "institution": "Université Paris Cité",
    "team": "Équipe Immunité & Lupus",
    "position": "postdoc",
    "orcid": "",
    "specialty": "Médecine interne",
    "hospital": "Hôpital Cochin",
    "rpps": "",
    "association_name": "Association Lupus France",
    "association_role": "volunteer",
    "company": "Laboratoires Servier",
    "job_title": "Chargée d'affaires médicales",
}
MORNING_WORKSHOPS = (
    "Atelier : interpréter la signature interféron en pratique clinique",
    "Atelier : capillaroscopie dans la sclérodermie systémique",
)
VALID_RPPS = "10003456786"  # Luhn: 6+7+7+3+5+8+3+0+0+0+1 = 40
LEGACY_CHOICES_WARNING = "Passing SelectField choices as tuples is deprecated"

# The app gives WTForms its choices as tuples, which WTForms 3.3 deprecates: with warnings as
# errors every form page would fail. The bug is pinned by
# test_the_form_renders_without_deprecation_warnings; the rest of the module looks past it.


# --- helpers -------------------------------------------------------------------------------


class FormState(HTMLParser):
    """What a browser sends back from a page's form (its values), and what it shows disabled."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self.disabled: set[tuple[str, str]] = set()
        self._select: str | None = None
        self._textarea: str | None = None
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        name = attributes.get("name") or ""
        if tag == "input":
            kind = attributes.get("type", "text")
            if "disabled" in attributes:
                # Shown, but never sent back.
                self.disabled.add((name, attributes.get("value") or ""))
            elif kind in ("checkbox", "radio"):
                if "checked" in attributes:
                    self.values.setdefault(name, []).append(attributes.get("value") or "")
            else:
                self.values.setdefault(name, []).append(attributes.get("value") or "")
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attributes:
            self.values.setdefault(self._select, []).append(attributes.get("value") or "")
        elif tag == "textarea":
            self._textarea = name
            self.values[name] = [""]

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            # Browsers drop the one newline that follows <textarea>.
            text = self.values[self._textarea][0]
            self.values[self._textarea][0] = text.removeprefix("\r\n").removeprefix("\n")
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea][0] += data

    def value(self, name: str) -> str | None:
        values = self.values.get(name)
        return values[0] if values else None


def html(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def csrf_token(client: FlaskClient, path: str = "/register") -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status
    match = CSRF_PATTERN.search(html(response))
    assert match, "the form has no CSRF token"
    return match.group(1)


def person(stakeholder_type: str = "researcher", **changes: object) -> dict[str, object]:
    """A complete, valid registration of that type (only the type's required questions)."""
    fields: dict[str, object] = {
        "first_name": "Hélène",
        "last_name": "Marchand",
        "email": "helene.marchand@example.org",
        "organisation": "Inserm",
        "stakeholder_type": stakeholder_type,
        "consent": "y",
        "language": "fr",
    }
    required = {
        "researcher": {"institution": "Université Paris Cité", "position": "postdoc"},
        "clinician": {"specialty": "Rhumatologie", "hospital": "Hôpital Cochin"},
        "association": {"association_name": "Lupus France", "association_role": "patient"},
        "industry": {"company": "Laboratoires Servier", "job_title": "Chargée d'affaires"},
    }
    fields.update(required[stakeholder_type])
    fields.update(changes)
    return fields


def submit(
    client: FlaskClient, data: dict[str, object], token: str | None = None, **query: str
) -> TestResponse:
    """POST the registration form as a browser would, with a fresh CSRF token unless given."""
    return client.post(
        "/register",
        data={"csrf_token": token or csrf_token(client), **data},
        query_string=query,
    )


def registered_token(response: TestResponse) -> str:
    assert response.status_code == 303, (response.status, html(response)[:2000])
    match = TOKEN_LOCATION.fullmatch(response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def counts(app: Flask) -> tuple[int, int]:
    """Registrations and outbox mails in the database."""
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Registration)),
            db.session.scalar(select(func.count()).select_from(OutboxMail)),
        )


def registration_by_token(app: Flask, token: str) -> Registration:
    with app.app_context():
        registration = db.session.scalars(
            select(Registration).where(Registration.token == token)
        ).one()
        registration.workshops  # noqa: B018 - loaded while the session is open
        db.session.expunge(registration)
        return registration


def field_errors(page: str, name: str) -> str | None:
    """The text of the error list next to a field, or None when there is none."""
    match = re.search(rf'<ul class="field-errors" id="{name}-errors">(.*?)</ul>', page, re.S)
    return re.sub(r"<[^>]+>", " ", match.group(1)).strip() if match else None


def assert_refused(response: TestResponse, field: str, before: tuple[int, int], app: Flask) -> str:
    page = html(response)
    assert response.status_code == 422, response.status
    assert field_errors(page, field), f"no message next to {field}"
    assert counts(app) == before, "a refused registration wrote something"
    return page


def workshop_id(app: Flask, title: str) -> int:
    with app.app_context():
        return db.session.scalars(select(Session.id).where(Session.title == title)).one()


def set_edition(app: Flask, edition_id: int, **values: object) -> None:
    with app.app_context():
        edition = db.session.get_one(Edition, edition_id)
        for name, value in values.items():
            setattr(edition, name, value)
        db.session.commit()


@pytest.fixture
def app(database_url: str):
    # Dozens of POSTs from one address: a rate limit on /register is not what these test.
    app = make_app(database_url, RATELIMIT_ENABLED=False)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def edition_id(app: Flask, demo: int) -> int:
    """The demo edition with registration open now, whatever day the tests run."""
    now = dt.datetime.now(dt.UTC)
    set_edition(
        app,
        demo,
        registration_opens_at=now - dt.timedelta(days=1),
        registration_closes_at=now + dt.timedelta(days=30),
    )
    return demo


# --- each stakeholder type ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stakeholder_type", "status", "mail_kind"),
    [
        ("researcher", "confirmed", "confirmed"),
        ("clinician", "confirmed", "confirmed"),
        ("association", "confirmed", "confirmed"),
        ("industry", "pending_approval", "pending_approval"),
    ],
)
def test_each_type_registers_with_its_own_answers_only(
    app, client, edition_id, stakeholder_type, status, mail_kind
):
    data = {**EVERY_ANSWER, **person(stakeholder_type)}

    token = registered_token(submit(client, data))

    registration = registration_by_token(app, token)
    assert registration.status == status
    assert registration.stakeholder_type == stakeholder_type
    assert registration.edition_id == edition_id
    assert set(registration.answers) == TYPE_ANSWERS[stakeholder_type]
    for name in TYPE_ANSWERS[stakeholder_type]:
        assert registration.answers[name] == data[name]
    assert (registration.first_name, registration.last_name) == ("Hélène", "Marchand")
    assert registration.email == "helene.marchand@example.org"
    assert registration.consent_at is not None
    assert registration.token == token
    with app.app_context():
        mails = db.session.scalars(select(OutboxMail)).all()
    assert [(m.kind, m.recipient) for m in mails] == [(mail_kind, "helene.marchand@example.org")]
    assert client.get(f"/registration/{token}").status_code == 200


def test_tokens_are_different_for_every_registration(app, client, edition_id):
    first = registered_token(submit(client, person(email="un@example.org")))
    second = registered_token(submit(client, person(email="deux@example.org")))
    assert first != second


@pytest.mark.parametrize(
    ("stakeholder_type", "missing"),
    [
        ("researcher", "institution"),
        ("researcher", "position"),
        ("clinician", "specialty"),
        ("clinician", "hospital"),
        ("association", "association_name"),
        ("association", "association_role"),
        ("industry", "company"),
        ("industry", "job_title"),
    ],
)
def test_a_missing_required_answer_is_shown_next_to_its_field_and_typing_is_kept(
    app, client, edition_id, stakeholder_type, missing
):
    data = person(stakeholder_type, first_name="Zoë", last_name="D'Arc", team="Lab & Co")
    del data["organisation"]  # as the page sends it: it would answer the profile's question
    data[missing] = ""
    before = counts(app)

    page = assert_refused(submit(client, data), missing, before, app)

    assert field_errors(page, missing) == "Ce champ est obligatoire pour votre profil."
    form = FormState(page)
    assert form.value("first_name") == "Zoë"
    assert form.value("last_name") == "D'Arc"
    assert form.value("email") == "helene.marchand@example.org"
    assert form.values["stakeholder_type"] == [stakeholder_type]
    for name, value in data.items():
        if name in EVERY_ANSWER and name != missing and value:
            assert form.value(name) == value, name


@pytest.mark.parametrize("missing", ["first_name", "last_name", "email", "stakeholder_type"])
def test_a_missing_common_field_is_refused_next_to_it(app, client, edition_id, missing):
    data = person()
    del data[missing]
    before = counts(app)

    assert_refused(submit(client, data), missing, before, app)


@pytest.mark.parametrize("field", ["first_name", "last_name", "email"])
def test_a_required_field_of_spaces_only_is_refused(app, client, edition_id, field):
    before = counts(app)

    assert_refused(submit(client, person(**{field: "   "})), field, before, app)


def test_consent_is_required(app, client, edition_id):
    data = person()
    del data["consent"]
    before = counts(app)

    assert_refused(submit(client, data), "consent", before, app)


# --- identifiers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("0000-0002-1694-233X", "0000-0002-1694-233X"),
        ("0000-0002-1694-233x", "0000-0002-1694-233X"),
        ("https://orcid.org/0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("0000000218250097", "0000-0002-1825-0097"),
    ],
)
def test_a_valid_orcid_is_stored_normalised(app, client, edition_id, typed, stored):
    token = registered_token(submit(client, person(orcid=typed)))

    assert registration_by_token(app, token).answers["orcid"] == stored


@pytest.mark.parametrize(
    "typed",
    [
        "0000-0002-1825-0098",
        "0000-0002-1694-2330",
        "0000-0002-1825",
        pytest.param(
            "https://orcid.org/0000-0002-1825-009x",
        ),
    ],
)
def test_an_orcid_with_a_wrong_check_digit_or_shape_is_refused_as_typed(
    app, client, edition_id, typed
):
    before = counts(app)

    page = assert_refused(submit(client, person(orcid=typed)), "orcid", before, app)

    assert FormState(page).value("orcid") == typed


def test_a_valid_rpps_number_is_accepted(app, client, edition_id):
    token = registered_token(submit(client, person("clinician", rpps=VALID_RPPS)))

    assert registration_by_token(app, token).answers["rpps"] == VALID_RPPS


@pytest.mark.parametrize("typed", ["10003456787", "1000345678", "1000345678a", "100034567860"])
def test_an_rpps_number_with_a_wrong_check_digit_or_length_is_refused(
    app, client, edition_id, typed
):
    before = counts(app)

    assert_refused(submit(client, person("clinician", rpps=typed)), "rpps", before, app)


# --- hostile input --------------------------------------------------------------------------

HOSTILE = {
    "script": "<script>alert(1)</script>",
    "attribute": '"><img src=x onerror=alert(1)>',
    "1000 characters": "é" * 1000,
    "NUL": "Zoé\x00Perrin",
    "bell": "Zoé\x07",
    "escape": "Zoé\x1b[2J",
    "formula": '=HYPERLINK("http://x")',
    "right-to-left override": "Zoé\u202egpj.exe",
    # Refused on one line (mail headers take it for a line break), kept in a text area.
    "line separator": "Zoé\u2028Perrin",
    "emoji": "🎉",
    "arabic": "مستشفى الجامعة",
    "chinese": "林梅研究所",
    "cyrillic": "Институт Пастера",
    "sql": "'; DROP TABLE registrations; --",
}
# Whatever the field, these never go in: longer than any field allows, or control characters.
ALWAYS_REFUSED = {"1000 characters", "NUL", "bell", "escape"}
# None of the values is an e-mail address, an ORCID iD or an RPPS number.
REFUSES_EVERY_HOSTILE_VALUE = {"email", "orcid", "rpps"}
TEXT_FIELDS = {
    "first_name": "researcher",
    "last_name": "researcher",
    "email": "researcher",
    "organisation": "researcher",
    "institution": "researcher",
    "team": "researcher",
    "orcid": "researcher",
    "specialty": "clinician",
    "hospital": "clinician",
    "rpps": "clinician",
    "association_name": "association",
    "company": "industry",
    "job_title": "industry",
    "dietary": "researcher",
    "accessibility": "researcher",
}
COLUMNS = {"first_name", "last_name", "email", "organisation", "dietary", "accessibility"}
RAW_MARKUP = ("<script>alert", "<img src=x")


def stored_value(registration: Registration, field: str) -> str:
    if field in COLUMNS:
        return getattr(registration, field)
    return registration.answers[field]


def assert_escaped(page: str, value: str, where: str) -> None:
    for markup in RAW_MARKUP:
        assert markup not in page, f"raw {markup!r} in {where}"
    assert str(escape(value)) in page, f"{value!r} not shown in {where}"


@pytest.mark.parametrize("field", list(TEXT_FIELDS))
def test_hostile_values_in_every_text_field_are_refused_or_stored_exactly_and_escaped(
    app, client, edition_id, field
):
    token = csrf_token(client)
    for number, (label, value) in enumerate(HOSTILE.items()):
        data = person(TEXT_FIELDS[field], email=f"personne{number}@example.org")
        data[field] = value
        before = counts(app)

        response = submit(client, data, token)

        where = f"{field} = {label}"
        assert response.status_code < 500, where
        page = html(response)
        if label in ALWAYS_REFUSED or field in REFUSES_EVERY_HOSTILE_VALUE:
            assert response.status_code == 422, where
        if response.status_code != 303:
            assert response.status_code == 422, where
            assert field_errors(page, field), f"no message next to the field: {where}"
            assert counts(app) == before, f"written although refused: {where}"
            for markup in RAW_MARKUP:
                assert markup not in page, f"raw {markup!r} echoed back: {where}"
            continue
        attendee = registered_token(response)
        assert counts(app) == (before[0] + 1, before[1] + 1), where
        assert stored_value(registration_by_token(app, attendee), field) == value, where
        assert_escaped(html(client.get(f"/registration/{attendee}")), value, f"page: {where}")
        if field == "organisation":
            continue  # what clients may send; the pages ask each profile's own question
        edit_page = html(client.get(f"/registration/{attendee}/edit"))
        assert_escaped(edit_page, value, f"edit form: {where}")
        assert FormState(edit_page).value(field) == value, where


@pytest.mark.parametrize(
    "address",
    [
        "a,b@example.org",
        "x<victim@example.org",
        "<script>alert(1)</script>@example.org",
        "bob(comment)@example.org",
        'a"b@example.org',
        "a;b@example.org",
    ],
)
def test_an_address_that_mail_would_read_differently_is_refused(app, client, edition_id, address):
    before = counts(app)

    assert_refused(submit(client, person(email=address)), "email", before, app)


@pytest.mark.parametrize(
    ("first_name", "last_name"),
    [("Hélène", "D'Arc-Ødegård"), ("梅", "林"), ("Иван", "Петров"), ("محمد", "الحسن")],
)
def test_names_in_every_script_with_apostrophes_and_hyphens_are_accepted(
    app, client, edition_id, first_name, last_name
):
    token = registered_token(submit(client, person(first_name=first_name, last_name=last_name)))

    registration = registration_by_token(app, token)
    assert (registration.first_name, registration.last_name) == (first_name, last_name)
    page = html(client.get(f"/registration/{token}"))
    assert str(escape(f"{first_name} {last_name}")) in page


# --- workshops ------------------------------------------------------------------------------


def one_seat_workshop(app: Flask, edition_id: int) -> int:
    """A workshop of one seat, at lunchtime, taken by a confirmed attendee."""
    with app.test_request_context():
        workshop = rules.save_session(
            edition_id,
            rules.SessionDraft(
                title="Atelier : une seule place",
                kind=SessionKind.WORKSHOP,
                starts_at=paris(DEMO_DAY, "12:30"),
                ends_at=paris(DEMO_DAY, "13:15"),
                capacity=1,
            ),
        )
        taken = capacity.register(
            edition_id,
            capacity.Applicant(
                first_name="Première",
                last_name="Arrivée",
                email="premiere@example.org",
                organisation="",
                stakeholder_type="researcher",
                answers={"institution": "Inserm", "position": "phd"},
                workshop_ids=(workshop.id,),
            ),
        )
        assert taken.is_confirmed
        return workshop.id


def test_a_full_workshop_is_shown_disabled_and_refused_next_to_the_workshops(
    app, client, edition_id
):
    full = one_seat_workshop(app, edition_id)

    page = html(client.get("/register"))
    form = FormState(page)
    assert ("workshops", str(full)) in form.disabled
    facts = re.search(rf'id="workshop-{full}-seats">(.*?)</span>', page, re.S)
    assert facts and "Complet" in facts.group(1)
    open_one = workshop_id(app, MORNING_WORKSHOPS[0])
    assert ("workshops", str(open_one)) not in form.disabled

    before = counts(app)
    page = assert_refused(submit(client, person(workshops=[str(full)])), "workshops", before, app)
    assert "Atelier : une seule place" in field_errors(page, "workshops")
    assert ("workshops", str(full)) in FormState(page).disabled


def test_a_workshop_filled_by_confirmed_registrations_is_refused(app, client, edition_id):
    title = "Atelier : construire un essai clinique avec les associations de patients"
    workshop = workshop_id(app, title)
    with app.test_request_context():
        seats = db.session.get_one(Session, workshop).seats
        for n in range(seats):
            applicant = capacity.Applicant(
                first_name="Inscrite",
                last_name=f"N°{n}",
                email=f"inscrite{n}@example.org",
                organisation="",
                stakeholder_type="clinician",
                answers={"specialty": "Dermatologie", "hospital": "Hôpital Saint-Louis"},
                workshop_ids=(workshop,),
            )
            assert capacity.register(edition_id, applicant).is_confirmed
    before = counts(app)

    page = assert_refused(
        submit(client, person(workshops=[str(workshop)])), "workshops", before, app
    )

    assert str(escape(title)) in field_errors(page, "workshops")


def test_two_overlapping_workshops_are_refused_with_both_names(app, client, edition_id):
    chosen = [str(workshop_id(app, title)) for title in MORNING_WORKSHOPS]
    before = counts(app)

    page = assert_refused(submit(client, person(workshops=chosen)), "workshops", before, app)

    message = field_errors(page, "workshops")
    for title in MORNING_WORKSHOPS:
        assert title in message
    assert sorted(FormState(page).values["workshops"]) == sorted(chosen)


def test_workshops_at_different_times_can_be_chosen_together(app, client, edition_id):
    afternoon = "Atelier : myosites, lire une IRM musculaire"
    chosen = [workshop_id(app, MORNING_WORKSHOPS[0]), workshop_id(app, afternoon)]

    token = registered_token(submit(client, person(workshops=[str(w) for w in chosen])))

    assert sorted(w.id for w in registration_by_token(app, token).workshops) == sorted(chosen)


def test_a_workshop_clash_is_shown_next_to_the_workshops_with_the_other_mistakes(
    app, client, edition_id
):
    chosen = [str(workshop_id(app, title)) for title in MORNING_WORKSHOPS]
    before = counts(app)
    data = person(workshops=chosen, first_name="", institution="", organisation="")

    page = assert_refused(submit(client, data), "workshops", before, app)

    assert field_errors(page, "first_name")
    assert field_errors(page, "institution")
    assert field_errors(page, "workshops") == (
        f"« {MORNING_WORKSHOPS[0]} » et « {MORNING_WORKSHOPS[1]} » ont lieu en même temps : "
        "choisissez-en un seul."
    )
    # The summary at the top lists it too, and its link leads to the workshops.
    assert 'href="#workshops"' in page
    assert '<fieldset class="workshops has-error" id="workshops"' in page
    for workshop in chosen:
        box = re.search(rf'<input type="checkbox" name="workshops" value="{workshop}"[^>]*>', page)
        assert "checked" in box[0]
        assert "workshops-errors" in box[0]  # read out with the box


def test_three_workshops_at_the_same_time_are_refused_in_one_message_naming_them(
    app, client, edition_id
):
    third = "Atelier : construire un essai clinique avec les associations de patients"
    chosen = [str(workshop_id(app, title)) for title in (*MORNING_WORKSHOPS, third)]
    before = counts(app)

    page = assert_refused(
        submit(client, person(workshops=chosen), lang="en"), "workshops", before, app
    )

    assert field_errors(page, "workshops") == (
        f"“{MORNING_WORKSHOPS[0]}”, “{MORNING_WORKSHOPS[1]}”, and “{third}” take place at the "
        "same time: choose one of them."
    )


def test_each_workshop_gives_its_times_for_the_script_that_greys_out_clashes(
    app, client, edition_id
):
    page = html(client.get("/register"))
    interferon = workshop_id(app, MORNING_WORKSHOPS[0])

    assert re.search(
        rf'value="{interferon}" id="workshop-{interferon}"[^>]*'
        r'data-starts="2027-01-25T10:00:00\+00:00" data-ends="2027-01-25T11:15:00\+00:00"',
        page,
    )
    assert 'data-clash-reason="En même temps que « {title} », que vous avez choisi"' in page


# --- the organisation, asked once ----------------------------------------------------------

ORGANISATION_QUESTIONS = {
    "researcher": "institution",
    "clinician": "hospital",
    "association": "association_name",
    "industry": "company",
}


def test_the_organisation_is_asked_once_in_each_profile_s_questions(app, client, edition_id):
    page = html(client.get("/register"))

    assert 'name="organisation"' not in page
    for name in ORGANISATION_QUESTIONS.values():
        field = re.search(rf'<input [^>]*name="{name}"[^>]*>', page)[0]
        assert 'autocomplete="organization"' in field, name


@pytest.mark.parametrize(("stakeholder_type", "question"), ORGANISATION_QUESTIONS.items())
def test_the_profile_s_own_answer_is_stored_as_the_organisation(
    app, client, edition_id, stakeholder_type, question
):
    data = person(stakeholder_type)
    del data["organisation"]  # as the page sends it

    registration = registration_by_token(app, registered_token(submit(client, data)))

    assert registration.organisation == data[question]
    assert registration.answers[question] == data[question]
    page = html(client.get(f"/registration/{registration.token}"))
    assert page.count(str(escape(data[question]))) == 1  # not once as each


def test_an_organisation_sent_alone_answers_the_profile_s_question(app, client, edition_id):
    data = person("clinician", organisation="Hôpital Cochin", hospital="")

    registration = registration_by_token(app, registered_token(submit(client, data)))

    assert registration.organisation == "Hôpital Cochin"
    assert registration.answers["hospital"] == "Hôpital Cochin"


def test_an_organisation_sent_beside_the_profile_s_answer_is_kept_as_sent(app, client, edition_id):
    data = person("researcher", organisation="Inserm U1234", institution="Université Paris Cité")

    registration = registration_by_token(app, registered_token(submit(client, data)))

    assert registration.organisation == "Inserm U1234"
    assert registration.answers["institution"] == "Université Paris Cité"


def test_a_link_may_prefill_the_organisation_for_whichever_profile_is_chosen(
    app, client, edition_id
):
    form = FormState(html(client.get("/register?organisation=Inserm")))

    for name in ORGANISATION_QUESTIONS.values():
        assert form.value(name) == "Inserm", name


@pytest.mark.parametrize("choice", ["unknown", "plenary", "not a number"])
def test_a_session_that_is_not_a_workshop_of_the_edition_is_refused(
    app, client, edition_id, choice
):
    with app.app_context():
        plenary = db.session.scalars(
            select(Session.id).where(Session.kind == SessionKind.PLENARY)
        ).first()
        unknown = db.session.scalar(select(func.max(Session.id))) + 1000
    sent = {"unknown": str(unknown), "plenary": str(plenary), "not a number": "abc"}[choice]
    before = counts(app)

    assert_refused(submit(client, person(workshops=[sent])), "workshops", before, app)


# --- opening and closing --------------------------------------------------------------------


def test_before_opening_the_form_says_when_it_opens_and_takes_nothing(app, client, edition_id):
    token = csrf_token(client)
    opens = dt.datetime(2030, 3, 4, 9, 30, tzinfo=PARIS)
    set_edition(app, edition_id, registration_opens_at=opens, registration_closes_at=None)
    before = counts(app)

    page = html(client.get("/register"))
    response = submit(client, person(), token)

    day = format_date(opens.date(), format="full", locale="fr")
    assert f"Les inscriptions ouvrent le {day} à 09:30." in page
    assert 'name="first_name"' not in page
    assert response.status_code < 500
    assert "Les inscriptions ouvrent le" in html(response)
    assert counts(app) == before


def test_after_closing_the_form_says_it_is_closed_and_takes_nothing(app, client, edition_id):
    token = csrf_token(client)
    closed = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    set_edition(app, edition_id, registration_closes_at=closed)
    before = counts(app)

    page = html(client.get("/register"))
    response = submit(client, person(), token)

    assert "Les inscriptions sont closes." in page
    assert 'name="first_name"' not in page
    assert response.status_code < 500
    assert "Les inscriptions sont closes." in html(response)
    assert counts(app) == before


# --- one registration per address -----------------------------------------------------------


def test_a_second_registration_with_the_same_address_only_mails_the_link(app, client, edition_id):
    first = registered_token(submit(client, person(first_name="Hélène", last_name="Marchand")))
    reference = registration_by_token(app, first).reference
    before = counts(app)

    response = submit(
        client,
        person(
            "clinician",
            first_name="Autre",
            last_name="Personne",
            email="HELENE.Marchand@Example.ORG",
        ),
    )

    page = html(response)
    assert response.status_code == 200
    assert "Cette adresse est déjà inscrite" in page
    assert "Marchand" not in page and "Hélène" not in page
    assert reference not in page
    assert first not in page
    assert 'name="first_name"' not in page
    registrations, mails = counts(app)
    assert (registrations, mails) == (before[0], before[1] + 1)
    with app.app_context():
        last = db.session.scalars(select(OutboxMail).order_by(OutboxMail.id.desc())).first()
        assert last.kind == "manage_link"
        assert last.recipient.lower() == "helene.marchand@example.org"
        assert f"/registration/{first}" in last.body
    unchanged = registration_by_token(app, first)
    assert (unchanged.first_name, unchanged.stakeholder_type) == ("Hélène", "researcher")


@pytest.mark.parametrize("address", [None, "contact@journee.example.org"])
def test_the_already_registered_page_offers_to_write_only_to_a_given_address(
    app, client, edition_id, address
):
    if address:  # as the organisers give it on the edition's identity page
        with app.app_context():
            save_identity(edition_id, IdentityDetails(contact_email=address))
    submit(client, person())

    page = html(submit(client, person()))

    if address is None:
        assert "écrivez aux organisateurs" not in page
        assert "Rien reçu ? Regardez dans vos indésirables.</p>" in page
    else:
        assert (
            "Rien reçu ? Regardez dans vos indésirables, ou écrivez aux organisateurs à "
            f'l’adresse <a href="mailto:{address}">{address}</a>.'
        ) in page


def test_someone_who_cancelled_can_register_again(app, client, edition_id):
    first = registered_token(submit(client, person()))
    with app.test_request_context():
        capacity.cancel(registration_by_token(app, first).id)

    again = registered_token(submit(client, person("clinician", first_name="Hélèna")))

    assert again != first
    registration = registration_by_token(app, again)
    assert (registration.status, registration.stakeholder_type) == ("confirmed", "clinician")
    assert registration.first_name == "Hélèna"
    with app.app_context():
        statuses = db.session.scalars(
            select(Registration.status).where(
                Registration.email_key == "helene.marchand@example.org"
            )
        ).all()
    assert statuses.count("confirmed") == 1
    assert set(statuses) <= {"confirmed", "cancelled"}


# --- CSRF -----------------------------------------------------------------------------------


def assert_form_again_with_message(response: TestResponse) -> None:
    page = html(response)
    assert response.status_code == 400
    assert '<form method="post" action="/register"' in page
    summary = re.search(r'<div class="error-summary"[^>]*>(.*?)</div>', page, re.S)
    assert summary and "Merci de vérifier le formulaire" in summary.group(1)
    assert "Ce formulaire avait expiré (ou les cookies sont bloqués)." in summary.group(1)
    form = FormState(page)
    assert form.value("first_name") == "Zoë"
    assert form.value("last_name") == "D'Arc-Ødegård"
    assert form.values["stakeholder_type"] == ["clinician"]
    assert form.value("specialty") == "Rhumatologie"
    assert form.value("dietary") == "Sans gluten"
    assert CSRF_PATTERN.search(page), "no new CSRF token to send the form again"


TYPED = person("clinician", first_name="Zoë", last_name="D'Arc-Ødegård", dietary="Sans gluten")


def test_a_missing_csrf_token_gives_the_form_back_as_typed(app, client, edition_id):
    client.get("/register")
    before = counts(app)

    response = client.post("/register", data=TYPED)

    assert_form_again_with_message(response)
    assert counts(app) == before


def test_an_expired_csrf_token_gives_the_form_back_as_typed(app, client, edition_id, monkeypatch):
    real_timestamp = TimestampSigner.get_timestamp
    monkeypatch.setattr(
        TimestampSigner,
        "get_timestamp",
        lambda signer: real_timestamp(signer) - app.config["WTF_CSRF_TIME_LIMIT"] - 60,
    )
    old_token = csrf_token(client)
    monkeypatch.undo()
    before = counts(app)

    response = submit(client, TYPED, old_token)

    assert_form_again_with_message(response)
    assert counts(app) == before
    again = CSRF_PATTERN.search(html(response)).group(1)
    registered_token(submit(client, TYPED, again))


# --- prefill and language -------------------------------------------------------------------


def test_a_link_can_prefill_the_stakeholder_type(app, client, edition_id):
    form = FormState(html(client.get("/register?stakeholder_type=clinician")))

    assert form.values["stakeholder_type"] == ["clinician"]


def test_a_prefill_link_with_junk_still_shows_the_form(app, client, edition_id):
    response = client.get(
        "/register",
        query_string={"stakeholder_type": "admin", "workshops": "abc", "first_name": "<b>x</b>"},
    )

    assert response.status_code == 200
    page = html(response)
    assert "<b>x</b>" not in page
    assert "stakeholder_type" not in FormState(page).values


def test_the_form_is_in_french_by_default_and_in_english_on_request(app, client, edition_id):
    french = html(client.get("/register"))
    english = html(client.get("/register?lang=en"))

    assert '<html lang="fr">' in french
    assert '<label for="first_name">Prénom</label>' in french
    assert '<label for="email">Adresse e-mail</label>' in french
    assert FormState(french).values["language"] == ["fr"]
    assert '<html lang="en">' in english
    assert '<label for="first_name">First name</label>' in english
    assert '<label for="email">E-mail address</label>' in english
    assert FormState(english).values["language"] == ["en"]


def test_the_chosen_language_is_stored(app, client, edition_id):
    chosen = registered_token(submit(client, person(email="en@example.org", language="en")))
    unsaid = {name: value for name, value in person().items() if name != "language"}
    default = registered_token(submit(client, unsaid | {"email": "fr@example.org"}))
    client.get("/?lang=en")
    browsed = registered_token(submit(client, unsaid | {"email": "browsed@example.org"}))

    assert registration_by_token(app, chosen).language == "en"
    assert registration_by_token(app, default).language == "fr"
    assert registration_by_token(app, browsed).language == "en"


def test_the_form_renders_without_deprecation_warnings(app, client, edition_id):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        response = client.get("/register")

    assert response.status_code == 200
