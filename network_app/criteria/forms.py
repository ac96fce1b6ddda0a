from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import Form
from ..labels import choices
from .services import MAX_PART, CriterionDraft, CriterionText


class CheckboxList(SelectMultipleField):
    """Several choices as checkboxes (rendered as a fieldset by the field macro)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, validate_choice=False, **kwargs)


class CriterionForm(Form):
    title = StringField(_l("Title"), validators=[Length(max=200)])
    type = SelectField(_l("Kind of criterion"), validate_choice=False)
    level = SelectField(_l("Ambition level"), validate_choice=False)
    areas = CheckboxList(_l("Areas"))
    cpv = StringField(_l("CPV codes"), description=_l("Separate several codes with commas."),
                      validators=[Length(max=500)])
    categories = StringField(_l("Categories"), description=_l("Separate categories with commas."),
                             validators=[Length(max=300)])
    source = StringField(_l("Source"), validators=[Length(max=300)])
    requirement = TextAreaField(_l("Requirement (Markdown)"), validators=[Length(max=MAX_PART)])
    rationale = TextAreaField(_l("Rationale"), validators=[Length(max=MAX_PART)])
    verification = TextAreaField(_l("How to verify it"), validators=[Length(max=MAX_PART)])
    message = StringField(_l("Describe the change (optional)"), validators=[Length(max=500)])
    base_revision = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type.choices = choices("criterion_type", blank=_l("Choose…"))
        self.level.choices = choices("criterion_level", blank=_l("Choose…"))
        self.areas.choices = choices("criterion_area")

    def to_draft(self) -> CriterionDraft:
        split = lambda value: [v.strip() for v in (value or "").split(",") if v.strip()]  # noqa: E731
        return CriterionDraft(title=self.title.data or "", type=self.type.data or "", level=self.level.data or "",
                              areas=list(self.areas.data or []), cpv=split(self.cpv.data),
                              categories=split(self.categories.data), source=self.source.data or "",
                              message=self.message.data or "",
                              text=CriterionText(self.requirement.data or "", self.rationale.data or "",
                                                 self.verification.data or ""))

    def fill(self, criterion, text: CriterionText, revision) -> None:
        self.title.data, self.type.data, self.level.data = criterion.title, criterion.type, criterion.level
        self.areas.data = [a.area for a in criterion.areas]
        self.cpv.data = ", ".join(c.code for c in criterion.cpv_codes)
        self.categories.data = ", ".join(c.name for c in criterion.categories)
        self.source.data = criterion.source
        self.requirement.data, self.rationale.data, self.verification.data = (text.requirement, text.rationale,
                                                                              text.verification)
        self.base_revision.data = revision.commit_id


class StatusForm(Form):
    status = SelectField(_l("Status"), validate_choice=False)
    successor = StringField(_l("Replaced by (for a revised criterion)"), description=_l("For example K-0042."),
                            validators=[Length(max=12)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = choices("criterion_status")
