"""What every domain module shares: a broken rule, named after the form field it concerns."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence


@dataclasses.dataclass(frozen=True)
class Violation:
    """One broken rule: the form field it belongs to and a message for people."""

    field: str
    message: str


class DomainError(Exception):
    """A request the rules refuse; nothing was written."""

    def __init__(self, violations: Sequence[Violation]) -> None:
        super().__init__("; ".join(v.message for v in violations))
        self.violations = list(violations)
