"""`GET /abstracts.pdf`: the current edition's book of abstracts, once decisions are released."""

from __future__ import annotations

from flask import Response, abort, current_app, request

from eventday.abstracts import book
from eventday.abstracts.blueprints import public
from eventday.programme.models import current_edition


@public.get("/abstracts.pdf", endpoint="book")
def book_pdf() -> Response:
    edition = current_edition()
    call = book.released_call(edition.id) if edition is not None else None
    if edition is None or call is None:
        abort(404)
    # The book changes only with its version (book.py), so the version is its validator.
    etag = f"book-{edition.id}-{call.book_version}-{edition.programme_version}"
    if request.if_none_match.contains(etag):
        response = current_app.response_class(status=304)
    else:
        response = current_app.response_class(
            book.pdf_for(edition.id),
            mimetype="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{book.FILENAME}"'},
        )
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    return response
