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


# The call's stored field names, as the history shows them (eventday.admin.history).
FIELD_LABELS = {
    "abstract": _l("Abstract"),
    "title": _l("Title"),
    "body": _l("Text"),
    "topic": _l("Topic"),
    "keywords": _l("Keywords"),
    "presentation": _l("Presentation wished"),
    "authors": _l("Authors"),
    "opens_at": _l("Opening"),
    "closes_at": _l("Deadline"),
    "word_limit": _l("Words at most"),
    "poster_upload": _l("Poster PDF allowed"),
    "presentations": _l("Presentations offered"),
    "text_fr": _l("The call's text, in French"),
    "text_en": _l("The call's text, in English"),
    "blind": _l("Blind review"),
    "decision": _l("Decision"),
    "released": _l("Decisions sent"),
    "boards": _l("Poster boards"),
    "vote_open": _l("Vote open"),
    "weight": _l("Weight"),
}
# Fields whose values are one of the call's words.
VALUE_LABELS = {"decision": DECISION_LABELS, "presentation": PRESENTATION_LABELS}
