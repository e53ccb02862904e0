"""Every abstracts view module, imported so its routes join the blueprints."""

from __future__ import annotations

from flask import Flask

from eventday.abstracts import (  # noqa: F401  (each adds its routes)
    book_views,
    call_views,
    committee_views,
    decision_views,
    poster_views,
    prize_views,
    public_views,
    review_views,
)
from eventday.abstracts.blueprints import admin, public, review


def register(app: Flask) -> None:
    app.before_request_funcs.setdefault(None, []).insert(0, public_views.room_for_a_poster)
    app.register_blueprint(public)
    app.register_blueprint(admin)
    app.register_blueprint(review)
    init_templates(app)


def init_templates(app: Flask) -> None:
    """What the abstracts' templates use: labels in words, the safe text, the authors."""
    import datetime as dt

    from eventday.abstracts import markup, people, prize
    from eventday.abstracts.labels import abstract_status, presentation_label

    app.add_template_global(dt.timedelta, "timedelta")
    app.add_template_global(markup.render, "render_abstract")
    app.add_template_global(markup.inline, "title_html")
    app.add_template_global(markup.plain, "plain_text")
    app.add_template_global(people.authors_with_affiliations, "authors_with_affiliations")
    app.add_template_global(abstract_status, "abstract_status")
    app.add_template_global(prize.vote_is_open, "poster_vote_open")
    app.add_template_filter(presentation_label, "presentation_label")
    app.add_template_filter(score, "score")


def score(value: float | None) -> str:
    """A mean or a spread of scores, two decimals, written the reader's way (3,25 in French)."""
    from babel.numbers import format_decimal
    from flask_babel import get_locale

    if value is None:
        return "—"
    return format_decimal(round(value, 2), format="0.00", locale=str(get_locale()))
