"""The statistics for the funders' report: a page, a spreadsheet and a PDF of the same tables."""

from __future__ import annotations

import functools

from flask import Response, render_template
from flask_babel import get_locale
from flask_babel import gettext as _

from eventday.accounts.access import ORGANISERS, edition_or_404, organiser_blueprint, roles_required
from eventday.i18n import local_date
from eventday.programme.models import Edition
from eventday.statistics import export, figures
from eventday.statistics.tables import cell_text, report_tables

bp = organiser_blueprint("statistics_admin", "/admin")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(body: bytes, mimetype: str, edition: Edition, extension: str) -> Response:
    name = f"{edition.slug}-statistics.{extension}"
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@bp.get("/statistics")
@roles_required(*ORGANISERS)
def page() -> str:
    edition = edition_or_404()
    return render_template(
        "admin/statistics.html",
        edition=edition,
        tables=report_tables(figures.report(edition)),
        figure=functools.partial(cell_text, locale=str(get_locale())),
    )


@bp.get("/statistics.xlsx")
@roles_required(*ORGANISERS)
def spreadsheet() -> Response:
    edition = edition_or_404()
    body = export.xlsx_file(report_tables(figures.report(edition)))
    return _download(body, XLSX, edition, "xlsx")


@bp.get("/statistics.pdf")
@roles_required(*ORGANISERS)
def summary() -> Response:
    edition = edition_or_404()
    body = export.pdf_file(
        _("Statistics: %(edition)s", edition=edition.name),
        local_date(edition.start_date),
        report_tables(figures.report(edition)),
        str(get_locale()),
    )
    return _download(body, "application/pdf", edition, "pdf")
