from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import Length

from ..forms import Form
from .services import MAX_TEXT, SpecDraft


class SpecForm(Form):
    title = StringField(_l("Title"), validators=[Length(max=200)])
    summary = TextAreaField(_l("Summary"), description=_l("One or two sentences for lists and search."),
                            validators=[Length(max=2000)])
    cpv = StringField(_l("CPV codes"), description=_l("Separate several codes with commas, for example "
                                                      "45331000-6, 42511110."), validators=[Length(max=500)])
    text = TextAreaField(_l("Text (Markdown)"), validators=[Length(max=MAX_TEXT)])
    message = StringField(_l("Describe the change (optional)"), validators=[Length(max=500)])

    def to_draft(self) -> SpecDraft:
        codes = [c.strip() for c in (self.cpv.data or "").split(",") if c.strip()]
        return SpecDraft(title=self.title.data or "", text=self.text.data or "", message=self.message.data or "",
                         summary=self.summary.data or "", cpv=codes)


class EditForm(Form):
    text = TextAreaField(_l("Text (Markdown)"), validators=[Length(max=MAX_TEXT)])
    message = StringField(_l("Describe the change (optional)"),
                          description=_l("For example “Stricter noise requirement after consultation”."),
                          validators=[Length(max=500)])
    base_revision = HiddenField()
