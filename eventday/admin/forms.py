"""Organiser forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import InputRequired, Length


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[InputRequired(_l("Please give your e-mail address.")), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(_l("Please give your password.")), Length(max=500)],
        render_kw={"autocomplete": "current-password"},
    )


class PostForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
