"""The programme as iCalendar (RFC 5545) and as JSON, built from loaded sessions.

Output depends only on the data (DTSTAMP is the session's last change), so the
same programme always gives the same bytes and the same ETag.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from flask_babel import force_locale
from icalendar import Calendar, Event, Timezone, vDuration

from eventday.i18n import localised
from eventday.programme.labels import kind_label
from eventday.programme.models import Edition, Room, Session

PRODID = "-//eventday//eventday programme//FR"
# Subscribed calendars are asked to check back hourly.
REFRESH_INTERVAL = dt.timedelta(hours=1)

SessionUrl = Callable[[Session], str]


def session_uid(edition: Edition, session: Session, base_url: str) -> str:
    domain = urlsplit(base_url).hostname or "localhost"
    return f"{edition.slug}-session-{session.id}@{domain}"


def _location(edition: Edition, session: Session, language: str) -> str:
    room = localised(session.room, "name", language) if session.room else ""
    parts = [room, edition.venue_name, edition.venue_address]
    return ", ".join(" ".join(p.split()) for p in parts if p)


def _description(session: Session, url: str, language: str) -> str:
    lines = [
        f"{speaker.name} ({speaker.affiliation})" if speaker.affiliation else speaker.name
        for speaker in session.speakers
    ]
    abstract = localised(session, "abstract", language)
    if abstract:
        lines += ["", abstract]
    lines += ["", url]
    return "\n".join(lines).strip()


def session_event(
    edition: Edition, session: Session, base_url: str, url: str, language: str = "fr"
) -> Event:
    """One session as a VEVENT, its texts in `language` (the French where no English)."""
    event = Event()
    event.add("uid", session_uid(edition, session, base_url))
    event.add("dtstamp", session.updated_at)
    event.add("last-modified", session.updated_at)
    event.add("created", session.created_at)
    event.add("sequence", session.sequence)
    event.add("dtstart", edition.local(session.starts_at))
    event.add("dtend", edition.local(session.ends_at))
    event.add("summary", localised(session, "title", language))
    event.add("location", _location(edition, session, language))
    event.add("description", _description(session, url, language))
    event.add("url", url)
    event.add("status", "CANCELLED" if session.is_cancelled else "CONFIRMED")
    # In words ("Atelier", "Maladies rares"), as a calendar program shows them.
    with force_locale(language):
        categories = [kind_label(session.kind)]
    if session.track:
        categories.append(localised(session.track, "name", language))
    event.add("categories", categories)
    return event


def build_calendar(
    edition: Edition,
    sessions: Iterable[Session],
    *,
    name: str,
    base_url: str,
    session_url: SessionUrl,
    language: str = "fr",
) -> bytes:
    """An iCalendar file of `sessions`, with the edition's VTIMEZONE, in `language`."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", edition.timezone)
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))
    for session in sessions:
        calendar.add_component(
            session_event(edition, session, base_url, session_url(session), language)
        )
    # A VTIMEZONE covering the edition's year(s) only, not every rule since 1970.
    calendar.add_missing_timezones(
        first_date=dt.date(edition.start_date.year, 1, 1),
        last_date=dt.date(edition.end_date.year + 1, 1, 1),
    )
    if not calendar.timezones:
        calendar.add_component(_timezone_without_events(edition))
    return calendar.to_ical()


def _timezone_without_events(edition: Edition) -> Timezone:
    """The edition's VTIMEZONE for a calendar that holds no event (an empty filter)."""
    return Timezone.from_tzid(
        edition.timezone,
        first_date=dt.date(edition.start_date.year, 1, 1),
        last_date=dt.date(edition.end_date.year + 1, 1, 1),
    )


def programme_document(
    edition: Edition,
    rooms: Iterable[Room],
    sessions: Iterable[Session],
    *,
    session_url: SessionUrl,
    language: str = "fr",
) -> dict:
    """The JSON document of /programme.json (see CONTRACT.md), its texts in `language`."""

    def when(moment: dt.datetime) -> str:
        return edition.local(moment).isoformat()

    return {
        "edition": {
            "name": localised(edition, "name", language),
            "slug": edition.slug,
            "timezone": edition.timezone,
            "start": when(edition.starts_at),
            "end": when(edition.ends_at),
            "start_date": edition.start_date.isoformat(),
            "end_date": edition.end_date.isoformat(),
            "venue": {"name": edition.venue_name, "address": edition.venue_address},
        },
        "language": language,
        "rooms": [
            {"name": localised(room, "name", language), "capacity": room.capacity} for room in rooms
        ],
        "sessions": [
            {
                "id": session.id,
                "title": localised(session, "title", language),
                "kind": session.kind,
                "start": when(session.starts_at),
                "end": when(session.ends_at),
                "room": localised(session.room, "name", language) if session.room else None,
                "track": localised(session.track, "name", language) if session.track else None,
                "speakers": [
                    {"name": speaker.name, "affiliation": speaker.affiliation}
                    for speaker in session.speakers
                ],
                "capacity": session.seats if session.is_workshop else None,
                "status": session.status,
                "sequence": session.sequence,
                "abstract": localised(session, "abstract", language),
                "url": session_url(session),
                "updated": session.updated_at.isoformat(),
            }
            for session in sessions
        ],
    }
