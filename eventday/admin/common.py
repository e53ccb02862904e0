"""What every organiser page shares: the edition it works on."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from eventday.editions import lifecycle
from eventday.programme.models import Edition


def working_edition() -> Edition | None:
    """The edition this organiser works on: the one chosen in the header, else the current one.

    The check-in desk does not use it: the door always admits to the current edition.
    """
    return lifecycle.working_edition(getattr(current_user, "working_edition_id", None))


def edition_or_404() -> Edition:
    edition = working_edition()
    if edition is None:
        abort(404)
    return edition
