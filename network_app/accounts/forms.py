from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField, RadioField, StringField
from wtforms.validators import InputRequired, Length

from ..forms import Form
from ..labels import pairs
from ..organisations.forms import OrganisationForm


class RegisterForm(OrganisationForm):
    name = StringField(_l("Your name"), validators=[Length(max=120)])
    email = EmailField(_l("E-mail address"), validators=[Length(max=254)])
    password = PasswordField(_l("Password"), description=_l("At least 12 characters. A few unrelated "
                                                            "words are easy to remember and hard to guess."))
    org_choice = RadioField(_l("Organisation"), default="new", choices=pairs([
        ("new", _l("Register a new organisation")),
        ("join", _l("Join an organisation that is already registered"))]))
    orgnr = StringField(_l("Organisation number"), description=_l("For example 556036-0793."),
                        validators=[Length(max=20)])

    def to_registration(self):
        from .services import Registration

        return Registration(email=self.email.data or "", name=self.name.data or "",
                            password=self.password.data or "", org_choice=self.org_choice.data or "new",
                            organisation=self.to_draft(orgnr=self.orgnr.data or ""))


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

