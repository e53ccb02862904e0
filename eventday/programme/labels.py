"""Words for the programme's codes, in the page's language."""

from flask_babel import lazy_gettext as _l

from eventday.programme.models import SessionKind

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
