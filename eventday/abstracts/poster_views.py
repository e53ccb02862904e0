"""The public list of accepted posters (/posters), once the decisions are published."""

from __future__ import annotations

from flask import abort, render_template

from eventday.abstracts import decisions, placement
from eventday.abstracts.blueprints import public
from eventday.abstracts.call import call_of
from eventday.programme.models import edition_or_404


@public.get("/posters")
def posters() -> str:
    """The current edition's accepted posters by topic; 404 until the decisions are out."""
    edition = edition_or_404()
    call = call_of(edition.id)
    if not decisions.is_released(call):
        abort(404)
    return render_template(
        "abstracts/posters/index.html",
        edition=edition,
        topics=placement.posters_by_topic(edition.id),
    )
