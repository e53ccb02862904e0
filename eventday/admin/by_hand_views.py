"""The organisers' page that registers a speaker, a staff member or a guest by hand."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eventday.accounts.access import ORGANISERS, edition_or_404, organiser_blueprint, roles_required
from eventday.forms import show_refusal
from eventday.registration import by_hand
from eventday.registration.capacity import Applicant, RegistrationRefused
from eventday.registration.forms import ByHandForm

bp = organiser_blueprint("by_hand_admin", "/admin/registrations")


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def new() -> Response | str | tuple[str, int]:
    edition = edition_or_404()
    form = ByHandForm()
    form.offer_speakers([(s.id, s.name) for s in edition.speakers])
    if form.validate_on_submit():
        applicant = Applicant(
            first_name=form.first_name.data,
            last_name=form.last_name.data,
            email=form.email.data,
            organisation=form.organisation.data or "",
            stakeholder_type=form.stakeholder_type.data,
            answers={},
            language=form.language.data,
        )
        try:
            registration = by_hand.register_by_hand(
                edition.id,
                applicant,
                form.role.data,
                form.speaker_id.data,
                actor=current_user.id,
            )
        except RegistrationRefused as refused:
            show_refusal(form, refused)
        else:
            flash(_("Registered and confirmed: the confirmation is on its way."))
            return redirect(
                url_for("registrations_admin.detail", registration_id=registration.id), 303
            )
    status = 422 if form.errors or form.form_errors else 200
    return render_template("admin/by_hand.html", edition=edition, form=form), status
