"""`eventday call open|close`: the call for abstracts from the command line (CONTRACT.md)."""

from __future__ import annotations

import datetime as dt

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from eventday.abstracts import call as calls
from eventday.extensions import db
from eventday.i18n import local_datetime
from eventday.programme.models import Edition, current_edition


def _edition(slug: str | None) -> Edition:
    if slug is None:
        edition = current_edition()
        if edition is None:
            raise click.ClickException("No current edition: name one with --edition SLUG.")
        return edition
    edition = db.session.scalars(select(Edition).where(Edition.slug == slug)).first()
    if edition is None:
        known = ", ".join(db.session.scalars(select(Edition.slug).order_by(Edition.start_date)))
        raise click.ClickException(f"No edition '{slug}'. Editions: {known or 'none'}.")
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
    edition = _edition(slug)
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
    edition = _edition(slug)
    calls.close_call(edition.id)
    click.echo(f"The call of '{edition.slug}' is closed.")
