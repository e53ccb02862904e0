"""The scheduling rules: the only way sessions, rooms, tracks and speakers are written.

A session is saved only when its end is after its start, it lies within the
edition's days (in the edition's time zone), its room is free, none of its
speakers is elsewhere at the same time, a workshop's seats fit its room, and
no plenary shares its time with another session for everyone (a plenary, a
round table, a break, a meal: see `models.FOR_EVERYONE`). Touching intervals
(10:00-10:30 then 10:30-11:00) do not clash. Cancelled sessions occupy
nothing. Every check and write runs inside one `write_transaction`, so two
organisers saving at once cannot both take the same room: the second sees the
first's session and is told so.

Every change raises the edition's `programme_version` in the same transaction,
which tells the caches of the public programme to rebuild. A change of time,
room or title (or a cancellation) raises the session's SEQUENCE, which tells
calendar programs to update the event they already hold. An organiser's change
(`actor`) is written in the history in that transaction too.

checks.py holds what a draft must satisfy, sessions.py and places.py the
writes (sessions; rooms, tracks and speakers), days.py moving a whole edition to
other days, traces.py what each write leaves.
"""

from eventday.domain import Violation
from eventday.programme.rules.checks import ScheduleError, SessionDraft, check_session
from eventday.programme.rules.days import move_sessions, same_local_time, sessions_outside
from eventday.programme.rules.places import (
    add_room,
    add_speaker,
    add_track,
    delete_room,
    delete_speaker,
    delete_track,
    update_room,
    update_speaker,
    update_track,
)
from eventday.programme.rules.sessions import cancel_session, delete_session, save_session
from eventday.programme.rules.traces import ArchivedProgramme, raise_version, touch_programme

__all__ = [
    "ArchivedProgramme",
    "ScheduleError",
    "SessionDraft",
    "Violation",
    "add_room",
    "add_speaker",
    "add_track",
    "cancel_session",
    "check_session",
    "delete_room",
    "delete_session",
    "delete_speaker",
    "delete_track",
    "move_sessions",
    "same_local_time",
    "sessions_outside",
    "save_session",
    "raise_version",
    "touch_programme",
    "update_room",
    "update_speaker",
    "update_track",
]
