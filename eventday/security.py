"""Security headers on every answer: our pages need no inline script or style, so CSP says so."""

from __future__ import annotations

from flask import Flask, Response, current_app, request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HSTS = "max-age=31536000; includeSubDomains"
# A page whose URL holds a secret (an attendee's, a submitter's): its links and forms send
# our origin alone, never the path, neither to other sites nor into a reverse proxy's log.
# Not "no-referrer": over HTTPS Flask-WTF refuses a form posted without a Referer naming our
# own origin (WTF_CSRF_SSL_STRICT).
SECRET_URL_REFERRER_POLICY = "strict-origin"


def keep_secret_url(response: Response) -> Response:
    """For pages whose URL holds a secret: never cached by others, the secret never sent on."""
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = SECRET_URL_REFERRER_POLICY
    return response


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    # Pages whose URL holds a secret ask for less (keep_secret_url).
    headers.setdefault("Referrer-Policy", "same-origin")
    public_url = current_app.config["PUBLIC_URL"] or ""
    if request.is_secure or public_url.startswith("https://"):
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
