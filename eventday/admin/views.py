"""Organiser pages: the dashboard."""

from __future__ import annotations

from flask import (
    render_template,
)
from flask_login import current_user

from eventday import privacy
from eventday.accounts.access import (
    ORGANISERS,
    organiser_blueprint,
    roles_required,
    working_edition,
)
from eventday.admin import charts, history, stats
from eventday.checkin import attendance, roster
from eventday.forms import PostForm
from eventday.registration.models import RegistrationStatus, StakeholderType

bp = organiser_blueprint("admin", "/admin")


@bp.get("/")
@roles_required(*ORGANISERS)
def dashboard() -> str:
    edition = working_edition()
    overview = stats.overview(edition) if edition else None
    return render_template(
        "admin/dashboard.html",
        edition=edition,
        overview=overview,
        chart=charts.per_day(overview.per_day) if overview else None,
        latest=history.lines(edition, limit=10) if edition else [],
        attendance=attendance.per_session(edition.id) if edition else [],
        admitted_twice=roster.admitted_twice(edition.id) if edition else [],
        erase_by=privacy.retention_ends(edition) if edition else None,
        types=list(StakeholderType),
        statuses=list(RegistrationStatus),
        logout_form=PostForm(),
        user=current_user,
    )
