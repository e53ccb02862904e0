"""The authors' pages: the call, the submission form, the submitter's page."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge

from eventday.abstracts import call as calls
from eventday.abstracts import submission
from eventday.abstracts.blueprints import public as bp
from eventday.abstracts.forms import SubmissionForm
from eventday.abstracts.models import Abstract, Call
from eventday.domain import DomainError
from eventday.errors import render_error
from eventday.extensions import limiter
from eventday.forms import PostForm, show_refusal
from eventday.programme.models import Edition, current_edition, edition_or_404
from eventday.security import keep_secret_url


@bp.after_request
def keep_token_private(response: Response) -> Response:
    """The submitter's pages hold their secret in the URL (the others are public)."""
    if request.view_args and "token" in request.view_args:
        return keep_secret_url(response)
    return response


def room_for_a_poster() -> None:
    """A body may hold a poster's PDF (10 MB) where the call takes one; elsewhere the app's
    limit (MAX_CONTENT_LENGTH) stands. Run before any other (routes.register puts it
    first): Flask-WTF's CSRF check reads the body before the blueprint's own functions."""
    if request.endpoint in ("abstracts.submit", "abstracts.edit") and request.method == "POST":
        edition = current_edition()
        call = calls.call_of(edition.id) if edition else None
        if call is not None and call.poster_upload:
            request.max_content_length = submission.POSTER_PDF_MAX + 1024 * 1024


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge) -> tuple[str, int]:
    """A body over the limit was never read: the form again, empty, saying why."""
    if request.endpoint not in ("abstracts.submit", "abstracts.edit"):
        return render_error(error)
    edition = edition_or_404()
    call = _call(edition)
    form = SubmissionForm(formdata=None)
    form.offer(edition, call)
    form.grow()
    form.form_errors.append(
        _(
            "What you sent is too large (a poster's PDF may be at most 10 MB): nothing was "
            "saved. Please send it again with a smaller file."
        )
    )
    return _form_page(edition, call, form), 413


def _limit() -> str:
    return current_app.config["ABSTRACT_RATE_LIMIT"]


def _call(edition: Edition) -> Call:
    call = calls.call_of(edition.id)
    if call is None:
        abort(404)
    return call


@bp.get("/abstracts")
def call_page() -> str:
    """The call: its text, topics, deadline and rules, or when it opens, or that it closed."""
    edition = edition_or_404()
    call = calls.call_of(edition.id)
    return render_template(
        "abstracts/call.html",
        edition=edition,
        call=call,
        state=call.state() if call else "not_yet",
    )


@bp.route("/abstracts/submit", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
def submit() -> Response | tuple[str, int]:
    edition = edition_or_404()
    call = calls.call_of(edition.id)
    if call is None or call.state() != "open":
        return render_template(
            "abstracts/call.html",
            edition=edition,
            call=call,
            state=call.state() if call else "not_yet",
        ), (403 if request.method == "POST" else 200)
    form = SubmissionForm()
    form.offer(edition, call)
    if _add_author(form):
        return _form_page(edition, call, form), 200
    if form.validate_on_submit():
        poster = _poster(form, call)
        if not form.poster.errors:
            try:
                abstract = submission.submit(edition.id, form.draft(str(get_locale()), poster))
            except DomainError as refused:
                show_refusal(form, refused)
            else:
                return redirect(url_for(".page", token=abstract.token), code=303)
    form.grow()
    return _form_page(edition, call, form), (422 if request.method == "POST" else 200)


def _form_page(edition: Edition, call: Call, form: SubmissionForm, **context: object) -> str:
    # The rules about the authors as a whole (one presents…) come as text in the list's errors.
    messages = [error for error in form.authors.errors if isinstance(error, str)]
    return render_template(
        "abstracts/submit.html",
        edition=edition,
        call=call,
        form=form,
        authors_messages=messages,
        **context,
    )


def _add_author(form: SubmissionForm) -> bool:
    """ "Add an author" pressed: the form again as typed, with one more empty block."""
    if request.method != "POST" or not form.add_author.data:
        return False
    form.validate()  # fills the fields; errors are not shown for a form not yet sent
    for field in form:
        field.errors = [] if not isinstance(field.errors, dict) else {}
    for entry in form.authors.entries:
        for field in entry.form:
            field.errors = []
    form.authors.errors = []
    form.form_errors.clear()
    form.grow(len(form.authors.entries) + 1)
    return True


def _poster(form: SubmissionForm, call: Call) -> bytes | None:
    """The poster's PDF, read and checked by its content; None when none was sent."""
    upload = form.poster.data
    if not isinstance(upload, FileStorage) or not upload.filename:
        return None
    if not call.poster_upload:
        form.poster.errors = [_("This call takes no poster file.")]
        return None
    data = upload.stream.read(submission.POSTER_PDF_MAX + 1)
    upload.close()  # a large one waits in a temporary file
    if len(data) > submission.POSTER_PDF_MAX:
        form.poster.errors = [_("At most 10 MB, please.")]
    elif not submission.is_pdf(data):
        form.poster.errors = [_("This file is not a PDF.")]
    else:
        return data
    return None


def _abstract(token: str) -> Abstract:
    abstract = submission.by_token(token)
    if abstract is None:
        abort(404)
    return abstract


@bp.get("/abstracts/<token>")
def page(token: str) -> str:
    """The submitter's page: status, the abstract as the committee reads it, the actions."""
    abstract = _abstract(token)
    call = _call(abstract.edition)
    return render_template(
        "abstracts/page.html",
        edition=abstract.edition,
        call=call,
        abstract=abstract,
        form=PostForm(),
        comments=submission.comments_to_authors(abstract, call),
        can_change=submission.can_change(abstract, call),
    )


@bp.route("/abstracts/<token>/edit", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
def edit(token: str) -> Response | tuple[str, int]:
    abstract = _abstract(token)
    edition = abstract.edition
    call = _call(edition)
    if not submission.can_change(abstract, call):
        if abstract.is_withdrawn:
            flash(_("This abstract was withdrawn: it can no longer be changed."))
        elif abstract.released_decision is not None:
            flash(_("The committee's decision is out: the abstract stays as it is."))
        else:
            flash(_("The deadline has passed: the abstract can no longer be changed."))
        return redirect(url_for(".page", token=token), code=303)
    form = SubmissionForm()
    form.offer(edition, call)
    if request.method == "GET":
        form.prefill(abstract)
    if _add_author(form):
        return _form_page(edition, call, form, abstract=abstract), 200
    if form.validate_on_submit():
        poster = _poster(form, call)
        if not form.poster.errors:
            try:
                submission.change(token, form.draft(abstract.language, poster))
            except DomainError as refused:
                show_refusal(form, refused)
            else:
                flash(_("Your changes are saved."))
                return redirect(url_for(".page", token=token), code=303)
    status = 422 if request.method == "POST" else 200
    return _form_page(edition, call, form, abstract=abstract), status


@bp.post("/abstracts/<token>/withdraw")
def withdraw(token: str) -> Response:
    _abstract(token)
    form = PostForm()
    if form.validate_on_submit():
        submission.withdraw(token)
        flash(_("Your abstract is withdrawn."))
    return redirect(url_for(".page", token=token), code=303)


@bp.get("/abstracts/<token>/poster.pdf")
def poster(token: str) -> Response:
    abstract = _abstract(token)
    if not abstract.poster_pdf:
        abort(404)
    response = Response(abstract.poster_pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="poster-{abstract.label}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
