"""The committee's table: weighted means, spread, disagreement, sorting, the XLSX; the
criteria; and that these organiser pages are the organisers' only."""

from __future__ import annotations

import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import event, select
from werkzeug.test import TestResponse

from eventday.abstracts import committee
from eventday.abstracts.models import Abstract, Criterion
from eventday.extensions import db
from tests.test_abstract_review import (
    add_abstract,
    add_criterion,
    add_review,
    add_reviewer,
    assign_directly,
    count,
    organiser,
    reviewer_client,
    setup_call,
)
from tests.test_users_admin import english_client, field_errors, post_form, text

TABLE = "/admin/abstracts/committee"
CRITERIA = "/admin/abstracts/criteria"
META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def post_prefixed(
    client: FlaskClient, action: str, prefix: str, data: dict[str, str]
) -> TestResponse:
    """Send a prefixed form of the criteria page (its token is `<prefix>-csrf_token`)."""
    token = META_CSRF.search(text(client.get(CRITERIA))).group(1)
    fields = {f"{prefix}-{name}": value for name, value in data.items()}
    return client.post(action, data={"csrf_token": token, f"{prefix}-csrf_token": token, **fields})


@pytest.fixture
def known(app: Flask) -> dict[str, int]:
    """Three abstracts, three reviewers, criteria weighted 2 and 1:

    A-001: reviews 4.0 (5, 2), 2.0 (2, 2), 3.0 (3, 3): mean 3.0, spread 2.0 → disagreement;
    A-002: reviews 4.0 (4, 4), 3.0 (4, 1), poster and reject: mean 3.5, spread 1.0 → disagreement;
    A-003: reviews 4.0 (4, 4), 4.0 (5, 2), poster and oral: mean 4.0, spread 0 → agreement;
    A-004 withdrawn, A-005 assigned but not reviewed.
    """
    edition_id = setup_call(app)
    originality = add_criterion(app, edition_id, "Originalité", 2)
    clarity = add_criterion(app, edition_id, "Clarté", 1)
    people = [add_reviewer(app, f"r{n}@example.org") for n in (1, 2, 3)]
    ids = {n: add_abstract(app, edition_id, n, title=f"Titre {n}") for n in (1, 2, 3, 5)}
    ids[4] = add_abstract(app, edition_id, 4, withdrawn=True)
    reviews = {
        1: [((5, 2), "poster"), ((2, 2), "poster"), ((3, 3), "oral")],
        2: [((4, 4), "poster"), ((4, 1), "reject")],
        3: [((4, 4), "poster"), ((5, 2), "oral")],
    }
    for number, given in reviews.items():
        for person, ((o, c), recommendation) in zip(people, given, strict=False):
            add_review(app, ids[number], person, {originality: o, clarity: c}, recommendation)
    assign_directly(app, ids[5], people[0])
    return {"edition": edition_id, **{f"A{n}": i for n, i in ids.items()}}


def test_the_table_gives_weighted_means_spread_and_disagreement(
    app: Flask, known: dict[str, int]
) -> None:
    with app.app_context():
        rows = {row.label: row for row in committee.table(known["edition"], "number")}
    assert list(rows) == ["A-001", "A-002", "A-003", "A-005"]
    one, two, three, five = rows.values()
    assert sorted(one.scores) == [2.0, 3.0, 4.0]
    assert one.mean == pytest.approx(3.0) and one.spread == pytest.approx(2.0)
    assert one.disagreement
    assert two.mean == pytest.approx(3.5) and two.spread == pytest.approx(1.0)
    assert two.disagreement  # accept and reject
    assert three.mean == pytest.approx(4.0) and three.spread == pytest.approx(0.0)
    assert not three.disagreement
    assert (one.reviews, one.assigned, five.reviews, five.assigned) == (3, 3, 0, 1)
    assert five.mean is None and not five.disagreement
    assert dict(two.recommendations) == {"poster": 1, "reject": 1}


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("mean", ["A-003", "A-002", "A-001", "A-005"]),
        ("spread", ["A-001", "A-002", "A-003", "A-005"]),
        ("number", ["A-001", "A-002", "A-003", "A-005"]),
        ("disagreement", ["A-001", "A-002", "A-003", "A-005"]),
        ("reviews", ["A-005", "A-002", "A-003", "A-001"]),
        ("'; DROP TABLE abstracts; --", ["A-003", "A-002", "A-001", "A-005"]),
    ],
)
def test_the_table_sorts_by_a_whitelisted_column(
    app: Flask, known: dict[str, int], sort: str, order: list[str]
) -> None:
    with app.app_context():
        assert [row.label for row in committee.table(known["edition"], sort)] == order
    page = organiser(app).get(TABLE, query_string={"sort": sort})
    assert page.status_code == 200
    body = text(page)
    positions = [body.index(f"<td>{label}</td>") for label in order]
    assert positions == sorted(positions)
    assert "Disagreement" in body


def test_the_table_reads_in_a_fixed_number_of_queries(app: Flask, known: dict[str, int]) -> None:
    """Set-based: more abstracts and reviews, not more queries."""

    def queries() -> int:
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            committee.table(known["edition"])
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    with app.app_context():
        before = queries()
    for number in range(6, 26):
        abstract_id = add_abstract(app, known["edition"], number)
        add_review(app, abstract_id, add_reviewer(app, f"x{number}@example.org"), {}, "oral")
    with app.app_context():
        assert queries() == before <= 5


def test_the_xlsx_holds_the_rows_and_no_formula(app: Flask, known: dict[str, int]) -> None:
    with app.app_context():
        abstract = db.session.get(Abstract, known["A3"])
        abstract.title = '=HYPERLINK("https://evil.example","clic")'
        db.session.commit()
    response = organiser(app).get(f"{TABLE}.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Number", "Title")
    by_label = {row[0]: row for row in rows[1:]}
    assert list(by_label) == ["A-003", "A-002", "A-001", "A-005"]
    assert by_label["A-001"][4:8] == (3, 3, 3.0, 2.0)
    assert by_label["A-002"][8:12] == (1, 0, 1, "yes")
    title_cell = next(cell for cell in sheet["B"] if str(cell.value).startswith("=HYPERLINK"))
    assert title_cell.data_type == "s"


# --- criteria --------------------------------------------------------------------------------


def test_organisers_add_change_and_remove_criteria(app: Flask) -> None:
    setup_call(app)
    client = organiser(app)
    data = {"name": "Originalité", "name_en": "Originality", "weight": "3"}
    assert post_prefixed(client, CRITERIA, "new", data).status_code == 303
    with app.app_context():
        criterion = db.session.scalars(select(Criterion)).one()
        assert (criterion.name, criterion.name_en, criterion.weight) == (
            "Originalité",
            "Originality",
            3,
        )
        criterion_id = criterion.id
    duplicate = post_prefixed(client, CRITERIA, "new", data)
    assert duplicate.status_code == 422
    assert "There is already a criterion of this name." in field_errors(duplicate, "new-name")
    changed = post_prefixed(
        client,
        f"{CRITERIA}/{criterion_id}",
        f"c{criterion_id}",
        {"name": "Méthodes", "weight": "10"},
    )
    assert changed.status_code == 303
    with app.app_context():
        assert db.session.get(Criterion, criterion_id).weight == 10
    removed = post_form(client, CRITERIA, f"{CRITERIA}/{criterion_id}/remove")
    assert removed.status_code == 303
    assert count(app, Criterion) == 0


@pytest.mark.parametrize("weight", ["0", "11", "abc", "", "2.5", "1e3", "-3"])
def test_a_criterions_weight_is_from_1_to_10(app: Flask, weight: str) -> None:
    setup_call(app)
    client = organiser(app)
    response = post_prefixed(client, CRITERIA, "new", {"name": "Clarté", "weight": weight})
    assert response.status_code == 422
    assert field_errors(response, "new-weight")
    assert 'value="Clarté"' in text(response)
    assert count(app, Criterion) == 0


def test_a_criterions_name_is_clean_text(app: Flask) -> None:
    setup_call(app)
    response = post_prefixed(organiser(app), CRITERIA, "new", {"name": "Clar\x00té", "weight": "2"})
    assert response.status_code == 422
    assert field_errors(response, "new-name") == ["Please remove the invisible control characters."]
    assert count(app, Criterion) == 0


# --- who may open these pages ----------------------------------------------------------------

ORGANISER_PAGES = [
    TABLE,
    f"{TABLE}.xlsx",
    CRITERIA,
    "/admin/abstracts/assignments",
    "/admin/abstracts/assignments/suggestion",
]
ORGANISER_POSTS = [
    CRITERIA,
    f"{CRITERIA}/1",
    f"{CRITERIA}/1/remove",
    "/admin/abstracts/assignments",
    "/admin/abstracts/assignments/topic",
    "/admin/abstracts/assignments/1/1/remove",
    "/admin/abstracts/assignments/suggestion",
]


def test_organiser_pages_refuse_reviewers_and_anonymous_visitors(app: Flask) -> None:
    setup_call(app)
    add_reviewer(app, "reviewer@example.org")
    reviewer = reviewer_client(app, "reviewer@example.org")
    anonymous = english_client(app)
    for path in ORGANISER_PAGES:
        assert reviewer.get(path).status_code == 403, path
        answer = anonymous.get(path)
        assert answer.status_code == 302 and "/admin/login" in answer.location, path
    for path in ORGANISER_POSTS:
        answer = post_form(reviewer, "/admin/abstracts/reviews/institutions", path)
        assert answer.status_code == 403, path
    organiser_client = organiser(app)
    for path in ORGANISER_PAGES:
        assert organiser_client.get(path).status_code == 200, path


def test_organisers_read_each_review_on_the_page_and_in_the_spreadsheet(
    app: Flask, known: dict[str, int]
) -> None:
    import io

    from openpyxl import load_workbook

    from tests.test_abstract_review import organiser

    client = organiser(app)
    page = client.get(f"/admin/abstracts/{known['A1']}").get_data(as_text=True)
    assert "Relectures (3)" in page or "Reviews (3)" in page
    assert "r1@example.org" in page
    workbook = load_workbook(io.BytesIO(client.get("/admin/abstracts/committee.xlsx").data))
    assert len(workbook.sheetnames) == 2
    reviews = list(workbook.worksheets[1].iter_rows(values_only=True))
    assert len(reviews) > 1 and reviews[1][0].startswith("A-")
