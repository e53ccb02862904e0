"""Words for the programme's codes, in the page's language."""

from flask_babel import lazy_gettext as _l

from eventday.programme.models import EditionState, SessionKind

KIND_LABELS = {
    SessionKind.PLENARY: _l("Plenary lecture"),
    SessionKind.TALK: _l("Talk"),
    SessionKind.WORKSHOP: _l("Workshop"),
    SessionKind.ROUND_TABLE: _l("Round table"),
    SessionKind.POSTER: _l("Posters"),
    SessionKind.BREAK: _l("Break"),
    SessionKind.MEAL: _l("Meal"),
}


def kind_label(kind: str) -> str:
    label = KIND_LABELS.get(kind)
    return str(label) if label is not None else kind


# What the history records of a session, a room, a track or a speaker (rules/), in words.
FACT_LABELS = {
    "title": _l("Title"),
    "kind": _l("Kind"),
    "time": _l("Time"),
    "room": _l("Room"),
    "track": _l("Track"),
    "speakers": _l("Speakers"),
    "seats": _l("Seats"),
    "abstract": _l("Abstract"),
    "name": _l("Name"),
    "capacity": _l("Seats"),
    "colour": _l("Colour"),
    "affiliation": _l("Affiliation"),
    "bio": _l("Short biography"),
}


EDITION_STATE_LABELS = {
    EditionState.DRAFT: _l("draft"),
    EditionState.CURRENT: _l("current edition"),
    EditionState.ARCHIVED: _l("archived"),
}


def edition_state_label(state: str) -> str:
    label = EDITION_STATE_LABELS.get(state)
    return str(label) if label is not None else state
