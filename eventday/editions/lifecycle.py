"""An edition's life: created, copied from last year's as a draft, published as the current
one (the former current is archived in the same transaction), and which one each organiser
works on."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext as _
from sqlalchemy import select, update

from eventday import audit, mail_texts
from eventday.accounts.models import User
from eventday.database import write_transaction
from eventday.domain import DomainError, Violation
from eventday.editions import identity
from eventday.extensions import db
from eventday.programme import rules
from eventday.programme.models import Edition, EditionState, programme_sessions
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


def create_edition(draft: EditionDraft, state: str = EditionState.CURRENT) -> Edition:
    """Create an edition (refusing a slug already used); a current one archives the former."""
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
        if state == EditionState.CURRENT:
            session.execute(
                update(Edition).where(Edition.is_current).values(state=EditionState.ARCHIVED)
            )
        edition = Edition(**dataclasses.asdict(draft), state=state)
        session.add(edition)
    return edition


def copy_edition(
    source_id: int,
    name: str,
    slug: str,
    start_date: dt.date,
    leave_out: Collection[int] = (),
) -> Edition:
    """A draft from last year's edition: rooms, tracks, speakers and sessions on the new day.

    Sessions keep their wall-clock times in the edition's time zone, whatever the
    daylight-saving rules of the new date; registrations stay with last year's edition,
    which goes on as the current one until the draft is published. Sessions in
    `leave_out` stay behind (last year's accepted talks, say).
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
        ),
        state=EditionState.DRAFT,
    )
    with write_transaction(copy.id):
        new = db.session.get_one(Edition, copy.id)
        new.mail_note_fr, new.mail_note_en = source.mail_note_fr, source.mail_note_en
        new.name_en, new.description_en = source.name_en, source.description_en
    rooms = {
        r.id: rules.add_room(copy.id, r.name, r.capacity, name_en=r.name_en).id
        for r in source.rooms
    }
    tracks = {
        t.id: rules.add_track(copy.id, t.name, t.colour, name_en=t.name_en).id
        for t in source.tracks
    }
    speakers = {
        s.id: rules.add_speaker(
            copy.id, s.name, s.affiliation, s.bio, email=s.email, bio_en=s.bio_en, photo=s.photo
        ).id
        for s in source.speakers
    }
    zone, days = source.zone, shift.days
    for session in programme_sessions(source_id):
        if session.is_cancelled or session.id in leave_out:
            continue

        def moved(moment: dt.datetime) -> dt.datetime:
            return rules.same_local_time(moment, zone, days)

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
                title_en=session.title_en,
                abstract_en=session.abstract_en,
            ),
        )
    return db.session.get_one(Edition, copy.id)


def next_edition(
    source_id: int,
    name: str,
    slug: str,
    start_date: dt.date,
    actor: int | None,
    leave_out: Collection[int] = (),
) -> Edition:
    """ "New edition from this one": the programme's shape (copy_edition), then each
    profile's quota and approval rule, the mails' own wording and the organisers' face
    (identity and sponsors), as last year."""
    new = copy_edition(source_id, name, slug, start_date, leave_out)
    capacity.carry_over(source_id, new.id, actor)
    mail_texts.copy_texts(source_id, new.id)
    identity.copy_identity(source_id, new.id)
    return new


class PublishRefused(DomainError):
    pass


def publish(edition_id: int, actor: int | None) -> Edition:
    """Make a draft the current edition; the current one is archived in the same transaction.

    From then on the unprefixed pages, registration, mails, the dashboard's default and the
    desk are the new edition's; last year's programme stays public under /editions/<slug>/.
    """
    with write_transaction(edition_id):
        edition = db.session.get_one(Edition, edition_id)
        if edition.state != EditionState.DRAFT:
            raise PublishRefused([Violation("", _("Only a draft can be published."))])
        former = db.session.scalars(select(Edition).where(Edition.is_current)).first()
        if former is not None:
            former.state = EditionState.ARCHIVED
            rules.raise_version(former.id)
            # The unique index on the current edition is checked row by row: archive first.
            db.session.flush()
        edition.state = EditionState.CURRENT
        rules.raise_version(edition.id)
        audit.record(
            edition.id,
            actor,
            "publish",
            None,
            {"edition": [former.name if former else None, edition.name]},
        )
    return edition


def published_editions() -> list[Edition]:
    """The current and archived editions, newest first (what /editions/ lists)."""
    return list(
        db.session.scalars(
            select(Edition)
            .where(Edition.state != EditionState.DRAFT)
            .order_by(Edition.start_date.desc(), Edition.id.desc())
        )
    )


def all_editions() -> list[Edition]:
    """Every edition, drafts first then newest first: what organisers may choose to work on."""
    return sorted(
        db.session.scalars(select(Edition)),
        key=lambda e: (e.state != EditionState.DRAFT, -e.start_date.toordinal(), -e.id),
    )


def working_edition(chosen_id: int | None) -> Edition | None:
    """The edition an organiser works on: the one they chose, else the current one, else the
    newest (a site whose only edition is a draft)."""
    if chosen_id is not None:
        chosen = db.session.get(Edition, chosen_id)
        if chosen is not None:
            return chosen
    current = db.session.scalars(select(Edition).where(Edition.is_current)).first()
    if current is not None:
        return current
    editions = all_editions()
    return editions[0] if editions else None


def choose_working_edition(user: User, edition_id: int) -> Edition:
    """Remember which edition `user` works on (every organiser page then acts on it)."""
    edition = db.session.get(Edition, edition_id)
    if edition is None:
        raise LookupError(f"no edition {edition_id}")
    user.working_edition_id = edition.id
    db.session.commit()
    return edition
