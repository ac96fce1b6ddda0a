from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from ..forms import Form
from ..labels import choices
from .services import NetworkDraft


class NetworkForm(Form):
    name = StringField(_l("Name"), validators=[Length(max=200)])
    slug = StringField(_l("Short address"), description=_l(
        "Used in the web address, for example “bebo”. Lower-case letters, digits and hyphens. "
        "Leave empty to make one from the name."), validators=[Length(max=64)])
    kind = SelectField(_l("Kind"), choices=choices("network_kind"))
    description = TextAreaField(_l("Description"), description=_l("Who the network is for and what it works on."),
                                validators=[Length(max=20000)])

    @classmethod
    def from_network(cls, network):
        return cls(name=network.name, slug=network.slug, kind=network.kind, description=network.description)

    def to_draft(self) -> NetworkDraft:
        return NetworkDraft(name=self.name.data or "", slug=self.slug.data or "", kind=self.kind.data or "",
                            description=self.description.data or "")


class InviteOrganisationForm(Form):
    orgnr = StringField(_l("Organisation number"), description=_l("For example 212000-0142."),
                        validators=[Length(max=20)])
    role = SelectField(_l("Role"), choices=choices("role"), default="member")


class InviteEmailForm(Form):
    email = EmailField(_l("E-mail address"), validators=[Length(max=254)])
    role = SelectField(_l("Role"), choices=choices("role"), default="member")


class RoleForm(Form):
    role = SelectField(_l("Role"), choices=choices("role"))


class JoinForm(Form):
    message = TextAreaField(_l("Message to the coordinators (optional)"), validators=[Length(max=2000)])
