"""The report's tables in the reader's language, as the page, the spreadsheet and the PDF show them.

Cells keep their kind (a count, a share, a text) so that each writer shows
them its own way: the page and the PDF in the locale's digits and percent
sign, the spreadsheet as numbers it can compute with.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from babel import Locale
from babel.numbers import format_decimal, format_percent
from flask_babel import gettext as _
from flask_babel import ngettext

from eventday.i18n import local_time
from eventday.registration.labels import stakeholder_label, status_label
from eventday.registration.models import RegistrationStatus, StakeholderType
from eventday.statistics.figures import Report
from eventday.statistics.institutions import InstitutionType, institution_label

STATUSES = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.PENDING_APPROVAL,
    RegistrationStatus.CANCELLED,
)
NO_FIGURE = "—"


@dataclasses.dataclass(frozen=True)
class Share:
    """`part` of `whole`, shown as a percentage (none when `whole` is 0)."""

    part: int
    whole: int

    @property
    def value(self) -> float | None:
        return self.part / self.whole if self.whole else None


Cell = str | int | Share | None


@dataclasses.dataclass(frozen=True)
class Table:
    key: str  # the page's anchor, and the chart's ids
    title: str
    sheet: str  # the spreadsheet's tab: at most 31 characters
    headers: list[str]
    rows: list[list[Cell]]  # each starts with the row's name
    total: list[Cell] | None = None
    chart: int | None = None  # the column drawn as bars, one a row
    note: str = ""

    @property
    def lines(self) -> list[list[Cell]]:
        """The rows, then the total row if there is one."""
        return [*self.rows, *([self.total] if self.total else [])]

    @property
    def numeric(self) -> list[bool]:
        """Whether each column holds figures (set on the right) rather than text."""
        sample = self.rows[0] if self.rows else self.headers
        return [column > 0 and not isinstance(c, str) for column, c in enumerate(sample)]

    def bars(self) -> list[tuple[str, Cell, float]]:
        """The chart's bars: each row's name, its charted cell and its length from 0 to 1."""
        if self.chart is None:
            return []
        cells = [row[self.chart] for row in self.rows]
        top = max((c for c in cells if isinstance(c, int)), default=0)
        return [
            (str(row[0]), cell, _length(cell, top))
            for row, cell in zip(self.rows, cells, strict=True)
        ]


def _length(cell: Cell, top: int) -> float:
    if isinstance(cell, Share):
        return min(cell.value or 0.0, 1.0)
    return cell / top if isinstance(cell, int) and top else 0.0


def cell_text(cell: Cell, locale: str) -> str:
    """A cell as the reader writes it: "1 234" and "25,6 %" in French, "1,234" and "25.6%"."""
    if isinstance(cell, Share):
        if cell.value is None:
            return NO_FIGURE
        # The locale's own percent pattern, with one decimal: 99.6 % is not everyone.
        pattern = Locale.parse(locale).percent_formats[None].pattern.replace("#,##0", "#,##0.0")
        return format_percent(cell.value, pattern, locale=locale)
    if isinstance(cell, int):
        return format_decimal(cell, locale=locale)
    return NO_FIGURE if cell is None else cell


def report_tables(report: Report) -> list[Table]:
    return [
        _by_profile(report),
        _by_status(report),
        _by_institution(report),
        _arrivals(report),
        _workshops(report),
        _returning(report),
    ]


def _counted(
    names: Sequence[tuple[str, dict[str, object]]], count: Callable[..., int]
) -> list[list[Cell]]:
    """Rows `[name, count, share of all]` for each (name, traits) of `names`."""
    counts = [(name, count(**traits)) for name, traits in names]
    whole = sum(n for _, n in counts)
    return [[name, n, Share(n, whole)] for name, n in counts]


def _by_profile(report: Report) -> Table:
    everyone = report.count()
    rows: list[list[Cell]] = []
    for kind in StakeholderType:
        per_status = [report.count(stakeholder_type=kind, status=s) for s in STATUSES]
        total = sum(per_status)
        rows.append([stakeholder_label(kind), *per_status, total, Share(total, everyone)])
    return Table(
        "by-profile",
        _("Registrations by profile"),
        _("Profiles"),
        [_("Profile"), *(status_label(s) for s in STATUSES), _("Total"), _("Share")],
        rows,
        [_("Total"), *(report.count(status=s) for s in STATUSES), everyone, _all(everyone)],
        chart=len(STATUSES) + 1,
    )


def _all(count: int) -> Share:
    return Share(count, count)


def _by_status(report: Report) -> Table:
    rows = _counted([(status_label(s), {"status": s}) for s in STATUSES], report.count)
    return Table(
        "by-status",
        _("Registrations by status"),
        _("Statuses"),
        [_("Status"), _("Registrations"), _("Share")],
        rows,
        [_("Total"), report.count(), _all(report.count())],
        chart=1,
    )


def _by_institution(report: Report) -> Table:
    names = [(institution_label(k), {"institution": k}) for k in InstitutionType]
    return Table(
        "by-institution",
        _("Attendees by type of institution"),
        _("Institutions"),
        [_("Type of institution"), *_attendee_columns()],
        _attendee_rows(report, names),
        _totals(report),
        chart=1,
        note=_institution_note(report),
    )


def _institution_note(report: Report) -> str:
    said = _(
        "The type is read from the words of the institution each attendee named (a "
        "researcher's institution, a clinician's hospital, else the organisation): "
        "hospital, CHU or clinic; university or school; Inserm, CNRS, institute or "
        "laboratory, and so on. Patient associations and companies are their profile's "
        "type. A name with none of these words counts as care for a clinician, as other "
        "for anyone else."
    )
    if report.edition.anonymised_at is not None:
        said += " " + _(
            "This edition was anonymised: the names are gone, so only the profile tells the type."
        )
    return said


def _attendee_columns() -> list[str]:
    return [_("Confirmed attendees"), _("Share"), _("Checked in"), _("Share")]


def _attendee_rows(
    report: Report, names: Sequence[tuple[str, dict[str, object]]]
) -> list[list[Cell]]:
    """`[name, confirmed, share, checked in, share]` for each (name, traits) of `names`."""
    confirmed = _counted(names, report.attendees)
    arrived = _counted(names, lambda **traits: report.attendees(checked_in=True, **traits))
    return [[*c, *a[1:]] for c, a in zip(confirmed, arrived, strict=True)]


def _totals(report: Report) -> list[Cell]:
    """The total row of a table of attendees: confirmed, 100 %, checked in, 100 %."""
    confirmed, arrived = report.attendees(), report.attendees(checked_in=True)
    return [_("Total"), confirmed, _all(confirmed), arrived, _all(arrived)]


def _arrival_row(name: str, confirmed: int, arrived: int) -> list[Cell]:
    return [name, confirmed, arrived, Share(arrived, confirmed)]


def _arrivals(report: Report) -> Table:
    return Table(
        "arrivals",
        _("Arrival rate"),
        _("Arrivals"),
        [_("Profile"), _("Confirmed attendees"), _("Checked in"), _("Arrival rate")],
        [
            _arrival_row(
                stakeholder_label(kind),
                report.attendees(stakeholder_type=kind),
                report.attendees(stakeholder_type=kind, checked_in=True),
            )
            for kind in StakeholderType
        ],
        _arrival_row(_("Total"), report.attendees(), report.attendees(checked_in=True)),
        chart=3,
        note=_("Arrival rate: the confirmed attendees checked in at the desk."),
    )


def _workshops(report: Report) -> Table:
    zone = report.edition.zone
    return Table(
        "workshops",
        _("Workshops"),
        _("Workshops"),
        [
            _("Workshop"),
            _("Time"),
            _("Seats"),
            _("Enrolled"),
            _("Fill rate"),
            _("Checked in"),
            _("Attendance"),
        ],
        [
            [
                w.title,
                f"{local_time(w.starts_at, zone)}–{local_time(w.ends_at, zone)}",
                w.seats,
                w.enrolled,
                Share(w.enrolled, w.seats) if w.seats is not None else None,
                w.arrived,
                Share(w.arrived, w.enrolled),
            ]
            for w in report.workshops
        ],
        chart=4,
        note=_(
            "Enrolled: confirmed attendees holding a seat. Checked in: those of them who "
            "arrived at the day's desk (the desk does not record each workshop's door)."
        ),
    )


def _returning(report: Report) -> Table:
    kinds = [(_("New"), {"returning": False}), (_("Returning"), {"returning": True})]
    return Table(
        "returning",
        _("New and returning attendees"),
        _("New and returning"),
        [_("Attendees"), *_attendee_columns()],
        _attendee_rows(report, kinds),
        _totals(report),
        chart=1,
        note=_returning_note(report),
    )


def _returning_note(report: Report) -> str:
    if not report.earlier_editions:
        return _("No earlier edition: every attendee is new.")
    said = ngettext(
        "Returning: the same e-mail address registered for the earlier edition.",
        "Returning: the same e-mail address registered for one of the %(num)d earlier editions.",
        report.earlier_editions,
    )
    if report.edition.anonymised_at is not None:
        said += " " + _(
            "This edition was anonymised: its addresses are gone, so nobody can be "
            "recognised as returning."
        )
    if report.anonymised_before:
        said += " " + ngettext(
            "%(names)s was anonymised: its addresses are gone, so someone whose only earlier "
            "registration was there counts as new.",
            "%(names)s were anonymised: their addresses are gone, so someone whose only "
            "earlier registrations were there counts as new.",
            len(report.anonymised_before),
            names=", ".join(report.anonymised_before),
        )
    return said
