"""What every form of eventday shares: the base class, a strip filter, checkbox lists, the
bare button form, and the domain's refusals shown next to their fields or as flashes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import flash, has_request_context, request
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from wtforms import Field, FileField, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from eventday.domain import DomainError


def strip(value: str | None) -> str | None:
    """A field filter: text without its surrounding spaces."""
    return value.strip() if isinstance(value, str) else value


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PostedForm(FlaskForm):
    """Every form of ours: read from a posted form only, text fields from text only.

    Flask-WTF also takes a JSON body as a form's data, any JSON: a number, a list, a lone
    surrogate, nesting deeper than the parser goes, each of which failed with a 500 (the
    CSRF error page builds the form too). Browsers post forms; a JSON body is no data.
    A multipart body may send any field as a file: where a form expects text, the file is
    dropped unread and the field refused with a message, as any other bad value (files
    under names the form does not have are dropped, as unknown fields are).
    """

    class Meta:
        def wrap_formdata(self, form: FlaskForm, formdata: object) -> object:
            if has_request_context() and request.is_json:
                return None
            wrapped = super().wrap_formdata(form, formdata)
            if not isinstance(wrapped, CombinedMultiDict):
                return wrapped
            owners = {name: _owner(form, name) for name in request.files}
            form.files_refused = sorted(
                {
                    owner.short_name
                    for owner in owners.values()
                    if owner is not None and not isinstance(owner, FileField)
                }
            )
            files = MultiDict(
                [
                    (name, file)
                    for name, file in request.files.items(multi=True)
                    if isinstance(owners[name], FileField)
                ]
            )
            return CombinedMultiDict((files, request.form))

    files_refused: list[str] = []

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        valid = super().validate(extra_validators)
        message = _("A file was sent where text is expected.")
        for name in self.files_refused:
            field = self._fields[name]
            if message not in field.errors:
                field.errors = [*field.errors, message]
        return valid and not self.files_refused


def _owner(form: FlaskForm, name: str) -> Field | None:
    """The form's field a posted name belongs to (`copy-name` in a form prefixed `copy-`;
    `authors-0-first_name`: the list `authors`), None for a name the form does not have."""
    if not name.startswith(form._prefix):
        return None
    name = name.removeprefix(form._prefix)
    fields = form._fields
    if name in fields:
        return fields[name]
    return fields.get(name.split("-", 1)[0])


def show_refusal(form: FlaskForm, refused: DomainError) -> None:
    """Each broken rule next to the field it names, the others at the top of the form."""
    for violation in refused.violations:
        field = form._fields.get(violation.field)
        if field is not None:
            field.errors = [*field.errors, violation.message]
        else:
            form.form_errors.append(violation.message)


class PostForm(PostedForm):
    """A button that changes something: only the CSRF token."""


def flash_refusal(refused: DomainError) -> None:
    """A refused action's reasons, shown at the top of the page it returns to."""
    for violation in refused.violations:
        flash(violation.message, "error")
