"""Registering through the page, as each stakeholder type, with JavaScript on and off."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Site

# Per type: its radio button's label, its questions as a person fills them (label → text
# typed or option chosen), the answers the database then holds, the status the page shows.
# The organisation is asked once, as each type's own question (ORGANISATION below).
TYPES: dict[str, tuple[str, dict[str, str], dict[str, str], str]] = {
    "researcher": (
        "Researcher",
        {
            "Institution": "Université Paris Cité",
            "Team or laboratory": "Immunologie des maladies rares",
            "Position": "Post-doc",
            "ORCID iD (optional)": "0000-0002-1825-0097",
        },
        {
            "institution": "Université Paris Cité",
            "team": "Immunologie des maladies rares",
            "position": "postdoc",
            "orcid": "0000-0002-1825-0097",
        },
        "Confirmed",
    ),
    "clinician": (
        "Clinician",
        {
            "Specialty": "Médecine interne",
            "Hospital or institution": "Hôpital Cochin",
            "RPPS number (optional)": "10012345673",
        },
        {"specialty": "Médecine interne", "hospital": "Hôpital Cochin", "rpps": "10012345673"},
        "Confirmed",
    ),
    "association": (
        "Patient association",
        {"Association": "Association France Lupus", "Your role": "Volunteer"},
        {"association_name": "Association France Lupus", "association_role": "volunteer"},
        "Confirmed",
    ),
    "industry": (
        "Industry",
        {"Company": "Laboratoire Exemple SA", "Job title": "Chargée d'affaires médicales"},
        {"company": "Laboratoire Exemple SA", "job_title": "Chargée d'affaires médicales"},
        "Awaiting approval",
    ),
}
ORGANISATION = {
    "researcher": "institution",
    "clinician": "hospital",
    "association": "association_name",
    "industry": "company",
}
MORNING = (
    "Atelier : interpréter la signature interféron en pratique clinique",
    "Atelier : capillaroscopie dans la sclérodermie systémique",
)
AFTERNOON = "Atelier : myosites, lire une IRM musculaire"


def fill_common(page: Page, email: str) -> None:
    page.get_by_label("First name", exact=True).fill("Léa")
    page.get_by_label("Last name", exact=True).fill("Dupont-Øster")
    page.get_by_label("E-mail address", exact=True).fill(email)


def fill_type(page: Page, fields: dict[str, str]) -> None:
    for label, value in fields.items():
        field = page.get_by_label(label, exact=True)
        if field.evaluate("element => element.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)


def submit(page: Page) -> str:
    """Give consent and send the form; the attendee page's token."""
    page.get_by_label("I agree that my data is used", exact=False).check()
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/registration/*")
    return page.url.rsplit("/", 1)[1]


@pytest.mark.parametrize("stakeholder_type", list(TYPES))
def test_each_stakeholder_type_registers_with_its_own_questions(
    page: Page, site: Site, stakeholder_type: str
) -> None:
    radio, fields, answers, status = TYPES[stakeholder_type]
    email = f"{stakeholder_type}.js@example.org"
    page.goto("/register")
    type_groups = page.locator("fieldset.type-fields")
    expect(type_groups).to_have_count(4)
    # The script shows a type's questions once that type is chosen.
    expect(type_groups.filter(visible=True)).to_have_count(0)

    fill_common(page, email)
    page.get_by_role("radio", name=radio, exact=True).check()
    expect(page.locator(f'fieldset[data-type="{stakeholder_type}"]')).to_be_visible()
    expect(
        page.locator(f'fieldset.type-fields:not([data-type="{stakeholder_type}"]):visible')
    ).to_have_count(0)
    fill_type(page, fields)
    workshop = page.locator('input[name="workshops"]:not([disabled])').first
    workshop_title = page.locator(f'label[for="{workshop.get_attribute("id")}"]').inner_text()
    workshop.check()
    token = submit(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("My registration")
    expect(page.locator("#status-title")).to_have_text(status)
    details = page.locator("dl.facts")
    expect(details).to_contain_text("Léa Dupont-Øster")
    expect(details).to_contain_text(workshop_title)
    stored = site.registration(email)
    assert stored.token == token
    assert stored.stakeholder_type == stakeholder_type
    assert stored.answers == answers
    assert stored.organisation == answers[ORGANISATION[stakeholder_type]]
    assert stored.status == ("pending_approval" if stakeholder_type == "industry" else "confirmed")


@pytest.mark.parametrize("stakeholder_type", list(TYPES))
def test_each_stakeholder_type_registers_without_javascript(
    open_page: Callable[..., Page], site: Site, stakeholder_type: str
) -> None:
    radio, fields, answers, status = TYPES[stakeholder_type]
    page = open_page(java_script_enabled=False)
    email = f"{stakeholder_type}.nojs@example.org"
    page.goto("/register")
    for group in page.locator("fieldset.type-fields").all():
        expect(group).to_be_visible()  # nothing hides the other types' questions
    fill_common(page, email)
    page.get_by_role("radio", name=radio, exact=True).check()
    fill_type(page, fields)
    # Something typed in another type's questions by mistake is not kept.
    other = "Clinician" if stakeholder_type != "clinician" else "Industry"
    page.get_by_label("Specialty" if other == "Clinician" else "Company", exact=True).fill(
        "typed by mistake in another type's field"
    )
    token = submit(page)

    expect(page.locator("#status-title")).to_have_text(status)
    if status == "Confirmed":
        expect(page.get_by_role("img", name="Check-in code of Léa Dupont-Øster")).to_be_visible()
    stored = site.registration(email)
    assert stored.token == token
    assert stored.stakeholder_type == stakeholder_type
    assert stored.answers == answers  # only the chosen type's answers are kept


def test_workshops_at_the_same_time_as_a_ticked_one_are_greyed_out_saying_why(page: Page) -> None:
    page.goto("/register")
    chosen, same_time = (page.get_by_label(title, exact=True) for title in MORNING)
    afternoon = page.get_by_label(AFTERNOON, exact=True)
    reason = page.locator(f"#{same_time.get_attribute('id')}-clash")
    expect(same_time).to_be_enabled()

    chosen.check()

    expect(same_time).to_be_disabled()
    expect(reason).to_have_text(f"At the same time as “{MORNING[0]}”, which you chose")
    expect(reason).to_be_visible()
    described = same_time.get_attribute("aria-describedby").split()
    assert reason.get_attribute("id") in described
    expect(afternoon).to_be_enabled()  # at another time
    afternoon.check()
    expect(chosen).to_be_checked()

    chosen.uncheck()

    expect(same_time).to_be_enabled()
    expect(reason).to_have_count(0)
    assert "-clash" not in same_time.get_attribute("aria-describedby")


def test_without_javascript_a_workshop_clash_comes_back_with_the_other_mistakes(
    open_page: Callable[..., Page],
) -> None:
    page = open_page(java_script_enabled=False)
    page.goto("/register")
    for title in MORNING:
        page.get_by_label(title, exact=True).check()  # nothing greys the second one out
    page.get_by_role("button", name="Register").click()

    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("First name")
    expect(summary).to_contain_text("take place at the same time")
    expect(page.locator("#workshops-errors")).to_contain_text(MORNING[0])
    for title in MORNING:
        expect(page.get_by_label(title, exact=True)).to_be_checked()
