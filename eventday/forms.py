"""What every form of eventday shares."""

from __future__ import annotations

from flask import has_request_context, request
from flask_wtf import FlaskForm


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
