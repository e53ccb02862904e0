"""Organiser accounts, for administrators: create, change role, switch off."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from eventday.abstracts.assignments import set_institutions
from eventday.accounts import rules
from eventday.accounts.access import organiser_blueprint, roles_required, working_edition
from eventday.accounts.forms import InstitutionsForm, RoleForm, UserForm
from eventday.accounts.models import Role, User
from eventday.extensions import db
from eventday.forms import PostForm, flash_refusal, show_refusal

bp = organiser_blueprint("users_admin", "/admin/users")


def _page(form: UserForm, status: int = 200) -> tuple[str, int]:
    users = db.session.scalars(select(User).order_by(User.email)).all()
    return render_template(
        "accounts/users.html",
        users=users,
        form=form,
        role_form=RoleForm(),
        post_form=PostForm(),
        institutions_form=InstitutionsForm(formdata=None),
    ), status


@bp.route("/", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def index() -> Response | tuple[str, int]:
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = rules.create_user(
                form.email.data, form.role.data, form.password.data, form.name.data or ""
            )
        except rules.AccountRefused as refused:
            show_refusal(form, refused)
        else:
            if form.institutions.data:
                set_institutions(user.id, form.institutions.data, None, current_user.id)
            flash(_("Account created for %(email)s.", email=user.email))
            return redirect(url_for(".index"), code=303)
    return _page(form, 422 if request.method == "POST" else 200)


@bp.post("/<int:user_id>/<change>")
@roles_required(Role.ADMIN)
def change(user_id: int, change: str) -> Response:
    if change not in ("role", "disable", "enable"):
        abort(404)
    form = RoleForm() if change == "role" else PostForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        rules.change_account(
            user_id,
            current_user.id,
            role=form.role.data if change == "role" else None,
            active={"disable": False, "enable": True}.get(change),
        )
    except LookupError:
        abort(404)
    except rules.AccountRefused as refused:
        flash_refusal(refused)
    else:
        flash(_("Account changed."))
    return redirect(url_for(".index"), code=303)


@bp.post("/<int:user_id>/institutions")
@roles_required(Role.ADMIN)
def institutions(user_id: int) -> Response:
    """A reviewer's institutions; the abstracts they now conflict with are taken back."""
    form = InstitutionsForm()
    if not form.validate_on_submit():
        flash(" ".join(form.institutions.errors) or _("Please try again."), "error")
        return redirect(url_for(".index"), code=303)
    edition = working_edition()
    try:
        removed = set_institutions(
            user_id, form.institutions.data or "", edition.id if edition else None, current_user.id
        )
    except LookupError:
        abort(404)
    flash(_("Institutions saved."))
    if removed:
        flash(
            _(
                "Taken back from this reviewer for a conflict of interest: %(labels)s.",
                labels=", ".join(removed),
            )
        )
    return redirect(url_for(".index"), code=303)
