"""Words for the registration's codes, in the page's (or the mail's) language."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from eventday.registration.models import RegistrationStatus, StakeholderType

STAKEHOLDER_LABELS = {
    StakeholderType.RESEARCHER: _l("Researcher"),
    StakeholderType.CLINICIAN: _l("Clinician"),
    StakeholderType.ASSOCIATION: _l("Patient association"),
    StakeholderType.INDUSTRY: _l("Industry"),
}

STATUS_LABELS = {
    RegistrationStatus.PENDING_APPROVAL: _l("Awaiting approval"),
    RegistrationStatus.CONFIRMED: _l("Confirmed"),
    RegistrationStatus.WAITLISTED: _l("On the waiting list"),
    RegistrationStatus.CANCELLED: _l("Cancelled"),
}

POSITIONS = {
    "phd": _l("PhD student"),
    "postdoc": _l("Post-doc"),
    "researcher": _l("Researcher"),
    "engineer": _l("Engineer"),
    "team_leader": _l("Team leader"),
    "other": _l("Other"),
}

ASSOCIATION_ROLES = {
    "patient": _l("Patient"),
    "carer": _l("Carer"),
    "volunteer": _l("Volunteer"),
    "staff": _l("Staff"),
}


ANSWER_LABELS = {
    "institution": _l("Institution"),
    "team": _l("Team or laboratory"),
    "position": _l("Position"),
    "orcid": _l("ORCID iD"),
    "specialty": _l("Specialty"),
    "hospital": _l("Hospital or institution"),
    "rpps": _l("RPPS number"),
    "association_name": _l("Association"),
    "association_role": _l("Your role"),
    "company": _l("Company"),
    "job_title": _l("Job title"),
}
CHOICE_LABELS = {"position": POSITIONS, "association_role": ASSOCIATION_ROLES}


def answer_label(name: str) -> str:
    return str(ANSWER_LABELS.get(name, name))


def answer_value(name: str, value: str) -> str:
    """A stored answer as people read it (a position's words rather than its code)."""
    label = CHOICE_LABELS.get(name, {}).get(value)
    return str(label) if label is not None else value


def stakeholder_label(kind: str) -> str:
    label = STAKEHOLDER_LABELS.get(kind)
    return str(label) if label is not None else kind


def status_label(status: str) -> str:
    label = STATUS_LABELS.get(status)
    return str(label) if label is not None else status


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        stakeholder_label=stakeholder_label,
        status_label=status_label,
        answer_label=answer_label,
        answer_value=answer_value,
    )
