"""Request logs without secrets: attendee tokens in paths and query values become "…".

One function, `redact`, serves both logs that write requests: gunicorn's
access log (`make serve` passes `--logger-class
eventday.log_redaction.RedactingLogger`) and the development server's
(werkzeug's logger, filtered from `create_app`). A token in a log would open
its attendee's page, and their data, to anyone who reads the log.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import string
from typing import Any

from gunicorn.glogging import Logger

REDACTED = "…"
# The path segments that a secret follows: /registration/<token>[/…] (the attendee's page
# and its documents) and …/address/<change> (the signed link that confirms a new e-mail
# address, which it holds). tests/test_log_redaction.py fails for a new route not covered.
SECRET_AFTER = ("registration", "address", "abstracts")
SECRET_IN_PATH = re.compile(rf"(/(?:{'|'.join(SECRET_AFTER)})/+)[^/?#\s\"]+")
QUERY = re.compile(r"\?([^\s#\"]*)")
# Most text holds neither: one search spares it both substitutions (gunicorn's atoms, ~40).
ANYTHING_TO_REDACT = re.compile(rf"\?|/(?:{'|'.join(SECRET_AFTER)})/")
# Parameters whose values are never personal and help to read a log; the others (a search,
# a form prefilled with an address…) are cut.
KEPT_PARAMETERS = frozenset({"lang", "page", "v"})
# gunicorn's atoms that hold a bare query string, without its "?".
QUERY_ATOMS = frozenset({"q", "{query_string}e"})


ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
# What an escape may stand for in a path and a token: decoded, the patterns above see it.
# Nothing else is decoded (a space, "?" or a line break would change how the line reads).
DECODED = frozenset(string.ascii_letters + string.digits + "/-._~")


def redact(text: str) -> str:
    """`text` (a path, a URL, a request line) with path secrets and query values replaced.

    Percent-encoded letters, digits and slashes are read as the server reads them
    (`/%72egistration/<token>` is the attendee's page, `registration%2F<token>` too).
    """
    if "%" in text:
        text = ESCAPE.sub(_decoded, text)
    if ANYTHING_TO_REDACT.search(text) is None:
        return text
    text = SECRET_IN_PATH.sub(rf"\g<1>{REDACTED}", text)
    return QUERY.sub(lambda found: "?" + redact_query(found.group(1)), text)


def _decoded(escape: re.Match[str]) -> str:
    character = chr(int(escape.group(1), 16))
    return character if character in DECODED else escape.group(0)


def redact_query(query: str) -> str:
    """A query string with the values cut but those of KEPT_PARAMETERS: `q=…&lang=fr`."""
    pairs = []
    for pair in query.split("&"):
        name, equals, _ = pair.partition("=")
        if not pair or name in KEPT_PARAMETERS:
            pairs.append(pair)
        else:
            pairs.append(f"{name}={REDACTED}" if equals else REDACTED)
    return "&".join(pairs)


class RedactingLogger(Logger):
    """gunicorn's logger, with every text atom of the access log redacted.

    All of them, not only the request line (`r`), path (`U`) and query (`q`):
    a format may name the referer, the Location answered or any environ value.
    """

    def atoms(
        self, resp: Any, req: Any, environ: dict[str, Any], request_time: dt.timedelta
    ) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            if isinstance(value, str):
                atoms[key] = redact_query(value) if key in QUERY_ATOMS else redact(value)
        return atoms


class RedactingFilter(logging.Filter):
    """Redacts each record of the development server's logger (werkzeug) as it is written."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), ()
        return True


def redact_development_server_log() -> None:
    """Filter werkzeug's logger (`eventday run`), once however many apps are made."""
    werkzeug_logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactingFilter) for f in werkzeug_logger.filters):
        werkzeug_logger.addFilter(RedactingFilter())
