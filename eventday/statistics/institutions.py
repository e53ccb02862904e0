"""The type of institution an attendee comes from, derived in SQL from what they registered with.

The registration holds no type of institution, only names: a researcher's
`institution`, a clinician's `hospital` (their form's own questions) and the
`organisation` everyone may give. The type is read from those names by
keywords, in this order: a hospital or care facility (hôpital, CHU, AP-HP,
clinique…), a university or school (université, faculté, école…), a research
body (Inserm, CNRS, institut, laboratoire…), an association or foundation, a
company. A patient association's and a company's representatives are their
profile's type whatever their organisation is called (an "Institut" may be a
company). Names no keyword matches are a clinician's "hospital or care" (what
their form asks for) and anyone else's "other". After anonymisation the names
are gone and only the profile's part of the rule is left.

The rule runs inside the GROUP BY query (a CASE over LIKE patterns), never over
rows in Python. SQLite lowers ASCII letters only, so a pattern's accented
letter is `_` (one character): "% _cole%" finds école, ecole and ÉCOLE.
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, case, func, literal, or_
from sqlalchemy.sql.elements import ColumnElement

from eventday.registration.models import Registration, StakeholderType


class InstitutionType(enum.StrEnum):
    HOSPITAL = "hospital"
    UNIVERSITY = "university"
    RESEARCH_BODY = "research_body"
    ASSOCIATION = "association"
    COMPANY = "company"
    OTHER = "other"


INSTITUTION_LABELS = {
    InstitutionType.HOSPITAL: _l("Hospital or care facility"),
    InstitutionType.UNIVERSITY: _l("University or school"),
    InstitutionType.RESEARCH_BODY: _l("Research body or institute"),
    InstitutionType.ASSOCIATION: _l("Association or foundation"),
    InstitutionType.COMPANY: _l("Company"),
    InstitutionType.OTHER: _l("Other or not stated"),
}

# Matched against " name " lower-cased, so "% chu %" is the word CHU, not "parachute".
KEYWORDS: dict[InstitutionType, tuple[str, ...]] = {
    InstitutionType.HOSPITAL: (
        "%pital%",  # hôpital, hopital, hospital, hospitalier
        "% chu %",
        "% chu-%",
        "% chru %",
        "%ap-hp%",
        "%aphp%",
        "%hospices%",
        "%clini%",
        "%ehpad%",
    ),
    InstitutionType.UNIVERSITY: (
        "%univ%",
        "% facult%",
        "% _cole%",
        "%school%",
        "% coll_ge%",
        "%polytechn%",
        "%sorbonne%",
    ),
    InstitutionType.RESEARCH_BODY: (
        "%inserm%",
        "%cnrs%",
        "%inrae%",
        "%inria%",
        "%stitut%",  # institut, institute, instituto, istituto
        "%pasteur%",
        "%recherche%",
        "%research%",
        "%laborato%",
    ),
    InstitutionType.ASSOCIATION: ("%associa%", "%fondation%", "%foundation%"),
    InstitutionType.COMPANY: (
        "% sa %",
        "% sas %",
        "% inc%",
        "% ltd%",
        "% gmbh%",
        "%pharma%",
        "%biotech%",
    ),
}

# The profile's question that names the institution (the other profiles have their type).
NAMED_BY = {StakeholderType.RESEARCHER: "institution", StakeholderType.CLINICIAN: "hospital"}


def named_institution() -> ColumnElement[str]:
    """The names a registration gives its institution by, lower-cased between spaces."""
    named = case(
        *(
            (Registration.stakeholder_type == kind, Registration.answers[field].as_string())
            for kind, field in NAMED_BY.items()
        ),
        else_=literal("", String),
    )
    return func.lower(
        literal(" ") + func.coalesce(named, "") + " " + Registration.organisation + " "
    )


def institution_type(
    names: ColumnElement[str], stakeholder_type: ColumnElement[str]
) -> ColumnElement[str]:
    """The InstitutionType of `names` (a `named_institution()` column) and its profile.

    Take `names` from a subquery: each pattern reads it, and an expression in its place
    would be written out again for every one of them.
    """
    by_name = [
        (or_(*(names.like(pattern) for pattern in patterns)), _value(kind))
        for kind, patterns in KEYWORDS.items()
    ]
    return case(
        (stakeholder_type == StakeholderType.ASSOCIATION, _value(InstitutionType.ASSOCIATION)),
        (stakeholder_type == StakeholderType.INDUSTRY, _value(InstitutionType.COMPANY)),
        *by_name,
        (stakeholder_type == StakeholderType.CLINICIAN, _value(InstitutionType.HOSPITAL)),
        else_=_value(InstitutionType.OTHER),
    )


def _value(kind: InstitutionType) -> ColumnElement[str]:
    return literal(kind.value, String)


def institution_label(kind: str) -> str:
    label = INSTITUTION_LABELS.get(kind)
    return str(label) if label is not None else kind
