"""The organisers' decision pages: staging, releasing, reminders, talks, boards, the poster
session (/admin/abstracts/decisions…)."""

from __future__ import annotations

import datetime as dt

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, NumberRange

from eventday.abstracts import decisions, placement
from eventday.abstracts.blueprints import admin
from eventday.abstracts.call import call_of
from eventday.abstracts.models import Abstract, Decision, Presentation
from eventday.accounts.access import ORGANISERS, edition_or_404, roles_required
from eventday.domain import DomainError, Violation
from eventday.extensions import db
from eventday.forms import PostedForm, PostForm, flash_refusal, show_refusal, strip
from eventday.i18n import local_date
from eventday.programme.cache import programme_cache
from eventday.programme.forms import at_clock, clock, offer_place_and_time, optional_int
from eventday.programme.models import Edition, Session
from eventday.validation import choices

DECISION_LABELS = {
    "": _l("No decision"),
    Decision.POSTER: _l("Poster"),
    Decision.ORAL: _l("Oral (short talk)"),
    Decision.REJECTED: _l("Rejected"),
}
WISH_LABELS = {
    Presentation.POSTER: _l("Poster"),
    Presentation.ORAL: _l("Short talk"),
    Presentation.EITHER: _l("Either"),
}

# The scheduling rules name a session's fields; the talk's form has its own for some.
TALK_FIELDS = {"ends_at": "minutes", "title": "", "speaker_ids": ""}


def _changed() -> None:
    """This worker shows the change at once; the others within PROGRAMME_CACHE_SECONDS."""
    programme_cache().invalidate()


class TalkForm(PostedForm):
    day = SelectField(_l("Day"))
    starts_at = StringField(
        _l("Starts at"), filters=[strip], validators=[InputRequired(), clock], description="HH:MM"
    )
    minutes = IntegerField(
        _l("Duration (minutes)"),
        default=15,
        validators=[InputRequired(), NumberRange(*placement.TALK_MINUTES)],
    )
    room_id = SelectField(_l("Room"), coerce=optional_int, validate_choice=False)
    track_id = SelectField(_l("Track"), coerce=optional_int, validate_choice=False)

    def offer(self, edition: Edition) -> None:
        offer_place_and_time(self, edition)

    def slot(self, edition: Edition) -> placement.TalkSlot:
        day = dt.date.fromisoformat(self.day.data)
        return placement.TalkSlot(
            starts_at=at_clock(edition, day, self.starts_at.data),
            minutes=self.minutes.data,
            room_id=self.room_id.data,
            track_id=self.track_id.data,
        )


class BoardsForm(PostedForm):
    renumber = BooleanField(_l("Renumber every poster from 1 (boards already given change)"))


class PosterSessionForm(PostedForm):
    session_id = SelectField(_l("Poster session"), coerce=optional_int, validate_choice=False)


def _session_label(edition: Edition, session: Session) -> str:
    return f"{session.title} ({local_date(edition.local(session.starts_at).date())})"


def _staged_choices(abstracts: list[Abstract]) -> dict[int, str | None]:
    """The decisions posted for the listed abstracts (only those whose field was sent)."""
    posted = {}
    for abstract in abstracts:
        name = decisions.field_name(abstract.id)
        if name in request.form:
            posted[abstract.id] = request.form[name] or None
    return posted


@admin.route("/decisions", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def decisions_page() -> Response | tuple[str, int]:
    edition = edition_or_404()
    abstracts = decisions.edition_abstracts(edition.id)
    form = PostForm()
    errors: dict[str, list[str]] = {}
    typed: dict[int, str | None] = {}
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        typed = _staged_choices(abstracts)
        try:
            changed = decisions.stage(edition.id, typed, actor=current_user.id)
        except LookupError:
            abort(404)
        except DomainError as refused:
            for violation in refused.violations:
                errors.setdefault(violation.field, []).append(violation.message)
        else:
            flash(_("Decisions staged: %(n)d. Nothing is sent until you release them.", n=changed))
            return redirect(url_for(".decisions_page"), code=303)
    call = call_of(edition.id)
    sessions = placement.poster_sessions(edition.id)
    session_form = PosterSessionForm(session_id=call.poster_session_id if call else None)
    session_form.session_id.choices = choices(
        [("", "—")] + [(s.id, _session_label(edition, s)) for s in sessions]
    )
    return render_template(
        "abstracts/decisions/index.html",
        edition=edition,
        call=call,
        abstracts=abstracts,
        typed=typed,
        errors=errors,
        labels=DECISION_LABELS,
        wishes=WISH_LABELS,
        counts=decisions.count_by_decision(abstracts),
        pending=decisions.pending(edition.id),
        registered=decisions.registered_addresses(edition.id),
        reminded=decisions.reminded_labels(edition.id),
        to_remind=len(decisions.to_remind(edition.id)),
        form=form,
        boards_form=BoardsForm(),
        session_form=session_form,
        field_name=decisions.field_name,
        is_registered=decisions.is_registered,
    ), (422 if errors else 200)


@admin.route("/decisions/release", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def release() -> Response | str:
    edition = edition_or_404()
    form = PostForm()
    if form.validate_on_submit():
        try:
            released = decisions.release(edition.id, actor=current_user.id)
        except DomainError as refused:
            flash_refusal(refused)
        else:
            _changed()
            flash(
                _(
                    "Decisions released: %(n)d; mails sent: %(m)d.",
                    n=released.abstracts,
                    m=sum(released.mails.values()),
                )
            )
        return redirect(url_for(".decisions_page"), code=303)
    if request.method == "POST":
        abort(400)
    return render_template(
        "abstracts/decisions/release.html",
        edition=edition,
        pending=decisions.pending(edition.id),
        form=form,
    )


@admin.post("/decisions/remind")
@roles_required(*ORGANISERS)
def remind() -> Response:
    edition = edition_or_404()
    if not PostForm().validate_on_submit():
        abort(400)
    sent = decisions.remind_unregistered(edition.id, actor=current_user.id)
    flash(_("Presenting authors reminded to register: %(n)d.", n=sent))
    return redirect(url_for(".decisions_page"), code=303)


@admin.post("/decisions/boards")
@roles_required(*ORGANISERS)
def boards() -> Response:
    edition = edition_or_404()
    form = BoardsForm()
    if not form.validate_on_submit():
        abort(400)
    renumber = form.renumber.data
    numbered = placement.number_boards(edition.id, renumber=renumber, actor=current_user.id)
    _changed()
    flash(_("Posters with a board number: %(n)d.", n=numbered))
    return redirect(url_for(".decisions_page"), code=303)


@admin.post("/decisions/poster-session")
@roles_required(*ORGANISERS)
def poster_session() -> Response:
    edition = edition_or_404()
    form = PosterSessionForm()
    form.session_id.choices = []
    if not form.validate_on_submit():
        abort(400)
    try:
        placement.choose_poster_session(edition.id, form.session_id.data, actor=current_user.id)
    except DomainError as refused:
        flash_refusal(refused)
    else:
        _changed()
        flash(_("Poster session saved."))
    return redirect(url_for(".decisions_page"), code=303)


def _abstract_or_404(edition: Edition, abstract_id: int) -> Abstract:
    abstract = db.session.get(Abstract, abstract_id)
    if abstract is None or abstract.edition_id != edition.id:
        abort(404)
    return abstract


def _on_talk_fields(refused: DomainError) -> DomainError:
    """The rules' refusals next to this form's fields: the end is the duration's."""
    return DomainError(
        [Violation(TALK_FIELDS.get(v.field, v.field), v.message) for v in refused.violations]
    )


@admin.route("/decisions/<int:abstract_id>/talk", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def talk(abstract_id: int) -> Response | tuple[str, int]:
    edition = edition_or_404()
    abstract = _abstract_or_404(edition, abstract_id)
    form = TalkForm()
    form.offer(edition)
    if request.method == "GET":
        placed = abstract.session
        form.track_id.data = placed.track_id if placed else abstract.track_id
        if placed is not None:
            start = edition.local(placed.starts_at)
            form.day.data = start.date().isoformat()
            form.starts_at.data = start.strftime("%H:%M")
            form.minutes.data = int((placed.ends_at - placed.starts_at).total_seconds() // 60)
            form.room_id.data = placed.room_id
    if form.validate_on_submit():
        try:
            placement.place_talk(edition.id, abstract_id, form.slot(edition), actor=current_user.id)
        except LookupError:
            abort(404)
        except DomainError as refused:
            show_refusal(form, _on_talk_fields(refused))
        else:
            _changed()
            flash(_("The talk is in the programme."))
            return redirect(url_for(".talk", abstract_id=abstract_id), code=303)
    abstract = _abstract_or_404(edition, abstract_id)
    return render_template(
        "abstracts/decisions/talk.html",
        edition=edition,
        abstract=abstract,
        form=form,
        post_form=PostForm(),
    ), (422 if request.method == "POST" else 200)


@admin.post("/decisions/<int:abstract_id>/talk/remove")
@roles_required(*ORGANISERS)
def remove_talk(abstract_id: int) -> Response:
    edition = edition_or_404()
    _abstract_or_404(edition, abstract_id)
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        placement.remove_talk(edition.id, abstract_id, actor=current_user.id)
    except DomainError as refused:
        flash_refusal(refused)
    else:
        _changed()
        flash(_("The talk is no longer in the programme."))
    return redirect(url_for(".talk", abstract_id=abstract_id), code=303)
