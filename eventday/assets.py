"""Static files with versioned addresses, so browsers keep them for a year.

Every `url_for("static", filename=…)` gets `?v=<the first 12 hex digits of
the file's SHA-256>`. A file that changes gets a new address, so an answer to
a versioned address can be kept for a year without asking again
(`Cache-Control: public, max-age=31536000, immutable`); an address without
its version (an old page, a hand-typed link) is revalidated each time.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from flask import Flask, Response, request

ONE_YEAR = 365 * 24 * 3600


class Versions:
    """Each static file's version, computed once per process (again when its mtime changes)."""

    def __init__(self, folder: str) -> None:
        self.folder = Path(folder)
        self._known: dict[str, tuple[float, str]] = {}

    def of(self, filename: str) -> str | None:
        path = self.folder / filename
        try:
            mtime = os.stat(path).st_mtime
        except OSError:
            return None
        known = self._known.get(filename)
        if known is None or known[0] != mtime:
            known = (mtime, hashlib.sha256(path.read_bytes()).hexdigest()[:12])
            self._known[filename] = known
        return known[1]


def init_app(app: Flask) -> None:
    versions = Versions(app.static_folder or "")

    @app.url_defaults
    def add_version(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = versions.of(values["filename"])
            if version is not None:
                values["v"] = version

    @app.after_request
    def cache_static(response: Response) -> Response:
        if request.endpoint != "static" or response.status_code not in (200, 304):
            return response
        wanted = request.args.get("v")
        filename = (request.view_args or {}).get("filename", "")
        if wanted and wanted == versions.of(filename):
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = ONE_YEAR
            response.cache_control.immutable = True
        else:
            response.cache_control.no_cache = True
        return response
