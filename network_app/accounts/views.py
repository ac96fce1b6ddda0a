"""Register, log in and out, profile (password, API tokens), password reset."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..errors import InvalidInput
from ..extensions import limiter
from ..links import local_path
from . import services
from .forms import ChangePasswordForm, EmptyForm, ForgotPasswordForm, LoginForm, RegisterForm, \
    ResetPasswordForm, TokenForm

bp = Blueprint("accounts", __name__)


def _sign_in(user) -> None:
    session.clear()  # a fresh session on login, so a planted session id is worthless
    services.start_session(user, request.headers.get("User-Agent", ""))
    login_user(user)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTER_LIMIT_PER_ADDRESS"], methods=["POST"], scope="register")
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.register(form.to_registration())
        except InvalidInput as err:
            form.apply_errors(err.errors)
        else:
            _sign_in(user)
            if user.is_org_approved:
                flash(_("Welcome! Your account and your organisation are registered."), "success")
            else:
                flash(_("Welcome! An administrator of %(org)s will approve your account.",
                        org=user.organisation.name), "info")
            return redirect(url_for("main.home"))
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/register.html", form=form), status


def _login_key_account() -> str:
    """The account a login attempt is for, normalised as authenticate() does, so that
    spelling variants of one address share one limit."""
    typed = (request.form.get("email") or "")[:254]
    try:
        return "login-account:" + services.normalise_email(typed)
    except ValueError:
        return "login-account:" + typed.strip().lower()


def _login_failed(response) -> bool:
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], key_func=_login_key_account,
               methods=["POST"], deduct_when=_login_failed, scope="login-account")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"],
               deduct_when=_login_failed, scope="login-address")
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            _sign_in(user)
            flash(_("You are logged in."), "success")
            return redirect(local_path(form.next.data))
        form.password.errors = [_("The e-mail address or the password is wrong.")]
    status = 401 if form.is_submitted() else 200
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    if EmptyForm().validate_on_submit() and current_user.is_authenticated:
        services.end_session(current_user)
        logout_user()
        session.clear()
        flash(_("You are logged out."), "success")
    return redirect(url_for("main.home"))


@bp.route("/account", methods=["GET"])
@login_required
def profile():
    return _render_profile()


def _render_profile(password_form=None, token_form=None, new_token=None, status=200):
    return render_template("accounts/profile.html", password_form=password_form or ChangePasswordForm(),
                           token_form=token_form or TokenForm(), tokens=services.api_tokens(current_user),
                           new_token=new_token, empty_form=EmptyForm()), status


@bp.route("/account/password", methods=["POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data or "", form.new_password.data or "")
        except InvalidInput as err:
            form.apply_errors(err.errors)
        else:
            flash(_("Your password is changed. Other browsers where you were logged in are logged out."),
                  "success")
            return redirect(url_for("accounts.profile"))
    return _render_profile(password_form=form, status=422)


@bp.route("/account/tokens", methods=["POST"])
@login_required
def create_token():
    form = TokenForm()
    if form.validate_on_submit():
        try:
            token = services.create_api_token(current_user, form.token_name.data)
        except InvalidInput as err:
            form.apply_errors(err.errors)
        else:
            # Shown once, in this response only: it is stored hashed.
            return _render_profile(new_token=token, token_form=TokenForm(formdata=None))
    return _render_profile(token_form=form, status=422)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id):
    if EmptyForm().validate_on_submit():
        services.revoke_api_token(current_user, token_id)
        flash(_("The token is revoked and can no longer be used."), "success")
    return redirect(url_for("accounts.profile"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"], scope="reset")
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        # The same answer whether or not the address has an account.
        flash(_("If an account uses that address, we have sent it a link to choose a new password."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot.html", form=form), (422 if form.is_submitted() else 200)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    services.check_reset_token(token)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data or "")
        except InvalidInput as err:
            form.apply_errors(err.errors)
        else:
            if current_user.is_authenticated:
                logout_user()
            session.clear()
            flash(_("Your password is changed. Log in with the new password."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form), (422 if form.is_submitted() else 200)
