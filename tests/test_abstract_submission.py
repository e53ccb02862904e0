"""The call's window and the submission form: every field checked, hostile input refused
with the message next to the field and what was typed kept, nothing half-written."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from eventday.abstracts import call as calls
from eventday.abstracts import markup
from eventday.abstracts.models import Abstract, Author
from eventday.extensions import db
from eventday.mail import OutboxMail
from eventday.programme import rules
from tests.conftest import PARIS, make_edition

LONG_AFFILIATIONS = "Université Paris Cité\nInserm U1016, Institut Cochin\nCNRS UMR 8104"


@pytest.fixture
def edition_id(app: Flask) -> int:
    with app.app_context():
        edition = make_edition()
        rules.add_track(edition.id, "Lupus et interféronopathies")
        rules.add_track(edition.id, "Vascularites")
        calls.open_call(
            edition.id, dt.date(2026, 12, 31), now=dt.datetime(2026, 11, 1, tzinfo=PARIS)
        )
        return edition.id


def form(**changes: str) -> dict[str, str]:
    data = {
        "title": "Signature interféron de type I dans le lupus réfractaire",
        "abstract": "Les lymphocytes CD4<sup>+</sup> expriment <i>IRF5</i> et l'IFN-α<sub>2</sub>.",
        "topic": "Lupus et interféronopathies",
        "presentation": "poster",
        "keywords": "lupus, interféron",
        "consent": "y",
        "authors-0-first_name": "Élodie",
        "authors-0-last_name": "Martin-Lefèvre",
        "authors-0-email": "elodie.martin@example.org",
        "authors-0-affiliations": LONG_AFFILIATIONS,
        "authors-0-presenting": "y",
        "authors-1-first_name": "Jean",
        "authors-1-last_name": "Dupont",
        "authors-1-email": "jean.dupont@example.org",
        "authors-1-affiliations": "Inserm U1016, Institut Cochin\nAP-HP, Hôpital Cochin",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def post(client: FlaskClient, path: str, data: dict | None = None, **options: object):
    """POST as a browser does: with the CSRF token of the client's session."""
    if not hasattr(client, "csrf"):
        client.csrf = CSRF.search(client.get("/abstracts/submit").get_data(as_text=True)).group(1)
    return client.post(path, data={"csrf_token": client.csrf, **(data or {})}, **options)


def count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_a_submission_answers_303_to_its_page_with_authors_in_order(
    app: Flask, client: FlaskClient, edition_id: int
) -> None:
    answer = post(client, "/abstracts/submit", data=form())
    assert answer.status_code == 303
    token = answer.headers["Location"].rsplit("/", 1)[1]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    with app.app_context():
        abstract = db.session.scalars(select(Abstract)).one()
        assert abstract.label == "A-001"
        assert [a.last_name for a in abstract.authors] == ["Martin-Lefèvre", "Dupont"]
        assert abstract.authors[0].institutions == LONG_AFFILIATIONS.splitlines()
        assert abstract.presenter.first_name == "Élodie"
        assert abstract.track.name == "Lupus et interféronopathies"
        mail = db.session.scalars(select(OutboxMail)).one()
        assert mail.recipient == "elodie.martin@example.org"
        assert token in mail.body
    page = client.get(f"/abstracts/{token}").get_data(as_text=True)
    assert "CD4<sup>+</sup>" in page and "<i>IRF5</i>" in page
    # Numbered affiliations: Inserm U1016 is 2 for both authors.
    assert "Dupont<sup>2,4</sup>" in page


def test_the_call_window_is_in_the_editions_zone(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        edition = make_edition()
        now = dt.datetime(2026, 12, 1, 12, tzinfo=PARIS)
        call = calls.open_call(edition.id, dt.date(2026, 12, 15), now=now)
        # Until the end of 15 December in Paris: 23:00 UTC in winter.
        assert call.closes_at == dt.datetime(2026, 12, 15, 23, 0, tzinfo=dt.UTC)
        assert call.state(dt.datetime(2026, 12, 15, 23, 59, tzinfo=PARIS)) == "open"
        assert call.state(dt.datetime(2026, 12, 16, 0, 0, tzinfo=PARIS)) == "closed"
        assert call.state(dt.datetime(2026, 11, 30, tzinfo=PARIS)) == "not_yet"


def test_closed_call_takes_no_submission_and_says_so(
    app: Flask, client: FlaskClient, edition_id: int
) -> None:
    post(client, "/abstracts/submit", {"title": ""})  # the form, open: its token
    with app.app_context():
        calls.close_call(edition_id)
    answer = post(client, "/abstracts/submit", data=form())
    assert answer.status_code == 403
    assert "is closed" in answer.get_data(as_text=True) or "est clos" in answer.get_data(
        as_text=True
    )
    assert count(app, Abstract) == 0
    page = client.get("/abstracts", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "est clos" in page


def test_no_call_yet_says_it_is_not_open(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        make_edition()
    page = client.get("/abstracts", headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    assert "pas encore ouvert" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "Indiquez un titre"),
        ({"title": "x" * 301}, "title", "300 caractères"),
        ({"title": "a\x00b"}, "title", "caractères de contrôle"),
        ({"abstract": "mot " * 301}, "abstract", "301"),
        ({"abstract": "<script>alert(1)</script> texte"}, "abstract", "&lt;script&gt;"),
        ({"abstract": "<b>gras</b>"}, "abstract", "&lt;b&gt;"),
        ({"topic": "Cardiologie"}, "topic", "thèmes proposés"),
        ({"topic": ""}, "topic", "Choisissez un thème"),
        ({"presentation": "keynote"}, "presentation", "proposées"),
        ({"consent": None}, "consent", "accord"),
        ({"authors-0-email": "pas une adresse"}, "authors-0-email", "adresse"),
        ({"authors-0-first_name": "123"}, "authors-0-first_name", "lettre"),
        ({"authors-0-affiliations": ""}, "authors-0-affiliations", "établissement"),
        ({"authors-0-affiliations": "x" * 301}, "authors-0-affiliations", "300"),
        ({"authors-0-presenting": None}, "authors", "une seule"),
        ({"authors-1-presenting": "y"}, "authors", "(2"),
    ],
)
def test_bad_input_is_refused_next_to_the_field_with_what_was_typed_kept(
    app: Flask, client: FlaskClient, edition_id: int, changes: dict, field: str, message: str
) -> None:
    data = form(**changes)
    answer = post(client, "/abstracts/submit", data=data, headers={"Accept-Language": "fr"})
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert message in page
    assert 'aria-invalid="true"' in page or 'class="field-errors"' in page
    # What was typed is kept.
    assert "Martin-Lefèvre" in page or changes.get("authors-0-last_name") == ""
    assert count(app, Abstract) == 0 and count(app, Author) == 0 and count(app, OutboxMail) == 0


def test_words_are_counted_as_a_person_counts() -> None:
    assert (
        markup.word_count("Les lymphocytes CD4<sup>+</sup> — l'IFN-α<sub>2</sub> <i>IRF5</i>") == 5
    )
    assert markup.word_count("un – deux , trois") == 3
    assert markup.word_count("") == 0


def test_the_limit_is_the_calls(app: Flask, client: FlaskClient, edition_id: int) -> None:
    with app.app_context():
        call = calls.call_of(edition_id)
        settings = calls.settings_of(call)
        settings.word_limit = 10
        calls.save_settings(edition_id, settings, None)
    ten = " ".join(["mot"] * 10)
    assert post(client, "/abstracts/submit", data=form(abstract=ten)).status_code == 303
    answer = post(client, "/abstracts/submit", data=form(abstract=ten + " <i>onze</i>"))
    assert answer.status_code == 422


def test_a_file_where_text_is_expected_is_refused(
    app: Flask, client: FlaskClient, edition_id: int
) -> None:
    data = form()
    data["abstract"] = (io.BytesIO(b"\x89PNG\r\n"), "abstract.png")
    answer = post(client, "/abstracts/submit", data=data, content_type="multipart/form-data")
    assert answer.status_code == 422
    assert count(app, Abstract) == 0


def test_a_poster_that_is_not_a_pdf_is_refused(
    app: Flask, client: FlaskClient, edition_id: int
) -> None:
    with app.app_context():
        settings = calls.settings_of(calls.call_of(edition_id))
        settings.poster_upload = True
        calls.save_settings(edition_id, settings, None)
    data = form()
    data["poster"] = (io.BytesIO(b"GIF89a not a pdf"), "poster.pdf")
    answer = post(
        client,
        "/abstracts/submit",
        data=data,
        content_type="multipart/form-data",
        headers={"Accept-Language": "fr"},
    )
    assert answer.status_code == 422
    assert "PDF" in answer.get_data(as_text=True)
    data = form()
    data["poster"] = (io.BytesIO(b"%PDF-1.4\n1 0 obj\n%%EOF\n"), "poster.pdf")
    answer = post(client, "/abstracts/submit", data=data, content_type="multipart/form-data")
    assert answer.status_code == 303
    poster = client.get(answer.headers["Location"] + "/poster.pdf")
    assert poster.status_code == 200 and poster.data.startswith(b"%PDF-")


def test_add_an_author_keeps_what_was_typed(
    app: Flask, client: FlaskClient, edition_id: int
) -> None:
    answer = post(client, "/abstracts/submit", data=form(add_author="Ajouter"))
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert "Martin-Lefèvre" in page and 'name="authors-2-first_name"' in page
    assert count(app, Abstract) == 0


def test_edit_until_the_deadline_then_withdraw(
    app: Flask, client: FlaskClient, edition_id: int
) -> None:
    token = post(client, "/abstracts/submit", data=form()).headers["Location"].rsplit("/", 1)[1]
    edit = client.get(f"/abstracts/{token}/edit")
    assert edit.status_code == 200 and "Martin-Lefèvre" in edit.get_data(as_text=True)
    changed = form(
        title="Un titre revu",
        **{
            "authors-2-first_name": "Ana",
            "authors-2-last_name": "Silva",
            "authors-2-email": "ana@example.org",
            "authors-2-affiliations": "Institut Imagine",
        },
    )
    assert post(client, f"/abstracts/{token}/edit", data=changed).status_code == 303
    with app.app_context():
        abstract = db.session.scalars(select(Abstract)).one()
        assert abstract.title == "Un titre revu" and len(abstract.authors) == 3
        calls.close_call(edition_id)
    assert post(client, f"/abstracts/{token}/edit", data=form(title="Trop tard")).status_code == 303
    with app.app_context():
        assert db.session.scalars(select(Abstract)).one().title == "Un titre revu"
    assert post(client, f"/abstracts/{token}/withdraw").status_code == 303
    with app.app_context():
        assert db.session.scalars(select(Abstract)).one().is_withdrawn


def test_an_unknown_token_is_404(client: FlaskClient, edition_id: int) -> None:
    assert client.get("/abstracts/" + "x" * 43).status_code == 404
    assert client.get("/abstracts/" + "x" * 500).status_code == 404


def test_the_command_opens_and_closes_the_call(app: Flask, runner) -> None:
    with app.app_context():
        make_edition(slug="jr-2027")
    result = runner.invoke(args=["call", "open", "--edition", "jr-2027", "--until", "2099-01-15"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        edition_id = db.session.scalar(select(Abstract.edition_id)) or 0
        from eventday.programme.models import Edition

        edition = db.session.scalars(select(Edition).where(Edition.slug == "jr-2027")).one()
        assert calls.call_of(edition.id).state() == "open"
    result = runner.invoke(args=["call", "close", "--edition", "jr-2027"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert calls.call_of(edition.id).state() == "closed"
    assert edition_id == 0
    result = runner.invoke(args=["call", "open", "--until", "2000-01-01"])
    assert result.exit_code != 0 and "past" in result.output


def test_the_submitters_pages_are_private(app: Flask, client: FlaskClient, edition_id: int) -> None:
    token = post(client, "/abstracts/submit", data=form()).headers["Location"].rsplit("/", 1)[1]
    for path in (f"/abstracts/{token}", f"/abstracts/{token}/edit"):
        answer = client.get(path)
        assert answer.headers["Cache-Control"] == "private, no-store", path
        assert answer.headers["Referrer-Policy"] == "strict-origin", path
    assert client.get("/abstracts").headers["Referrer-Policy"] == "same-origin"


def test_a_comparison_sign_is_no_tag(app: Flask, client: FlaskClient, edition_id: int) -> None:
    text = "Les taux d'IL-6 < TNF et IFN > 2 fois la normale."
    assert post(client, "/abstracts/submit", data=form(abstract=text)).status_code == 303


def test_a_poster_of_several_megabytes_is_taken_and_too_large_a_body_says_so(
    app: Flask, client: FlaskClient, edition_id: int
) -> None:
    with app.app_context():
        settings = calls.settings_of(calls.call_of(edition_id))
        settings.poster_upload = True
        calls.save_settings(edition_id, settings, None)

    def send(poster: bytes):
        # Encoded here, in memory: the test client's own encoding spools a large file to
        # disk and leaves its closing to the garbage collector.
        boundary, body = encode_multipart(
            {
                "csrf_token": client.csrf,
                **form(),
                "poster": FileStorage(io.BytesIO(poster), "p.pdf"),
            }
        )
        return client.post(
            "/abstracts/submit",
            data=body,
            content_type=f"multipart/form-data; boundary={boundary}",
            headers={"Accept-Language": "fr"},
        )

    post(client, "/abstracts/submit", {"title": ""})  # the session's CSRF token
    assert send(b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024) + b"\n%%EOF\n").status_code == 303
    answer = send(b"%PDF-1.4\n" + b"0" * (12 * 1024 * 1024))
    assert answer.status_code == 413
    assert "10 Mo au plus" in answer.get_data(as_text=True)
    assert count(app, Abstract) == 1


def test_once_the_decision_is_out_the_abstract_stays_as_it_is(
    app: Flask, client: FlaskClient, edition_id: int
) -> None:
    token = post(client, "/abstracts/submit", data=form()).headers["Location"].rsplit("/", 1)[1]
    with app.app_context():
        abstract = db.session.scalars(select(Abstract)).one()
        abstract.released_decision = "oral"
        db.session.commit()
    answer = post(client, f"/abstracts/{token}/edit", data=form(title="Un autre titre"))
    assert answer.status_code == 303
    with app.app_context():
        assert db.session.scalars(select(Abstract)).one().title != "Un autre titre"
    assert f"/abstracts/{token}/edit" not in client.get(f"/abstracts/{token}").get_data(
        as_text=True
    )


def test_the_first_author_gets_the_link_too(
    app: Flask, client: FlaskClient, edition_id: int
) -> None:
    changes = {"authors-0-presenting": None, "authors-1-presenting": "y"}
    assert post(client, "/abstracts/submit", data=form(**changes)).status_code == 303
    with app.app_context():
        recipients = sorted(db.session.scalars(select(OutboxMail.recipient)))
    assert recipients == ["elodie.martin@example.org", "jean.dupont@example.org"]
