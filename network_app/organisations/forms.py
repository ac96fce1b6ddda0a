from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import Length

from ..accounts.forms import CountyList
from ..forms import Form
from ..labels import choices
from .models import SUPPLIER_KINDS
from .services import OrganisationDraft


class OrganisationForm(Form):
    org_name = StringField(_l("Name of the organisation"), validators=[Length(max=200)])
    kind = SelectField(_l("Kind of organisation"), choices=choices("org_kind", blank=_l("Choose…")), validate_choice=False)
    size_class = SelectField(_l("Size class (companies and non-profits)"),
                             choices=choices("size_class", blank=_l("Choose…")), validate_choice=False)
    counties = CountyList(_l("Counties you serve (companies and non-profits)"), validate_choice=False)

    @classmethod
    def from_organisation(cls, org):
        return cls(org_name=org.name, kind=org.kind, size_class=org.size_class or "", counties=org.county_codes)

    def to_draft(self) -> OrganisationDraft:
        is_supplier = self.kind.data in SUPPLIER_KINDS
        return OrganisationDraft(name=self.org_name.data or "", kind=self.kind.data or "",
                                 size_class=self.size_class.data or None,
                                 counties=(self.counties.data or []) if is_supplier else [])
