from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, DateField, HiddenField, MonthField, RadioField, SelectField, StringField,
                     TextAreaField)
from wtforms.validators import Length, Optional

from ..forms import Form
from ..labels import pairs
from ..organisations.forms import CountyList
from .services import MAX_TEXT, IntentDraft
from .signing import SignatureDraft


class DetailsForm(Form):
    """What describes a letter (database state); the text is edited separately."""

    title = StringField(_l("Title"), validators=[Length(max=200)])
    binding = RadioField(_l("How binding is the letter?"), default="no", choices=pairs([
        ("no", _l("A declaration of intent (not binding)")),
        ("yes", _l("A binding commitment"))]))
    quantity_unit = StringField(_l("Unit of quantity"), description=_l("For example “st”, “kW” or “lägenheter”."),
                                validators=[Length(max=40)])
    asks_quantity = BooleanField(_l("Ask for the estimated quantity"), default=True)
    asks_value = BooleanField(_l("Ask for the estimated value"), default=True)
    asks_window = BooleanField(_l("Ask for the planned procurement window"), default=True)
    asks_counties = BooleanField(_l("Ask for the counties concerned"), default=True)
    opens_on = DateField(_l("Opens for signing"), validators=[Optional()],
                         description=_l("Leave empty to open for signing as soon as the letter is opened."))
    closes_on = DateField(_l("Closes for signing"), validators=[Optional()],
                          description=_l("The last day to sign."))

    def to_draft(self) -> IntentDraft:
        return IntentDraft(title=self.title.data or "", is_binding=self.binding.data == "yes",
                           quantity_unit=self.quantity_unit.data or "", asks_quantity=self.asks_quantity.data,
                           asks_value=self.asks_value.data, asks_window=self.asks_window.data,
                           asks_counties=self.asks_counties.data, opens_on=self.opens_on.data,
                           closes_on=self.closes_on.data)

    def fill(self, intent) -> None:
        self.title.data, self.quantity_unit.data = intent.title, intent.quantity_unit
        self.binding.data = "yes" if intent.is_binding else "no"
        self.asks_quantity.data, self.asks_value.data = intent.asks_quantity, intent.asks_value
        self.asks_window.data, self.asks_counties.data = intent.asks_window, intent.asks_counties
        self.opens_on.data, self.closes_on.data = intent.opens_on, intent.closes_on


class IntentForm(DetailsForm):
    version = SelectField(_l("Specification version"), validate_choice=False,
                          description=_l("The adopted version the letter refers to."))
    text = TextAreaField(_l("Text (Markdown)"), validators=[Length(max=MAX_TEXT)])
    message = StringField(_l("Describe the change (optional)"), validators=[Length(max=500)])

    def to_draft(self) -> IntentDraft:
        draft = super().to_draft()
        draft.text, draft.message = self.text.data or "", self.message.data or ""
        return draft


class EditForm(Form):
    text = TextAreaField(_l("Text (Markdown)"), validators=[Length(max=MAX_TEXT)])
    message = StringField(_l("Describe the change (optional)"), validators=[Length(max=500)])
    base_revision = HiddenField()


class MoveForm(Form):
    version = SelectField(_l("New specification version"), validate_choice=False)


class SignForm(Form):
    signer_name = StringField(_l("Your name"), validators=[Length(max=200)])
    signer_title = StringField(_l("Your title"), description=_l("For example “Head of procurement”."),
                               validators=[Length(max=200)])
    quantity = StringField(_l("Estimated quantity"), validators=[Length(max=40)])
    quantity_unit = StringField(_l("Unit"), validators=[Length(max=40)])
    value = StringField(_l("Estimated value (SEK, excluding VAT)"), validators=[Length(max=40)],
                        description=_l("Whole kronor, for example 2500000."))
    window_start = MonthField(_l("Planned procurement from"), validators=[Optional()],
                             description=_l("Month, as YYYY-MM."))
    window_end = MonthField(_l("Planned procurement until"), validators=[Optional()],
                           description=_l("Month, as YYYY-MM."))
    counties = CountyList(_l("Counties concerned"))
    sites = TextAreaField(_l("Sites (optional)"), validators=[Length(max=2000)],
                          description=_l("Properties or places, if known."))
    comment = TextAreaField(_l("Comment (optional)"), validators=[Length(max=2000)])
    is_named = BooleanField(_l("Name our organisation on the public page"), default=True,
                            description=_l("Public bodies are always named; companies may choose not to be."))

    def to_draft(self) -> SignatureDraft:
        return SignatureDraft(signer_name=self.signer_name.data or "", signer_title=self.signer_title.data or "",
                              quantity=self.quantity.data or "", quantity_unit=self.quantity_unit.data or "",
                              value=self.value.data or "", window_start=self.window_start.data,
                              window_end=self.window_end.data, counties=self.counties.data or [],
                              sites=self.sites.data or "", comment=self.comment.data or "",
                              is_named=bool(self.is_named.data))

    def fill(self, draft: SignatureDraft) -> None:
        for name in ("signer_name", "signer_title", "quantity", "quantity_unit", "value", "window_start",
                     "window_end", "counties", "sites", "comment", "is_named"):
            getattr(self, name).data = getattr(draft, name)


class WithdrawForm(Form):
    reason = TextAreaField(_l("Why does your organisation withdraw?"), validators=[Length(max=1000)])
