from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import Form
from ..labels import choices, pairs
from ..regions import counties
from .models import SUPPLIER_KINDS
from .services import OrganisationDraft


class CountyList(SelectMultipleField):
    """Sweden's counties as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, choices=pairs(counties().items()), validate_choice=False, **kwargs)


class OrganisationForm(Form):
    """An organisation's details; registration uses the same fields (plus the number)."""

    org_name = StringField(_l("Name of the organisation"), validators=[Length(max=200)])
    # Codes are checked by the service, which gives the clearer message.
    kind = SelectField(_l("Kind of organisation"), choices=choices("org_kind", blank=_l("Choose…")),
                       validate_choice=False)
    size_class = SelectField(_l("Size class (companies and non-profits)"),
                             choices=choices("size_class", blank=_l("Choose…")), validate_choice=False)
    counties = CountyList(_l("Counties served (companies and non-profits)"))

    @classmethod
    def from_organisation(cls, org):
        return cls(org_name=org.name, kind=org.kind, size_class=org.size_class or "", counties=org.county_codes)

    def to_draft(self, orgnr: str = "") -> OrganisationDraft:
        is_supplier = self.kind.data in SUPPLIER_KINDS
        return OrganisationDraft(name=self.org_name.data or "", orgnr=orgnr, kind=self.kind.data or "",
                                 size_class=self.size_class.data or None,
                                 counties=(self.counties.data or []) if is_supplier else [])
