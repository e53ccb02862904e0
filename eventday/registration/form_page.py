"""The blank registration form, rendered once and kept in each worker until what it shows changes.

Most people open /register without a query string. Between two changes of what the
blank form shows (the edition and its workshops: the programme state of
programme/cache.py; each workshop's seats left: counted at every request), the page is
the same bytes for everyone reading it in one language but two values: the CSRF token
and the signed moment the form was shown (robots.py). The page is kept with a stand-in
for each, and each visitor gets their own written in. A change of the edition or its
programme shows in every worker within PROGRAMME_CACHE_SECONDS, as the programme's
pages do; a seat taken shows at once.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Hashable, Sequence

from flask import current_app
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf

from eventday.programme.cache import programme_cache
from eventday.registration import robots
from eventday.registration.seats import WorkshopSeats

# Stand-ins for the two values each visitor gets their own of: no rendered page holds a NUL.
CSRF_SLOT = "\x00csrf_token\x00"
STARTED_SLOT = "\x00started\x00"


@dataclasses.dataclass(frozen=True)
class _Kept:
    shows: Hashable
    page: str


class BlankForms:
    """One kept page per language: a page showing older seats is replaced, not kept beside."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pages: dict[str, _Kept] = {}

    def get(self, language: str, shows: Hashable) -> str | None:
        with self._lock:
            kept = self._pages.get(language)
        return kept.page if kept is not None and kept.shows == shows else None

    def keep(self, language: str, shows: Hashable, page: str) -> None:
        with self._lock:
            self._pages[language] = _Kept(shows, page)


def blank_form(seats: Sequence[WorkshopSeats], render: Callable[[str], str]) -> str:
    """The blank form for this visitor: the kept page with their own CSRF token and start,
    or `render(start)` (which renders the form showing that start), kept for the next ones."""
    forms: BlankForms = current_app.extensions.setdefault(
        "eventday_blank_registration_forms", BlankForms()
    )
    language = str(get_locale())
    shows = (programme_cache().state(), tuple((w.session.id, w.left) for w in seats))
    # The token the form's own csrf_token field renders (Flask-WTF keeps one per request).
    csrf, started = generate_csrf(), robots.started_token()
    kept = forms.get(language, shows)
    if kept is not None:
        return kept.replace(CSRF_SLOT, csrf).replace(STARTED_SLOT, started)
    page = render(started)
    forms.keep(language, shows, page.replace(csrf, CSRF_SLOT).replace(started, STARTED_SLOT))
    return page
