"""Next year's edition, with its call: the programme's shape as editions.lifecycle copies it,
without this year's accepted talks, and the call's settings and criteria ready to open.

The new call is closed until the organisers open it: its window moves by as many days as
the day itself; nothing of this year's submissions, reviews, decisions or votes follows.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from eventday.abstracts.call import call_of
from eventday.abstracts.models import Abstract, Call, Criterion
from eventday.database import write_transaction
from eventday.editions import lifecycle
from eventday.extensions import db
from eventday.programme.models import Edition


def next_edition(
    source_id: int, name: str, slug: str, start_date: dt.date, actor: int | None
) -> Edition:
    """lifecycle.next_edition, this year's talks from abstracts left out, the call carried."""
    talks = set(
        db.session.scalars(
            select(Abstract.session_id).where(
                Abstract.edition_id == source_id, Abstract.session_id.is_not(None)
            )
        )
    )
    source_start = db.session.get_one(Edition, source_id).start_date
    new = lifecycle.next_edition(source_id, name, slug, start_date, actor, leave_out=talks)
    copy_call(source_id, new.id, start_date - source_start)
    return new


def copy_call(source_id: int, target_id: int, shift: dt.timedelta) -> None:
    source = call_of(source_id)
    criteria = db.session.scalars(
        select(Criterion).where(Criterion.edition_id == source_id).order_by(Criterion.position)
    ).all()
    if source is None and not criteria:
        return
    with write_transaction(target_id):
        if source is not None:
            db.session.add(
                Call(
                    edition_id=target_id,
                    opens_at=source.opens_at + shift if source.opens_at else None,
                    closes_at=source.closes_at + shift if source.closes_at else None,
                    word_limit=source.word_limit,
                    poster_upload=source.poster_upload,
                    presentations=source.presentations,
                    text_fr=source.text_fr,
                    text_en=source.text_en,
                    blind=source.blind,
                )
            )
        for criterion in criteria:
            db.session.add(
                Criterion(
                    edition_id=target_id,
                    name=criterion.name,
                    name_en=criterion.name_en,
                    weight=criterion.weight,
                    position=criterion.position,
                )
            )
