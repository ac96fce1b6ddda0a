from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..forms import Form
from .services import MAX_TEXT, SpecDraft


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


class DetailsForm(Form):
    """What describes a specification (database state); the text is edited separately."""

    title = StringField(_l("Title"), validators=[Length(max=200)])
    summary = TextAreaField(_l("Summary"), description=_l("One or two sentences for lists and search."),
                            validators=[Length(max=2000)])
    cpv = StringField(_l("CPV codes"), description=_l("Separate several codes with commas, for example "
                                                      "45331000-6, 42511110."), validators=[Length(max=500)])
    category = StringField(_l("Category"), description=_l("For example Energy, Laundry or Charging."),
                           validators=[Length(max=80)])
    tags = StringField(_l("Tags"), description=_l("Separate tags with commas."), validators=[Length(max=500)])

    def to_draft(self) -> SpecDraft:
        return SpecDraft(title=self.title.data or "", summary=self.summary.data or "",
                         cpv=_split(self.cpv.data), category=self.category.data or "",
                         tags=_split(self.tags.data))

    def fill(self, spec) -> None:
        self.title.data, self.summary.data, self.category.data = spec.title, spec.summary, spec.category
        self.cpv.data = ", ".join(c.code for c in spec.cpv_codes)
        self.tags.data = ", ".join(t.tag for t in spec.tags)


class SpecForm(DetailsForm):
    text = TextAreaField(_l("Text (Markdown)"), validators=[Length(max=MAX_TEXT)])
    message = StringField(_l("Describe the change (optional)"), validators=[Length(max=500)])

    def to_draft(self) -> SpecDraft:
        draft = super().to_draft()
        draft.text, draft.message = self.text.data or "", self.message.data or ""
        return draft


class EditForm(Form):
    text = TextAreaField(_l("Text (Markdown)"), validators=[Length(max=MAX_TEXT)])
    message = StringField(_l("Describe the change (optional)"),
                          description=_l("For example “Stricter noise requirement after consultation”."),
                          validators=[Length(max=500)])
    base_revision = HiddenField()
    section = IntegerField(widget=HiddenField.widget, validators=[Optional()])


class RevertForm(Form):
    reason = StringField(_l("Why go back to this revision?"), validators=[Length(max=400)])


class ConsultationForm(Form):
    closes = DateField(_l("Consultation closes"), validators=[Optional()],
                       description=_l("The last day for comments."))


class AdoptForm(Form):
    note = TextAreaField(_l("Decision"), validators=[Length(max=2000)],
                         description=_l("Who decided, and where the decision is recorded."))
    decided_on = DateField(_l("Date of the decision"), validators=[Optional()], default=date.today)


class ArchiveForm(Form):
    successor = SelectField(_l("Replaced by (optional)"), validators=[Optional()], validate_choice=False,
                            description=_l("Leave empty to archive without a successor."))
