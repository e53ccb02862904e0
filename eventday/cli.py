"""The `eventday` command line: a FlaskGroup with the project's own commands."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_babel import force_locale
from sqlalchemy import select

from eventday.accounts.models import Role
from eventday.domain import DomainError
from eventday.extensions import db
from eventday.i18n import local_datetime
from eventday.programme.models import Edition, current_edition


def _create_app() -> Flask:
    from eventday import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def main() -> None:
    """eventday: the programme, registrations and check-in of a research day."""


@click.command("seed-demo")
@click.option("--sessions", type=click.IntRange(min=1), help="Generate a synthetic programme.")
@click.option("--rooms", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--capacity", type=click.IntRange(min=0), help="The edition's seats.")
@click.option(
    "--if-no-edition", is_flag=True, help="Do nothing when the database already has an edition."
)
@with_appcontext
def seed_demo(sessions: int | None, rooms: int, capacity: int | None, if_no_edition: bool) -> None:
    """Load the demo edition (or, with --sessions, a large synthetic programme)."""
    from eventday.editions.lifecycle import EditionExists
    from eventday.programme import demo

    if if_no_edition and db.session.scalar(select(Edition.id).limit(1)) is not None:
        click.echo("The database already has an edition; no demo data loaded.")
        return
    try:
        if sessions:
            edition = demo.load_synthetic(sessions, rooms, capacity)
        else:
            edition = demo.load_demo(capacity)
    except EditionExists as exists:
        raise click.ClickException(
            f"The edition '{exists}' already exists; nothing was changed."
        ) from None
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    if not sessions:
        from eventday.abstracts.demo import load_demo_call

        load_demo_call(edition)
    click.echo(f"Loaded '{edition.name}' ({len(edition.sessions)} sessions).")


@click.command("public-url")
@with_appcontext
def public_url() -> None:
    """Print the configured public URL; fail with one line when there is none (make serve)."""
    configured = current_app.config["PUBLIC_URL"]
    if not configured:
        raise click.ClickException(
            "EVENTDAY_PUBLIC_URL is not set: set it to the site's public address "
            "(e.g. https://journee.example.org); every link in mails and calendars is built on it."
        )
    click.echo(configured)


@click.command("send-mail")
@click.option("--watch", is_flag=True, help="Keep delivering, every --interval seconds.")
@click.option("--interval", type=click.FloatRange(min=0.05), default=5.0, show_default=True)
@click.option("--rounds", type=click.IntRange(min=1), help="With --watch: stop after N rounds.")
@with_appcontext
def send_mail(watch: bool, interval: float, rounds: int | None) -> None:
    """Deliver the mails waiting in the outbox (those that failed before are tried again);
    with --watch, a worker that several nodes may run at once (eventday/mail_worker.py)."""
    from eventday import mail, mail_worker

    if watch:

        def said(report: mail.DeliveryReport) -> None:
            click.echo(f"{report.sent} mail(s) sent, {report.failed} still waiting.")

        mail_worker.watch(interval, rounds, said=said)
        return
    report = mail.deliver()
    click.echo(f"{report.sent} mail(s) sent, {report.failed} still waiting.")
    if report.failed:
        raise SystemExit(1)


@click.command("create-user")
@click.argument("email")
@click.option(
    "--role", type=click.Choice([role.value for role in Role]), required=True, help="Rights."
)
@click.option("--name", default="", help="The person's name, shown in the audit log.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option(
    "--institution",
    "institutions",
    multiple=True,
    help="A reviewer's institution (repeat for each): no abstract with an author from it.",
)
@with_appcontext
def create_user(
    email: str, role: str, name: str, password_stdin: bool, institutions: tuple[str, ...]
) -> None:
    """Create an organiser account (the password is asked for, never given on the command line)."""
    from eventday.accounts.rules import AccountRefused
    from eventday.accounts.rules import create_user as create

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with force_locale("en"):  # the command line speaks English, like its help
            user = create(email, role, password, name)
    except AccountRefused as refused:
        raise click.ClickException(" ".join(v.message for v in refused.violations)) from None
    if institutions:
        from eventday.abstracts.assignments import set_institutions

        set_institutions(user.id, "\n".join(institutions), None, None)
    click.echo(f"Created {user.email} ({user.role}).")


@click.command("anonymise")
@click.option("--edition", "slug", required=True, help="The edition's short name (its slug).")
@click.option(
    "--force", is_flag=True, help="Even before the edition's last day has ended (erases it all)."
)
@with_appcontext
def anonymise(slug: str, force: bool) -> None:
    """Remove the personal data of an edition's attendees; keep its statistics by type."""
    from eventday import privacy

    edition = _edition(slug)
    try:
        count = privacy.anonymise(edition.id, force=force)
    except privacy.NotYet:
        raise click.ClickException(
            f"'{slug}' ends on {edition.end_date:%Y-%m-%d}: its attendees may still come. "
            "Run this after the day (or with --force)."
        ) from None
    click.echo(
        f"Anonymised {count} registration(s) of '{slug}': names, addresses, answers, mails and "
        "badge scans are gone; the counts by type, status, workshop and arrival stay."
    )


def _edition(slug: str) -> Edition:
    """The edition with that slug, or a one-line refusal listing the editions there are."""
    edition = db.session.scalars(select(Edition).where(Edition.slug == slug)).first()
    if edition is None:
        known = ", ".join(db.session.scalars(select(Edition.slug).order_by(Edition.start_date)))
        raise click.ClickException(f"No edition '{slug}'. Editions: {known or 'none'}.")
    return edition


@click.group("edition")
def edition_group() -> None:
    """Editions over the years: list them, prepare next year's as a draft, publish it."""


@edition_group.command("list")
@with_appcontext
def edition_list() -> None:
    """Every edition: its slug, state, date and name."""
    from eventday.editions import lifecycle

    for edition in lifecycle.all_editions():
        click.echo(
            f"{edition.slug}\t{edition.state}\t{edition.start_date:%Y-%m-%d}\t{edition.name}"
        )


@edition_group.command("copy")
@click.argument("slug")
@click.option("--slug", "new_slug", required=True, help="The new edition's short name.")
@click.option(
    "--date", "start", type=click.DateTime(["%Y-%m-%d"]), required=True, help="Its first day."
)
@click.option("--name", default=None, help="Its name (by default, the copied edition's).")
@with_appcontext
def edition_copy(slug: str, new_slug: str, start: dt.datetime, name: str | None) -> None:
    """A draft from SLUG: rooms, tracks, speakers, sessions (same local times), profiles'
    rules and mails' wording; SLUG stays the current edition until the draft is published."""
    from eventday.abstracts import next_year
    from eventday.editions import lifecycle

    source = _edition(slug)
    try:
        with force_locale("en"):
            draft = next_year.next_edition(
                source.id, name or source.name, new_slug, start.date(), actor=None
            )
    except lifecycle.EditionExists:
        raise click.ClickException(f"An edition '{new_slug}' already exists.") from None
    except DomainError as refused:
        raise click.ClickException(" ".join(v.message for v in refused.violations)) from None
    click.echo(
        f"Draft '{draft.slug}' ({draft.start_date:%Y-%m-%d}) made from '{slug}', "
        f"{len(draft.sessions)} sessions. Publish it with: eventday edition publish {draft.slug}"
    )


@edition_group.command("publish")
@click.argument("slug")
@with_appcontext
def edition_publish(slug: str) -> None:
    """Make the draft SLUG the current edition; the current one is archived."""
    from eventday.editions import lifecycle

    edition = _edition(slug)
    try:
        with force_locale("en"):
            lifecycle.publish(edition.id, actor=None)
    except DomainError as refused:
        raise click.ClickException(" ".join(v.message for v in refused.violations)) from None
    click.echo(f"'{slug}' is now the current edition.")


@click.command("backup")
@click.argument("path", type=click.Path(path_type=Path))
@with_appcontext
def backup(path: Path) -> None:
    """Write a consistent copy of the SQLite database to PATH (a file, or a folder)."""
    from eventday import privacy

    if db.engine.dialect.name != "sqlite":
        raise click.ClickException(
            "This database is not SQLite: back it up with its own tool, e.g. "
            'pg_dump --format=custom --file=eventday.dump "$DATABASE_URL" (see the README).'
        )
    database = db.engine.url.database
    if not database or database == ":memory:":
        raise click.ClickException("This SQLite database is in memory: there is no file to copy.")
    if not path.parent.is_dir():
        raise click.ClickException(f"No folder {path.parent} to write the copy in.")
    written = privacy.backup_sqlite(database, path)
    click.echo(f"Copied {database} to {written} ({written.stat().st_size} bytes).")


def _edition_or_current(slug: str | None) -> Edition:
    """The edition with that slug, or the current one when none is named."""
    if slug is not None:
        return _edition(slug)
    edition = current_edition()
    if edition is None:
        raise click.ClickException("No current edition: name one with --edition SLUG.")
    return edition


@click.group("call")
def call_group() -> None:
    """The call for abstracts and posters: open it until a date, close it."""


@call_group.command("open")
@click.option("--edition", "slug", help="The edition's slug (default: the current one).")
@click.option(
    "--until",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The last day submissions are taken (to its end, in the edition's zone).",
)
@with_appcontext
def open_command(slug: str | None, until: dt.datetime) -> None:
    """Open the call now, until the end of the given day."""
    edition = _edition_or_current(slug)
    from eventday.abstracts import call as calls

    try:
        call = calls.open_call(edition.id, until.date())
    except calls.CallRefused:
        raise click.ClickException(f"{until:%Y-%m-%d} is already past.") from None
    last = local_datetime(call.closes_at - dt.timedelta(minutes=1), edition.zone, "long")
    click.echo(f"The call of '{edition.slug}' is open until {last}.")


@call_group.command("close")
@click.option("--edition", "slug", help="The edition's slug (default: the current one).")
@with_appcontext
def close_command(slug: str | None) -> None:
    """Close the call now."""
    from eventday.abstracts import call as calls

    edition = _edition_or_current(slug)
    calls.close_call(edition.id)
    click.echo(f"The call of '{edition.slug}' is closed.")


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo)
    app.cli.add_command(public_url)
    app.cli.add_command(send_mail)
    app.cli.add_command(create_user)
    app.cli.add_command(anonymise)
    app.cli.add_command(backup)
    app.cli.add_command(edition_group)
    app.cli.add_command(call_group)
