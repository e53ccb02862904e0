"""Words for the registration's codes, in the page's (or the mail's) language."""

from babel import Locale, UnknownLocaleError
from flask import Flask
from flask_babel import get_locale, lazy_pgettext
from flask_babel import lazy_gettext as _l

from eventday.registration.models import RegistrationStatus, StakeholderType

STAKEHOLDER_LABELS = {
    StakeholderType.RESEARCHER: _l("Researcher"),
    StakeholderType.CLINICIAN: _l("Clinician"),
    StakeholderType.ASSOCIATION: _l("Patient association"),
    StakeholderType.INDUSTRY: _l("Industry"),
}

# The roles an organiser gives by hand (registration/by_hand.py), as badges and pages name them.
# (A context of their own: "Staff" is also a researcher's position, with other words in French.)
ROLE_LABELS = {
    "speaker": lazy_pgettext("badge role", "Speaker"),
    "staff": lazy_pgettext("badge role", "Staff"),
    "guest": lazy_pgettext("badge role", "Guest"),
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

# A registration's fields as organisers call them (the exports' headers, the history).
FIELD_LABELS = {
    "reference": _l("Reference"),
    "status": _l("Status"),
    "stakeholder_type": _l("Profile"),
    "first_name": _l("First name"),
    "last_name": _l("Last name"),
    "email": _l("E-mail address"),
    "organisation": _l("Organisation"),
    **ANSWER_LABELS,
    "association_role": _l("Role in the association"),  # "your role" is the attendee's word
    "workshops": _l("Workshops"),
    "dietary": _l("Dietary needs"),
    "accessibility": _l("Accessibility needs"),
    "listed": _l("In the list of participants"),
    "language": _l("Language for our e-mails"),
    "created_at": _l("Registered on"),
    "consent_at": _l("Consent given on"),
    "checked_in_at": _l("Arrival"),
    "checked_in_desk": _l("Arrival desk"),
    "sessions_attended": _l("Sessions attended"),
}


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


def language_label(code: str) -> str:
    """A language code ("en") as the page's language names it ("anglais", "English")."""
    try:
        name = Locale.parse(code).get_language_name(str(get_locale()))
    except (ValueError, UnknownLocaleError):
        name = None
    return name or code


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        stakeholder_label=stakeholder_label,
        status_label=status_label,
        answer_label=answer_label,
        answer_value=answer_value,
        language_label=language_label,
        role_label=role_label,
    )
