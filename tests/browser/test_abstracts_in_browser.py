"""The call for abstracts in a real Chromium: an author submits from a phone, the organisers'
pages, a reviewer's review, an attendee's vote for the best poster; axe on each page.

The demo edition's call is open with three sample abstracts (eventday/abstracts/demo.py).
What a test needs beyond that goes into the server's database as tests/browser/conftest.py
does it: a reviewer's account by `eventday create-user`, their assignment by
`assignments.assign`; for the vote, one poster's released decision and board, the vote's
opening and an attendee's check-in are set on their rows (releasing every decision would
close the reviews, which the reviewer's test still writes).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from eventday.abstracts import assignments
from eventday.abstracts.models import Abstract, Call, Decision, PosterVote, Review
from eventday.accounts.models import User
from eventday.database import utcnow
from eventday.extensions import db
from eventday.programme.models import Edition
from eventday.registration.models import Registration
from tests.browser.conftest import ORGANISER_EMAIL, Site, sign_in
from tests.browser.test_accessibility import AXE, report, violations
from tests.browser.test_phone_layout import SCROLLS_SIDEWAYS

PHONE = {"width": 390, "height": 844}
REVIEWER_EMAIL = "relectrice@example.org"
REVIEWER_PASSWORD = "quatre chevaux dans un pré vert"
VOTE_BOARD = 7
BODY = (
    "Le variant <i>IRF5</i> rs2004640 augmente les lymphocytes T CD4<sup>+</sup> activés "
    "chez 48 patients atteints de lupus.\n\nL'effet persiste après ajustement sur le traitement."
)
FIRST_AUTHOR = ("Inès", "Ribeiro-Nguyễn", "ines.ribeiro@example.org")
AFFILIATIONS = ("Université Paris Cité", "Inserm U1016, Institut Cochin")
SECOND_AUTHOR = ("Karim", "Benali", "karim.benali.browser@example.org")


def on_phone(open_page: Callable[..., Page], **options: object) -> Page:
    page = open_page(viewport=PHONE, is_mobile=True, has_touch=True, **options)
    page.context.add_init_script(path=AXE)
    return page


def assert_accessible_here(page: Page) -> None:
    found = violations(page)
    assert not found, f"{page.url}:\n{report(found)}"


def assert_fits(page: Page) -> None:
    width = page.evaluate(SCROLLS_SIDEWAYS)
    assert width["scroll"] <= width["client"], (page.url, width)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def visit(page: Page, path: str) -> None:
    answer = page.goto(path)
    assert answer is not None and answer.ok, (path, answer and answer.status)
    assert_accessible_here(page)
    assert_fits(page)


def fill_author(page: Page, index: int, person: tuple[str, str, str], affiliations: str) -> None:
    first, last, email = person
    page.locator(f"#authors-{index}-first_name").fill(first)
    page.locator(f"#authors-{index}-last_name").fill(last)
    page.locator(f"#authors-{index}-email").fill(email)
    page.locator(f"#authors-{index}-affiliations").fill(affiliations)


def send(page: Page) -> int:
    """Press the form's button; the status the server answered the POST with (303 on success,
    the browser then following it)."""
    with page.expect_response(lambda answer: answer.request.method == "POST") as posted:
        page.get_by_role("button", name="Soumettre mon résumé").click()
    page.wait_for_load_state()
    return posted.value.status


def test_an_author_submits_from_a_phone_and_is_shown_their_mistake_first(
    open_page: Callable[..., Page], site: Site
) -> None:
    page = on_phone(open_page, locale="fr-FR")
    visit(page, "/abstracts")
    page.get_by_role("link", name="Soumettre un résumé").click()
    page.wait_for_url("**/abstracts/submit")
    assert_accessible_here(page)
    assert_fits(page)
    expect(page.locator("fieldset.author")).to_have_count(3)

    page.get_by_label("Titre", exact=True).fill("Variants d'IRF5 et lymphocytes T dans le lupus")
    page.get_by_label("Résumé", exact=True).fill(BODY)
    topic = page.get_by_label("Thème", exact=True)
    topic.select_option(index=1)
    chosen_topic = topic.input_value()
    assert chosen_topic
    page.get_by_role("radio", name="Une affiche").check()
    fill_author(page, 0, FIRST_AUTHOR, "\n".join(AFFILIATIONS))
    fill_author(page, 1, SECOND_AUTHOR, "Université Paris Cité")
    first_block = page.get_by_role("group", name="Auteur 1")
    first_block.get_by_label("Présente le travail").check()
    second_presents = page.get_by_role("group", name="Auteur 2").get_by_label("Présente le travail")
    second_presents.check()
    page.locator("#consent").check()

    # Two presenting authors: refused, with the message, and everything typed kept.
    assert send(page) == 422
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Cochez une seule personne qui présente le travail")
    link = summary.get_by_role("link", name="Cochez une seule personne", exact=False)
    target = link.get_attribute("href")
    assert target and target.startswith("#")
    expect(page.locator(target)).to_have_count(1)
    link.click()
    assert page.evaluate("() => location.hash") == target
    expect(page.get_by_label("Titre", exact=True)).to_have_value(
        "Variants d'IRF5 et lymphocytes T dans le lupus"
    )
    expect(page.get_by_label("Résumé", exact=True)).to_have_value(BODY)
    expect(topic).to_have_value(chosen_topic)
    expect(page.locator("#authors-0-affiliations")).to_have_value("\n".join(AFFILIATIONS))
    expect(page.locator("#authors-1-last_name")).to_have_value(SECOND_AUTHOR[1])
    expect(page.locator("fieldset.author")).to_have_count(3)
    expect(page.locator("#consent")).to_be_checked()
    assert_accessible_here(page)
    assert_fits(page)

    second_presents.uncheck()
    assert send(page) == 303
    page.wait_for_url(re.compile(r"/abstracts/[\w-]{20,}(#.*)?$"))
    token = urllib.parse.urlsplit(page.url).path.rsplit("/", 1)[1]
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon résumé")
    article = page.locator("article")
    expect(article.locator("i")).to_have_text("IRF5")
    # Its lines are the markup's own (<p>, <br>): the template's line breaks show as no gap.
    assert article.evaluate("(element) => getComputedStyle(element).whiteSpace") == "normal"
    expect(article.locator("p:not(.authors-line) > sup")).to_have_text("+")
    expect(article.locator("ol.affiliations li")).to_have_text(list(AFFILIATIONS))
    authors = article.locator(".authors-line > span")
    expect(authors).to_have_count(2)
    expect(authors.nth(0)).to_contain_text("Inès Ribeiro-Nguyễn")
    expect(authors.nth(0).locator("sup")).to_have_text("1,2")
    expect(authors.nth(0)).to_have_class("presenting")
    expect(authors.nth(0)).to_contain_text("(présente)")
    expect(authors.nth(1)).not_to_contain_text("présente")
    expect(authors.nth(1).locator("sup")).to_have_text("1")
    assert_accessible_here(page)
    assert_fits(page)

    with site.app.app_context():
        stored = db.session.scalars(select(Abstract).where(Abstract.token == token)).one()
        assert stored.body.replace("\r\n", "\n") == BODY  # a browser sends lines as CRLF
        assert [(a.last_name, a.presenting, a.institutions) for a in stored.authors] == [
            (FIRST_AUTHOR[1], True, list(AFFILIATIONS)),
            (SECOND_AUTHOR[1], False, ["Université Paris Cité"]),
        ]
        db.session.remove()


def test_the_organisers_pages_of_the_call_fit_a_phone(open_page: Callable[..., Page]) -> None:
    page = on_phone(open_page)
    sign_in(page)
    visit(page, "/admin/abstracts/")
    rows = page.locator("table.data tbody tr")
    assert rows.count() >= 3  # the demo's sample abstracts, and any sent by another test
    rows.first.get_by_role("link").click()
    page.wait_for_url("**/admin/abstracts/*")
    expect(page.locator("ol.affiliations li").first).to_be_visible()
    assert_accessible_here(page)
    assert_fits(page)
    visit(page, "/admin/abstracts/call")
    expect(page.get_by_role("button", name="Save")).to_be_visible()


def _user_id(email: str) -> int:
    return db.session.scalars(select(User.id).where(User.email == email)).one()


def _demo_abstract(rank: int) -> Abstract:
    """The demo edition's `rank`-th sample abstract (0 first), by number."""
    return db.session.scalars(
        select(Abstract)
        .join(Edition, Edition.id == Abstract.edition_id)
        .where(Edition.is_current)
        .order_by(Abstract.number)
    ).all()[rank]


@pytest.fixture(scope="module")
def assigned(site: Site) -> Abstract:
    """A reviewer's account (made as conftest makes the organiser's), given the first demo
    abstract to review; that abstract (detached)."""
    result = site.app.test_cli_runner().invoke(
        args=["create-user", REVIEWER_EMAIL, "--role", "reviewer", "--password-stdin"],
        input=REVIEWER_PASSWORD + "\n",
    )
    assert result.exit_code == 0, (result.output, result.exception)
    with site.app.app_context():
        first = _demo_abstract(0)
        assignments.assign(
            first.edition_id, first.id, _user_id(REVIEWER_EMAIL), _user_id(ORGANISER_EMAIL)
        )
        first = db.session.get(Abstract, first.id)
        db.session.expunge(first)
        db.session.remove()
    return first


def test_a_reviewer_reviews_an_abstract(
    open_page: Callable[..., Page], site: Site, assigned: Abstract
) -> None:
    page = open_page()
    page.context.add_init_script(path=AXE)
    page.goto("/admin/login")
    page.get_by_label("E-mail address").fill(REVIEWER_EMAIL)
    page.get_by_label("Password").fill(REVIEWER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/abstracts/reviews/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My reviews")
    expect(page.get_by_text("0 of 1 abstracts reviewed.")).to_be_visible()
    assert_accessible_here(page)

    page.get_by_role("link", name=assigned.title).click()
    page.wait_for_url(f"**/admin/abstracts/reviews/{assigned.id}")
    expect(page.locator(".abstract-body i").first).to_have_text("IFI27")
    assert_accessible_here(page)

    # Sent empty: each question says what it needs, and the page stays accessible.
    with page.expect_response(lambda answer: answer.request.method == "POST") as posted:
        page.get_by_role("button", name="Save my review").click()
    assert posted.value.status == 422
    expect(page.locator("#error-summary")).to_be_visible()
    assert_accessible_here(page)

    for criterion, score in (("Originality", "4"), ("Methods", "3"), ("Clarity", "5")):
        group = page.get_by_role("group", name=f"{criterion} (weight", exact=False)
        group.get_by_label(score, exact=True).check()
    page.get_by_role("radio", name="Accept as a poster").check()
    page.get_by_label("Comment for the authors").fill("Un travail clair ; précisez l'effectif.")
    page.get_by_role("button", name="Save my review").click()
    page.wait_for_url("**/admin/abstracts/reviews/")
    expect(page.get_by_text(f"Your review of {assigned.label} is saved.")).to_be_visible()
    expect(page.get_by_text("1 of 1 abstracts reviewed.")).to_be_visible()
    assert_accessible_here(page)

    with site.app.app_context():
        saved = db.session.scalars(
            select(Review).where(
                Review.abstract_id == assigned.id, Review.user_id == _user_id(REVIEWER_EMAIL)
            )
        ).one()
        assert saved.recommendation == "poster"
        assert sorted(score.value for score in saved.scores) == [3, 4, 5]
        db.session.remove()


@pytest.fixture(scope="module")
def poster_vote(site: Site) -> tuple[str, int]:
    """The vote open, the second demo abstract accepted as a poster at board VOTE_BOARD, and
    a confirmed attendee who checked in: their page's path and the poster's id."""
    path = site.register("votante@example.org")
    with site.app.app_context():
        poster = _demo_abstract(1)
        poster.released_decision = Decision.POSTER
        poster.board_number = VOTE_BOARD
        call = db.session.scalars(select(Call).where(Call.edition_id == poster.edition_id)).one()
        call.vote_open = True
        attendee = db.session.scalars(
            select(Registration).where(Registration.email == "votante@example.org")
        ).one()
        attendee.checked_in_at = utcnow()
        poster_id = poster.id
        db.session.commit()
        db.session.remove()
    return path, poster_id


def test_an_attendee_votes_for_a_poster_from_a_phone(
    open_page: Callable[..., Page], site: Site, poster_vote: tuple[str, int]
) -> None:
    attendee_path, poster_id = poster_vote
    page = on_phone(open_page)
    visit(page, f"/posters/{VOTE_BOARD}/vote")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Poster {VOTE_BOARD}")
    page.get_by_label("Your personal link (or its code)").fill(site.url(attendee_path))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"**/posters/{VOTE_BOARD}/vote")
    assert_accessible_here(page)
    assert_fits(page)

    page.get_by_role("button", name="Vote for this poster").click()
    expect(page.get_by_text(f"Your vote for poster {VOTE_BOARD} is recorded.")).to_be_visible()
    expect(page.get_by_text("Your vote in this topic goes to this poster.")).to_be_visible()
    assert_accessible_here(page)
    assert_fits(page)

    with site.app.app_context():
        voter_id = db.session.scalars(
            select(Registration.id).where(Registration.email == "votante@example.org")
        ).one()
        votes = db.session.scalars(
            select(PosterVote.abstract_id).where(PosterVote.registration_id == voter_id)
        ).all()
        assert votes == [poster_id]
        db.session.remove()


def test_a_title_s_marks_are_shown_not_typed_out(organiser: Page, site: Site) -> None:
    with site.app.app_context():
        marked = db.session.scalars(
            select(Abstract).where(Abstract.title.contains("<sup>")).order_by(Abstract.number)
        ).first()
        assert marked is not None
        marked_id, token = marked.id, marked.token
        db.session.remove()
    for path in ("/admin/abstracts/", f"/admin/abstracts/{marked_id}", f"/abstracts/{token}"):
        organiser.goto(path)
        expect(organiser.locator("main")).not_to_contain_text("<sup>", timeout=1000)
