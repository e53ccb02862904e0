"""The reviewers' pages: the abstracts assigned to them, one abstract with its review form,
declaring a conflict of interest, their institutions.

Every abstract goes through `review.reviewable()`: one not assigned to the
reviewer, or in conflict with them, answers 403; an id that names no abstract, 404.
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eventday.abstracts import assignments, markup, review
from eventday.abstracts.blueprints import review as bp
from eventday.abstracts.call import call_of
from eventday.abstracts.models import Abstract, Review
from eventday.abstracts.review_forms import (
    RECOMMENDATIONS,
    ConflictForm,
    InstitutionsForm,
    review_form,
)
from eventday.accounts.access import REVIEWERS, roles_required, working_edition
from eventday.accounts.models import Role
from eventday.forms import show_refusal


def _edition_id() -> int | None:
    edition = working_edition()
    return edition.id if edition is not None else None


def _reviewable(abstract_id: int) -> Abstract:
    try:
        return review.reviewable(current_user, abstract_id)
    except review.NotYours:
        abort(403)
    except LookupError:
        abort(404)


@bp.get("/")
@roles_required(*REVIEWERS)
def index() -> str:
    edition_id = _edition_id()
    tasks = review.tasks(current_user, edition_id) if edition_id is not None else []
    # The list names no author, blind review or not: the abstract's page shows them.
    return render_template(
        "abstracts/review/index.html",
        tasks=tasks,
        done=sum(1 for task in tasks if task.review is not None),
    )


@bp.route("/<int:abstract_id>", methods=["GET", "POST"])
@roles_required(*REVIEWERS)
def abstract(abstract_id: int) -> Response | tuple[str, int]:
    found = _reviewable(abstract_id)
    criteria = review.criteria(found.edition_id)
    mine = review.review_of(current_user, found.id)
    if request.method == "POST":
        form = review_form(criteria)
    else:
        form = review_form(criteria, data=_prefilled(mine))
    if form.validate_on_submit():
        draft = review.ReviewDraft(
            scores=form.scores(),
            recommendation=form.recommendation.data,
            comment_authors=form.comment_authors.data or "",
            comment_committee=form.comment_committee.data or "",
        )
        try:
            review.save_review(current_user, found.id, draft)
        except (review.NotYours, LookupError):
            abort(403)
        except review.ReviewRefused as refused:
            show_refusal(form, refused)
        else:
            flash(_("Your review of %(label)s is saved.", label=found.label))
            return redirect(url_for(".index"), code=303)
    call = call_of(found.edition_id)
    page = render_template(
        "abstracts/review/abstract.html",
        abstract=found,
        body=markup.render(found.body),
        form=form,
        review=mine,
        conflict_form=ConflictForm(formdata=None),
        show_authors=review.shows_authors(call, current_user),
        closed=review.reviews_closed(found),
        recommendations=RECOMMENDATIONS,
    )
    return page, 422 if request.method == "POST" else 200


def _prefilled(mine: Review | None) -> dict[str, object]:
    if mine is None:
        return {}
    data: dict[str, object] = {
        "recommendation": mine.recommendation,
        "comment_authors": mine.comment_authors,
        "comment_committee": mine.comment_committee,
    }
    data.update({f"score_{s.criterion_id}": str(s.value) for s in mine.scores})
    return data


@bp.post("/<int:abstract_id>/conflict")
@roles_required(*REVIEWERS)
def conflict(abstract_id: int) -> Response:
    found = _reviewable(abstract_id)
    form = ConflictForm()
    if not form.validate_on_submit():
        for message in form.sure.errors or [_("Please send the form again.")]:
            flash(message, "error")
        return redirect(url_for(".abstract", abstract_id=found.id) + "#conflict", code=303)
    try:
        assignments.declare_conflict(current_user, found.id)
    except (review.NotYours, LookupError):
        abort(403)
    flash(
        _(
            "Conflict of interest declared: %(label)s is no longer yours to review.",
            label=found.label,
        )
    )
    return redirect(url_for(".index"), code=303)


@bp.route("/institutions", methods=["GET", "POST"])
@roles_required(*REVIEWERS)
def institutions() -> Response | tuple[str, int]:
    form = InstitutionsForm(data={"institutions": current_user.institutions})
    if form.validate_on_submit():
        removed = assignments.set_institutions(
            current_user.id,
            form.institutions.data or "",
            _edition_id(),
            current_user.id,
            only_add=current_user.role == Role.REVIEWER,
        )
        flash(_("Your institutions are saved."))
        if removed:
            # Not which ones: under blind review that would tell where their authors work.
            flash(
                _(
                    "%(n)d abstract(s) are no longer yours to review: an author is from one "
                    "of your institutions.",
                    n=len(removed),
                )
            )
        return redirect(url_for(".index"), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("abstracts/review/institutions.html", form=form), status
