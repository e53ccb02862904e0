"""The edition's settings form and the "new edition from last year's" form."""

from __future__ import annotations

import datetime as dt
import re

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, StringField, TextAreaField, TimeField
from wtforms.validators import InputRequired, NumberRange, Optional, Regexp

from eventday.editions.settings import EditionSettings
from eventday.forms import PostedForm, strip
from eventday.programme.models import Edition
from eventday.registration.models import StakeholderType
from eventday.registration.type_rules import TypeRule
from eventday.validation import CleanText


class EditionForm(PostedForm):
    name = StringField(_l("Name"), filters=[strip], validators=[InputRequired(), CleanText(200)])
    name_en = StringField(
        _l("Name in English (optional)"), filters=[strip], validators=[Optional(), CleanText(200)]
    )
    start_date = DateField(_l("First day"), validators=[InputRequired()])
    end_date = DateField(_l("Last day"), validators=[InputRequired()])
    venue_name = StringField(_l("Venue"), filters=[strip], validators=[Optional(), CleanText(200)])
    venue_address = TextAreaField(
        _l("Address"), validators=[Optional(), CleanText(500, multiline=True)]
    )
    description = TextAreaField(
        _l("Description"), validators=[Optional(), CleanText(5000, multiline=True)]
    )
    description_en = TextAreaField(
        _l("Description in English (optional)"),
        validators=[Optional(), CleanText(5000, multiline=True)],
    )
    capacity = IntegerField(
        _l("Seats (empty: no limit)"), validators=[Optional(), NumberRange(min=0, max=100_000)]
    )
    opens_day = DateField(_l("Registration opens on"), validators=[Optional()])
    opens_time = TimeField(_l("at"), validators=[Optional()])
    closes_day = DateField(_l("Registration closes on"), validators=[Optional()])
    closes_time = TimeField(_l("at"), validators=[Optional()])
    mail_note_fr = TextAreaField(
        _l("A note added to every mail, in French"),
        validators=[Optional(), CleanText(2000, multiline=True)],
    )
    mail_note_en = TextAreaField(
        _l("A note added to every mail, in English"),
        validators=[Optional(), CleanText(2000, multiline=True)],
    )

    def fill(self, edition: Edition) -> None:
        self.process(obj=edition)
        for moment, day, clock in (
            (edition.registration_opens_at, self.opens_day, self.opens_time),
            (edition.registration_closes_at, self.closes_day, self.closes_time),
        ):
            if moment is not None:
                local = edition.local(moment)
                day.data, clock.data = local.date(), local.time().replace(second=0, microsecond=0)

    def fill_type_rules(self, rules: dict[str, TypeRule]) -> None:
        for kind, rule in rules.items():
            self[f"quota_{kind}"].show(rule)
            self[f"approval_{kind}"].data = rule.needs_approval

    def type_rules(self) -> dict[str, TypeRule]:
        rules = {}
        for kind in StakeholderType:
            quota = self[f"quota_{kind.value}"]
            rules[kind.value] = TypeRule(
                getattr(quota, "quota", None),
                bool(self[f"approval_{kind.value}"].data),
                getattr(quota, "percent", None),
            )
        return rules

    def settings(self, edition: Edition) -> EditionSettings:
        def moment(day: dt.date | None, clock: dt.time | None) -> dt.datetime | None:
            if day is None:
                return None
            return dt.datetime.combine(day, clock or dt.time(0), tzinfo=edition.zone)

        return EditionSettings(
            name=self.name.data,
            start_date=self.start_date.data,
            end_date=self.end_date.data,
            venue_name=self.venue_name.data or "",
            venue_address=self.venue_address.data or "",
            description=self.description.data or "",
            capacity=self.capacity.data,
            registration_opens_at=moment(self.opens_day.data, self.opens_time.data),
            registration_closes_at=moment(self.closes_day.data, self.closes_time.data),
            mail_note_fr=self.mail_note_fr.data or "",
            mail_note_en=self.mail_note_en.data or "",
            name_en=self.name_en.data or "",
            description_en=self.description_en.data or "",
        )


class QuotaField(StringField):
    """Seats at most for a profile: a number of seats ("150"), a share of the edition's seats
    ("10 %", which then follows the capacity), or empty for no quota."""

    SHARE = re.compile(r"(\d{1,3})\s*%")

    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata(valuelist)
        self.quota: int | None = None
        self.percent: int | None = None
        text = (self.data or "").strip()
        if not text:
            return
        share = self.SHARE.fullmatch(text)
        if share and int(share.group(1)) <= 100:
            self.percent = int(share.group(1))
        elif text.isdigit() and int(text) <= 100_000:
            self.quota = int(text)
        else:
            raise ValueError(_l("Give a number of seats, or a share such as 10 %."))

    def show(self, rule: TypeRule) -> None:
        self.data = (
            f"{rule.percent} %"
            if rule.percent is not None
            else (str(rule.quota) if rule.quota is not None else "")
        )


def add_type_fields(form_class: type[PostedForm]) -> type[PostedForm]:
    """A quota and an approval box per stakeholder type (quota_researcher, approval_industry…)."""
    for kind in StakeholderType:
        setattr(form_class, f"quota_{kind.value}", QuotaField(_l("Seats at most")))
        setattr(form_class, f"approval_{kind.value}", BooleanField(_l("Needs approval")))
    return form_class


add_type_fields(EditionForm)


class CopyEditionForm(PostedForm):
    name = StringField(_l("Name"), filters=[strip], validators=[InputRequired(), CleanText(200)])
    slug = StringField(
        _l("Short name in addresses (letters, digits, -)"),
        filters=[strip],
        validators=[
            InputRequired(),
            CleanText(60),
            Regexp(r"^[a-z0-9][a-z0-9-]*$", message=_l("Lower-case letters, digits and - only.")),
        ],
    )
    start_date = DateField(_l("First day"), validators=[InputRequired()])


class MailTextForm(PostedForm):
    """One kind of mail's own subject and message, in French and English; empty = standard."""

    subject_fr = StringField(
        _l("Subject in French"), filters=[strip], validators=[Optional(), CleanText(200)]
    )
    body_fr = TextAreaField(
        _l("Message in French"),
        filters=[strip],
        validators=[Optional(), CleanText(5000, multiline=True)],
    )
    subject_en = StringField(
        _l("Subject in English"), filters=[strip], validators=[Optional(), CleanText(200)]
    )
    body_en = TextAreaField(
        _l("Message in English"),
        filters=[strip],
        validators=[Optional(), CleanText(5000, multiline=True)],
    )

    def wording(self) -> dict[str, tuple[str, str]]:
        return {
            language: (self[f"subject_{language}"].data or "", self[f"body_{language}"].data or "")
            for language in ("fr", "en")
        }
