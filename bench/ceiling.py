"""The benchmark's ceiling: a bare Flask app replaying recorded answers; no database, no extensions.

bench/programme.py records what eventday answered (status, headers, body) into a
directory and serves this app on the same gunicorn settings, so the difference
between the two is what eventday itself costs per request (bench/registration.py
does the same for the form's GET and POST). The directory is named by the
BENCH_CEILING_DIR environment variable; its manifest.json lists
`{"path", "status", "headers", "body"}` entries, `body` a file name beside it,
and `methods` (by default GET) the methods the entry answers.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from flask import Flask, Response

MANIFEST = "manifest.json"


def create_app() -> Flask:
    """One route per recorded response, each returning the same bytes and headers."""
    folder = Path(os.environ["BENCH_CEILING_DIR"])
    app = Flask(__name__)
    for number, entry in enumerate(json.loads((folder / MANIFEST).read_text())):
        body = (folder / entry["body"]).read_bytes()
        app.add_url_rule(
            entry["path"],
            endpoint=f"recorded_{number}",
            view_func=_replay(body, entry["status"], entry["headers"]),
            methods=entry.get("methods", ["GET"]),
        )
    return app


def _replay(body: bytes, status: int, headers: dict[str, str]) -> Callable[[], Response]:
    def view() -> Response:
        return Response(body, status=status, headers=headers)

    return view
