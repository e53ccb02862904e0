"""Organiser account forms: signing in, a new password, the administrators' account pages."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import EqualTo, InputRequired, Length, Optional

from eventday.forms import PostedForm, strip
from eventday.validation import CleanText, choices

ROLE_CHOICES = choices(
    [
        ("organiser", _l("Organiser")),
        ("checkin", _l("Check-in desk only")),
        ("reviewer", _l("Reviewer of abstracts only")),
        ("admin", _l("Administrator")),
    ]
)


def _new_password(label: str) -> PasswordField:
    """A password being chosen (never shown again on the page, like every password field)."""
    return PasswordField(
        label,
        validators=[InputRequired(_l("Please choose a password.")), Length(max=500)],
        render_kw={"autocomplete": "new-password"},
    )


class LoginForm(PostedForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[InputRequired(_l("Please give your e-mail address.")), CleanText(254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(_l("Please give your password.")), Length(max=500)],
        render_kw={"autocomplete": "current-password"},
    )


class PasswordForm(PostedForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[InputRequired(_l("Please give your current password.")), Length(max=500)],
        render_kw={"autocomplete": "current-password"},
    )
    password = _new_password(_l("New password (at least 10 characters)"))
    password_again = PasswordField(
        _l("New password, again"),
        validators=[
            InputRequired(_l("Please type the new password a second time.")),
            EqualTo("password", _l("The two new passwords differ.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class UserForm(PostedForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[InputRequired(_l("Please give your e-mail address.")), CleanText(254)],
    )
    name = StringField(_l("Name"), validators=[Optional(), CleanText(200)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    password = _new_password(_l("Password (at least 10 characters)"))
    institutions = TextAreaField(
        _l("Institutions (reviewers)"),
        filters=[strip],
        validators=[Optional(), CleanText(2000, multiline=True)],
        description=_l(
            "One a line: a reviewer is never given an abstract with an author from one of them."
        ),
    )


class InstitutionsForm(PostedForm):
    institutions = TextAreaField(
        _l("Institutions"),
        filters=[strip],
        validators=[Optional(), CleanText(2000, multiline=True)],
    )


class RoleForm(PostedForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
