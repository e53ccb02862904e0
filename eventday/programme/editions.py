"""Editions: creating them, their settings, a new one from last year's, the current one."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update

from eventday import mail_texts
from eventday.database import write_transaction
from eventday.domain import DomainError, Violation
from eventday.extensions import db
from eventday.programme import rules
from eventday.programme.models import Edition, Session, programme_sessions
from eventday.registration import capacity


class EditionExists(Exception):
    pass


@dataclasses.dataclass(frozen=True)
class EditionDraft:
    name: str
    slug: str
    start_date: dt.date
    end_date: dt.date
    timezone: str = "Europe/Paris"
    venue_name: str = ""
    venue_address: str = ""
    description: str = ""
    registration_opens_at: dt.datetime | None = None
    registration_closes_at: dt.datetime | None = None
    capacity: int | None = None


def create_edition(draft: EditionDraft, make_current: bool = True) -> Edition:
    """Create an edition (refusing a slug already used); it becomes the current one."""
    try:
        ZoneInfo(draft.timezone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {draft.timezone!r}") from error
    if draft.end_date < draft.start_date:
        raise ValueError("the edition must end on or after its first day")
    session = db.session()
    if session.in_transaction():
        session.rollback()
    with session.begin():
        if session.scalar(select(Edition.id).where(Edition.slug == draft.slug)):
            raise EditionExists(draft.slug)
        if make_current:
            session.execute(update(Edition).values(is_current=False))
        edition = Edition(**dataclasses.asdict(draft), is_current=make_current)
        session.add(edition)
    return edition


@dataclasses.dataclass(frozen=True)
class EditionSettings:
    """What organisers set on the edition's page (dates, venue, seats, window, mail notes)."""

    name: str
    start_date: dt.date
    end_date: dt.date
    venue_name: str
    venue_address: str
    description: str
    capacity: int | None
    registration_opens_at: dt.datetime | None
    registration_closes_at: dt.datetime | None
    mail_note_fr: str
    mail_note_en: str


class EditionRefused(DomainError):
    pass


def update_edition(edition_id: int, settings: EditionSettings) -> Edition:
    """Change the edition's settings; its days may not leave sessions outside them."""
    with write_transaction(edition_id):
        edition = db.session.get_one(Edition, edition_id)
        violations = []
        if settings.end_date < settings.start_date:
            violations.append(
                Violation("end_date", _("The last day cannot come before the first."))
            )
        if (
            settings.registration_opens_at
            and settings.registration_closes_at
            and settings.registration_closes_at <= settings.registration_opens_at
        ):
            violations.append(
                Violation("registration_closes_at", _("Registration must close after it opens."))
            )
        if not violations:
            zone = edition.zone
            first = dt.datetime.combine(settings.start_date, dt.time(0), tzinfo=zone)
            after = dt.datetime.combine(
                settings.end_date + dt.timedelta(days=1), dt.time(0), tzinfo=zone
            )
            outside = db.session.scalar(
                select(func.count()).where(
                    Session.edition_id == edition_id,
                    or_(Session.starts_at < first, Session.ends_at > after),
                )
            )
            if outside:
                violations.append(
                    Violation(
                        "start_date",
                        _(
                            "%(n)d sessions would fall outside these days: move them first.",
                            n=outside,
                        ),
                    )
                )
        if violations:
            raise EditionRefused(violations)
        for name, value in dataclasses.asdict(settings).items():
            setattr(edition, name, value.strip() if isinstance(value, str) else value)
        rules.touch_programme(edition_id)
    return edition


def copy_edition(source_id: int, name: str, slug: str, start_date: dt.date) -> Edition:
    """A new edition from last year's: rooms, tracks, speakers and sessions moved to the new day.

    Sessions keep their wall-clock times in the edition's time zone, whatever the
    daylight-saving rules of the new date; registrations stay with last year's edition.
    """
    source = db.session.get_one(Edition, source_id)
    shift = start_date - source.start_date
    copy = create_edition(
        EditionDraft(
            name=name,
            slug=slug,
            start_date=start_date,
            end_date=source.end_date + shift,
            timezone=source.timezone,
            venue_name=source.venue_name,
            venue_address=source.venue_address,
            description=source.description,
            capacity=source.capacity,
            registration_opens_at=source.registration_opens_at + shift
            if source.registration_opens_at
            else None,
            registration_closes_at=source.registration_closes_at + shift
            if source.registration_closes_at
            else None,
        )
    )
    with write_transaction(copy.id):
        new = db.session.get_one(Edition, copy.id)
        new.mail_note_fr, new.mail_note_en = source.mail_note_fr, source.mail_note_en
    rooms = {r.id: rules.add_room(copy.id, r.name, r.capacity).id for r in source.rooms}
    tracks = {t.id: rules.add_track(copy.id, t.name, t.colour).id for t in source.tracks}
    speakers = {
        s.id: rules.add_speaker(copy.id, s.name, s.affiliation, s.bio).id for s in source.speakers
    }
    zone = source.zone
    for session in programme_sessions(source_id):
        if session.is_cancelled:
            continue

        def moved(moment: dt.datetime) -> dt.datetime:
            local = moment.astimezone(zone)
            return dt.datetime.combine(local.date() + shift, local.time(), tzinfo=zone)

        rules.save_session(
            copy.id,
            rules.SessionDraft(
                title=session.title,
                kind=session.kind,
                starts_at=moved(session.starts_at),
                ends_at=moved(session.ends_at),
                room_id=rooms.get(session.room_id) if session.room_id else None,
                track_id=tracks.get(session.track_id) if session.track_id else None,
                speaker_ids=tuple(speakers[s.id] for s in session.speakers),
                capacity=session.capacity,
                abstract=session.abstract,
            ),
        )
    return db.session.get_one(Edition, copy.id)


def next_edition(
    source_id: int, name: str, slug: str, start_date: dt.date, actor: int | None
) -> Edition:
    """ "New edition from this one": the programme's shape (copy_edition), then each
    profile's quota and approval rule and the mails' own wording, as last year."""
    new = copy_edition(source_id, name, slug, start_date)
    capacity.carry_over(source_id, new.id, actor)
    mail_texts.copy_texts(source_id, new.id)
    return new
