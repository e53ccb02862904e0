"""The call's values in words, as authors and organisers read them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from eventday.abstracts.models import Abstract, Call

PRESENTATION_LABELS = {
    "poster": _l("A poster"),
    "oral": _l("A short talk"),
    "either": _l("Either, as the committee prefers"),
}
DECISION_LABELS = {
    "poster": _l("Accepted as a poster"),
    "oral": _l("Accepted as a short talk"),
    "rejected": _l("Not accepted"),
}
RECOMMENDATION_LABELS = {
    "poster": _l("Accept as a poster"),
    "oral": _l("Accept as a short talk"),
    "reject": _l("Reject"),
}


def presentation_label(value: str) -> str:
    return str(PRESENTATION_LABELS.get(value, value))


def abstract_status(abstract: Abstract, call: Call) -> str:
    """The status an author reads: withdrawn, the released decision, or received."""
    if abstract.is_withdrawn:
        return str(_l("Withdrawn"))
    if abstract.released_decision:
        return str(DECISION_LABELS[abstract.released_decision])
    if call.state() == "open":
        return str(_l("Received"))
    return str(_l("Being reviewed"))
