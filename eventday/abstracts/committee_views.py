"""The organisers' review pages: score criteria, who reviews what (by hand, by topic, the
suggested assignment), and the committee's table with its XLSX."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from eventday.abstracts import assignments as assigning
from eventday.abstracts import committee, conflicts, markup, readings, review
from eventday.abstracts.blueprints import admin
from eventday.abstracts.models import Abstract, AbstractStatus
from eventday.abstracts.review_forms import (
    AssignForm,
    CriterionForm,
    SuggestionForm,
    TopicAssignForm,
)
from eventday.accounts.access import ORGANISERS, edition_or_404, roles_required
from eventday.extensions import db
from eventday.forms import PostForm, flash_refusal, show_refusal
from eventday.i18n import localised
from eventday.programme.models import Edition, Track
from eventday.validation import choices

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- criteria -------------------------------------------------------------------------------


@admin.route("/criteria", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def criteria() -> Response | tuple[str, int]:
    edition = edition_or_404()
    form = CriterionForm(prefix="new")
    if form.validate_on_submit():
        try:
            committee.save_criterion(edition.id, _draft(form), current_user.id)
        except committee.CriterionRefused as refused:
            show_refusal(form, refused)
        else:
            flash(_("Criterion added."))
            return redirect(url_for(".criteria"), code=303)
    return _criteria_page(edition, form, 422 if request.method == "POST" else 200)


def _draft(form: CriterionForm) -> committee.CriterionDraft:
    return committee.CriterionDraft(
        form.name.data, form.name_en.data or "", form.weight.data, form.position.data or 0
    )


def _criteria_page(
    edition: Edition,
    form: CriterionForm,
    status: int,
    editing: tuple[int, CriterionForm] | None = None,
) -> tuple[str, int]:
    rows = []
    for criterion in review.criteria(edition.id):
        if editing is not None and editing[0] == criterion.id:
            rows.append((criterion, editing[1]))
        else:
            rows.append(
                (criterion, CriterionForm(prefix=f"c{criterion.id}", formdata=None, obj=criterion))
            )
    page = render_template(
        "abstracts/committee/criteria.html", rows=rows, form=form, post_form=PostForm()
    )
    return page, status


@admin.post("/criteria/<int:criterion_id>")
@roles_required(*ORGANISERS)
def criterion_edit(criterion_id: int) -> Response | tuple[str, int]:
    edition = edition_or_404()
    form = CriterionForm(prefix=f"c{criterion_id}")
    if form.validate_on_submit():
        try:
            committee.save_criterion(edition.id, _draft(form), current_user.id, criterion_id)
        except LookupError:
            abort(404)
        except committee.CriterionRefused as refused:
            show_refusal(form, refused)
        else:
            flash(_("Criterion changed."))
            return redirect(url_for(".criteria"), code=303)
    return _criteria_page(
        edition, CriterionForm(prefix="new", formdata=None), 422, (criterion_id, form)
    )


@admin.post("/criteria/<int:criterion_id>/remove")
@roles_required(*ORGANISERS)
def criterion_remove(criterion_id: int) -> Response:
    edition = edition_or_404()
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        committee.remove_criterion(edition.id, criterion_id, current_user.id)
    except LookupError:
        abort(404)
    flash(_("Criterion removed, with its scores."))
    return redirect(url_for(".criteria"), code=303)


# --- assignments ----------------------------------------------------------------------------


def _choices(edition: Edition, assign: AssignForm, topic: TopicAssignForm) -> list[Abstract]:
    abstracts = db.session.scalars(
        select(Abstract)
        .where(Abstract.edition_id == edition.id, Abstract.status == AbstractStatus.SUBMITTED)
        .order_by(Abstract.number)
    ).all()
    people = choices((str(u.id), u.name or u.email) for u in review.reviewers())
    assign.abstract.choices = choices(
        (str(a.id), f"{a.label} — {_shortened(markup.plain(a.title))}") for a in abstracts
    )
    assign.reviewer.choices = people
    topic.reviewer.choices = people
    tracks = db.session.scalars(
        select(Track).where(Track.edition_id == edition.id).order_by(Track.name)
    )
    topic.topic.choices = choices((str(t.id), localised(t, "name")) for t in tracks)
    return list(abstracts)


def _assignments_page(
    edition: Edition,
    assign: AssignForm | None = None,
    topic: TopicAssignForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    assign = assign or AssignForm(formdata=None)
    topic = topic or TopicAssignForm(formdata=None)
    abstracts = _choices(edition, assign, topic)
    page = render_template(
        "abstracts/committee/assignments.html",
        abstracts=abstracts,
        reviewing=committee.reviewing(edition.id),
        load=review.review_counts(edition.id),
        people=review.reviewers(),
        assign=assign,
        topic=topic,
        suggestion_form=SuggestionForm(formdata=None),
        post_form=PostForm(),
    )
    return page, status


@admin.get("/assignments")
@roles_required(*ORGANISERS)
def assignments() -> tuple[str, int]:
    return _assignments_page(edition_or_404())


@admin.post("/assignments")
@roles_required(*ORGANISERS)
def assign() -> Response | tuple[str, int]:
    edition = edition_or_404()
    form = AssignForm()
    _choices(edition, form, TopicAssignForm(formdata=None))
    if form.validate_on_submit():
        try:
            user = assigning.assign(
                edition.id, int(form.abstract.data), int(form.reviewer.data), current_user.id
            )
        except review.ReviewRefused as refused:
            show_refusal(form, refused)
        else:
            flash(_("%(who)s now reviews this abstract.", who=user.name or user.email))
            return redirect(url_for(".assignments"), code=303)
    return _assignments_page(edition, assign=form, status=422)


@admin.post("/assignments/topic")
@roles_required(*ORGANISERS)
def assign_topic() -> Response | tuple[str, int]:
    edition = edition_or_404()
    form = TopicAssignForm()
    _choices(edition, AssignForm(formdata=None), form)
    if form.validate_on_submit():
        try:
            done = assigning.assign_topic(
                edition.id, int(form.topic.data), int(form.reviewer.data), current_user.id
            )
        except review.ReviewRefused as refused:
            show_refusal(form, refused)
        else:
            flash(
                _(
                    "%(assigned)d abstract(s) assigned; %(conflicted)d skipped for a conflict "
                    "of interest; %(already)d already assigned.",
                    assigned=done.assigned,
                    conflicted=done.conflicted,
                    already=done.already,
                )
            )
            return redirect(url_for(".assignments"), code=303)
    return _assignments_page(edition, topic=form, status=422)


@admin.post("/assignments/<int:abstract_id>/<int:user_id>/remove")
@roles_required(*ORGANISERS)
def unassign(abstract_id: int, user_id: int) -> Response:
    edition = edition_or_404()
    if not PostForm().validate_on_submit():
        abort(400)
    if not assigning.unassign(edition.id, abstract_id, user_id, current_user.id):
        abort(404)
    flash(_("Reviewer removed from the abstract, with their review."))
    return redirect(url_for(".assignments"), code=303)


@admin.route("/assignments/suggestion", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def suggestion() -> Response | tuple[str, int]:
    edition = edition_or_404()
    status = 200
    if request.method == "POST":
        form = SuggestionForm()
        if form.validate():
            try:
                applied = assigning.apply_suggestion(
                    edition.id, form.per_abstract.data, form.fingerprint.data or "", current_user.id
                )
            except review.ReviewRefused as refused:
                flash_refusal(refused)
                status = 409
            else:
                flash(_("%(n)d assignment(s) added.", n=len(applied.pairs)))
                return redirect(url_for(".assignments"), code=303)
        else:
            status = 422
    else:
        form = SuggestionForm(formdata=request.args or None, meta={"csrf": False})
        if request.args and not form.validate():
            status = 422
    valid = not form.per_abstract.errors and isinstance(form.per_abstract.data, int)
    per = form.per_abstract.data if valid else conflicts.DEFAULT_PER_ABSTRACT
    proposal = conflicts.suggest(edition.id, per)
    if valid:
        form.per_abstract.data = per
    form.fingerprint.data = proposal.fingerprint
    abstracts = {
        a.id: a
        for a in db.session.scalars(select(Abstract).where(Abstract.edition_id == edition.id))
    }
    people = {u.id: u for u in review.reviewers()}
    page = render_template(
        "abstracts/committee/suggestion.html",
        form=form,
        proposal=proposal,
        abstracts=abstracts,
        short=[abstracts[i].label for i in proposal.short],
        people=people,
        post_form=PostForm(),
    )
    return page, status


# --- the committee's table ------------------------------------------------------------------


def _labels() -> dict[str, str]:
    return {
        "poster": _("Poster"),
        "oral": _("Short talk"),
        "either": _("Poster or short talk"),
        "rejected": _("Rejected"),
        "reject": _("Reject"),
        "yes": _("yes"),
    }


HEADERS = (
    _l("Number"),
    _l("Title"),
    _l("Topic"),
    _l("Presentation wished"),
    _l("Reviews"),
    _l("Assigned"),
    _l("Mean score"),
    _l("Spread (max − min)"),
    _l("Poster"),
    _l("Short talk"),
    _l("Reject"),
    _l("Disagreement"),
    _l("Decision (staged)"),
)


@admin.get("/committee")
@roles_required(*ORGANISERS)
def committee_table() -> str:
    edition = edition_or_404()
    sort = committee.sort_key(request.args.get("sort"))
    return render_template(
        "abstracts/committee/table.html",
        rows=committee.table(edition.id, sort),
        sort=sort,
        labels=_labels(),
        threshold=committee.DISAGREEMENT_SPREAD,
    )


@admin.get("/committee.xlsx")
@roles_required(*ORGANISERS)
def committee_xlsx() -> Response:
    edition = edition_or_404()
    rows = committee.table(edition.id, committee.sort_key(request.args.get("sort")))
    headers = [str(header) for header in HEADERS]
    content = committee.xlsx_file(rows, headers, _labels(), readings.readings(edition.id))
    return Response(
        content,
        mimetype=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{edition.slug}-committee.xlsx"'},
    )


def _shortened(title: str, limit: int = 80) -> str:
    """A title for a drop-down: whole words, "…" when cut."""
    if len(title) <= limit:
        return title
    return title[:limit].rsplit(" ", 1)[0] + "…"
