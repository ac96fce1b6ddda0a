"""Organisations: validation of their identity and the admin's approval of new users."""
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.se import orgnr as se_orgnr

from .. import mail, permissions, regions
from ..errors import InvalidInput, NotFound
from ..extensions import db
from ..util import has_forbidden_chars
from .models import KINDS, SIZE_CLASSES, SUPPLIER_KINDS, Organisation, OrganisationCounty


@dataclass
class OrganisationDraft:
    name: str = ""
    orgnr: str = ""
    kind: str = ""
    size_class: str | None = None
    counties: list[str] = field(default_factory=list)


def normalise_orgnr(value: str) -> str:
    """'5560360793' or '556036-0793' -> '556036-0793'; ValueError with a user message if invalid."""
    try:
        return se_orgnr.format(se_orgnr.validate(value or ""))
    except StdnumError:
        raise ValueError(_l("Enter a valid Swedish organisation number, for example 556036-0793.")) from None


def find_by_orgnr(value: str) -> Organisation | None:
    try:
        return db.session.scalar(select(Organisation).where(Organisation.orgnr == normalise_orgnr(value)))
    except ValueError:
        return None


def validate(draft: OrganisationDraft, *, existing: Organisation | None = None) -> dict:
    """Field errors for an organisation draft; normalises draft.orgnr in place."""
    errors = {}
    draft.name = (draft.name or "").strip()
    if not draft.name:
        errors["org_name"] = _l("Enter the organisation's name.")
    elif len(draft.name) > 200:
        errors["org_name"] = _l("The name can be at most 200 characters.")
    elif has_forbidden_chars(draft.name):
        errors["org_name"] = _l("The name contains characters that cannot be used.")
    try:
        draft.orgnr = normalise_orgnr(draft.orgnr)
    except ValueError as err:
        errors["orgnr"] = str(err)
    else:
        other = db.session.scalar(select(Organisation).where(Organisation.orgnr == draft.orgnr))
        if other is not None and other is not existing:
            errors["orgnr"] = _l("%(name)s is already registered with this organisation number. "
                                 "Choose “Join an organisation that is already registered” to ask its "
                                 "administrator for access.",
                                 name=other.name)
    if draft.kind not in KINDS:
        errors["kind"] = _l("Choose what kind of organisation this is.")
    if draft.kind in SUPPLIER_KINDS:
        if draft.size_class not in SIZE_CLASSES:
            errors["size_class"] = _l("Choose the size class of the organisation.")
    else:
        draft.size_class = None
    unknown = [c for c in draft.counties if c not in regions.counties()]
    if unknown:
        errors["counties"] = _l("Choose counties from the list.")
    return errors


def build(draft: OrganisationDraft) -> Organisation:
    """A new, validated Organisation added to the session (not committed)."""
    org = Organisation(name=draft.name, orgnr=draft.orgnr, kind=draft.kind, size_class=draft.size_class)
    _set_counties(org, draft.counties)
    db.session.add(org)
    return org


def _set_counties(org: Organisation, codes) -> None:
    org.counties = [OrganisationCounty(county_code=c) for c in sorted(set(codes))]


def get_organisation_or_404(org_id: int) -> Organisation:
    org = db.session.get(Organisation, org_id)
    if org is None:
        raise NotFound()
    return org


def update_organisation(org: Organisation, draft: OrganisationDraft, *, actor) -> Organisation:
    """Change name, kind, size class and counties. The organisation number is fixed once registered."""
    permissions.require(actor, "organisation.edit", org)
    draft.orgnr = org.orgnr
    errors = validate(draft, existing=org)
    if errors:
        raise InvalidInput(errors)
    org.name, org.kind, org.size_class = draft.name, draft.kind, draft.size_class
    _set_counties(org, draft.counties)
    db.session.commit()
    return org


def pending_users(org: Organisation) -> list:
    from ..accounts.models import User

    return db.session.scalars(select(User).where(
        User.organisation_id == org.id, User.is_org_approved.is_(False)).order_by(User.created_at)).all()


def approved_users(org: Organisation) -> list:
    from ..accounts.models import User

    return db.session.scalars(select(User).where(
        User.organisation_id == org.id, User.is_org_approved.is_(True)).order_by(User.name)).all()


def admins(org: Organisation) -> list:
    return [u for u in approved_users(org) if u.is_org_admin]


def _user_of(org, user_id):
    from ..accounts.models import User

    user = db.session.get(User, user_id)
    if user is None or user.organisation_id != org.id:
        raise NotFound()
    return user


def approve_user(org: Organisation, user_id: int, *, actor):
    """Let a pending user act for the organisation; tells them by e-mail."""
    permissions.require(actor, "organisation.approve_users", org)
    user = _user_of(org, user_id)
    if not user.is_org_approved:
        user.is_org_approved = True
        mail.queue(user.email, _l("Your account at %(org)s is approved", org=org.name),
                   _l("%(admin)s approved your account. You can now act for %(org)s in the portal.",
                      admin=actor.name, org=org.name), locale=user.locale)
        db.session.commit()
    return user


def remove_user(org: Organisation, user_id: int, *, actor):
    """Refuse a pending user or take an approved one out of the organisation.

    The account stays, without an organisation: every right it had through the organisation
    ends with its next request. The last administrator cannot be removed.
    """
    permissions.require(actor, "organisation.approve_users", org)
    user = _user_of(org, user_id)
    if user.is_org_admin:
        _refuse_last_admin(org)
    user.organisation_id = None
    user.is_org_admin = user.is_org_approved = user.may_sign_intents = False
    db.session.commit()
    return user


def set_admin(org: Organisation, user_id: int, is_admin: bool, *, actor):
    """Grant or remove the administrator right; an organisation always keeps one administrator."""
    permissions.require(actor, "organisation.approve_users", org)
    user = _user_of(org, user_id)
    if not user.is_org_approved:
        raise InvalidInput({}, message=_l("Approve the user first."))
    if not is_admin and user.is_org_admin:
        _refuse_last_admin(org)
    user.is_org_admin = is_admin
    db.session.commit()
    return user


def set_signing_right(org: Organisation, user_id: int, may_sign: bool, *, actor):
    """Grant or remove the right to sign letters of intent on the organisation's behalf."""
    permissions.require(actor, "organisation.approve_users", org)
    user = _user_of(org, user_id)
    if not user.is_org_approved:
        raise InvalidInput({}, message=_l("Approve the user first."))
    user.may_sign_intents = may_sign
    db.session.commit()
    return user


def _refuse_last_admin(org: Organisation) -> None:
    # Under a write lock on the organisation row, so two administrators removing each other
    # at the same moment cannot both pass (see networks.services._refuse_last_coordinator).
    from ..accounts.models import User

    db.session.execute(update(Organisation).where(Organisation.id == org.id).values(id=Organisation.id))
    count = db.session.scalar(select(func.count()).select_from(User).where(
        User.organisation_id == org.id, User.is_org_admin.is_(True), User.is_org_approved.is_(True)))
    if count <= 1:
        db.session.rollback()
        raise InvalidInput({}, message=_l("An organisation needs at least one administrator. "
                                          "Make someone else administrator first."))
