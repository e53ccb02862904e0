"""The programme editor: sessions, rooms, tracks and speakers, through the scheduling rules."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from eventday.accounts.access import ORGANISERS, edition_or_404, organiser_blueprint, roles_required
from eventday.domain import DomainError
from eventday.extensions import db
from eventday.forms import PostForm, flash_refusal, show_refusal
from eventday.programme import rules
from eventday.programme.cache import programme_cache
from eventday.programme.forms import RoomForm, SessionForm, SpeakerForm, TrackForm
from eventday.programme.models import Session, programme_sessions
from eventday.registration import workshops

bp = organiser_blueprint("programme_admin", "/admin/programme")


def _changed() -> None:
    """This worker shows the change at once; the others within PROGRAMME_CACHE_SECONDS."""
    programme_cache().invalidate()


@bp.get("/")
@roles_required(*ORGANISERS)
def index() -> str:
    edition = edition_or_404()
    editors = {
        "rooms": [(r, RoomForm(prefix=f"room-{r.id}", obj=r)) for r in edition.rooms],
        "tracks": [(t, TrackForm(prefix=f"track-{t.id}", obj=t)) for t in edition.tracks],
        "speakers": [(s, SpeakerForm(prefix=f"speaker-{s.id}", obj=s)) for s in edition.speakers],
    }
    return render_template(
        "admin/programme.html",
        edition=edition,
        editors=editors,
        sessions=programme_sessions(edition.id),
        room_form=RoomForm(prefix="room"),
        track_form=TrackForm(prefix="track"),
        speaker_form=SpeakerForm(prefix="speaker"),
        post_form=PostForm(),
    )


@bp.route("/sessions/new", methods=["GET", "POST"])
@bp.route("/sessions/<int:session_id>", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def session(session_id: int | None = None) -> Response | tuple[str, int]:
    edition = edition_or_404()
    existing = None
    if session_id is not None:
        existing = db.session.get(Session, session_id)
        if existing is None or existing.edition_id != edition.id:
            abort(404)
    form = SessionForm()
    form.offer(edition)
    if request.method == "GET" and existing is not None:
        local_start, local_end = edition.local(existing.starts_at), edition.local(existing.ends_at)
        form.process(obj=existing)
        form.day.data = local_start.date().isoformat()
        form.starts_at.data = local_start.strftime("%H:%M")
        form.ends_at.data = local_end.strftime("%H:%M")
        form.speaker_ids.data = [s.id for s in existing.speakers]
    if form.validate_on_submit():
        try:
            saved = rules.save_session(
                edition.id, form.draft(edition), session_id, actor=current_user.id
            )
        except DomainError as refused:
            show_refusal(form, refused)
        else:
            _changed()
            flash(_("Session saved."))
            return redirect(url_for(".session", session_id=saved.id), code=303)
    return render_template(
        "admin/session_form.html",
        edition=edition,
        form=form,
        existing=existing,
        post_form=PostForm(),
        attendees=workshops.workshop_attendees(existing.id) if existing else [],
    ), (422 if request.method == "POST" else 200)


def _act(action: Callable[[], object], done: str, back: str) -> Response:
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        action()
    except LookupError:
        abort(404)
    except DomainError as refused:
        flash_refusal(refused)
    else:
        _changed()
        flash(done)
    return redirect(back, code=303)


@bp.post("/sessions/<int:session_id>/cancel")
@roles_required(*ORGANISERS)
def cancel_session(session_id: int) -> Response:
    edition = edition_or_404()
    return _act(
        lambda: rules.cancel_session(edition.id, session_id, actor=current_user.id),
        _("Session cancelled: it stays in every calendar, marked cancelled."),
        url_for(".session", session_id=session_id),
    )


@bp.post("/sessions/<int:session_id>/delete")
@roles_required(*ORGANISERS)
def delete_session(session_id: int) -> Response:
    edition = edition_or_404()
    return _act(
        lambda: rules.delete_session(edition.id, session_id, actor=current_user.id),
        _("Session deleted."),
        url_for(".index"),
    )


@bp.post("/sessions/<int:session_id>/notify")
@roles_required(*ORGANISERS)
def notify(session_id: int) -> Response:
    """Mail the workshop's attendees that it moved or was cancelled, in one action."""
    edition = edition_or_404()
    found = db.session.get(Session, session_id)
    if found is None or found.edition_id != edition.id:
        abort(404)
    if not PostForm().validate_on_submit():
        abort(400)
    written = workshops.tell_attendees(found, current_user.id)
    flash(_("%(n)d attendees were written to.", n=written))
    return redirect(url_for(".session", session_id=session_id), code=303)


def _add(form: FlaskForm, create: Callable[[], object], done: str) -> Response | tuple[str, int]:
    if form.validate_on_submit():
        try:
            create()
        except DomainError as refused:
            show_refusal(form, refused)
        else:
            _changed()
            flash(done)
            return redirect(url_for(".index"), code=303)
    for field in form:
        for message in field.errors:
            flash(f"{field.label.text}: {message}", "error")
    for message in form.form_errors:
        flash(message, "error")
    return redirect(url_for(".index"), code=303)


@bp.post("/rooms")
@roles_required(*ORGANISERS)
def add_room() -> Response | tuple[str, int]:
    edition = edition_or_404()
    form = RoomForm(prefix="room")
    return _add(
        form,
        lambda: rules.add_room(
            edition.id,
            form.name.data,
            form.capacity.data,
            actor=current_user.id,
            name_en=form.name_en.data or "",
        ),
        _("Room added."),
    )


@bp.post("/tracks")
@roles_required(*ORGANISERS)
def add_track() -> Response | tuple[str, int]:
    edition = edition_or_404()
    form = TrackForm(prefix="track")
    return _add(
        form,
        lambda: rules.add_track(
            edition.id,
            form.name.data,
            form.colour.data.strip(),
            actor=current_user.id,
            name_en=form.name_en.data or "",
        ),
        _("Track added."),
    )


@bp.post("/speakers")
@roles_required(*ORGANISERS)
def add_speaker() -> Response | tuple[str, int]:
    edition = edition_or_404()
    form = SpeakerForm(prefix="speaker")
    return _add(
        form,
        lambda: rules.add_speaker(
            edition.id,
            form.name.data,
            form.affiliation.data or "",
            form.bio.data or "",
            email=form.email.data or "",
            bio_en=form.bio_en.data or "",
            photo=form.photo_bytes(),
            actor=current_user.id,
        ),
        _("Speaker added."),
    )


DELETERS = {
    "rooms": rules.delete_room,
    "tracks": rules.delete_track,
    "speakers": rules.delete_speaker,
}


@bp.post("/<any(rooms, tracks, speakers):what>/<int:item_id>/delete")
@roles_required(*ORGANISERS)
def delete(what: str, item_id: int) -> Response:
    edition = edition_or_404()
    return _act(
        lambda: DELETERS[what](edition.id, item_id, actor=current_user.id),
        _("Deleted."),
        url_for(".index"),
    )


@bp.post("/<any(rooms, tracks, speakers):what>/<int:item_id>")
@roles_required(*ORGANISERS)
def edit(what: str, item_id: int) -> Response | tuple[str, int]:
    """Change a room, a track or a speaker from its line on the editor's page."""
    edition = edition_or_404()
    form_class, prefix = {
        "rooms": (RoomForm, "room"),
        "tracks": (TrackForm, "track"),
        "speakers": (SpeakerForm, "speaker"),
    }[what]
    form = form_class(prefix=f"{prefix}-{item_id}")

    def save() -> object:
        if what == "rooms":
            return rules.update_room(
                edition.id,
                item_id,
                form.name.data,
                form.capacity.data,
                actor=current_user.id,
                name_en=form.name_en.data or "",
            )
        if what == "tracks":
            return rules.update_track(
                edition.id,
                item_id,
                form.name.data,
                form.colour.data.strip(),
                actor=current_user.id,
                name_en=form.name_en.data or "",
            )
        return rules.update_speaker(
            edition.id,
            item_id,
            form.name.data,
            form.affiliation.data or "",
            form.bio.data or "",
            email=form.email.data or "",
            bio_en=form.bio_en.data or "",
            photo=form.photo_bytes(),
            remove_photo=bool(form.remove_photo.data),
            actor=current_user.id,
        )

    try:
        return _add(form, save, _("Saved."))
    except LookupError:
        abort(404)
