"""The registration form: common fields, each stakeholder type's own questions, workshops."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Optional

from eventday.forms import MultiCheckboxField, PostedForm, strip
from eventday.programme.models import Session
from eventday.registration.labels import (
    ASSOCIATION_ROLES,
    POSITIONS,
    ROLE_LABELS,
    STAKEHOLDER_LABELS,
)
from eventday.registration.models import StakeholderType
from eventday.registration.seats import WorkshopSeats, workshop_clashes
from eventday.validation import (
    CleanText,
    EmailAddress,
    PersonName,
    choices,
    normalise_orcid,
    orcid_is_valid,
    rpps_is_valid,
)

# Each type's own questions: field name → required?
TYPE_FIELDS: dict[str, dict[str, bool]] = {
    StakeholderType.RESEARCHER: {
        "institution": True,
        "team": False,
        "position": True,
        "orcid": False,
    },
    StakeholderType.CLINICIAN: {"specialty": True, "hospital": True, "rpps": False},
    StakeholderType.ASSOCIATION: {"association_name": True, "association_role": True},
    StakeholderType.INDUSTRY: {"company": True, "job_title": True},
}
# Each type's own question for the organisation people come from: asked once, there, and
# stored as the registration's `organisation` too (lists, badges, exports show that).
# `organisation` stays a field name clients may send (CONTRACT.md): kept as sent, it also
# answers the type's question when that is left empty.
ORGANISATION_FIELDS: dict[str, str] = {
    StakeholderType.RESEARCHER: "institution",
    StakeholderType.CLINICIAN: "hospital",
    StakeholderType.ASSOCIATION: "association_name",
    StakeholderType.INDUSTRY: "company",
}
ORGANISATION_AUTOCOMPLETE = {"autocomplete": "organization"}


def _email() -> EmailField:
    """The attendee's address, required (registering, finding a registration)."""
    return EmailField(
        _l("E-mail address"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please give your e-mail address.")),
            CleanText(254),
            EmailAddress(),
        ],
        render_kw={"autocomplete": "email"},
    )


def _text(label: str, limit: int = 200, **kwargs: object) -> StringField:
    return StringField(label, filters=[strip], validators=[Optional(), CleanText(limit)], **kwargs)


class RegistrationForm(PostedForm):
    first_name = StringField(
        _l("First name"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please give your first name.")),
            CleanText(100),
            PersonName(),
        ],
        render_kw={"autocomplete": "given-name"},
    )
    last_name = StringField(
        _l("Last name"),
        filters=[strip],
        validators=[DataRequired(_l("Please give your last name.")), CleanText(100), PersonName()],
        render_kw={"autocomplete": "family-name"},
    )
    email = _email()
    organisation = _text(_l("Organisation"))
    stakeholder_type = RadioField(
        _l("You are"),
        choices=choices((kind.value, label) for kind, label in STAKEHOLDER_LABELS.items()),
        validators=[InputRequired(_l("Please choose what best describes you."))],
    )
    # Researcher
    institution = _text(_l("Institution"), render_kw=ORGANISATION_AUTOCOMPLETE)
    team = _text(_l("Team or laboratory"))
    position = SelectField(
        _l("Position"),
        choices=choices([("", "—"), *POSITIONS.items()]),
        validators=[Optional()],
    )
    orcid = _text(_l("ORCID iD (optional)"), 40, description=_l("For example 0000-0002-1825-0097"))
    # Clinician
    specialty = _text(_l("Specialty"))
    hospital = _text(_l("Hospital or institution"), render_kw=ORGANISATION_AUTOCOMPLETE)
    rpps = _text(_l("RPPS number (optional)"), 20, description=_l("11 digits"))
    # Patient association
    association_name = _text(_l("Association"), render_kw=ORGANISATION_AUTOCOMPLETE)
    association_role = SelectField(
        _l("Your role"),
        choices=choices([("", "—"), *ASSOCIATION_ROLES.items()]),
        validators=[Optional()],
    )
    # Industry
    company = _text(_l("Company"), render_kw=ORGANISATION_AUTOCOMPLETE)
    job_title = _text(_l("Job title"))

    workshops = MultiCheckboxField(_l("Workshops"), coerce=int, validate_choice=False)
    dietary = TextAreaField(
        _l("Dietary needs (optional)"),
        filters=[strip],
        validators=[Optional(), CleanText(500, multiline=True)],
    )
    accessibility = TextAreaField(
        _l("Accessibility needs (optional)"),
        filters=[strip],
        validators=[Optional(), CleanText(500, multiline=True)],
    )
    listed = BooleanField(_l("Show my name and organisation in the list of participants"))
    language = SelectField(
        _l("Language for our e-mails"),
        choices=choices([("fr", "Français"), ("en", "English")]),
        validators=[Optional()],
    )
    consent = BooleanField(
        _l("I agree that my data is used to organise this day, as the privacy notice explains."),
        # DataRequired: "consent=false" is input, but WTForms reads it as unticked.
        validators=[DataRequired(_l("We need your agreement to register you."))],
    )

    # Against robots (see robots.py): when the form was shown, and a field people never see.
    started = HiddenField()
    website = StringField(_l("Leave this field empty"), filters=[strip])

    # The workshops offered, by id (offer_workshops).
    offered: dict[int, Session] = {}

    @property
    def chosen_type(self) -> str:
        return self.stakeholder_type.data or ""

    def process(
        self,
        formdata: object = None,
        obj: object = None,
        data: Mapping[str, object] | None = None,
        extra_filters: Mapping[str, Sequence[Callable]] | None = None,
        **kwargs: object,
    ) -> None:
        """The fields from the request (or a registration); `organisation` alone, as a link
        may prefill it or a client send it, answers each type's own question left empty."""
        super().process(formdata, obj, data, extra_filters, **kwargs)
        if self.organisation.data:
            for name in ORGANISATION_FIELDS.values():
                self[name].data = self[name].data or self.organisation.data

    def offer_workshops(
        self, seats: Sequence[WorkshopSeats], holding: set[int]
    ) -> list[tuple[WorkshopSeats, bool]]:
        """Offer every workshop; full ones (unless already held) are shown but cannot be chosen."""
        self.offered = {w.session.id: w.session for w in seats}
        self.workshops.choices = choices((w.session.id, w.session.title) for w in seats)
        return [(w, w.is_full and w.session.id not in holding) for w in seats]

    def validate(self, extra_validators: dict | None = None) -> bool:
        valid = super().validate(extra_validators)
        # A clash between chosen workshops is told with the other mistakes, not once they
        # are mended (the seat rules check it again when the registration is written).
        chosen = [
            self.offered[w] for w in dict.fromkeys(self.workshops.data or ()) if w in self.offered
        ]
        clashes = [violation.message for violation in workshop_clashes(chosen)]
        if clashes:
            self.workshops.errors = [*self.workshops.errors, *clashes]
            valid = False
        required = TYPE_FIELDS.get(self.chosen_type, {})
        for name, needed in required.items():
            field: Field = self[name]
            if needed and not field.data:
                field.errors = [*field.errors, _l("This field is required for your profile.")]
                valid = False
        if self.chosen_type == StakeholderType.RESEARCHER:
            valid &= self._check(
                self.orcid,
                normalise_orcid,
                orcid_is_valid,
                _l("This is not a valid ORCID iD (check its last character)."),
            )
        if self.chosen_type == StakeholderType.CLINICIAN:
            valid &= self._check(
                self.rpps,
                lambda value: value.replace(" ", ""),
                rpps_is_valid,
                _l("An RPPS number has 11 digits and a valid check digit."),
            )
        return valid

    @staticmethod
    def _check(
        field: Field,
        normalise: Callable[[str], str],
        is_valid: Callable[[str], bool],
        message: str,
    ) -> bool:
        """An identifier, normalised then checked, when one was typed."""
        if not field.data or field.errors:
            return not field.errors
        normalised = normalise(field.data)
        if not is_valid(normalised):
            field.errors = [*field.errors, message]  # what was typed stays in the field
            return False
        field.data = normalised
        return True

    def answers(self) -> dict[str, str]:
        """The chosen type's own answers, by field name."""
        fields = TYPE_FIELDS.get(self.chosen_type, {})
        return {name: self[name].data or "" for name in fields}

    def organisation_answer(self) -> str:
        """The organisation to store: as a client sent it, else the type's own answer."""
        own = ORGANISATION_FIELDS.get(self.chosen_type)
        return self.organisation.data or (self[own].data if own else "") or ""


class EditForm(RegistrationForm):
    """Changes to a registration: everything but consent.

    The attendee keeps their stakeholder type; an organiser may change it
    (`type_editable`), and the new type's own questions are then asked.
    """

    def __init__(
        self,
        *args: object,
        stakeholder_type: str,
        type_editable: bool = False,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        del self.consent, self.started, self.website
        self.fixed_type = None if type_editable else stakeholder_type
        if type_editable:
            # Not sent at all: the profile stays as it is.
            self.stakeholder_type.validators = [Optional()]
            self.stakeholder_type.label.text = _l("Profile")
            if self.stakeholder_type.data is None:
                self.stakeholder_type.data = stakeholder_type
        else:
            del self.stakeholder_type

    @property
    def chosen_type(self) -> str:
        return self.fixed_type or self.stakeholder_type.data or ""


class ConfirmForm(PostedForm):
    """Only the CSRF token: a button that confirms (cancelling, erasing, a new address)."""


class FindForm(PostedForm):
    """The address a lost manage link is mailed to again."""

    email = _email()


def _optional_id(value: object) -> int | None:
    return int(value) if value not in (None, "", "None") else None


class ByHandForm(PostedForm):
    """An organiser's registration of a speaker, a staff member or a guest."""

    first_name = StringField(
        _l("First name"),
        filters=[strip],
        validators=[DataRequired(), CleanText(100), PersonName()],
    )
    last_name = StringField(
        _l("Last name"),
        filters=[strip],
        validators=[DataRequired(), CleanText(100), PersonName()],
    )
    email = EmailField(
        _l("E-mail address"),
        filters=[strip],
        validators=[DataRequired(), CleanText(254), EmailAddress()],
    )
    organisation = _text(_l("Organisation"))
    stakeholder_type = SelectField(
        _l("Profile"),
        choices=choices((kind.value, label) for kind, label in STAKEHOLDER_LABELS.items()),
    )
    role = RadioField(
        _l("Role"),
        choices=choices(ROLE_LABELS.items()),
        validators=[InputRequired(_l("Choose a role."))],
    )
    language = SelectField(
        _l("Language for our e-mails"),
        choices=choices([("fr", "Français"), ("en", "English")]),
    )
    speaker_id = SelectField(
        _l("Speaker of the programme"),
        description=_l("For a speaker: the sessions they speak in join their agenda."),
        coerce=_optional_id,
        validate_choice=False,
    )

    def offer_speakers(self, speakers: Sequence[tuple[int, str]]) -> None:
        self.speaker_id.choices = choices([("", _l("None")), *speakers])
