"""What an attendee downloads or receives: the badge, the personal agenda, the QR code."""

from __future__ import annotations

from flask_babel import force_locale

from eventday.badges.pdf import Badge, badge_pdf
from eventday.badges.qr import qr_svg
from eventday.editions.identity import badge_logo
from eventday.i18n import localised
from eventday.programme import calendar
from eventday.programme.models import Session, SessionKind, programme_sessions
from eventday.registration.labels import ROLE_LABELS, stakeholder_label
from eventday.registration.models import Registration
from eventday.registration.tokens import checkin_code
from eventday.urls import public_base_url, session_url


def badge_of(registration: Registration, language: str | None = None) -> Badge:
    """The badge's content, the type in `language`: by default the attendee's own (their badge
    from their page); organisers print in theirs, so a sheet never mixes languages."""
    with force_locale(language or registration.language):
        role_label = ROLE_LABELS.get(registration.role)
        type_label = (
            str(role_label) if role_label else stakeholder_label(registration.stakeholder_type)
        )
    return Badge(
        first_name=registration.first_name,
        last_name=registration.last_name,
        organisation=registration.organisation,
        stakeholder_type=registration.stakeholder_type,
        type_label=type_label,
        edition_name=registration.edition.name,
        qr_data=checkin_code(registration.edition_id, registration.reference),
        reference=registration.reference,
        role=registration.role,
    )


def badge_file(registration: Registration, language: str | None = None) -> bytes:
    return badge_pdf(
        badge_of(registration, language),
        created_at=registration.updated_at,
        logo=badge_logo(registration.edition_id),
    )


def qr_code_svg(registration: Registration, title: str) -> str:
    return qr_svg(checkin_code(registration.edition_id, registration.reference), title)


def agenda_sessions(registration: Registration) -> list[Session]:
    """The sessions for everyone, and the attendee's own workshops and (for a speaker) the
    sessions they speak in once their seat is confirmed; while one of their own runs, they
    are there, not at what overlaps it."""
    own = (
        {w.id for w in registration.workshops} | {s.id for s in spoken_sessions(registration)}
        if registration.is_confirmed
        else set()
    )
    sessions = programme_sessions(registration.edition_id)
    attending = [s for s in sessions if s.id in own and not s.is_cancelled]
    return [
        session
        for session in sessions
        if session.id in own
        or (
            session.kind != SessionKind.WORKSHOP
            and not any(session.overlaps(workshop) for workshop in attending)
        )
    ]


def spoken_sessions(registration: Registration) -> list[Session]:
    """The sessions of the programme's speaker(s) this registration is linked to, in time order."""
    spoken = {s.id: s for speaker in registration.speakers for s in speaker.sessions}
    return sorted(spoken.values(), key=lambda s: (s.starts_at, s.id))


def agenda_file(registration: Registration) -> bytes:
    """The personal agenda: same UIDs and SEQUENCE as /programme.ics, so it follows changes;
    in the language the attendee registered in."""
    edition = registration.edition
    return calendar.build_calendar(
        edition,
        agenda_sessions(registration),
        name=localised(edition, "name", registration.language),
        base_url=public_base_url(),
        session_url=session_url,
        language=registration.language,
    )
