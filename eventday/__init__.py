"""eventday: runs an annual one-day research day, from programme to check-in."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from werkzeug.middleware.proxy_fix import ProxyFix

from eventday import config as default_config
from eventday import urls
from eventday.extensions import babel, csrf, db, limiter, login, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults < instance/config.py < EVENTDAY_* environment (or test_config)."""
    app = Flask(
        __name__,
        # The instance folder (database, secret key, config.py) may live elsewhere in production.
        instance_path=os.environ.get("EVENTDAY_INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_object(default_config)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("EVENTDAY")
    else:
        app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    urls.configure(app)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))
    app.config["SQLALCHEMY_DATABASE_URI"] = _database_url(app)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    secure = app.config["SECURE_COOKIES"]
    if secure is None:
        secure = (app.config["PUBLIC_URL"] or "").startswith("https://")
    app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = bool(secure)
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"].setdefault("pool_pre_ping", True)

    app.session_interface = CookielessSessionInterface()
    _init_extensions(app)
    _register_blueprints(app)

    from eventday import cli, errors, log_redaction, mail, security

    errors.init_app(app)
    security.init_app(app)
    log_redaction.redact_development_server_log()
    mail.init_app(app)
    cli.init_app(app)
    return app


class CookielessSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, without building a signer for requests that carry none.

    Most requests (calendar programs, anonymous readers) send no session cookie.
    """

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.config["SESSION_COOKIE_NAME"] not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)


def _instance_secret_key(instance: Path) -> str:
    """The key kept in instance/secret_key, created on first start (by one worker only)."""
    path = instance / "secret_key"
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    key = secrets.token_hex(32)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key + "\n")
    return key


def _database_url(app: Flask) -> str:
    """The configured database URL, checked: a bad one stops start-up with one clear line."""
    url = app.config.get("DATABASE_URL") or app.config.get("SQLALCHEMY_DATABASE_URI")
    if not url:
        return f"sqlite:///{Path(app.instance_path) / 'eventday.sqlite3'}"
    try:
        parsed = make_url(url)
        parsed.get_dialect()
    except (ArgumentError, NoSuchModuleError, ValueError) as error:
        raise SystemExit(
            f"eventday: EVENTDAY_DATABASE_URL is not a usable database URL ({error})."
        ) from None
    return str(url)


def _init_extensions(app: Flask) -> None:
    from eventday import assets, database, i18n, templating
    from eventday.programme.cache import ProgrammeCache
    from eventday.programme.fastpath import ReplayProgramme

    db.init_app(app)
    database.configure_engine(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    login.init_app(app)
    login.login_view = "accounts.login"
    login.session_protection = "strong"
    limiter.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_language)
    i18n.init_app(app)
    templating.init_app(app)
    cache = ProgrammeCache(float(app.config["PROGRAMME_CACHE_SECONDS"]))
    app.extensions["eventday_programme_cache"] = cache
    app.wsgi_app = ReplayProgramme(app.wsgi_app, cache)  # type: ignore[method-assign]
    assets.init_app(app)
    hops = int(app.config["PROXY_HOPS"])
    if hops > 0:
        # Outermost, so every layer sees the visitor's address and scheme. Only those:
        # a proxy that sets them may pass X-Forwarded-Host or -Prefix on from the visitor,
        # who would then choose the links in mails and in the cached programme.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def _register_blueprints(app: Flask) -> None:
    from eventday import site
    from eventday.abstracts import routes as abstract_routes
    from eventday.accounts import user_views
    from eventday.accounts import views as accounts
    from eventday.admin import (
        by_hand_views,
        edition_views,
        editions_views,
        identity_views,
        programme_views,
        registration_views,
        statistics_views,
    )
    from eventday.admin import views as admin
    from eventday.checkin import views as checkin
    from eventday.editions import identity_views as public_identity
    from eventday.programme import archive_views, speaker_photos
    from eventday.programme import views as programme
    from eventday.registration import labels as registration_labels
    from eventday.registration import views as registration
    from eventday.urls import DatabaseId

    # Before any route is added: each compiles its converters when it is.
    app.url_map.converters["int"] = DatabaseId
    app.register_blueprint(site.bp)
    app.register_blueprint(programme.bp)
    app.register_blueprint(archive_views.bp)
    app.register_blueprint(speaker_photos.bp)
    app.register_blueprint(registration.bp)
    app.register_blueprint(accounts.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(checkin.bp)
    app.register_blueprint(registration_views.bp)
    app.register_blueprint(by_hand_views.bp)
    app.register_blueprint(user_views.bp)
    app.register_blueprint(programme_views.bp)
    app.register_blueprint(edition_views.bp)
    app.register_blueprint(identity_views.bp)
    app.register_blueprint(public_identity.bp)
    app.register_blueprint(statistics_views.bp)
    app.register_blueprint(editions_views.bp)
    editions_views.init_app(app)
    abstract_routes.register(app)
    registration_labels.init_app(app)
