"""The forms of the organisers' face: the edition's identity, and one sponsor."""

from __future__ import annotations

import dataclasses
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField
from werkzeug.datastructures import FileStorage
from wtforms import BooleanField, Field, Form, IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from eventday.editions import images
from eventday.editions.identity import (
    EditionIdentity,
    IdentityDetails,
    Sponsor,
    SponsorDetails,
    Upload,
)
from eventday.forms import PostedForm, strip
from eventday.validation import CleanText, EmailAddress

IMAGE_TYPES = ["png", "jpg", "jpeg", "webp"]
IMAGE_TYPES_MESSAGE = _l("A PNG, JPEG or WebP image, please.")
MAX_KB = images.MAX_BYTES // 1024


class HttpsAddress:
    """A web address that opens in a browser over https, nothing else (no javascript:)."""

    def __call__(self, form: Form, field: Field) -> None:
        value = field.data or ""
        if not value:
            return
        try:
            parts = urlsplit(value)
            safe = (
                parts.scheme == "https"
                and bool(parts.hostname)
                and not parts.username
                and not parts.password
                and not any(c.isspace() for c in value)
            )
        except ValueError:
            safe = False
        if not safe:
            raise ValidationError(_l("An address starting with https://, please."))


def _texts(row: EditionIdentity | Sponsor, shape: type) -> dict[str, object]:
    """The row's values a form shows (never its images: a file input shows no file)."""
    return {field.name: getattr(row, field.name) for field in dataclasses.fields(shape)}


def image_field(label: str, description: str = "") -> FileField:
    return FileField(
        label,
        description=description,
        validators=[FileAllowed(IMAGE_TYPES, IMAGE_TYPES_MESSAGE)],
    )


def upload(field: FileField, remove: BooleanField | None = None) -> Upload:
    """What the form asks of one image: the file sent (read here, once) or its removal."""
    file = field.data
    data = file.read() if isinstance(file, FileStorage) else None
    return Upload(data=data or None, remove=bool(remove and remove.data))


class IdentityForm(PostedForm):
    network_name = StringField(
        _l("Organising network"), filters=[strip], validators=[Optional(), CleanText(200)]
    )
    contact_email = StringField(
        _l("Contact address (e-mail)"),
        description=_l("Signs every mail, beside the network's name."),
        filters=[strip],
        validators=[Optional(), CleanText(254), EmailAddress()],
    )
    controller_name = StringField(
        _l("Data controller"),
        description=_l(
            "Who answers for attendees' personal data (RGPD): the privacy notice names them."
        ),
        filters=[strip],
        validators=[Optional(), CleanText(200)],
    )
    controller_address = TextAreaField(
        _l("Data controller's postal address"),
        filters=[strip],
        validators=[Optional(), CleanText(500, multiline=True)],
    )
    controller_email = StringField(
        _l("Data controller's e-mail address"),
        filters=[strip],
        validators=[Optional(), CleanText(254), EmailAddress()],
    )
    transport = TextAreaField(
        _l("Getting there by public transport"),
        filters=[strip],
        validators=[Optional(), CleanText(2000, multiline=True)],
    )
    map_url = StringField(
        _l("Link to a map"),
        description=_l("An https:// address, e.g. the venue on OpenStreetMap."),
        filters=[strip],
        validators=[Optional(), CleanText(500), HttpsAddress()],
    )
    accessibility = TextAreaField(
        _l("Accessibility of the venue"),
        filters=[strip],
        validators=[Optional(), CleanText(2000, multiline=True)],
    )
    transport_en = TextAreaField(
        _l("Getting there by public transport, in English (optional)"),
        filters=[strip],
        validators=[Optional(), CleanText(2000, multiline=True)],
    )
    accessibility_en = TextAreaField(
        _l("Accessibility of the venue, in English (optional)"),
        filters=[strip],
        validators=[Optional(), CleanText(2000, multiline=True)],
    )
    logo = image_field(
        _l("Logo"),
        _l(
            "PNG, JPEG or WebP, at most %(size)d KB; shown on the site and on badges.",
            size=MAX_KB,
        ),
    )
    remove_logo = BooleanField(_l("Remove the logo"))
    favicon = image_field(
        _l("Site icon"), _l("Square, PNG, JPEG or WebP; without one, the logo is used.")
    )
    remove_favicon = BooleanField(_l("Draw the site icon from the logo again"))

    def fill(self, found: EditionIdentity | None) -> None:
        if found is not None:
            self.process(data=_texts(found, IdentityDetails))

    def details(self) -> IdentityDetails:
        return IdentityDetails(
            network_name=self.network_name.data or "",
            contact_email=self.contact_email.data or "",
            controller_name=self.controller_name.data or "",
            controller_address=self.controller_address.data or "",
            controller_email=self.controller_email.data or "",
            transport=self.transport.data or "",
            map_url=self.map_url.data or "",
            accessibility=self.accessibility.data or "",
            transport_en=self.transport_en.data or "",
            accessibility_en=self.accessibility_en.data or "",
        )

    @property
    def file_fields(self) -> list[Field]:
        return [self.logo, self.favicon]


class SponsorForm(PostedForm):
    name = StringField(_l("Name"), filters=[strip], validators=[InputRequired(), CleanText(200)])
    tier = StringField(
        _l("Tier"),
        description=_l("As you name them: Gold, Silver, Partner…"),
        filters=[strip],
        validators=[Optional(), CleanText(60)],
    )
    position = IntegerField(
        _l("Order"),
        description=_l("Smaller first; the tiers follow the order of their first sponsor."),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=10_000)],
    )
    website = StringField(
        _l("Website"),
        filters=[strip],
        validators=[Optional(), CleanText(500), HttpsAddress()],
    )
    logo = image_field(_l("Logo"), _l("PNG, JPEG or WebP, at most %(size)d KB.", size=MAX_KB))
    remove_logo = BooleanField(_l("Remove the logo"))

    def fill(self, sponsor: Sponsor) -> None:
        self.process(data=_texts(sponsor, SponsorDetails))

    def details(self) -> SponsorDetails:
        return SponsorDetails(
            name=self.name.data,
            tier=self.tier.data or "",
            position=self.position.data or 0,
            website=self.website.data or "",
        )

    @property
    def file_fields(self) -> list[Field]:
        return [self.logo]
