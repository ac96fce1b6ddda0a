"""Accounts: registration, login sessions, passwords, password reset and API tokens."""
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from .. import mail, permissions
from ..dbtypes import utcnow
from ..errors import InvalidInput, NotFound
from ..extensions import db
from ..links import external_url
from ..networks.models import Membership
from ..organisations import services as org_services
from ..util import has_forbidden_chars, new_token, token_hash
from . import passwords
from .models import ApiToken, LoginSession, PasswordReset, User


@dataclass
class Registration:
    email: str = ""
    name: str = ""
    password: str = ""
    # "new": register the organisation; "join": ask to join an organisation already registered.
    org_choice: str = "new"
    organisation: org_services.OrganisationDraft = field(default_factory=org_services.OrganisationDraft)


def normalise_email(value: str) -> str:
    """Lower-cased, syntax-checked address; ValueError with a user message if invalid."""
    try:
        return validate_email((value or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise ValueError(_l("Enter a valid e-mail address, like name@example.se.")) from None


def find_user(email: str) -> User | None:
    try:
        return db.session.scalar(select(User).where(User.email == normalise_email(email)))
    except ValueError:
        return None


def _check_person(reg: Registration) -> dict:
    errors = {}
    try:
        reg.email = normalise_email(reg.email)
    except ValueError as err:
        errors["email"] = str(err)
    else:
        if len(reg.email) > 254:
            errors["email"] = _l("The e-mail address is too long.")
        elif find_user(reg.email):
            errors["email"] = _l("An account with this e-mail address already exists. "
                                 "Log in, or reset your password if you have forgotten it.")
    reg.name = (reg.name or "").strip()
    if not reg.name:
        errors["name"] = _l("Enter your name.")
    elif len(reg.name) > 120:
        errors["name"] = _l("The name can be at most 120 characters.")
    elif has_forbidden_chars(reg.name):
        errors["name"] = _l("The name contains characters that cannot be used.")
    problem = passwords.problems(reg.password, email=reg.email, name=reg.name)
    if problem:
        errors["password"] = problem
    return errors


def register(reg: Registration) -> User:
    """Create an account, with a new organisation (the user administers it) or as a pending
    member of an existing one (its administrators are told). Raises InvalidInput; stores nothing then."""
    errors = _check_person(reg)
    org = None
    if reg.org_choice == "join":
        org = org_services.find_by_orgnr(reg.organisation.orgnr)
        if org is None:
            errors["orgnr"] = _l("No organisation with this number is registered. "
                                 "Choose “register a new organisation” instead.")
    else:
        errors.update(org_services.validate(reg.organisation))
    if errors:
        raise InvalidInput(errors)
    user = User(email=reg.email, name=reg.name, password_hash=passwords.hash_password(reg.password))
    if org is None:
        user.organisation = org_services.build(reg.organisation)
        user.is_org_admin = user.is_org_approved = True
    else:
        user.organisation = org
    db.session.add(user)
    if org is not None:
        _ask_admins_to_approve(user, org)
    try:
        db.session.commit()
    except IntegrityError:
        # Another request registered the same e-mail or organisation number between our
        # check and our commit: say so as the check would have.
        db.session.rollback()
        raise InvalidInput(_check_person(reg) | (org_services.validate(reg.organisation)
                                                 if org is None else {})
                           or {"email": _l("This was registered by someone else just now. Try again.")})
    return user


def _ask_admins_to_approve(user: User, org) -> None:
    link = external_url("organisations.users", org_id=org.id)
    for admin in org_services.admins(org):
        mail.queue(admin.email, _l("%(name)s asks to join %(org)s", name=user.name, org=org.name),
                   _l("%(name)s (%(email)s) has registered as a user of %(org)s. "
                      "Approve or refuse the request here: %(link)s",
                      name=user.name, email=user.email, org=org.name, link=link), locale=admin.locale)


def create_user(email: str, name: str, password: str, *, orgnr: str | None = None,
                is_admin: bool = False) -> User:
    """For the CLI and demo loader: an approved account, optionally in an existing organisation."""
    reg = Registration(email=email, name=name, password=password)
    errors = _check_person(reg)
    org = None
    if orgnr:
        org = org_services.find_by_orgnr(orgnr)
        if org is None:
            errors["orgnr"] = _l("No organisation with this number is registered.")
    if errors:
        raise InvalidInput(errors)
    # The first user of an organisation administers it.
    is_first = org is not None and not org_services.admins(org)
    user = User(email=reg.email, name=reg.name, password_hash=passwords.hash_password(password),
                organisation=org, is_org_approved=org is not None, is_org_admin=is_first,
                is_portal_admin=is_admin)
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user with this e-mail and password, or None (taking the same time either way)."""
    user = find_user(email)
    ok = passwords.verify(user.password_hash if user else None, password)
    return user if ok else None


# --- login sessions ---------------------------------------------------------------------------

def start_session(user: User, user_agent: str = "") -> LoginSession:
    """Record a new signed-in browser; its plain token is on the returned object."""
    token = new_token()
    session = LoginSession(user=user, token_hash=token_hash(token), user_agent=(user_agent or "")[:200])
    db.session.add(session)
    db.session.commit()
    session.token = token
    user.login_session = session
    return session


@cache
def _session_query():
    """The session, its user and organisation, and the organisation's roles in networks (one row
    per membership), in one query. Built once: SQLAlchemy then reuses its compiled form without
    working out a cache key per request (this runs on every request of a signed-in person)."""
    return (select(LoginSession, Membership.network_id, Membership.role)
            .join(LoginSession.user).outerjoin(User.organisation)
            .outerjoin(Membership, Membership.organisation_id == User.organisation_id)
            .where(LoginSession.token_hash == bindparam("token_hash"))
            .options(contains_eager(LoginSession.user).contains_eager(User.organisation)))


def load_session(token: str) -> User | None:
    """The user behind a session token, or None when the session was ended. The roles of the
    user's organisation come along and serve the rest of the request (permissions.network_role)."""
    if not token:
        return None
    rows = db.session.execute(_session_query(), {"token_hash": token_hash(token)}).all()
    if not rows:
        return None
    session = rows[0][0]
    session.token = token
    session.user.login_session = session
    if session.user.organisation_id is not None:
        permissions.remember_roles(session.user.organisation_id,
                                   {network_id: role for _s, network_id, role in rows if network_id is not None})
    return session.user


def end_session(user: User) -> None:
    if user.login_session is not None:
        db.session.execute(delete(LoginSession).where(LoginSession.id == user.login_session.id))
        db.session.commit()


def end_other_sessions(user: User) -> None:
    """End every session of the user except the current one (after a password change)."""
    keep = user.login_session.id if user.login_session else -1
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id, LoginSession.id != keep))


def change_password(user: User, current: str, new: str) -> None:
    """Change the password and sign out every other browser. Raises InvalidInput."""
    errors = {}
    if not passwords.verify(user.password_hash, current):
        errors["current_password"] = _l("That is not your current password.")
    problem = passwords.problems(new, email=user.email, name=user.name)
    if problem:
        errors["new_password"] = problem
    if errors:
        raise InvalidInput(errors)
    user.password_hash = passwords.hash_password(new)
    end_other_sessions(user)
    _close_reset_links(user)
    db.session.commit()


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
    db.session.commit()


# --- password reset ---------------------------------------------------------------------------

def request_password_reset(email: str) -> None:
    """E-mail a one-time reset link if the address has an account; silent either way."""
    user = find_user(email)
    if user is None:
        return
    token = new_token()
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    db.session.add(PasswordReset(user=user, token_hash=token_hash(token),
                                 expires_at=utcnow() + timedelta(hours=hours)))
    mail.queue(user.email, _l("Reset your password"),
               _l("Someone asked to reset the password of your account. If it was you, choose a "
                  "new password here within %(hours)d hours: %(link)s\n\nIf it was not you, "
                  "ignore this message; your password stays as it is.",
                  hours=hours, link=external_url("accounts.reset_password", token=token)), locale=user.locale)
    db.session.commit()


def _valid_reset(token: str) -> PasswordReset:
    reset = db.session.scalar(select(PasswordReset).where(PasswordReset.token_hash == token_hash(token)))
    if reset is None or reset.used_at is not None or reset.expires_at < utcnow():
        raise NotFound(_l("This reset link has expired or has already been used. Ask for a new one."))
    return reset


def _close_reset_links(user: User) -> None:
    """Every open reset link of the user stops working (the password was just set)."""
    db.session.execute(update(PasswordReset).where(PasswordReset.user_id == user.id,
                                                   PasswordReset.used_at.is_(None)).values(used_at=utcnow()))


def check_reset_token(token: str) -> None:
    _valid_reset(token)


def reset_password(token: str, new: str) -> User:
    """Set a new password from a reset link; the link stops working and every session ends."""
    reset = _valid_reset(token)
    user = reset.user
    problem = passwords.problems(new, email=user.email, name=user.name)
    if problem:
        raise InvalidInput({"password": problem})
    user.password_hash = passwords.hash_password(new)
    _close_reset_links(user)
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    db.session.commit()
    return user


# --- API tokens -------------------------------------------------------------------------------

def create_api_token(user: User, name: str = "") -> str:
    """A new API token for the user; only its hash is kept, so the plain token is returned once."""
    name = (name or "").strip() or str(_l("API token"))
    if len(name) > 80 or has_forbidden_chars(name):
        raise InvalidInput({"token_name": _l("Give the token a name of at most 80 characters.")})
    token = "na_" + new_token()
    db.session.add(ApiToken(user=user, name=name, token_hash=token_hash(token), prefix=token[:10]))
    db.session.commit()
    return token


def api_tokens(user: User) -> list[ApiToken]:
    return db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                              .order_by(ApiToken.created_at.desc())).all()


def revoke_api_token(user: User, token_id: int) -> None:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound()
    token.revoked_at = token.revoked_at or utcnow()
    db.session.commit()


def user_for_api_token(token: str) -> User | None:
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token or "")))
    if row is None or row.is_revoked:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
        row.last_used_at = now  # coarse, so API traffic does not write on every request
        db.session.commit()
    return row.user
