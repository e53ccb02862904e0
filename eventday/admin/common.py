"""What every organiser page shares: private answers and the edition it works on."""

from __future__ import annotations

from flask import Blueprint, Response, flash

from eventday.domain import DomainError

# The organiser pages' edition, as every other page's.
from eventday.programme.models import edition_or_404 as edition_or_404


def keep_private(response: Response) -> Response:
    """Organiser pages hold personal data: never kept by a browser cache or a proxy."""
    response.headers["Cache-Control"] = "private, no-store"
    return response


def organiser_blueprint(name: str, url_prefix: str) -> Blueprint:
    bp = Blueprint(name, __name__, url_prefix=url_prefix)
    bp.after_request(keep_private)
    return bp


def flash_refusal(refused: DomainError) -> None:
    """A refused action's reasons, shown at the top of the page it returns to."""
    for violation in refused.violations:
        flash(violation.message, "error")
