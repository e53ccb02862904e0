"""The submission form: the abstract, then its authors in order (WTForms' list names,
`authors-0-first_name`…, as CONTRACT.md says)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from eventday.abstracts.labels import PRESENTATION_LABELS
from eventday.abstracts.models import Abstract, Call, Presentation
from eventday.abstracts.submission import (
    AFFILIATIONS_MAX,
    AUTHORS_MAX,
    AuthorDraft,
    SubmissionDraft,
)
from eventday.forms import PostedForm, strip
from eventday.programme.models import Edition
from eventday.validation import (
    CleanText,
    EmailAddress,
    PersonName,
    choices,
    has_control_characters,
)

# Empty author blocks shown on a new form; "add an author" gives one more.
AUTHOR_ROWS = 3


class Affiliations:
    """One institution a line, each a clean line of at most 300 characters."""

    def __call__(self, form: Form, field: TextAreaField) -> None:
        lines = [line.strip() for line in (field.data or "").splitlines() if line.strip()]
        if has_control_characters(field.data or "", allow_newlines=True):
            raise ValidationError(_l("Please remove the invisible control characters."))
        if any(len(line) > 300 for line in lines):
            raise ValidationError(_l("At most 300 characters an institution."))
        if len(lines) > AFFILIATIONS_MAX:
            raise ValidationError(_l("At most %(n)d institutions.", n=AFFILIATIONS_MAX))


class AuthorForm(Form):
    """One author. A block left wholly empty is no author (it is dropped)."""

    first_name = StringField(
        _l("First name"), filters=[strip], validators=[Optional(), CleanText(100), PersonName()]
    )
    last_name = StringField(
        _l("Last name"), filters=[strip], validators=[Optional(), CleanText(100), PersonName()]
    )
    email = EmailField(
        _l("E-mail address"),
        filters=[strip],
        validators=[Optional(), CleanText(254), EmailAddress()],
    )
    affiliations = TextAreaField(
        _l("Affiliations"),
        description=_l(
            "One institution a line, in order (e.g. Université Paris Cité, Inserm U1016)."
        ),
        validators=[Affiliations()],
        render_kw={"rows": 3},
    )
    presenting = BooleanField(_l("Presents the work"))

    @property
    def is_empty(self) -> bool:
        return not any(
            (self[name].data or "").strip()
            for name in ("first_name", "last_name", "email", "affiliations")
        )

    def validate(self, extra_validators: object = None) -> bool:
        valid = super().validate(extra_validators)  # type: ignore[arg-type]
        if self.is_empty:
            return valid
        for name, message in (
            ("first_name", _l("Please give the author's first name.")),
            ("last_name", _l("Please give the author's last name.")),
            ("email", _l("Please give the author's e-mail address.")),
            ("affiliations", _l("Please give at least one institution.")),
        ):
            if not (self[name].data or "").strip():
                self[name].errors = [*self[name].errors, message]
                valid = False
        return valid


class SubmissionForm(PostedForm):
    title = StringField(
        _l("Title"),
        filters=[strip],
        validators=[DataRequired(_l("Please give a title.")), CleanText(300)],
    )
    abstract = TextAreaField(
        _l("Abstract"),
        filters=[strip],
        description=_l(
            "Plain text. For gene names, italics: <i>IRF5</i>; superscripts and subscripts: "
            "CD4<sup>+</sup>, IFN-α<sub>2</sub>. Leave a blank line between paragraphs."
        ),
        validators=[
            DataRequired(_l("Please write your abstract.")),
            CleanText(30000, multiline=True),
        ],
        render_kw={"rows": 14},
    )
    topic = SelectField(_l("Topic"), validate_choice=False)
    keywords = StringField(
        _l("Keywords"),
        filters=[strip],
        description=_l("A few words, separated by commas."),
        validators=[Optional(), CleanText(300)],
    )
    presentation = RadioField(
        _l("You wish to present"),
        validators=[InputRequired(_l("Please choose how you wish to present."))],
        validate_choice=False,
    )
    authors = FieldList(FormField(AuthorForm), min_entries=1, max_entries=AUTHORS_MAX)
    poster = FileField(_l("Your poster (PDF, optional)"))
    consent = BooleanField(
        _l(
            "I agree that the organisers keep these details to run the call, and publish the "
            "title, the authors and their affiliations and the abstract if it is accepted."
        ),
        validators=[DataRequired(_l("Your agreement is needed to submit."))],
    )
    add_author = SubmitField(_l("Add an author"))

    def offer(self, edition: Edition, call: Call) -> None:
        """The topics (the edition's tracks) and the presentations this call offers."""
        self.topic.choices = choices(
            [("", _l("Choose a topic"))]
            + [
                (track.name, f"{track.name} / {track.name_en}" if track.name_en else track.name)
                for track in edition.tracks
            ]
        )
        self.presentation.choices = choices(
            (value, PRESENTATION_LABELS[value]) for value in Presentation if value in call.offered
        )
        if not edition.tracks:
            del self.topic

    def grow(self, rows: int = AUTHOR_ROWS) -> None:
        """Empty author blocks up to `rows` (a new form), or one more (after "add an author")."""
        while len(self.authors.entries) < min(rows, AUTHORS_MAX):
            self.authors.append_entry()

    def prefill(self, abstract: Abstract) -> None:
        self.title.data = abstract.title
        self.abstract.data = abstract.body
        if "topic" in self:
            self.topic.data = abstract.track.name if abstract.track else ""
        self.keywords.data = abstract.keywords
        self.presentation.data = abstract.presentation
        self.consent.data = True
        while len(self.authors.entries):
            self.authors.pop_entry()
        for author in abstract.authors:
            self.authors.append_entry(
                {
                    "first_name": author.first_name,
                    "last_name": author.last_name,
                    "email": author.email,
                    "affiliations": author.affiliations,
                    "presenting": author.presenting,
                }
            )

    def draft(self, language: str, poster_pdf: bytes | None) -> SubmissionDraft:
        return SubmissionDraft(
            title=self.title.data or "",
            body=self.abstract.data or "",
            topic=(self.topic.data or "") if "topic" in self else "",
            keywords=self.keywords.data or "",
            presentation=self.presentation.data or "",
            authors=[
                AuthorDraft(
                    first_name=entry.form.first_name.data or "",
                    last_name=entry.form.last_name.data or "",
                    email=entry.form.email.data or "",
                    affiliations=(entry.form.affiliations.data or "").splitlines(),
                    presenting=bool(entry.form.presenting.data),
                )
                for entry in self.authors.entries
                if not entry.form.is_empty
            ],
            language=language,
            poster_pdf=poster_pdf,
        )
