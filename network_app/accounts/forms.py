from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField, RadioField, SelectField, \
    SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import Form
from ..labels import choices, pairs
from ..organisations.models import SUPPLIER_KINDS
from ..regions import counties


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CountyList(CheckboxList):
    """Sweden's counties as checkboxes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, choices=pairs(counties().items()), **kwargs)


class RegisterForm(Form):
    name = StringField(_l("Your name"), validators=[Length(max=120)])
    email = EmailField(_l("E-mail address"), validators=[Length(max=254)])
    password = PasswordField(_l("Password"), description=_l("At least 12 characters. A few unrelated "
                                                            "words are easy to remember and hard to guess."))
    org_choice = RadioField(_l("Organisation"), default="new", choices=pairs([
        ("new", _l("Register a new organisation")), ("join", _l("Join an organisation that is already registered"))]))
    orgnr = StringField(_l("Organisation number"), description=_l("For example 556036-0793."),
                        validators=[Length(max=20)])
    org_name = StringField(_l("Name of the organisation"), validators=[Length(max=200)])
    kind = SelectField(_l("Kind of organisation"), choices=choices("org_kind", blank=_l("Choose…")), validate_choice=False)
    size_class = SelectField(_l("Size class (companies and non-profits)"),
                             choices=choices("size_class", blank=_l("Choose…")), validate_choice=False)
    counties = CountyList(_l("Counties you serve (companies and non-profits)"),
                            validate_choice=False)

    def to_registration(self):
        from ..organisations.services import OrganisationDraft
        from .services import Registration

        return Registration(email=self.email.data or "", name=self.name.data or "",
                            password=self.password.data or "", org_choice=self.org_choice.data or "new",
                            organisation=OrganisationDraft(
                                name=self.org_name.data or "", orgnr=self.orgnr.data or "",
                                kind=self.kind.data or "", size_class=self.size_class.data or None,
                                counties=self.counties.data or [] if self.kind.data in SUPPLIER_KINDS else []))


class LoginForm(Form):
    email = EmailField(_l("E-mail address"), validators=[InputRequired(_l("Enter your e-mail address.")),
                                                        Length(max=254)])
    password = PasswordField(_l("Password"), validators=[InputRequired(_l("Enter your password.")),
                                                          Length(max=200)])
    next = HiddenField()


class ForgotPasswordForm(Form):
    email = EmailField(_l("E-mail address"), validators=[InputRequired(_l("Enter your e-mail address.")),
                                                        Length(max=254)])


class ResetPasswordForm(Form):
    password = PasswordField(_l("New password"), description=_l("At least 12 characters."))


class ChangePasswordForm(Form):
    current_password = PasswordField(_l("Current password"))
    new_password = PasswordField(_l("New password"), description=_l("At least 12 characters."))


class TokenForm(Form):
    token_name = StringField(_l("Name of the token"), description=_l("For example the system that will use it."),
                             validators=[Length(max=80)])


class EmptyForm(Form):
    """For buttons that only POST (log out, revoke, approve): CSRF and nothing else."""

