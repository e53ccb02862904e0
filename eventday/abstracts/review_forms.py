"""The review's forms: a reviewer's review, their institutions; the organisers' criteria and
assignments. Fields are checked here; the rules (conflicts, the release) in review.py."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, InputRequired, NumberRange, Optional

from eventday.abstracts.models import SCORE_MAX, Criterion, Recommendation
from eventday.forms import PostedForm, strip
from eventday.i18n import localised
from eventday.validation import CleanText, choices

SCORES = [str(value) for value in range(SCORE_MAX + 1)]
RECOMMENDATIONS = {
    Recommendation.POSTER.value: _l("Accept as a poster"),
    Recommendation.ORAL.value: _l("Accept as a short talk"),
    Recommendation.REJECT.value: _l("Reject"),
}
COMMENT_LENGTH = 5000


class ReviewForm(PostedForm):
    """The criteria's scores are added per edition by `review_form()`."""

    recommendation = RadioField(
        _l("Recommendation"),
        choices=choices(RECOMMENDATIONS.items()),
        validate_choice=False,
        validators=[
            InputRequired(_l("Please choose a recommendation.")),
            AnyOf(list(RECOMMENDATIONS), _l("Please choose a recommendation.")),
        ],
    )
    comment_authors = TextAreaField(
        _l("Comment for the authors"),
        filters=[strip],
        validators=[Optional(), CleanText(COMMENT_LENGTH, multiline=True)],
        description=_l("Sent to the authors with the decision."),
    )
    comment_committee = TextAreaField(
        _l("Comment for the committee"),
        filters=[strip],
        validators=[Optional(), CleanText(COMMENT_LENGTH, multiline=True)],
        description=_l("Read by the organisers only."),
    )

    criteria: Sequence[Criterion] = ()

    def score_fields(self) -> list[object]:
        return [self[f"score_{criterion.id}"] for criterion in self.criteria]

    def scores(self) -> dict[int, int]:
        return {c.id: int(self[f"score_{c.id}"].data) for c in self.criteria}


def review_form(criteria: Sequence[Criterion], **kwargs: object) -> ReviewForm:
    """The review form of an edition: one score 0..SCORE_MAX per criterion, in order."""
    message = _l("A score from 0 to %(max)d, please.", max=SCORE_MAX)

    class EditionReviewForm(ReviewForm):
        pass

    for criterion in criteria:
        label = localised(criterion, "name")
        setattr(
            EditionReviewForm,
            f"score_{criterion.id}",
            RadioField(
                _l("%(criterion)s (weight %(weight)d)", criterion=label, weight=criterion.weight),
                choices=choices((value, value) for value in SCORES),
                validate_choice=False,
                validators=[InputRequired(message), AnyOf(SCORES, message)],
            ),
        )
    form = EditionReviewForm(**kwargs)
    form.criteria = list(criteria)
    return form


class InstitutionsForm(PostedForm):
    institutions = TextAreaField(
        _l("Your institutions"),
        filters=[strip],
        validators=[Optional(), CleanText(2000, multiline=True)],
        description=_l(
            "One a line, as authors write them (e.g. Inserm U1234, Université Paris Cité). "
            "You will not be asked to review an abstract with an author from one of them."
        ),
    )


class CriterionForm(PostedForm):
    name = StringField(
        _l("Name"),
        filters=[strip],
        validators=[InputRequired(_l("Please give the criterion's name.")), CleanText(120)],
    )
    name_en = StringField(
        _l("Name in English"), filters=[strip], validators=[Optional(), CleanText(120)]
    )
    weight = IntegerField(
        _l("Weight (1 to 10)"),
        default=1,
        validators=[
            InputRequired(_l("A weight from 1 to 10, please.")),
            NumberRange(1, 10, _l("A weight from 1 to 10, please.")),
        ],
    )
    position = IntegerField(
        _l("Order"),
        default=0,
        validators=[Optional(), NumberRange(0, 999, _l("An order from 0 to 999, please."))],
    )


class AssignForm(PostedForm):
    abstract = SelectField(_l("Abstract"), validators=[InputRequired()])
    reviewer = SelectField(_l("Reviewer"), validators=[InputRequired()])


class TopicAssignForm(PostedForm):
    topic = SelectField(_l("Topic"), validators=[InputRequired()])
    reviewer = SelectField(_l("Reviewer"), validators=[InputRequired()])


class SuggestionForm(PostedForm):
    per_abstract = IntegerField(
        _l("Reviewers per abstract"),
        default=3,
        validators=[
            InputRequired(_l("Between 1 and 10 reviewers, please.")),
            NumberRange(1, 10, _l("Between 1 and 10 reviewers, please.")),
        ],
    )
    fingerprint = HiddenField()


class ConflictForm(PostedForm):
    """Declaring a conflict takes the abstract and the review away: asked for twice."""

    sure = BooleanField(
        _l("Yes: take this abstract and my review from me"),
        validators=[DataRequired(_l("Tick the box to confirm: your review will be deleted."))],
    )
