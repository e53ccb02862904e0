"""The best-poster prize's pages: the vote from a phone, the jury's scores, the organisers' results.

The vote page of a board (`/posters/<board>/vote`, the sign's QR code) knows the
voter by the signed session: `POST /posters/voter` takes the attendee's link
or token once (in the body, so no token lands in a log) and keeps the
registration's id there. The rules are in prize.py.
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from eventday.abstracts import markup, prize, signs
from eventday.abstracts.blueprints import admin, public, review
from eventday.abstracts.models import JURY_MAX, Abstract
from eventday.accounts.access import ORGANISERS, REVIEWERS, roles_required
from eventday.accounts.access import edition_or_404 as working_edition_or_404
from eventday.domain import DomainError
from eventday.forms import PostedForm, PostForm, flash_refusal, show_refusal, strip
from eventday.programme.models import Edition, edition_or_404
from eventday.registration.models import Registration
from eventday.urls import MAX_ID, database_id

VOTER = "voter"


class VoterForm(PostedForm):
    token = StringField(
        _l("Your personal link (or its code)"),
        filters=[strip],
        validators=[DataRequired(_l("Paste the link of your registration page.")), Length(max=500)],
        description=_l("The link to your registration page, from your confirmation e-mail."),
    )
    board = IntegerField(validators=[Optional(), NumberRange(1, MAX_ID)])


class JuryForm(PostedForm):
    poster = HiddenField()
    score = IntegerField(
        _l("Score (0 to %(max)d)", max=JURY_MAX),
        validators=[
            InputRequired(_l("Give a score.")),
            NumberRange(
                0, JURY_MAX, _l("A score is a whole number from 0 to %(max)d.", max=JURY_MAX)
            ),
        ],
    )


class VoteSwitchForm(PostedForm):
    state = StringField(validators=[DataRequired()])


def _private(body: str, status: int = 200) -> Response:
    """A page that depends on the browser's session: kept by no cache."""
    response = Response(body, status=status)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _voter(edition: Edition) -> Registration | None:
    return prize.eligible_voter(edition.id, session.get(VOTER))


# The attendees' pages.


@public.route("/posters/<int:board>/vote", methods=["GET", "POST"])
def vote(board: int) -> Response:
    """A poster's vote page (its sign's QR code); POST records or moves the vote."""
    edition = edition_or_404()
    poster = prize.poster_at(edition.id, board)
    if poster is None:
        abort(404)
    form = PostForm()
    voter_form = VoterForm(formdata=None, board=board)
    if not form.validate_on_submit():
        return _vote_page(edition, poster, form, voter_form, 200)
    try:
        prize.cast_vote(edition.id, session.get(VOTER), board)
    except LookupError:
        abort(404)
    except DomainError as refused:
        # The refusals name the voter's link ("token") or the vote: shown above the page.
        show_refusal(voter_form, refused)
        return _vote_page(edition, poster, form, voter_form, 422)
    flash(_("Your vote for poster %(board)d is recorded.", board=board))
    return redirect(url_for(".vote", board=board), code=303)


def _vote_page(
    edition: Edition, poster: Abstract, form: PostForm, voter_form: VoterForm, status: int
) -> Response:
    registration = _voter(edition)
    chosen = (
        prize.votes_of(registration.id).get(prize.category_of(poster)) if registration else None
    )
    body = render_template(
        "abstracts/prize/vote.html",
        plain=markup.plain,
        edition=edition,
        poster=poster,
        form=form,
        voter_form=voter_form,
        registration=registration,
        chosen=chosen,
        vote_open=prize.vote_is_open(edition.id),
    )
    return _private(body, status)


@public.post("/posters/voter")
def voter() -> Response:
    """The attendee's link, pasted or sent by their page: this browser votes for them."""
    edition = edition_or_404()
    form = VoterForm()
    valid = form.validate_on_submit()
    board = None if form.board.errors else form.board.data
    if valid:
        try:
            registration = prize.voter(edition.id, form.token.data)
        except DomainError as refused:
            show_refusal(form, refused)
        else:
            session[VOTER] = registration.id
            target = url_for(".vote", board=board) if board else url_for(".my_votes")
            return redirect(target, code=303)
    poster = prize.poster_at(edition.id, board) if board else None
    if poster is not None:
        return _vote_page(edition, poster, PostForm(formdata=None), form, 422)
    return _my_votes_page(edition, form, 422)


@public.get("/posters/vote")
def my_votes() -> Response:
    """The posters to vote for, by topic, with this attendee's current votes."""
    edition = edition_or_404()
    return _my_votes_page(edition, VoterForm(formdata=None), 200)


def _my_votes_page(edition: Edition, voter_form: VoterForm, status: int) -> Response:
    registration = _voter(edition)
    body = render_template(
        "abstracts/prize/my_votes.html",
        plain=markup.plain,
        edition=edition,
        voter_form=voter_form,
        registration=registration,
        votes=prize.votes_of(registration.id) if registration else {},
        categories=prize.ballots(edition.id),
        vote_open=prize.vote_is_open(edition.id),
    )
    return _private(body, status)


# The jury's page.


@review.route("/jury", methods=["GET", "POST"])
@roles_required(*REVIEWERS)
def jury() -> Response | tuple[str, int]:
    """Every poster with this jury member's score, 0 to JURY_MAX, one small form each."""
    edition = working_edition_or_404()
    form = JuryForm()
    failed = None
    if request.method == "POST":
        failed = form.poster.data
        if form.validate_on_submit():
            try:
                poster_id = database_id(form.poster.data or "")
                prize.score_poster(edition.id, current_user, poster_id, form.score.data)
            except (ValueError, LookupError):
                abort(404)
            except DomainError as refused:
                show_refusal(form, refused)
            else:
                flash(_("Your score is recorded."))
                return redirect(url_for(".jury", _anchor=f"poster-{poster_id}"), code=303)
    posters = prize.posters(edition.id)
    return render_template(
        "abstracts/prize/jury.html",
        plain=markup.plain,
        edition=edition,
        posters=posters,
        conflicted=prize.jury_conflicts(current_user, posters),
        scores=prize.jury_scores_of(edition.id, current_user.id),
        vote_open=prize.vote_is_open(edition.id),
        form=form,
        failed=failed,
        jury_max=JURY_MAX,
    ), (422 if request.method == "POST" else 200)


# The organisers' pages.


@admin.get("/prize")
@roles_required(*ORGANISERS)
def prize_page() -> str:
    edition = working_edition_or_404()
    everyone = prize.posters(edition.id)
    return render_template(
        "abstracts/prize/results.html",
        plain=markup.plain,
        edition=edition,
        categories=prize.results(edition.id),
        vote_open=prize.vote_is_open(edition.id),
        without_board=[poster for poster in everyone if poster.board_number is None],
        with_board=[poster for poster in everyone if poster.board_number is not None],
        form=PostForm(),
    )


@admin.post("/prize/vote")
@roles_required(*ORGANISERS)
def prize_vote() -> Response:
    """Open or close the vote (`state` = open | closed)."""
    edition = working_edition_or_404()
    form = VoteSwitchForm()
    if form.validate_on_submit() and form.state.data in ("open", "closed"):
        try:
            prize.set_vote_open(edition.id, form.state.data == "open", current_user.id)
        except DomainError as refused:
            flash_refusal(refused)
        else:
            opened = form.state.data == "open"
            flash(_("The vote is open.") if opened else _("The vote is closed."))
    else:
        flash(_("Nothing was changed: send the form again."), "error")
    return redirect(url_for(".prize_page"), code=303)


@admin.get("/prize/signs.pdf")
@roles_required(*ORGANISERS)
def prize_signs() -> Response:
    """Every poster's sign (one A4 page each), by board number."""
    edition = working_edition_or_404()
    boarded = [poster for poster in prize.posters(edition.id) if poster.board_number is not None]
    return _pdf(signs.signs_pdf([signs.sign_of(p) for p in boarded]), f"{edition.slug}-signs")


@admin.get("/prize/signs/<int:board>.pdf")
@roles_required(*ORGANISERS)
def prize_sign(board: int) -> Response:
    edition = working_edition_or_404()
    poster = prize.poster_at(edition.id, board)
    if poster is None:
        abort(404)
    return _pdf(signs.signs_pdf([signs.sign_of(poster)]), f"{edition.slug}-sign-{board}")


def _pdf(body: bytes, name: str) -> Response:
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}.pdf"'},
    )
