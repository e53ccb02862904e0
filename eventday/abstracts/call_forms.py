"""The organisers' form for the call's settings."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, TextAreaField, TimeField
from wtforms.validators import InputRequired, NumberRange, Optional

from eventday.abstracts.call import WORD_LIMIT_MAX, CallSettings, end_of_day
from eventday.abstracts.labels import PRESENTATION_LABELS
from eventday.forms import MultiCheckboxField, PostedForm
from eventday.programme.models import Edition
from eventday.validation import CleanText, choices


class CallForm(PostedForm):
    opens_day = DateField(_l("The call opens on"), validators=[Optional()])
    opens_time = TimeField(_l("at"), validators=[Optional()])
    closes_day = DateField(_l("Deadline: the last day"), validators=[Optional()])
    closes_time = TimeField(_l("at (empty: to the end of that day)"), validators=[Optional()])
    word_limit = IntegerField(
        _l("Words at most in an abstract"),
        validators=[InputRequired(), NumberRange(min=1, max=WORD_LIMIT_MAX)],
    )
    presentations = MultiCheckboxField(
        _l("Presentations offered"), choices=choices(PRESENTATION_LABELS.items())
    )
    poster_upload = BooleanField(_l("Authors may add their poster as a PDF"))
    blind = BooleanField(_l("Blind review: reviewers do not see the authors"))
    text_fr = TextAreaField(
        _l("The call's text, in French"), validators=[Optional(), CleanText(5000, multiline=True)]
    )
    text_en = TextAreaField(
        _l("The call's text, in English (optional)"),
        validators=[Optional(), CleanText(5000, multiline=True)],
    )

    def fill(self, edition: Edition, settings: CallSettings) -> None:
        self.word_limit.data = settings.word_limit
        self.presentations.data = settings.presentations
        self.poster_upload.data = settings.poster_upload
        self.blind.data = settings.blind
        self.text_fr.data = settings.text_fr
        self.text_en.data = settings.text_en
        if settings.opens_at:
            local = edition.local(settings.opens_at)
            self.opens_day.data, self.opens_time.data = local.date(), local.time()
        if settings.closes_at:
            local = edition.local(settings.closes_at)
            if local.time() == dt.time(0):
                self.closes_day.data = local.date() - dt.timedelta(days=1)
            else:
                self.closes_day.data, self.closes_time.data = local.date(), local.time()

    def settings(self, edition: Edition) -> CallSettings:
        opens = None
        if self.opens_day.data:
            clock = self.opens_time.data or dt.time(0)
            opens = dt.datetime.combine(self.opens_day.data, clock, tzinfo=edition.zone)
        closes = None
        if self.closes_day.data:
            if self.closes_time.data:
                closes = dt.datetime.combine(
                    self.closes_day.data, self.closes_time.data, tzinfo=edition.zone
                )
            else:
                closes = end_of_day(edition, self.closes_day.data)
        return CallSettings(
            opens_at=opens,
            closes_at=closes,
            word_limit=self.word_limit.data or 0,
            poster_upload=bool(self.poster_upload.data),
            presentations=list(self.presentations.data or []),
            text_fr=self.text_fr.data or "",
            text_en=self.text_en.data or "",
            blind=bool(self.blind.data),
        )
