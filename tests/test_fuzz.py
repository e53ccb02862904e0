"""Fuzzing with hypothesis: hostile input on the public form, the programme, the attendee's pages
and the check-in desk.

The properties, for any input: never a 5xx; a refused request writes nothing (the watched tables
are compared row by row before and after); an accepted registration or change is stored as typed
and read back on the attendee's page, escaped. Each test builds one app and database and sends
every example to it, so the examples also meet what earlier ones wrote (duplicates, full
workshops, cancelled registrations). Derandomised, with no example database: the same examples
on every run, and nothing written into the repository.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote_from_bytes

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, event, example, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from eventday.accounts.rules import create_user
from eventday.checkin.models import MAX_NONCE, CheckinScan
from eventday.extensions import db
from eventday.programme.models import Edition, Session
from eventday.registration import capacity
from eventday.registration.forms import TYPE_FIELDS
from eventday.registration.models import Registration
from eventday.registration.tokens import checkin_code
from eventday.validation import without_controls
from tests.conftest import make_app

# --- settings and fixtures ---------------------------------------------------------------------


def fuzz(examples: int) -> Callable:
    """Hypothesis settings for a test that shares one app (a function-scoped fixture) by design."""
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        # Explaining a failure replays it hundreds of times against the shared database: minutes.
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


@pytest.fixture
def app(database_url: str, demo_template: Path) -> Iterator[Flask]:
    # Fuzzing is about the fields, not the CSRF token, the rate limit or the anti-bot fill time.
    # The limiter is one object for every app of the process, and each app's set-up sets it on
    # or off: the demo's template app (made once, with limits on) must come before this one.
    app = make_app(
        database_url,
        WTF_CSRF_ENABLED=False,
        RATELIMIT_ENABLED=False,
        REGISTRATION_MIN_SECONDS=0,
    )
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def edition_id(app: Flask, demo: int) -> int:
    """The demo edition, its registration open now whatever day the tests run."""
    now = dt.datetime.now(dt.UTC)
    with app.app_context():
        edition = db.session.get_one(Edition, demo)
        edition.registration_opens_at = now - dt.timedelta(days=1)
        edition.registration_closes_at = now + dt.timedelta(days=30)
        db.session.commit()
    return demo


@dataclasses.dataclass(frozen=True)
class Real:
    """A value known only once the database exists (a workshop id, a track name…), by index."""

    kind: str
    index: int

    def resolve(self, known: dict[str, list[str]]) -> str:
        values = known[self.kind]
        return values[self.index % len(values)]


def known_values(app: Flask, edition_id: int) -> dict[str, list[str]]:
    with app.app_context():
        sessions = db.session.scalars(
            select(Session).where(Session.edition_id == edition_id).order_by(Session.id)
        ).all()
        return {
            "workshop": [str(s.id) for s in sessions if s.kind == "workshop"],
            "session": [str(s.id) for s in sessions],
            "track": sorted({s.track.name for s in sessions if s.track}),
            "room": sorted({s.room.name for s in sessions if s.room}),
            "kind": sorted({s.kind for s in sessions}),
        }


# --- what the database holds -------------------------------------------------------------------

WATCHED = ("registrations", "registration_workshops", "outbox", "audit_log", "checkin_scans")
Snapshot = dict[str, list[tuple[Any, ...]]]


def snapshot(app: Flask) -> Snapshot:
    """Every row of the tables a request could write to, in a stable order."""
    with app.app_context():
        return {
            name: sorted(
                (tuple(row) for row in db.session.execute(select(db.metadata.tables[name]))),
                key=repr,
            )
            for name in WATCHED
        }


def grown(before: Snapshot, after: Snapshot) -> dict[str, int]:
    """How many rows each watched table gained (only the tables that changed in size)."""
    return {
        name: len(after[name]) - len(before[name])
        for name in WATCHED
        if len(after[name]) != len(before[name])
    }


def stored(app: Flask, **where: object) -> Registration:
    with app.app_context():
        registration = db.session.scalars(select(Registration).filter_by(**where)).one()
        registration.workshops  # noqa: B018 - loaded while the session is open
        db.session.expunge(registration)
        return registration


def outbox_kinds(rows: Iterable[tuple[Any, ...]]) -> list[str]:
    kind = list(db.metadata.tables["outbox"].columns.keys()).index("kind")
    return [row[kind] for row in rows]


# --- hostile values ----------------------------------------------------------------------------


class Long(str):
    """A long text, shortened in hypothesis's reports."""

    def __repr__(self) -> str:
        return f"Long({self[:12]!r}, {len(self)} characters)"


class LongBytes(bytes):
    """A long body, shortened in hypothesis's reports."""

    def __repr__(self) -> str:
        return f"LongBytes({self[:12]!r}, {len(self)} bytes)"


# Markup that no template writes: if it ever appears raw in a page, a value went out unescaped.
MARKUP = ("<fuzz-tag>", '"><fuzz-tag onerror=alert(1)>', "</dd><fuzz-tag>", "'><fuzz-tag ")
NASTY = (
    "",
    " ",
    "\t",
    "Zoé\x00Perrin",
    "\x00",
    "\x07",
    "\x1b[2J",
    "\x1c\x1d\x1e\x1fZoé",  # Python strips these as spaces
    "\x85Zoé",
    "\u202egpj.exe",
    "\u200b",
    "\ufeff",
    "\ud800",
    "Zoé\udfff",
    "'; DROP TABLE registrations; --",
    '=HYPERLINK("http://x")',
    "%00",
    "%ED%A0%80",
    "+",
    "&",
    "=",
    "{{ 7*7 }}",
    "${7*7}",
    "İstanbul",
    "ß" * 60,
    "🎉",
    "林梅研究所",
    "مستشفى الجامعة",
    "e\u0301" * 30,
    *MARKUP,
)
INVALID_UTF8 = (b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xc0\xaf", b"Zo\xe9", b"\xf4\x90\x80\x80")

texts = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.text(st.characters(categories=["Cc", "Cf", "Cs", "Zs", "Zl", "Zp"]), min_size=1, max_size=8),
    st.builds("".join, st.lists(st.sampled_from(NASTY), min_size=2, max_size=4)),
    st.tuples(st.sampled_from("xé林\x00<"), st.integers(90, 1100)).map(lambda c: Long(c[0] * c[1])),
    st.integers(10_000, 300_000).map(lambda n: Long("x" * n)),
)
values = st.one_of(texts, st.sampled_from(INVALID_UTF8), st.binary(min_size=1, max_size=12))
integers_as_text = st.one_of(
    st.integers(-(2**70), 2**70).map(str),
    st.sampled_from(["", " 1", "1.5", "0x10", "1e3", "٣", "١٢", "-0", "+1", "NaN", "1_000"]),
)

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
Value = str | bytes | Real
Pairs = list[tuple[str, Value]]


def encoded(pairs: Pairs, known: dict[str, list[str]]) -> str:
    """Pairs as a browser percent-encodes them; text with lone surrogates becomes invalid UTF-8."""

    def one(value: Value) -> bytes:
        if isinstance(value, Real):
            value = value.resolve(known)
        return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")

    return "&".join(
        f"{quote_from_bytes(one(name), safe='')}={quote_from_bytes(one(value), safe='')}"
        for name, value in pairs
    )


def as_text(value: Value, known: dict[str, list[str]]) -> str | None:
    """The text a server reads for a value, when it has one exact reading (valid UTF-8)."""
    if isinstance(value, Real):
        return value.resolve(known)
    if isinstance(value, bytes):
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return value


def first(pairs: Pairs, name: str) -> Value | None:
    return next((value for key, value in pairs if key == name), None)


def every(pairs: Pairs, name: str) -> list[Value]:
    return [value for key, value in pairs if key == name]


class JsonBody(bytes):
    """A JSON body, shortened in hypothesis's reports."""

    def __repr__(self) -> str:
        return f"JsonBody({self[:60]!r}, {len(self)} bytes)"


def json_bodies(forms: st.SearchStrategy[Pairs]) -> st.SearchStrategy[JsonBody]:
    """A form sent as JSON (Flask-WTF reads that too), any JSON, or JSON nested too deep."""
    as_object = forms.map(lambda pairs: {k: v for k, v in pairs if isinstance(v, str)})
    documents = st.one_of(as_object, st.dictionaries(st.sampled_from(FORM_FIELDS), json_values))
    return st.one_of(
        st.one_of(documents, json_values).map(
            lambda document: JsonBody(
                json.dumps(document, ensure_ascii=False).encode("utf-8", "surrogatepass")
            )
        ),
        st.just(JsonBody(b"[" * 100_000 + b"]" * 100_000)),
    )


@dataclasses.dataclass(frozen=True)
class Multipart:
    """The pairs as multipart/form-data, the fields named here sent as files (what a text
    field got as a file was a 500)."""

    files: frozenset[str]


def multipart_bodies(names: Iterable[str]) -> st.SearchStrategy[Multipart]:
    return st.sets(st.sampled_from(sorted(names)), min_size=1, max_size=3).map(
        lambda chosen: Multipart(frozenset(chosen))
    )


def multipart_data(pairs: Pairs, known: dict[str, list[str]], files: frozenset[str]) -> MultiDict:
    """What a browser would send as multipart: text as UTF-8 (lone surrogates replaced)."""
    data = MultiDict()
    for name, value in [*pairs, *((name, b"") for name in files)]:
        if isinstance(value, Real):
            value = value.resolve(known)
        content = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
        key = name.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
        if key in files:
            data.add(key, (io.BytesIO(content), "fuzz.pdf", "application/pdf"))
        else:
            data.add(key, content.decode("utf-8", "replace"))
    return data


def post_form(
    client: FlaskClient,
    path: str,
    pairs: Pairs,
    known: dict[str, list[str]],
    raw: bytes | Multipart | None,
) -> TestResponse:
    """POST the pairs url-encoded or as multipart, or `raw` as it is (a body no browser sends)."""
    if isinstance(raw, Multipart):
        data = multipart_data(pairs, known, raw.files)
        return client.post(path, data=data, content_type="multipart/form-data")
    body = raw if raw is not None else encoded(pairs, known).encode("ascii")
    if isinstance(raw, JsonBody):
        return client.post(path, data=body, content_type="application/json")
    return client.post(path, data=body, content_type="application/x-www-form-urlencoded")


def sent_as_a_form(raw: bytes | Multipart | None) -> bool:
    """Whether the body is a form a browser could send (so it may be accepted)."""
    return raw is None or isinstance(raw, Multipart)


raw_bodies = st.one_of(
    st.binary(max_size=200),
    st.sampled_from(
        [
            b"first_name=Zo\xe9&last_name=\xff&email=a@example.org&consent=y",
            b"\x00\x00\x00",
            b"%" * 50,
            LongBytes(b"&" * 500 + b"="),
            b"first_name=%",
            b"first_name=%ZZ&last_name=%E9",
            b"=" * 100,
        ]
    ),
)


# --- the registration form ---------------------------------------------------------------------

STAKEHOLDER_TYPES = ("researcher", "clinician", "association", "industry")
TYPE_ANSWERS = {
    "researcher": {"institution": "Université Paris Cité", "position": "postdoc"},
    "clinician": {"specialty": "Rhumatologie", "hospital": "Hôpital Cochin"},
    "association": {"association_name": "Lupus France", "association_role": "patient"},
    "industry": {"company": "Laboratoires Servier", "job_title": "Chargée d'affaires"},
}
# CONTRACT.md's field names (csrf_token aside), and the two free-text needs.
FORM_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "organisation",
    "stakeholder_type",
    "consent",
    "workshops",
    "language",
    "institution",
    "team",
    "position",
    "orcid",
    "specialty",
    "hospital",
    "rpps",
    "association_name",
    "association_role",
    "company",
    "job_title",
    "dietary",
    "accessibility",
    "listed",
)
# Stored exactly as typed (stripped): the fields without a choice list or a normalised form.
FREE_TEXT = {
    "first_name",
    "last_name",
    "email",
    "organisation",
    "institution",
    "team",
    "specialty",
    "hospital",
    "association_name",
    "company",
    "job_title",
    "dietary",
    "accessibility",
}
COLUMNS = {"first_name", "last_name", "email", "organisation", "dietary", "accessibility"}
# Plausible values a field also gets, so that some fuzzed forms go through.
PLAUSIBLE: dict[str, list[str]] = {
    "stakeholder_type": [*STAKEHOLDER_TYPES, "RESEARCHER", "admin", "researcher "],
    "consent": ["y", "on", "1", "false", "no", "0"],
    "listed": ["y", "false", ""],
    "language": ["fr", "en", "de", "EN", "fr-FR"],
    "position": ["postdoc", "phd", "professor", "other", "POSTDOC"],
    "association_role": ["patient", "volunteer", "carer", "staff"],
    "orcid": [
        "0000-0002-1825-0097",
        "https://orcid.org/0000-0002-1825-0097",
        "0000-0002-1825-0098",
    ],
    "rpps": ["10003456786", "1000 3456 786", "10003456787", "１０００３４５６７８６"],
    "email": [
        "dup@example.org",
        "DUP@example.org",
        " dup@example.org ",
        "İ" * 240 + "@example.org",
    ],
}
workshop_values = st.one_of(
    st.builds(Real, st.just("workshop"), st.integers(0, 20)),
    st.builds(Real, st.just("session"), st.integers(0, 40)),
    integers_as_text,
    values,
)


def field_values(name: str) -> st.SearchStrategy[list[Value]]:
    """What a fuzzed field carries: nothing (missing), one value, or the field repeated."""
    if name == "workshops":
        return st.lists(workshop_values, max_size=5)
    one = st.one_of(st.sampled_from(PLAUSIBLE[name]), values) if name in PLAUSIBLE else values
    return st.lists(one, max_size=3)


def valid_form(kind: str, email: str) -> dict[str, list[Value]]:
    """A complete, valid registration of that type, field by field."""
    return {
        "first_name": ["Hélène"],
        "last_name": ["Marchand"],
        "email": [email],
        "organisation": ["Inserm"],
        "stakeholder_type": [kind],
        "consent": ["y"],
        "language": ["fr"],
        **{name: [value] for name, value in TYPE_ANSWERS[kind].items()},
    }


def flat(fields: dict[str, list[Value]]) -> Pairs:
    return [(name, value) for name, values_ in fields.items() for value in values_]


@st.composite
def registration_forms(draw: st.DrawFn) -> Pairs:
    """A valid registration of some type, a few of its fields replaced by hostile ones, and junk."""
    kind = draw(st.sampled_from(STAKEHOLDER_TYPES))
    fields = valid_form(kind, f"fuzz.{draw(st.uuids()).hex}@example.org")
    for name in sorted(draw(st.sets(st.sampled_from(FORM_FIELDS), max_size=4))):
        fields[name] = draw(field_values(name))
    names = st.one_of(st.sampled_from(FORM_FIELDS), texts)
    return flat(fields) + draw(st.lists(st.tuples(names, values), max_size=2))


def assert_shown_escaped(page: str, registration: Registration, where: str) -> None:
    """Every piece of text the attendee typed is on their page, escaped, and no markup got out."""
    assert "<fuzz-tag" not in page, f"raw markup on the page: {where}"
    shown = [registration.first_name, registration.last_name, registration.email]
    shown += [registration.organisation, registration.dietary, registration.accessibility]
    shown += [value for name, value in registration.answers.items() if name in FREE_TEXT]
    for text in shown:
        assert str(escape(text)) in page, f"{text!r} not shown escaped: {where}"


def assert_typed_kept(
    registration: Registration, pairs: Pairs, known: dict[str, list[str]], where: str
) -> None:
    """What was typed in a free-text field is what is stored (stripped), for the type's fields."""
    for name in FREE_TEXT & (COLUMNS | set(TYPE_FIELDS[registration.stakeholder_type])):
        sent = first(pairs, name)
        typed = as_text(sent, known) if sent is not None else ""
        if typed is None or (name not in COLUMNS and name not in registration.answers):
            continue
        kept = getattr(registration, name) if name in COLUMNS else registration.answers[name]
        assert kept == typed.strip(), f"{name}: {typed!r} stored as {kept!r}: {where}"
    wanted = {int(as_text(v, known) or "") for v in every(pairs, "workshops")}
    assert {w.id for w in registration.workshops} == wanted, where


def assert_attendee_pages_answer(client: FlaskClient, registration: Registration) -> str:
    """The page and every document of a registration answer (the badge only once confirmed)."""
    base = f"/registration/{registration.token}"
    page = client.get(base)
    assert page.status_code == 200, page.status
    documents = ["/qr.svg", "/agenda.ics", "/data.json", "/edit", "/cancel"]
    if registration.is_confirmed:
        documents.append("/badge.pdf")
    for document in documents:
        answer = client.get(base + document)
        assert answer.status_code == 200, (document, answer.status)
    return page.get_data(as_text=True)


TOKEN_LOCATION = re.compile(r"/registration/([A-Za-z0-9_-]{43,})")


@fuzz(60)
@given(
    pairs=registration_forms(),
    raw=st.one_of(
        st.none(),
        st.none(),
        st.none(),
        raw_bodies,
        json_bodies(registration_forms()),
        multipart_bodies([*FORM_FIELDS, "attachment"]),
    ),
)
# "İ" lower-cases to two characters: the address's key is longer than the address.
@example(pairs=flat(valid_form("researcher", "İ" * 241 + "@example.org")), raw=None)
@example(pairs=flat({**valid_form("clinician", "c@example.org"), "consent": ["false"]}), raw=None)
# Flask-WTF reads a JSON body as the form: a number, a list or a lone surrogate made a 500.
@example(pairs=[], raw=JsonBody(b'{"first_name": 5}'))
@example(pairs=[], raw=JsonBody(b"[1, 2]"))
@example(pairs=[], raw=JsonBody(b'{"first_name": "\\ud800"}'))
# A text field sent as a file made a 500.
@example(pairs=flat(valid_form("researcher", "f@example.org")), raw=Multipart(frozenset({"email"})))
def test_the_registration_form_never_fails_and_writes_only_what_it_accepts(
    app: Flask, edition_id: int, pairs: Pairs, raw: bytes | Multipart | None
) -> None:
    client = app.test_client()
    known = known_values(app, edition_id)
    before = snapshot(app)

    response = post_form(client, "/register", pairs, known, raw)

    after = snapshot(app)
    where = repr(raw if raw is not None else pairs)[:3000]
    event(f"answered {response.status_code}")
    assert response.status_code < 500, where
    if response.status_code == 303:
        assert sent_as_a_form(raw), where
        if isinstance(raw, Multipart):
            assert not raw.files & set(FORM_FIELDS), f"a file taken as text: {where}"
        token = TOKEN_LOCATION.fullmatch(response.headers["Location"]).group(1)
        registration = stored(app, token=token)
        expected = {"registrations": 1, "outbox": 1}
        if registration.workshops:
            expected["registration_workshops"] = len(registration.workshops)
        assert grown(before, after) == expected, where
        consent = first(pairs, "consent")
        unticked = consent is None or as_text(consent, known) in ("", "false")
        assert not unticked, f"registered without consent: {where}"
        assert_typed_kept(registration, pairs, known, where)
        assert_shown_escaped(
            assert_attendee_pages_answer(client, registration), registration, where
        )
    elif response.status_code == 200:
        # Someone already registered with this address: only the link to their page is mailed.
        # (at most once an hour for one registration: a second attempt mails nothing).
        assert sent_as_a_form(raw), where
        assert grown(before, after) in ({"outbox": 1}, {}), where
        assert set(outbox_kinds(set(after["outbox"]) - set(before["outbox"]))) <= {"manage_link"}
    else:
        assert response.status_code in (400, 413, 422), where
        assert after == before, f"refused ({response.status}) but written: {where}"
        assert "<fuzz-tag" not in response.get_data(as_text=True), f"markup echoed: {where}"


# --- the attendee's own pages ------------------------------------------------------------------


def register_directly(app: Flask, edition_id: int, email: str) -> Registration:
    """A confirmed researcher, registered through the seats' rules."""
    with app.app_context():
        registration = capacity.register(
            edition_id,
            capacity.Applicant(
                first_name="Hélène",
                last_name="Marchand",
                email=email,
                organisation="Inserm",
                stakeholder_type="researcher",
                answers=dict(TYPE_ANSWERS["researcher"]),
                language="fr",
            ),
        )
        return stored(app, id=registration.id)


@pytest.fixture
def attendee(app: Flask, edition_id: int) -> Registration:
    """Hélène, confirmed; and another attendee, whose address hers cannot take."""
    register_directly(app, edition_id, "other@example.org")
    return register_directly(app, edition_id, "helene@example.org")


@st.composite
def edit_forms(draw: st.DrawFn) -> Pairs:
    """The edit form as the attendee's page sends it, a few fields hostile, and junk."""
    fields = valid_form(
        "researcher", draw(st.sampled_from(["helene@example.org", "h@example.org"]))
    )
    del fields["consent"]
    for name in sorted(draw(st.sets(st.sampled_from(FORM_FIELDS), max_size=4))):
        fields[name] = draw(field_values(name))
    names = st.one_of(st.sampled_from(FORM_FIELDS), texts)
    return flat(fields) + draw(st.lists(st.tuples(names, values), max_size=2))


@fuzz(45)
@given(
    pairs=edit_forms(),
    raw=st.one_of(
        st.none(),
        st.none(),
        st.none(),
        raw_bodies,
        json_bodies(edit_forms()),
        multipart_bodies([*FORM_FIELDS, "attachment"]),
    ),
)
@example(pairs=flat(valid_form("researcher", "other@example.org")), raw=None)
@example(pairs=[], raw=JsonBody(b'{"first_name": 5}'))
@example(pairs=flat(valid_form("researcher", "h@example.org")), raw=Multipart(frozenset({"email"})))
def test_editing_a_registration_never_fails_and_writes_only_what_it_accepts(
    app: Flask, edition_id: int, attendee: Registration, pairs: Pairs, raw: bytes | Multipart | None
) -> None:
    known = known_values(app, edition_id)
    client = app.test_client()
    path = f"/registration/{attendee.token}/edit"
    before = snapshot(app)

    response = post_form(client, path, pairs, known, raw)

    after = snapshot(app)
    where = repr(raw if raw is not None else pairs)[:3000]
    event(f"answered {response.status_code}")
    assert response.status_code < 500, where
    if response.status_code == 303:
        assert sent_as_a_form(raw), where
        assert response.headers["Location"] == f"/registration/{attendee.token}", where
        assert set(grown(before, after)) <= {"audit_log", "registration_workshops", "outbox"}
        registration = stored(app, token=attendee.token)
        assert registration.stakeholder_type == "researcher", where
        # A new address waits for the link mailed to it; the address stays until then.
        new_mails = outbox_kinds(set(after["outbox"]) - set(before["outbox"]))
        assert set(new_mails) <= {"confirm_address"}, where
        assert registration.email == attendee.email, where
        typed = as_text(first(pairs, "email") or "", known)
        asked = typed is not None and typed.strip().lower() != attendee.email
        # (at most a few links an hour: past them, the page answers the same and mails none)
        assert new_mails in ((["confirm_address"], []) if asked else ([],)), where
        kept = [(k, attendee.email if k == "email" else v) for k, v in pairs]
        assert_typed_kept(registration, kept, known, where)
        page = assert_attendee_pages_answer(client, registration)
        assert_shown_escaped(page, registration, where)
    else:
        assert response.status_code in (400, 413, 422), where
        assert after == before, f"refused ({response.status}) but written: {where}"
        assert "<fuzz-tag" not in response.get_data(as_text=True), f"markup echoed: {where}"


@fuzz(15)
@given(
    pairs=edit_forms(),
    raw=st.one_of(st.none(), raw_bodies, json_bodies(edit_forms()), multipart_bodies(FORM_FIELDS)),
)
def test_cancelling_with_any_fields_cancels_once_and_then_writes_nothing(
    app: Flask, edition_id: int, pairs: Pairs, raw: bytes | Multipart | None
) -> None:
    known = known_values(app, edition_id)
    serial = len(snapshot(app)["registrations"])
    attendee = register_directly(app, edition_id, f"cancel.{serial}@example.org")
    client = app.test_client()
    path = f"/registration/{attendee.token}/cancel"
    before = snapshot(app)

    first_answer = post_form(client, path, pairs, known, raw)
    cancelled = snapshot(app)
    again = post_form(client, path, pairs, known, raw)

    where = repr(raw if raw is not None else pairs)[:3000]
    if first_answer.status_code == 413:  # over the 1 MB every request is held to
        assert (again.status_code, snapshot(app)) == (413, before), where
        return
    assert (first_answer.status_code, again.status_code) == (303, 303), where
    assert first_answer.headers["Location"] == f"/registration/{attendee.token}", where
    assert stored(app, id=attendee.id).is_cancelled, where
    assert grown(before, cancelled) == {"outbox": 1, "audit_log": 1}, where
    assert snapshot(app) == cancelled, f"a second cancel wrote: {where}"
    assert client.get(f"/registration/{attendee.token}/edit").status_code == 404


ATTENDEE_PAGES = ("", "/qr.svg", "/badge.pdf", "/agenda.ics", "/edit", "/cancel", "/data.json")
TOKEN_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"


@dataclasses.dataclass(frozen=True)
class Altered:
    """The real token with one change: a character replaced, removed, added, or case swapped."""

    how: str
    position: int
    character: str

    def apply(self, token: str) -> str:
        at = self.position % len(token)
        if self.how == "replace":
            return token[:at] + self.character + token[at + 1 :]
        if self.how == "remove":
            return token[:at] + token[at + 1 :]
        if self.how == "insert":
            return token[:at] + self.character + token[at:]
        return token.swapcase()


tokens = st.one_of(
    st.text(max_size=120),
    st.sampled_from(NASTY),
    st.from_regex(r"[A-Za-z0-9_-]{20,100}", fullmatch=True),
    st.builds(
        Altered,
        st.sampled_from(["replace", "remove", "insert", "swapcase"]),
        st.integers(0, 100),
        st.sampled_from(TOKEN_CHARACTERS),
    ),
)


@fuzz(50)
@given(
    token=tokens,
    page=st.sampled_from(ATTENDEE_PAGES),
    method=st.sampled_from(["GET", "HEAD", "POST"]),
    pairs=edit_forms(),
)
def test_any_other_token_finds_nothing_and_writes_nothing(
    app: Flask,
    edition_id: int,
    attendee: Registration,
    token: str | Altered,
    page: str,
    method: str,
    pairs: Pairs,
) -> None:
    typed = token.apply(attendee.token) if isinstance(token, Altered) else token
    if typed == attendee.token:
        return  # a swapcase of a token without letters, or a replacement by the same character
    path = "/registration/" + quote_from_bytes(typed.encode("utf-8", "surrogatepass"), safe="")
    before = snapshot(app)

    response = app.test_client().open(
        path + page,
        method=method,
        data=encoded(pairs, known_values(app, edition_id)) if method == "POST" else None,
        content_type="application/x-www-form-urlencoded",
    )

    # 308: an empty token leaves "//", which the router merges into one slash and redirects.
    assert response.status_code in (404, 405, 308), (typed, page, method, response.status)
    assert snapshot(app) == before, (typed, page, method)


# --- the programme -----------------------------------------------------------------------------

FILTERS = ("track", "kind", "room")
SESSION_PAGES = ("/programme/{}", "/programme/{}.ics")
PUBLIC_PAGES = (
    "/",
    "/programme",
    "/programme.json",
    "/programme.ics",
    "/programme/changes",
    "/tracks.css",
    "/register",
    "/privacy",
    *SESSION_PAGES,
)
query_names = st.one_of(
    st.sampled_from([*FILTERS, "lang", "stakeholder_type", "workshops", "first_name", "email"]),
    texts,
)
query_values = st.one_of(
    st.builds(Real, st.sampled_from(FILTERS), st.integers(0, 20)),
    st.sampled_from(["fr", "en", "de", "", "talk", "workshop", "FR"]),
    values,
)
session_numbers = st.one_of(
    st.builds(Real, st.just("session"), st.integers(0, 40)),
    st.integers(0, 10**30).map(str),
    st.sampled_from(
        ["0", "2147483647", "2147483648", "9223372036854775807", "9223372036854775808"]
    ),
)
headers = st.dictionaries(
    st.sampled_from(["Accept-Language", "If-None-Match", "Cookie", "Accept"]),
    st.one_of(st.sampled_from(["lang=en", "lang=\x00", "*", "application/json"]), texts),
    max_size=2,
)


def sessions_kept(document: dict, query: Pairs, known: dict[str, list[str]]) -> list[int]:
    """The sessions /programme.json keeps for a query: the page's filters, read as it reads them."""

    def read(value: Value) -> str:
        text = as_text(value, known)
        return "%" if text is None else text.strip()  # invalid UTF-8 is read as its %-escapes

    chosen = {name: {read(v) for v in every(query, name)[:20]} - {""} for name in FILTERS}
    return [
        session["id"]
        for session in document["sessions"]
        if all(not values_ or session[name] in values_ for name, values_ in chosen.items())
    ]


@fuzz(40)
@given(
    page=st.sampled_from(PUBLIC_PAGES),
    number=session_numbers,
    query=st.lists(st.tuples(query_names, query_values), max_size=6),
    method=st.sampled_from(["GET", "GET", "HEAD"]),
    sent_headers=headers,
)
@example(page="/programme/{}", number="2147483648", query=[], method="GET", sent_headers={})
@example(
    page="/programme/{}.ics", number="9223372036854775808", query=[], method="GET", sent_headers={}
)
def test_public_pages_answer_any_query_without_failing_or_writing(
    app: Flask,
    edition_id: int,
    page: str,
    number: str | Real,
    query: Pairs,
    method: str,
    sent_headers: dict[str, str],
) -> None:
    known = known_values(app, edition_id)
    client = app.test_client()
    number = number.resolve(known) if isinstance(number, Real) else number
    path = page.format(number)
    # A header is latin-1 on the wire: any other byte is what a broken client sends.
    sent = {
        k: v.encode("utf-8", "surrogatepass").decode("latin-1") for k, v in sent_headers.items()
    }
    before = snapshot(app)

    response = client.open(path, method=method, query_string=encoded(query, known), headers=sent)

    context = (path, query, method, sent, response.status)
    event(f"{page} {response.status_code}")
    assert response.status_code < 500, context
    assert snapshot(app) == before, context
    if page in SESSION_PAGES:
        real = str(int(number)) in known["session"]
        assert response.status_code in ((200, 304) if real else (404,)), context
        return
    assert response.status_code in (200, 304), context


@fuzz(50)
@given(
    page=st.sampled_from(["/programme.json", "/programme.ics", "/programme"]),
    query=st.lists(
        st.tuples(
            st.one_of(st.sampled_from(FILTERS), query_names),
            st.one_of(st.builds(Real, st.sampled_from(FILTERS), st.integers(0, 20)), query_values),
        ),
        max_size=6,
    ),
)
def test_the_programme_filters_keep_exactly_the_matching_sessions_whatever_the_query(
    app: Flask, edition_id: int, page: str, query: Pairs
) -> None:
    known = known_values(app, edition_id)
    client = app.test_client()
    everything = client.get("/programme.json").get_json()

    response = client.get(page, query_string=encoded(query, known))

    context = (page, query, response.status)
    assert response.status_code == 200, context
    kept = sessions_kept(everything, query, known)
    share = {0: "none", len(everything["sessions"]): "all"}.get(len(kept), "some")
    event(f"{page} keeps {share}")
    if page == "/programme.json":
        assert [session["id"] for session in response.get_json()["sessions"]] == kept, context
    if page == "/programme.ics":
        calendar = response.get_data(as_text=True)
        assert response.content_type == "text/calendar; charset=utf-8", context
        assert calendar.count("BEGIN:VEVENT") == len(kept), context


# --- the check-in desk -------------------------------------------------------------------------

PASSWORD = "correct horse battery staple"
RESULTS = {"ok", "already_checked_in", "invalid", "cancelled", "not_confirmed"}


@pytest.fixture
def badges(app: Flask, edition_id: int) -> list[str]:
    """The check-in codes of a confirmed, a cancelled and a waitlisted attendee."""
    confirmed = register_directly(app, edition_id, "confirmed@example.org")
    cancelled = register_directly(app, edition_id, "cancelled@example.org")
    with app.app_context():
        capacity.cancel(cancelled.id)
        db.session.get_one(Edition, edition_id).capacity = 1
        db.session.commit()
    waitlisted = register_directly(app, edition_id, "waitlisted@example.org")
    with app.app_context():
        return [checkin_code(edition_id, r.reference) for r in (confirmed, cancelled, waitlisted)]


@pytest.fixture
def desk(app: Flask, badges: list[str]) -> FlaskClient:
    """A check-in desk's browser, signed in."""
    with app.app_context():
        create_user("desk@example.org", "checkin", PASSWORD)
    client = app.test_client()
    answer = client.post("/admin/login", data={"email": "desk@example.org", "password": PASSWORD})
    assert answer.status_code == 303
    return client


@dataclasses.dataclass(frozen=True)
class Badge:
    """One of the real codes, perhaps altered: a character replaced, lower case, spaces, NUL."""

    index: int
    how: str
    position: int

    def resolve(self, codes: list[str]) -> str:
        code = codes[self.index % len(codes)]
        at = self.position % len(code)
        return {
            "as is": code,
            "lower": code.lower(),
            "spaced": f"  {code}\t",
            "nul": code + "\x00",
            "replace": code[:at] + ("A" if code[at] != "A" else "B") + code[at + 1 :],
            "cut": code[:at],
        }[self.how]


badge_codes = st.builds(
    Badge,
    st.integers(0, 2),
    st.sampled_from(["as is", "lower", "spaced", "nul", "replace", "cut"]),
    st.integers(0, 80),
)
scan_fields = st.one_of(
    badge_codes,
    texts,
    st.sampled_from(["EV1-1-RD27-AAAAA-" + "A" * 26, "EV1-", "ev1-1-"]),
    json_values,
)
# A few nonces, so that retries (the same nonce again, however padded) come up.
nonces = st.one_of(st.sampled_from(["n-1", " n-1 ", "n-1\x00", "n-2", "", "\x00"]), scan_fields)
scan_objects = st.one_of(
    st.builds(
        lambda fields, extra: {**extra, **fields},
        st.fixed_dictionaries(
            {}, optional={"code": scan_fields, "desk": scan_fields, "nonce": scan_fields}
        ),
        st.dictionaries(st.text(max_size=8), json_values, max_size=2),
    ),
    st.fixed_dictionaries({"code": badge_codes}, optional={"desk": scan_fields, "nonce": nonces}),
)
NOT_JSON = (
    b"",
    b"{",
    b'{"code": "EV1-1-',
    b"code=EV1",
    b"\xff\xfe{\x00}\x00",
    b'{"code": "\xed\xa0\x80"}',
    b'{"code": "\\ud800"}',
    LongBytes(b"[" * 100_000 + b"]" * 100_000),
    LongBytes(b'{"code": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"),
    b"NaN",
)


def json_body(body: Any, codes: list[str]) -> Any:
    """The body with every Badge replaced by its code."""
    if isinstance(body, Badge):
        return body.resolve(codes)
    if isinstance(body, dict):
        return {key: json_body(value, codes) for key, value in body.items()}
    return body


def read_json(body: bytes) -> Any:
    """The body as a JSON parser reads it, or an Ellipsis when it is not JSON it can read."""
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return ...


def earlier_answer(app: Flask, edition_id: int, nonce: Any) -> dict | None:
    """What the desk was told the first time it sent this nonce (as the scan reads it), if ever."""
    if not isinstance(nonce, str):
        return None
    key = without_controls(nonce).strip()[:MAX_NONCE]
    with app.app_context():
        earlier = db.session.scalars(
            select(CheckinScan.answer).where(
                CheckinScan.edition_id == edition_id, CheckinScan.nonce == key
            )
        ).first()
    return json.loads(earlier) if key and earlier else None


def arrivals(app: Flask) -> dict[str, dt.datetime | None]:
    with app.app_context():
        rows = db.session.execute(select(Registration.reference, Registration.checked_in_at))
        return {reference: arrived for reference, arrived in rows}


@fuzz(80)
@given(
    body=st.one_of(scan_objects, json_values, st.sampled_from(NOT_JSON), st.binary()),
    ascii_only=st.booleans(),
    content_type=st.sampled_from(
        ["application/json", "application/json", "application/json; charset=utf-8", "text/plain"]
    ),
)
@example(body=NOT_JSON[7], ascii_only=True, content_type="application/json")
def test_any_scan_body_gets_a_contract_answer_and_a_refused_one_writes_nothing(
    app: Flask,
    edition_id: int,
    desk: FlaskClient,
    badges: list[str],
    body: Any,
    ascii_only: bool,
    content_type: str,
) -> None:
    if isinstance(body, bytes):
        sent = body
    else:
        sent = json.dumps(json_body(body, badges), ensure_ascii=ascii_only).encode(
            "utf-8", "surrogatepass"
        )
    payload = read_json(sent) if content_type != "text/plain" else ...
    understood = isinstance(payload, dict) and isinstance(payload.get("code", ""), str)
    retried = earlier_answer(app, edition_id, payload.get("nonce")) if understood else None
    before, arrived = snapshot(app), arrivals(app)

    response = desk.post("/admin/checkin/scan", data=sent, content_type=content_type)

    after, answer = snapshot(app), response.get_json()
    context = (sent[:300], content_type, response.status, answer)
    event(f"answered {response.status_code}")
    assert response.status_code == (200 if understood else 400), context
    if response.status_code == 400:
        assert answer["error"] == 400, context
        assert after == before, f"refused but written: {context}"
        return
    event(f"result {answer['result']}{' (retried)' if retried else ''}")
    assert set(answer) == {"result", "attendee", "checked_in_at", "message"}, context
    assert answer["result"] in RESULTS, context
    if retried:
        assert (answer, after) == (retried, before), context
        return
    written = (
        {"checkin_scans": 1, "audit_log": 1} if answer["result"] == "ok" else {"checkin_scans": 1}
    )
    assert grown(before, after) == written, context
    if answer["result"] in ("ok", "already_checked_in"):
        reference = answer["attendee"]["reference"]
        assert (arrived[reference] is None) == (answer["result"] == "ok"), context
        assert arrivals(app)[reference] is not None, context


@fuzz(30)
@given(
    pairs=st.lists(
        st.tuples(
            st.sampled_from(["code", "registration", "desk", "nonce", "q", "csrf_token"]),
            st.one_of(integers_as_text, texts, st.sampled_from(INVALID_UTF8)),
        ),
        max_size=5,
    ),
    method=st.sampled_from(["GET", "POST"]),
)
@example(pairs=[("registration", "99999999999999999999999")], method="POST")
@example(pairs=[("registration", "2147483648")], method="POST")
def test_the_desk_page_without_javascript_answers_any_form(
    app: Flask, desk: FlaskClient, pairs: Pairs, method: str
) -> None:
    before = snapshot(app)
    body = encoded(pairs, {})

    if method == "GET":
        response = desk.get("/admin/checkin", query_string=body)
    else:
        response = desk.post(
            "/admin/checkin", data=body, content_type="application/x-www-form-urlencoded"
        )

    after = snapshot(app)
    assert response.status_code == 200, (pairs, method, response.status)
    assert "<fuzz-tag" not in response.get_data(as_text=True), (pairs, method)
    changed = grown(before, after)
    assert set(changed) <= {"checkin_scans", "audit_log"}, (pairs, method)
    assert changed.get("checkin_scans", 0) <= (method == "POST"), (pairs, method)
