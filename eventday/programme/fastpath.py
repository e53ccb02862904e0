"""A WSGI fast path: repeated requests for the programme's .ics and .json, answered from memory.

Calendar programs poll `/programme.ics` all day and the JSON feeds a few
screens; between two changes of the programme the answer is the same bytes.
The first request goes through Flask as usual; the view marks its answer as
replayable, and this middleware keeps the status, headers and body exactly as
Flask sent them. Later requests with the same path, query string and host are
answered here (a 304 when If-None-Match matches) while the programme state is
fresh, i.e. checked within PROGRAMME_CACHE_SECONDS; otherwise Flask answers and
the state is checked again. Only language-independent answers without cookies
are replayed; anything else always goes through Flask.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.http import parse_etags

from eventday.programme.cache import ProgrammeCache, ProgrammeState, Reply

REPLAYABLE_PATH = re.compile(r"/programme(?:/\d{1,12})?\.(?:ics|json)|/tracks\.css")
REPLAYABLE_MARK = "eventday.replayable"
# Headers a 304 must not carry (RFC 9110 §15.4.5 keeps validators and caching headers).
NOT_IN_304 = {"content-type", "content-length", "content-disposition"}

StartResponse = Callable[..., Any]


def mark_replayable(environ: dict[str, Any], state: ProgrammeState) -> None:
    """Called by a view whose answer depends only on path, query string, host and `state`."""
    environ[REPLAYABLE_MARK] = state


class ReplayProgramme:
    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]], cache: ProgrammeCache) -> None:
        self.wsgi_app = wsgi_app
        self.cache = cache

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        query = environ.get("QUERY_STRING", "")
        if (
            method not in ("GET", "HEAD")
            or "lang=" in query
            or not REPLAYABLE_PATH.fullmatch(environ.get("PATH_INFO", ""))
        ):
            return self.wsgi_app(environ, start_response)

        key = (
            environ.get("PATH_INFO"),
            query,
            environ.get("HTTP_HOST"),
            environ.get("wsgi.url_scheme"),
        )
        reply = self.cache.reply(key)
        if reply is not None:
            if_none_match = environ.get("HTTP_IF_NONE_MATCH")
            if if_none_match and parse_etags(if_none_match).contains_weak(reply.etag):
                start_response("304 Not Modified", reply.not_modified_headers)
                return []
            start_response(reply.status, reply.headers)
            return [] if method == "HEAD" else [reply.body]

        if method != "GET":
            return self.wsgi_app(environ, start_response)
        return self._answer_and_keep(key, environ, start_response)

    def _answer_and_keep(
        self, key: tuple, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        sent: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            sent["status"], sent["headers"] = status, headers
            return start_response(status, headers, exc_info)

        answer = self.wsgi_app(environ, capture)
        state = environ.get(REPLAYABLE_MARK)
        headers = sent.get("headers", [])
        if (
            state is None
            or not sent.get("status", "").startswith("200")
            or any(name.lower() == "set-cookie" for name, _ in headers)
        ):
            return answer
        try:
            body = b"".join(answer)
        finally:
            close = getattr(answer, "close", None)
            if close is not None:
                close()
        etag = dict((name.lower(), value) for name, value in headers).get("etag", "")
        self.cache.keep_reply(
            key,
            state,
            Reply(
                status=sent["status"],
                headers=list(headers),
                body=body,
                etag=etag.strip('"'),
                not_modified_headers=[
                    (name, value) for name, value in headers if name.lower() not in NOT_IN_304
                ],
            ),
        )
        return [body]
