"""The edition's settings, and a new edition from last year's."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eventday import mail, mail_texts
from eventday.abstracts import mails as abstract_mails
from eventday.abstracts import next_year
from eventday.accounts.access import ORGANISERS, edition_or_404, organiser_blueprint, roles_required
from eventday.admin.edition_forms import CopyEditionForm, EditionForm, MailTextForm
from eventday.domain import DomainError
from eventday.editions import lifecycle as editions
from eventday.editions import settings as editions_settings
from eventday.forms import show_refusal
from eventday.programme.cache import programme_cache
from eventday.programme.models import Edition
from eventday.registration.models import StakeholderType
from eventday.registration.type_rules import type_rules

bp = organiser_blueprint("edition_admin", "/admin/edition")


def _fill(form: EditionForm, edition: Edition) -> None:
    """The settings as they are, type rules included."""
    form.fill(edition)
    form.fill_type_rules(type_rules(edition))


@bp.route("/", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def settings() -> Response | tuple[str, int]:
    edition = edition_or_404()
    form = EditionForm()
    if request.method == "GET":
        _fill(form, edition)
    if form.validate_on_submit():
        try:
            editions_settings.update_edition(
                edition.id, form.settings(edition), form.type_rules(), current_user.id
            )
        except DomainError as refused:
            show_refusal(form, refused)
        else:
            programme_cache().invalidate()
            flash(_("Settings saved."))
            return redirect(url_for(".settings"), code=303)
    return render_template(
        "admin/edition.html",
        edition=edition,
        form=form,
        copy_form=CopyEditionForm(prefix="copy"),
        types=list(StakeholderType),
    ), (422 if request.method == "POST" else 200)


@bp.post("/copy")
@roles_required(*ORGANISERS)
def copy() -> Response | tuple[str, int]:
    edition = edition_or_404()
    form = CopyEditionForm(prefix="copy")
    if form.validate_on_submit():
        try:
            draft = next_year.next_edition(
                edition.id, form.name.data, form.slug.data, form.start_date.data, current_user.id
            )
        except editions.EditionExists:
            form.slug.errors.append(_("An edition already uses this short name."))
        else:
            editions.choose_working_edition(current_user, draft.id)
            flash(
                _(
                    "The draft %(edition)s is ready and you are now working on it. The current "
                    "edition goes on unchanged until you publish the draft.",
                    edition=draft.name,
                )
            )
            return redirect(url_for(".settings"), code=303)
    settings_form = EditionForm(formdata=None)
    _fill(settings_form, edition)
    return render_template(
        "admin/edition.html",
        edition=edition,
        form=settings_form,
        copy_form=form,
        types=list(StakeholderType),
    ), 422


@bp.get("/mails")
@roles_required(*ORGANISERS)
def mails() -> str:
    """Each kind of mail, and whether the organisers wrote their own wording."""
    edition = edition_or_404()
    return render_template(
        "admin/mails.html",
        edition=edition,
        kinds=[
            (kind, label, mail_texts.texts(edition.id, kind))
            for kind, label in mail_texts.KIND_LABELS.items()
        ],
    )


@bp.route("/mails/<kind>", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def mail_text(kind: str) -> Response | tuple[str, int]:
    """The organisers' subject and message of one kind of mail, with a preview."""
    edition = edition_or_404()
    if kind not in mail_texts.KIND_LABELS:
        abort(404)
    form = MailTextForm()
    if request.method == "GET":
        for language, row in mail_texts.texts(edition.id, kind).items():
            form[f"subject_{language}"].data = row.subject
            form[f"body_{language}"].data = row.body
    if form.validate_on_submit():
        try:
            mail_texts.save(edition.id, kind, form.wording(), current_user.id)
        except DomainError as refused:
            show_refusal(form, refused)
        else:
            flash(_("Saved. The preview below shows the mail as it is now sent."))
            return redirect(url_for(".mail_text", kind=kind), code=303)
    return render_template(
        "admin/mail_text.html",
        edition=edition,
        kind=kind,
        label=mail_texts.KIND_LABELS[kind],
        form=form,
        placeholders=mail_texts.known_placeholders(kind),
        previews={language: _preview(edition, kind, language) for language in mail_texts.LANGUAGES},
    ), (422 if request.method == "POST" else 200)


def _preview(edition: Edition, kind: str, language: str) -> tuple[str, str] | None:
    if kind.startswith("abstract_"):
        return abstract_mails.preview(edition, kind, language)
    return mail.preview(edition, mail.MailKind(kind), language)
