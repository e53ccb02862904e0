"""Organiser forms."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from eventday.forms import PostedForm
from eventday.validation import CleanText, choices

ROLE_CHOICES = choices(
    [
        ("organiser", _l("Organiser")),
        ("checkin", _l("Check-in desk only")),
        ("admin", _l("Administrator")),
    ]
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


class PostForm(PostedForm):
    """A button that changes something: only the CSRF token."""


class UserForm(PostedForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[InputRequired(_l("Please give your e-mail address.")), CleanText(254)],
    )
    name = StringField(_l("Name"), validators=[Optional(), CleanText(200)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    password = PasswordField(
        _l("Password (at least 10 characters)"),
        validators=[InputRequired(_l("Please give your password.")), Length(max=500)],
        render_kw={"autocomplete": "new-password"},
    )


class RoleForm(PostedForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
