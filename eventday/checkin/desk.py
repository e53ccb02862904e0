"""The door's rule: what a scanned badge gets, at the entrance or at a session's door.

How it holds with several desks: the scans of one request (one, or an
offline desk's whole queue) are decided inside one `write_transaction` (the
edition's write lock), on the registrations' state read after taking it, so
two desks scanning the same badge at the same moment get exactly one `ok`;
the other gets `already_checked_in` with the first time and desk. A desk that
retries after a network hiccup sends the same nonce and gets the first answer
again, kept in the scan log, instead of a false `already_checked_in`.

A desk that lost the network decided on its own and sends its queue later,
each scan with `at`, the time it was made. The server keeps the earliest
time: a badge admitted at two desks while they were offline is counted once,
at the earlier time, and the later scan to arrive is `already_checked_in`
marked `admitted_twice`, with both desks and times, which the desks and the
dashboard show. A desk's clock is trusted within `OFFLINE_WINDOW` before now
and never ahead of the server's; outside that, the scan counts at the time it
arrives.

Every scan is logged, failed ones too; one that matched no registration
without the code: what was typed (an altered reference, a name) would stay,
tied to nobody who could have it erased. Its answer names nobody, and is all
a retry needs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import Row

from eventday import audit
from eventday.checkin import statements
from eventday.checkin.models import (
    MAX_CODE,
    MAX_DESK,
    MAX_NONCE,
    ScanResult,
)
from eventday.database import utcnow, write_transaction
from eventday.extensions import db
from eventday.programme.models import Edition, SessionKind, SessionStatus
from eventday.registration.labels import stakeholder_label
from eventday.registration.models import RegistrationStatus
from eventday.registration.tokens import read_checkin_code
from eventday.validation import without_controls

# How far back an offline desk's own time is believed (an hour offline is the case to hold).
OFFLINE_WINDOW = dt.timedelta(hours=36)
# The most scans one sync takes: a desk that queued more sends them in several.
MAX_SYNC = 2000


@dataclasses.dataclass(frozen=True)
class Scan:
    """One scan as a desk sends it. `at`: when an offline desk made it; `session_id`: the
    session whose door it is; `override`: an organiser admits someone not enrolled."""

    code: str
    desk: str = ""
    nonce: str | None = None
    at: dt.datetime | None = None
    session_id: int | None = None
    override: bool = False


def scan(edition_id: int, request: Scan, user_id: int | None, may_override: bool = False) -> dict:
    """Check in the holder of `request.code`; the answer of CONTRACT.md's scan endpoint."""
    return scan_all(edition_id, [request], user_id, may_override)[0]


def scan_all(
    edition_id: int, requests: Sequence[Scan], user_id: int | None, may_override: bool = False
) -> list[dict[str, Any]]:
    """Decide every scan in order, in one transaction; one answer per scan.

    Who the codes name is read before the lock (it does not change at the
    door); their state, the earlier answers and the sessions' fill under it.
    Each statement reads or writes every scan of the batch at once: 500 queued
    scans cost about what one does.
    """
    now = utcnow()
    scans = [_cleaned(r, now, may_override) for r in requests[:MAX_SYNC]]
    references = {s.code: read_checkin_code(s.code, edition_id) for s in scans}
    people = _people(edition_id, {r for r in references.values() if r is not None})
    sessions = _sessions(edition_id, {s.session_id for s in scans if s.session_id is not None})
    zone = db.session.get_one(Edition, edition_id).zone
    with write_transaction(edition_id):
        door = _Door(edition_id, zone, people, sessions, now)
        door.read_state(scans)
        answers = [door.decide(s, references[s.code]) for s in scans]
        door.write(user_id)
    return answers


def _cleaned(request: Scan, now: dt.datetime, may_override: bool) -> Scan:
    at = request.at
    if at is not None and (at.tzinfo is None or not now - OFFLINE_WINDOW <= at <= now):
        at = now  # a desk's clock that cannot be right: the scan counts when it arrives
    return Scan(
        code=without_controls(request.code).strip()[:MAX_CODE],
        desk=without_controls(request.desk).strip()[:MAX_DESK],
        nonce=without_controls(request.nonce or "").strip()[:MAX_NONCE] or None,
        at=at,
        session_id=request.session_id,
        override=request.override and may_override,
    )


@dataclasses.dataclass(frozen=True)
class _Person:
    row: Row[Any]
    workshops: dict[int, str]


def _people(edition_id: int, references: set[str]) -> dict[str, _Person]:
    if not references:
        return {}
    rows = db.session.execute(
        statements.FIND_PEOPLE, {"edition_id": edition_id, "references": list(references)}
    ).all()
    workshops: dict[int, dict[int, str]] = {row.id: {} for row in rows}
    if rows:
        for registration_id, session_id, title in db.session.execute(
            statements.WORKSHOPS, {"ids": list(workshops)}
        ):
            workshops[registration_id][session_id] = title
    return {row.reference: _Person(row, workshops[row.id]) for row in rows}


def _sessions(edition_id: int, ids: set[int]) -> dict[int, Row[Any]]:
    if not ids:
        return {}
    rows = db.session.execute(
        statements.FIND_SESSIONS, {"edition_id": edition_id, "ids": list(ids)}
    )
    return {row.id: row for row in rows}


class _Door:
    """The door's state for one batch: read once under the lock, changed scan by scan in
    memory (a later scan of the batch sees an earlier one), written once at the end."""

    def __init__(
        self,
        edition_id: int,
        zone: ZoneInfo,
        people: dict[str, _Person],
        sessions: dict[int, Row[Any]],
        now: dt.datetime,
    ) -> None:
        self.edition_id, self.zone, self.people, self.sessions, self.now = (
            edition_id,
            zone,
            people,
            sessions,
            now,
        )
        self.earlier: dict[str, str] = {}
        self.state: dict[int, list[Any]] = {}
        self.attended: dict[tuple[int, int], tuple[dt.datetime, str]] = {}
        self.fill: dict[int, int] = {}
        self.arrivals: dict[int, tuple[dt.datetime, str]] = {}
        self.attendances: list[dict[str, Any]] = []
        self.history: list[tuple[str, int, dict]] = []
        self.log: list[dict[str, Any]] = []

    def read_state(self, scans: list[Scan]) -> None:
        nonces = [s.nonce for s in scans if s.nonce is not None]
        if nonces:
            self.earlier = dict(
                db.session.execute(
                    statements.EARLIER, {"edition_id": self.edition_id, "nonces": nonces}
                ).all()
            )
        ids = [p.row.id for p in self.people.values()]
        if ids:
            self.state = {
                row.id: [row.status, row.checked_in_at, row.checked_in_desk]
                for row in db.session.execute(statements.STATE, {"ids": ids})
            }
        if self.sessions and ids:
            self.attended = {
                (row.registration_id, row.session_id): (row.attended_at, row.desk)
                for row in db.session.execute(
                    statements.ATTENDED, {"ids": ids, "sessions": list(self.sessions)}
                )
            }
        if self.sessions:
            self.fill = dict(
                db.session.execute(statements.FILL, {"sessions": list(self.sessions)}).all()
            )

    def decide(self, scan: Scan, reference: str | None) -> dict[str, Any]:
        if scan.nonce is not None and scan.nonce in self.earlier:
            earlier = json.loads(self.earlier[scan.nonce])
            # An answer erased with its attendee ("{}"): the code names nobody any more.
            return earlier if "result" in earlier else _invalid()
        person = self.people.get(reference) if reference is not None else None
        if person is not None and person.row.id not in self.state:
            person = None  # erased by its attendee since it was looked up: the code is invalid
        if scan.session_id is not None:
            answer, twice = self._session_door(scan, person), False
        else:
            answer, twice = self._entrance(scan, person)
        logged = json.dumps(answer, ensure_ascii=False)
        if scan.nonce is not None:
            self.earlier[scan.nonce] = logged
        self.log.append(
            {
                "edition_id": self.edition_id,
                "registration_id": person.row.id if person is not None else None,
                "code": scan.code if person is not None else "",
                "desk": scan.desk,
                "nonce": scan.nonce,
                "result": answer["result"],
                "answer": logged,
                "created_at": self.now,
                "scanned_at": scan.at,
                "session_id": scan.session_id if scan.session_id in self.sessions else None,
                "admitted_twice": twice,
            }
        )
        return answer

    def _refusal(self, person: _Person | None) -> dict[str, Any] | None:
        if person is None:
            return _invalid()
        status = self.state[person.row.id][0]
        if status == RegistrationStatus.CANCELLED:
            return _answer(
                ScanResult.CANCELLED, _("This registration was cancelled."), self, person
            )
        if status != RegistrationStatus.CONFIRMED:
            return _answer(
                ScanResult.NOT_CONFIRMED,
                _("This registration is not confirmed (waiting list or approval)."),
                self,
                person,
            )
        return None

    def _entrance(self, scan: Scan, person: _Person | None) -> tuple[dict[str, Any], bool]:
        refusal = self._refusal(person)
        if refusal is not None:
            return refusal, False
        state = self.state[person.row.id]
        first_at, first_desk = state[1], state[2]
        if first_at is None:
            at = scan.at or self.now
            self._arrive(person.row.id, at, scan.desk)
            return _answer(ScanResult.OK, _("Welcome!"), self, person, at), False
        if scan.at is None or scan.desk == first_desk:
            # Online, or this desk's own copy was behind: an ordinary second scan (the
            # earliest time kept all the same).
            if scan.at is not None and scan.at < first_at:
                self._arrive(person.row.id, scan.at, scan.desk)
                first_at = scan.at
            message = _(
                "Already checked in at %(time)s, desk %(desk)s.",
                time=self._time(first_at),
                desk=first_desk or "—",
            )
            return _answer(ScanResult.ALREADY_CHECKED_IN, message, self, person, first_at), False
        # Admitted by this desk while offline, and by another one (or online) before it told us.
        admissions = sorted([(first_at, first_desk), (scan.at, scan.desk)])
        if scan.at < first_at:
            self._arrive(person.row.id, scan.at, scan.desk)
        message = _(
            "Admitted twice while a desk was offline: desk %(first_desk)s at %(first)s, "
            "desk %(second_desk)s at %(second)s.",
            first_desk=admissions[0][1] or "—",
            first=self._time(admissions[0][0]),
            second_desk=admissions[1][1] or "—",
            second=self._time(admissions[1][0]),
        )
        answer = _answer(ScanResult.ALREADY_CHECKED_IN, message, self, person, admissions[0][0])
        answer["admitted_twice"] = [{"desk": d, "at": a.isoformat()} for a, d in admissions]
        return answer, True

    def _arrive(self, registration_id: int, at: dt.datetime, desk: str) -> None:
        before, before_desk = self.state[registration_id][1:]
        self.state[registration_id][1:] = [at, desk]
        self.arrivals[registration_id] = (at, desk)
        self.history.append(
            (
                "checkin",
                registration_id,
                {
                    "checked_in_at": [before.isoformat() if before else None, at.isoformat()],
                    "desk": [before_desk or None, desk],
                },
            )
        )

    def _session_door(self, scan: Scan, person: _Person | None) -> dict[str, Any]:
        session = self.sessions.get(scan.session_id)
        if session is None or session.status == SessionStatus.CANCELLED:
            return _answer(
                ScanResult.INVALID, _("This session is not in the programme, or was cancelled.")
            )
        refusal = self._refusal(person)
        if refusal is not None:
            return _with_session(refusal, session, self.fill)
        key = (person.row.id, session.id)
        if key in self.attended:
            at, desk = self.attended[key]
            message = _(
                "Already came in at %(time)s, desk %(desk)s.", time=self._time(at), desk=desk or "—"
            )
            answer = _answer(ScanResult.ALREADY_CHECKED_IN, message, self, person, at)
            return _with_session(answer, session, self.fill)
        enrolled = session.kind != SessionKind.WORKSHOP or session.id in person.workshops
        if not enrolled and not scan.override:
            answer = _answer(
                ScanResult.NOT_ENROLLED,
                _("Not enrolled in this workshop: an organiser may let them in all the same."),
                self,
                person,
            )
            return _with_session(answer, session, self.fill)
        at = scan.at or self.now
        self.attended[key] = (at, scan.desk)
        self.fill[session.id] = self.fill.get(session.id, 0) + 1
        self.attendances.append(
            {
                "registration_id": person.row.id,
                "session_id": session.id,
                "attended_at": at,
                "desk": scan.desk,
                "overridden": not enrolled,
            }
        )
        self.history.append(("attend_session", person.row.id, {"session": [None, session.title]}))
        if self.state[person.row.id][1] is None:
            self._arrive(person.row.id, at, scan.desk)
        seats = session.seats
        if seats is not None and self.fill[session.id] > seats:
            message = _(
                "Welcome! The room is over its capacity: %(count)s for %(seats)s seats.",
                count=self.fill[session.id],
                seats=seats,
            )
        elif not enrolled:
            message = _("Welcome! Let in by an organiser, not enrolled.")
        else:
            message = _("Welcome!")
        return _with_session(_answer(ScanResult.OK, message, self, person, at), session, self.fill)

    def _time(self, moment: dt.datetime) -> str:
        return moment.astimezone(self.zone).strftime("%H:%M")

    def write(self, user_id: int | None) -> None:
        if self.arrivals:
            db.session.execute(
                statements.CHECK_IN,
                [
                    {"registration_id": i, "at": at, "desk": desk}
                    for i, (at, desk) in self.arrivals.items()
                ],
            )
        if self.attendances:
            db.session.execute(statements.ATTEND, self.attendances)
        audit.record_many(self.edition_id, user_id, self.history)
        for row in self.log:
            row["user_id"] = user_id
        if self.log:
            db.session.execute(statements.LOG_SCAN, self.log)


def _invalid() -> dict[str, Any]:
    return _answer(ScanResult.INVALID, _("Unknown or altered code: not a badge of this day."))


def _answer(
    result: ScanResult,
    message: str,
    door: _Door | None = None,
    person: _Person | None = None,
    checked_in_at: dt.datetime | None = None,
) -> dict[str, Any]:
    return {
        "result": result.value,
        "attendee": _attendee(person, door.state[person.row.id][0])
        if door is not None and person is not None
        else None,
        "checked_in_at": checked_in_at.isoformat() if checked_in_at else None,
        "message": message,
    }


def _attendee(person: _Person, status: str) -> dict[str, Any]:
    row = person.row
    confirmed = status == RegistrationStatus.CONFIRMED
    return {
        "reference": row.reference,
        "first_name": row.first_name,
        "last_name": row.last_name,
        "organisation": row.organisation,
        "stakeholder_type": row.stakeholder_type,
        "stakeholder_label": stakeholder_label(row.stakeholder_type),
        "status": status,
        "workshops": list(person.workshops.values()),
        "badge_url": url_for("registrations_admin.badge", registration_id=row.id)
        if confirmed
        else None,
        # Where the desk's "undo" button posts, should this check-in be a mistake.
        "undo_url": url_for("checkin.undo", registration_id=row.id) if confirmed else None,
    }


def _with_session(answer: dict[str, Any], session: Row[Any], fill: dict[int, int]) -> dict:
    answer["session"] = {
        "id": session.id,
        "title": session.title,
        "attended": fill.get(session.id, 0),
        "seats": session.seats,
    }
    return answer
