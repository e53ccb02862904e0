"""What a desk keeps to decide on its own when the network is gone, and what it learns back.

The roster names each registration of the edition by a digest of its badge's
code (SHA-256, hex), never the code itself: a copy taken from a desk's
browser cannot be turned into badges. A desk hashes what it scans and looks
the digest up; a forged or altered code has no entry, so it is still refused.
For each: the name, the profile, the organisation, the status, the
workshops enrolled in, the day's arrival and the sessions attended — what
the desk shows and decides on, nothing more. The desk refreshes it while
online, sending the ETag it holds (a digest of the roster's bytes): an
unchanged roster costs a 304.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from typing import Any

from sqlalchemy import func, select

from eventday.checkin.models import CheckinScan, SessionAttendance
from eventday.extensions import db
from eventday.programme.models import Room, Session, SessionKind, SessionStatus
from eventday.registration.labels import stakeholder_label
from eventday.registration.models import Registration, registration_workshops
from eventday.registration.tokens import CODE_PATTERN, checkin_code

# The double admissions a desk and the dashboard list, newest first.
MAX_ADMITTED_TWICE = 200


def code_key(code: str) -> str:
    """The roster's name for a badge's code, as the desk's script computes it too."""
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def roster(edition_id: int) -> dict[str, Any]:
    """The edition's roster (registrations by code digest), its sessions and double admissions."""
    workshops: dict[int, list[int]] = defaultdict(list)
    for registration_id, session_id in db.session.execute(
        select(registration_workshops.c.registration_id, registration_workshops.c.session_id)
        .join(Registration, Registration.id == registration_workshops.c.registration_id)
        .where(Registration.edition_id == edition_id)
    ):
        workshops[registration_id].append(session_id)
    attended: dict[int, list[int]] = defaultdict(list)
    for registration_id, session_id in db.session.execute(
        select(SessionAttendance.registration_id, SessionAttendance.session_id)
        .join(Registration, Registration.id == SessionAttendance.registration_id)
        .where(Registration.edition_id == edition_id)
    ):
        attended[registration_id].append(session_id)
    people = db.session.execute(
        select(
            Registration.id,
            Registration.reference,
            Registration.first_name,
            Registration.last_name,
            Registration.organisation,
            Registration.stakeholder_type,
            Registration.status,
            Registration.checked_in_at,
            Registration.checked_in_desk,
        )
        .where(Registration.edition_id == edition_id)
        .order_by(Registration.id)
    )
    return {
        "edition": edition_id,
        "code_pattern": CODE_PATTERN.pattern,
        "attendees": [
            {
                "key": code_key(checkin_code(edition_id, p.reference)),
                "first_name": p.first_name,
                "last_name": p.last_name,
                "organisation": p.organisation,
                "stakeholder_label": stakeholder_label(p.stakeholder_type),
                "status": p.status,
                "workshops": workshops.get(p.id, []),
                "checked_in_at": p.checked_in_at.isoformat() if p.checked_in_at else None,
                "checked_in_desk": p.checked_in_desk,
                "attended": attended.get(p.id, []),
            }
            for p in people
        ],
        "sessions": [
            {**s, "starts_at": s["starts_at"].isoformat()} for s in door_sessions(edition_id)
        ],
        "admitted_twice": [
            {
                **twice,
                "admissions": [
                    {"desk": a["desk"], "at": a["at"].isoformat()} for a in twice["admissions"]
                ],
            }
            for twice in admitted_twice(edition_id)
        ],
    }


def roster_json(edition_id: int) -> tuple[bytes, str]:
    """The roster as the desk downloads it, and its ETag."""
    body = json.dumps(roster(edition_id), ensure_ascii=False, separators=(",", ":")).encode()
    return body, hashlib.sha256(body).hexdigest()[:32]


def door_sessions(edition_id: int) -> list[dict[str, Any]]:
    """The sessions a desk can stand at the door of (scheduled, not breaks or meals)."""
    fill = dict(
        db.session.execute(
            select(SessionAttendance.session_id, func.count())
            .join(Session, Session.id == SessionAttendance.session_id)
            .where(Session.edition_id == edition_id)
            .group_by(SessionAttendance.session_id)
        ).all()
    )
    rows = db.session.execute(
        select(
            Session.id,
            Session.title,
            Session.kind,
            Session.starts_at,
            func.coalesce(Session.capacity, Room.capacity).label("seats"),
        )
        .outerjoin(Room, Room.id == Session.room_id)
        .where(
            Session.edition_id == edition_id,
            Session.status == SessionStatus.SCHEDULED,
            Session.kind.not_in([SessionKind.BREAK, SessionKind.MEAL]),
        )
        .order_by(Session.starts_at, Session.title)
    )
    return [
        {
            "id": row.id,
            "title": row.title,
            "enrolment": row.kind == SessionKind.WORKSHOP,
            "starts_at": row.starts_at,
            "seats": row.seats,
            "attended": fill.get(row.id, 0),
        }
        for row in rows
    ]


def admitted_twice(edition_id: int) -> list[dict[str, Any]]:
    """Badges admitted at two desks while one was offline: who, and both desks and times."""
    rows = db.session.execute(
        select(CheckinScan.answer)
        .where(CheckinScan.edition_id == edition_id, CheckinScan.admitted_twice.is_(True))
        .order_by(CheckinScan.id.desc())
        .limit(MAX_ADMITTED_TWICE)
    )
    found = []
    for (answer,) in rows:
        told = json.loads(answer)
        person = told.get("attendee")
        if not person:  # erased since: nobody to name
            continue
        found.append(
            {
                "reference": person["reference"],
                "name": f"{person['first_name']} {person['last_name']}",
                "admissions": [
                    {"desk": a["desk"], "at": dt.datetime.fromisoformat(a["at"])}
                    for a in told.get("admitted_twice", [])
                ],
            }
        )
    return found
