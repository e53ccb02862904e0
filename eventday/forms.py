"""What every form of eventday shares: the base class, a strip filter, checkbox lists, and
the domain's refusals shown next to their fields."""

from __future__ import annotations

from flask import has_request_context, request
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from eventday.domain import DomainError


def strip(value: str | None) -> str | None:
    """A field filter: text without its surrounding spaces."""
    return value.strip() if isinstance(value, str) else value


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PostedForm(FlaskForm):
    """Every form of ours: read from a posted form only.

    Flask-WTF also takes a JSON body as a form's data, any JSON: a number, a list, a lone
    surrogate, nesting deeper than the parser goes, each of which failed with a 500 (the
    CSRF error page builds the form too). Browsers post forms; a JSON body is no data.
    """

    class Meta:
        def wrap_formdata(self, form: FlaskForm, formdata: object) -> object:
            if has_request_context() and request.is_json:
                return None
            return super().wrap_formdata(form, formdata)


def show_refusal(form: FlaskForm, refused: DomainError) -> None:
    """Each broken rule next to the field it names, the others at the top of the form."""
    for violation in refused.violations:
        field = form._fields.get(violation.field)
        if field is not None:
            field.errors = [*field.errors, violation.message]
        else:
            form.form_errors.append(violation.message)
