"""The door's statements, built once on the columns they need (a scan's cost is mostly what it
asks the database); each reads or writes a whole batch of scans through expanding IN lists."""

from __future__ import annotations

from sqlalchemy import bindparam, func, select

from eventday.checkin.models import CheckinScan, SessionAttendance
from eventday.programme.models import Room, Session
from eventday.registration.models import Registration, registration_workshops

_registrations = Registration.__table__
_scans = CheckinScan.__table__
_sessions_table = Session.__table__
_attendance = SessionAttendance.__table__
FIND_PEOPLE = select(
    _registrations.c.id,
    _registrations.c.reference,
    _registrations.c.first_name,
    _registrations.c.last_name,
    _registrations.c.organisation,
    _registrations.c.stakeholder_type,
).where(
    _registrations.c.edition_id == bindparam("edition_id"),
    _registrations.c.reference.in_(bindparam("references", expanding=True)),
)
WORKSHOPS = (
    select(registration_workshops.c.registration_id, _sessions_table.c.id, _sessions_table.c.title)
    .join(registration_workshops, registration_workshops.c.session_id == _sessions_table.c.id)
    .where(registration_workshops.c.registration_id.in_(bindparam("ids", expanding=True)))
    .order_by(_sessions_table.c.starts_at)
)
FIND_SESSIONS = (
    select(
        _sessions_table.c.id,
        _sessions_table.c.title,
        _sessions_table.c.kind,
        _sessions_table.c.status,
        func.coalesce(_sessions_table.c.capacity, Room.__table__.c.capacity).label("seats"),
    )
    .outerjoin(Room.__table__, Room.__table__.c.id == _sessions_table.c.room_id)
    .where(
        _sessions_table.c.edition_id == bindparam("edition_id"),
        _sessions_table.c.id.in_(bindparam("ids", expanding=True)),
    )
)
EARLIER = select(_scans.c.nonce, _scans.c.answer).where(
    _scans.c.edition_id == bindparam("edition_id"),
    _scans.c.nonce.in_(bindparam("nonces", expanding=True)),
)
STATE = select(
    _registrations.c.id,
    _registrations.c.status,
    _registrations.c.checked_in_at,
    _registrations.c.checked_in_desk,
).where(_registrations.c.id.in_(bindparam("ids", expanding=True)))
ATTENDED = select(_attendance).where(
    _attendance.c.registration_id.in_(bindparam("ids", expanding=True)),
    _attendance.c.session_id.in_(bindparam("sessions", expanding=True)),
)
FILL = (
    select(_attendance.c.session_id, func.count())
    .where(_attendance.c.session_id.in_(bindparam("sessions", expanding=True)))
    .group_by(_attendance.c.session_id)
)
CHECK_IN = (
    _registrations.update()
    .where(_registrations.c.id == bindparam("registration_id"))
    .values(checked_in_at=bindparam("at"), checked_in_desk=bindparam("desk"))
)
ATTEND = _attendance.insert()
LOG_SCAN = _scans.insert()
