"""Forms of planned needs, interest, messages, questions and watches. Values are checked by the
services (which give the clearer messages); the forms carry what was typed."""
from functools import cache

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from .. import regions
from ..forms import Form
from ..labels import choices, pairs
from ..organisations.forms import CountyList
from .engagement import InterestDraft
from .services import NeedDraft
from .watches import WatchDraft


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").replace(";", ",").split(",") if part.strip()]


@cache
def _municipalities_by_name() -> dict[str, str]:
    """'växjö' and 'växjö kommun' -> '0780'."""
    by_name = {}
    for code, (name, _county) in regions.municipalities().items():
        by_name[name.casefold()] = code
        by_name[f"{name} kommun".casefold()] = code
    return by_name


def municipality_codes(value: str | None) -> list[str]:
    """'Växjö, 0780, Kalmar kommun' -> codes; what is not a known name is kept as typed (and refused)."""
    by_name = _municipalities_by_name()
    return [by_name.get(part.casefold(), part) for part in _split(value)]


def municipality_names(codes: list[str]) -> str:
    known = regions.municipalities()
    return ", ".join(known[c][0] if c in known else c for c in codes)


class NeedForm(Form):
    network = SelectField(_l("Published by"), validate_choice=False,
                          description=_l("Your organisation, or a network publishing on behalf of its members."))
    title = StringField(_l("Title"), validators=[Length(max=200)],
                        description=_l("What you plan to buy, in words a supplier would search for."))
    description = TextAreaField(_l("Description (Markdown)"), validators=[Length(max=20_000)])
    cpv = StringField(_l("CPV codes"), validators=[Length(max=500)],
                      description=_l("Separate several codes with commas, for example 42511110, 45331000-6."))
    counties = CountyList(_l("Delivered in these counties"))
    municipalities = StringField(_l("Municipalities (optional)"), validators=[Length(max=1000)],
                                 description=_l("Names or codes, separated by commas, for example Växjö, Kalmar."))
    value_min = StringField(_l("Estimated value from (SEK, optional)"), validators=[Length(max=40)],
                            render_kw={"inputmode": "numeric"})
    value_max = StringField(_l("Estimated value up to (SEK, optional)"), validators=[Length(max=40)],
                            description=_l("Without VAT. Give one value in either field, or a range."),
                            render_kw={"inputmode": "numeric"})
    quantity = StringField(_l("Quantity (optional)"), validators=[Length(max=200)],
                           description=_l("For example “heat pumps for about 400 flats”."))
    procedure = SelectField(_l("Procedure"), choices=choices("procedure", blank=_l("Choose…")),
                            validate_choice=False)
    planned_notice_date = StringField(_l("Planned notice date"), render_kw={"type": "date"},
                                      description=_l("When the call for tenders is planned to be published "
                                                     "(or the direct award made)."))
    planned_contract_start = StringField(_l("Planned contract start"), render_kw={"type": "date"})
    reserved_for_non_profits = BooleanField(_l("Reserved for non-profit organisations (idéburna organisationer)"))
    critical_supply = BooleanField(_l("Critical for preparedness (critical supply)"))
    preparedness_note = TextAreaField(_l("Preparedness note (optional)"), validators=[Length(max=2000)],
                                      description=_l("For example the supply that must hold in a crisis."))
    spec = SelectField(_l("Builds on specification (optional)"), validate_choice=False)
    intent = SelectField(_l("Letter of intent (optional)"), validate_choice=False,
                         description=_l("The letter in which buyers declared that they mean to buy this."))
    contact_name = StringField(_l("Contact person"), validators=[Length(max=200)])
    contact_email = StringField(_l("Contact e-mail"), validators=[Length(max=254)], render_kw={"type": "email"})
    contact_phone = StringField(_l("Contact telephone (optional)"), validators=[Length(max=40)],
                                render_kw={"type": "tel"})

    def to_draft(self) -> NeedDraft:
        return NeedDraft(
            title=self.title.data or "", description=self.description.data or "", cpv=_split(self.cpv.data),
            counties=list(self.counties.data or []), municipalities=municipality_codes(self.municipalities.data),
            value_min=self.value_min.data, value_max=self.value_max.data, quantity=self.quantity.data or "",
            procedure=self.procedure.data or "", planned_notice_date=self.planned_notice_date.data or None,
            planned_contract_start=self.planned_contract_start.data or None,
            reserved_for_non_profits=self.reserved_for_non_profits.data, critical_supply=self.critical_supply.data,
            preparedness_note=self.preparedness_note.data or "", spec=self.spec.data or "",
            intent=self.intent.data or "",
            contact_name=self.contact_name.data or "", contact_email=self.contact_email.data or "",
            contact_phone=self.contact_phone.data or "")

    def fill(self, draft: NeedDraft) -> None:
        for name in ("title", "description", "quantity", "procedure", "planned_notice_date", "planned_contract_start",
                     "reserved_for_non_profits", "critical_supply", "preparedness_note", "spec", "intent",
                     "contact_name",
                     "contact_email", "contact_phone"):
            getattr(self, name).data = getattr(draft, name)
        self.cpv.data = ", ".join(draft.cpv)
        self.counties.data = list(draft.counties)
        self.municipalities.data = municipality_names(draft.municipalities)
        self.value_min.data = "" if draft.value_min is None else str(draft.value_min)
        self.value_max.data = "" if draft.value_max is None else str(draft.value_max)


class StatusForm(Form):
    status = RadioField(_l("New status"), validate_choice=False)
    notice_reference = StringField(_l("Notice reference (when announced)"), validators=[Length(max=100)],
                                   description=_l("For example the TED or database reference of the notice."))
    notice_url = StringField(_l("Link to the notice (optional)"), validators=[Length(max=500)],
                             render_kw={"type": "url"})
    reason = TextAreaField(_l("Reason or outcome"), validators=[Length(max=2000)],
                           description=_l("Required when cancelling; suppliers who registered interest are told."))


class InterestForm(Form):
    contact_name = StringField(_l("Contact person"), validators=[Length(max=200)])
    contact_email = StringField(_l("Contact e-mail"), validators=[Length(max=254)], render_kw={"type": "email"})
    contact_phone = StringField(_l("Telephone (optional)"), validators=[Length(max=40)], render_kw={"type": "tel"})
    message = TextAreaField(_l("Message to the buyer (optional)"), validators=[Length(max=4000)],
                            description=_l("What you can offer, references, questions about the need."))
    consortium = BooleanField(_l("We are willing to bid together with others (consortium)"))
    subcontractor = BooleanField(_l("We are willing to take part as a subcontractor"))

    def to_draft(self) -> InterestDraft:
        return InterestDraft(contact_name=self.contact_name.data or "", contact_email=self.contact_email.data or "",
                             contact_phone=self.contact_phone.data or "", message=self.message.data or "",
                             consortium=self.consortium.data, subcontractor=self.subcontractor.data)


class MessageForm(Form):
    subject = StringField(_l("Subject"), validators=[Length(max=200)])
    body = TextAreaField(_l("Message"), validators=[Length(max=10_000)])


class QuestionForm(Form):
    text = TextAreaField(_l("Your question"), validators=[Length(max=4000)],
                         description=_l("The answer is published without your name, unless the buyer answers you "
                                        "alone."))


class AnswerForm(Form):
    answer = TextAreaField(_l("Answer"), validators=[Length(max=10_000)])
    visibility = RadioField(_l("Who sees the answer"), default="public", choices=pairs([
        ("public", _l("Everyone (published without the asker's name; suppliers registered are told)")),
        ("private", _l("Only the asker"))]))


class WatchForm(Form):
    name = StringField(_l("Name of the watch"), validators=[Length(max=100)])
    cpv = StringField(_l("CPV codes or prefixes"), validators=[Length(max=500)],
                      description=_l("45000000 covers every code starting with 45. Separate several with commas."))
    counties = CountyList(_l("Counties"), description=_l("None chosen: all of Sweden."))
    words = StringField(_l("Words"), validators=[Length(max=300)],
                        description=_l("Every word must occur in the title or description, in any inflection."))
    frequency = RadioField(_l("E-mail"), default="immediate", choices=choices("frequency"), validate_choice=False)

    def to_draft(self) -> WatchDraft:
        return WatchDraft(name=self.name.data or "", cpv=_split(self.cpv.data), counties=list(self.counties.data or []),
                          words=self.words.data or "", frequency=self.frequency.data or "")

    def fill(self, watch) -> None:
        self.name.data, self.words.data, self.frequency.data = watch.name, watch.words, watch.frequency
        self.cpv.data = ", ".join(p.ljust(8, "0") for p in watch.prefixes)
        self.counties.data = watch.county_codes
