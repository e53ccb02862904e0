"""The programme editor's forms: a session, a room, a track, a speaker."""

from __future__ import annotations

import datetime as dt
import re

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField
from werkzeug.datastructures import FileStorage
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from eventday.forms import MultiCheckboxField, PostedForm, strip
from eventday.i18n import local_date
from eventday.programme.labels import KIND_LABELS
from eventday.programme.models import Edition
from eventday.programme.rules import SessionDraft
from eventday.urls import database_id
from eventday.validation import CleanText, EmailAddress, choices

CLOCK = re.compile(r"([01]?\d|2[0-3])[:hH.]([0-5]\d)")


def clock(form: PostedForm, field: StringField) -> None:
    """A field check: a time of day as HH:MM (9h30, 09.30 too)."""
    if field.data and not CLOCK.fullmatch(field.data.strip()):
        raise ValidationError(_l("Write the time as HH:MM, e.g. 09:30."))


def offer_place_and_time(form: PostedForm, edition: Edition) -> None:
    """A form's `day`, `room_id` and `track_id` choices: the edition's days, rooms, tracks."""
    days, day = [], edition.start_date
    while day <= edition.end_date:
        days.append((day.isoformat(), local_date(day)))
        day += dt.timedelta(days=1)
    form.day.choices = choices(days)
    form.room_id.choices = choices([("", "—")] + [(r.id, r.name) for r in edition.rooms])
    form.track_id.choices = choices([("", "—")] + [(t.id, t.name) for t in edition.tracks])


def at_clock(edition: Edition, day: dt.date, text: str) -> dt.datetime:
    """The instant of `day` at the time `text` (checked by `clock`) in the edition's zone."""
    hours, minutes = CLOCK.fullmatch(text.strip()).groups()
    return dt.datetime.combine(day, dt.time(int(hours), int(minutes)), tzinfo=edition.zone)


def optional_int(value: object) -> int | None:
    """A select's coerce: an id, or None for the empty choice (ValueError beyond an id's
    range, which WTForms shows as an invalid choice)."""
    return database_id(str(value)) if value not in (None, "", "None") else None


class SessionForm(PostedForm):
    title = StringField(
        _l("Title"),
        filters=[strip],
        validators=[InputRequired(_l("A session needs a title.")), CleanText(300)],
    )
    kind = SelectField(_l("Kind"), choices=choices(KIND_LABELS.items()))
    day = SelectField(_l("Day"))
    starts_at = StringField(
        _l("Starts at"), validators=[InputRequired(), clock], description="HH:MM"
    )
    ends_at = StringField(_l("Ends at"), validators=[InputRequired(), clock], description="HH:MM")
    room_id = SelectField(_l("Room"), coerce=optional_int, validate_choice=False)
    track_id = SelectField(_l("Track"), coerce=optional_int, validate_choice=False)
    speaker_ids = MultiCheckboxField(_l("Speakers"), coerce=int, validate_choice=False)
    capacity = IntegerField(
        _l("Seats (workshops; empty: the room's)"),
        validators=[Optional(), NumberRange(min=0, max=100_000)],
    )
    abstract = TextAreaField(
        _l("Abstract"), validators=[Optional(), CleanText(10_000, multiline=True)]
    )
    title_en = StringField(
        _l("Title in English (optional)"), filters=[strip], validators=[Optional(), CleanText(300)]
    )
    abstract_en = TextAreaField(
        _l("Abstract in English (optional)"),
        validators=[Optional(), CleanText(10_000, multiline=True)],
    )

    def offer(self, edition: Edition) -> None:
        """The choices of this edition: its days, rooms, tracks and speakers."""
        offer_place_and_time(self, edition)
        self.speaker_ids.choices = choices(
            (s.id, f"{s.name} ({s.affiliation})" if s.affiliation else s.name)
            for s in edition.speakers
        )

    def draft(self, edition: Edition) -> SessionDraft:
        day = dt.date.fromisoformat(self.day.data)

        def at(text: str) -> dt.datetime:
            return at_clock(edition, day, text)

        return SessionDraft(
            title=self.title.data or "",
            kind=self.kind.data,
            starts_at=at(self.starts_at.data),
            ends_at=at(self.ends_at.data),
            room_id=self.room_id.data,
            track_id=self.track_id.data,
            speaker_ids=tuple(self.speaker_ids.data or ()),
            capacity=self.capacity.data,
            abstract=self.abstract.data or "",
            title_en=self.title_en.data or "",
            abstract_en=self.abstract_en.data or "",
        )


class RoomForm(PostedForm):
    name = StringField(_l("Name"), filters=[strip], validators=[InputRequired(), CleanText(120)])
    name_en = StringField(
        _l("Name in English (optional)"), filters=[strip], validators=[Optional(), CleanText(120)]
    )
    capacity = IntegerField(_l("Seats"), validators=[Optional(), NumberRange(min=0, max=100_000)])


class TrackForm(PostedForm):
    name = StringField(_l("Name"), filters=[strip], validators=[InputRequired(), CleanText(120)])
    name_en = StringField(
        _l("Name in English (optional)"), filters=[strip], validators=[Optional(), CleanText(120)]
    )
    colour = StringField(
        _l("Colour (#RRGGBB)"), default="#4a5568", validators=[InputRequired(), CleanText(7)]
    )


class SpeakerForm(PostedForm):
    name = StringField(_l("Name"), filters=[strip], validators=[InputRequired(), CleanText(200)])
    affiliation = StringField(
        _l("Affiliation"), filters=[strip], validators=[Optional(), CleanText(300)]
    )
    bio = TextAreaField(
        _l("Short biography"), validators=[Optional(), CleanText(2000, multiline=True)]
    )
    bio_en = TextAreaField(
        _l("Short biography in English"),
        validators=[Optional(), CleanText(2000, multiline=True)],
    )
    email = StringField(
        _l("E-mail (never shown to the public)"),
        filters=[strip],
        validators=[Optional(), CleanText(254), EmailAddress()],
    )
    photo = FileField(
        _l("Photo"),
        description=_l("A PNG, JPEG or WebP image; a new one replaces the old."),
        validators=[
            FileAllowed(["png", "jpg", "jpeg", "webp"], _l("A PNG, JPEG or WebP image, please."))
        ],
    )
    remove_photo = BooleanField(_l("Remove the photo"))

    def photo_bytes(self) -> bytes | None:
        """The photo sent with the form, read once, or None when no file came."""
        file = self.photo.data
        return (file.read() or None) if isinstance(file, FileStorage) else None
