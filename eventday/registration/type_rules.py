"""Each stakeholder type's rules for an edition: its quota of seats and whether an organiser
approves its registrations.

A quota is what the organisers meant: a number of seats, or a share of the edition's seats
(stored as a percentage), which then follows the capacity when it changes. Without rules of
its own, an edition asks organisers to approve industry registrations and keeps industry to
a tenth of the seats.
"""

from __future__ import annotations

import dataclasses
import math

from flask_babel import gettext as _
from sqlalchemy import select

from eventday.domain import DomainError, Violation
from eventday.extensions import db
from eventday.programme.models import Edition
from eventday.registration.models import StakeholderSetting, StakeholderType

DEFAULT_APPROVAL = frozenset({StakeholderType.INDUSTRY})
DEFAULT_QUOTA_PERCENT = {StakeholderType.INDUSTRY: 10}


class TypeRulesRefused(DomainError):
    pass


@dataclasses.dataclass(frozen=True)
class TypeRule:
    """A type's seats at most (`quota`: a number, or `percent` of the edition's seats) and
    whether its registrations wait for approval."""

    quota: int | None
    needs_approval: bool
    percent: int | None = None

    def seats(self, capacity: int | None) -> int | None:
        """The seats this type may hold at most, for an edition of `capacity` seats."""
        if self.percent is None:
            return self.quota
        return None if capacity is None else math.ceil(capacity * self.percent / 100)


def type_rules(edition: Edition) -> dict[str, TypeRule]:
    """Each stakeholder type's quota and approval rule for the edition."""
    rows = {
        s.stakeholder_type: s
        for s in db.session.scalars(
            select(StakeholderSetting).where(StakeholderSetting.edition_id == edition.id)
        )
    }
    rules = {}
    for kind in StakeholderType:
        row = rows.get(kind)
        if row is not None:
            rules[kind.value] = TypeRule(row.quota, row.needs_approval, row.quota_percent)
        else:
            rules[kind.value] = TypeRule(
                None, kind in DEFAULT_APPROVAL, DEFAULT_QUOTA_PERCENT.get(kind)
            )
    return rules


def write_type_rules(edition_id: int, chosen: dict[str, TypeRule]) -> dict[str, list[str]]:
    """Store each type's rule (in the caller's transaction); what changed, for the history."""
    edition = db.session.get_one(Edition, edition_id)
    before = type_rules(edition)
    violations = []
    for kind, rule in chosen.items():
        if kind not in set(StakeholderType):
            raise ValueError(kind)
        if (rule.quota is not None and rule.quota < 0) or (
            rule.percent is not None and not 0 <= rule.percent <= 100
        ):
            violations.append(
                Violation(f"quota_{kind}", _("Give a number of seats, or a share such as 10 %."))
            )
    if violations:
        raise TypeRulesRefused(violations)
    rows = {
        s.stakeholder_type: s
        for s in db.session.scalars(
            select(StakeholderSetting).where(StakeholderSetting.edition_id == edition_id)
        )
    }
    changes = {}
    for kind, rule in chosen.items():
        row = rows.get(kind) or StakeholderSetting(edition_id=edition_id, stakeholder_type=kind)
        row.quota = rule.quota if rule.percent is None else None
        row.quota_percent, row.needs_approval = rule.percent, rule.needs_approval
        db.session.add(row)
        if rule != before[kind]:
            changes[kind] = [describe(before[kind]), describe(rule)]
    return changes


def describe(rule: TypeRule) -> str:
    """A rule in words, for the history ("10 % of the seats, approval")."""
    if rule.percent is not None:
        seats = _("%(n)d %% of the seats", n=rule.percent)
    elif rule.quota is not None:
        seats = _("%(n)d seats", n=rule.quota)
    else:
        seats = _("no quota")
    return f"{seats}, {_('approval') if rule.needs_approval else _('no approval')}"
