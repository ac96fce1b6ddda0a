"""The one policy module: may(user, action, obj) -> bool.

Every view and API endpoint asks here. Roles are read from the database on every call,
so losing a role takes effect on the very next request of every session.
"""
import functools
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain

from flask import has_request_context, request
from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import Session
from werkzeug.local import LocalProxy

from .errors import Forbidden, NotFound
from .extensions import db


@dataclass(frozen=True)
class Actor:
    """What the policy needs to know about the person asking."""

    user: object | None
    organisation: object | None  # the approved organisation the user acts for
    is_portal_admin: bool
    is_org_admin: bool

    @classmethod
    def of(cls, user) -> "Actor":
        if isinstance(user, LocalProxy):  # current_user: resolved once, not on each attribute
            user = user._get_current_object()
        if user is None or not getattr(user, "is_authenticated", False):
            return cls(None, None, False, False)
        org = user.approved_organisation
        return cls(user, org, user.is_portal_admin, bool(org and user.is_org_admin))

    @property
    def is_anonymous(self) -> bool:
        return self.user is None


def network_role(user, network) -> str | None:
    """The role of the user's organisation in the network (coordinator, member, observer) or None."""
    actor = user if isinstance(user, Actor) else Actor.of(user)
    if actor.organisation is None or network is None or network.id is None:
        return None
    cache = _role_cache()
    key = (actor.organisation.id, network.id)
    if cache is not None:
        if key in cache:
            return cache[key]
        if (actor.organisation.id, _ALL) in cache:  # every role of the organisation is known
            return None
    role = db.session.scalar(_role_query(), {"network_id": network.id, "organisation_id": actor.organisation.id})
    if cache is not None:
        cache[key] = role
    return role


@functools.cache
def _role_query():
    """Built once, so that SQLAlchemy reuses its compiled form without a cache key per call."""
    from .networks.models import Membership  # local: networks imports permissions

    return select(Membership.role).where(Membership.network_id == bindparam("network_id"),
                                         Membership.organisation_id == bindparam("organisation_id"))


_ROLES_KEY = "network_app.roles"


_ALL = "all"  # (organisation id, _ALL) in the cache: it holds every role of that organisation


def remember_roles(organisation_id: int, roles: dict[int, str]) -> None:
    """Every role (network id -> role) of an organisation, as read at the start of a request
    (with the login session): network_role() answers from them for the rest of the request."""
    cache = _role_cache()
    if cache is not None:
        cache.update({(organisation_id, network_id): role for network_id, role in roles.items()})
        cache[(organisation_id, _ALL)] = True


def _role_cache() -> dict | None:
    """Roles looked up during this request (a page asks many times); None outside requests."""
    return request.environ.setdefault(_ROLES_KEY, {}) if has_request_context() else None


@event.listens_for(Session, "after_flush")
def _forget_roles(session, _context) -> None:
    """A membership written in this request makes the remembered roles stale."""
    if has_request_context() and any(type(o).__name__ == "Membership"
                                     for o in chain(session.new, session.dirty, session.deleted)):
        request.environ.pop(_ROLES_KEY, None)


def _member(actor, network) -> bool:
    return network_role(actor, network) is not None


def _coordinator(actor, network) -> bool:
    return network_role(actor, network) == "coordinator"


def _own_org_admin(actor, organisation) -> bool:
    return actor.is_org_admin and actor.organisation.id == organisation.id


def _may_request_join(actor, network) -> bool:
    return (actor.is_org_admin and actor.organisation.is_buyer and not _member(actor, network))


def _may_accept_invitation(actor, invitation) -> bool:
    if not (actor.is_org_admin and invitation.is_pending):
        return False
    if invitation.organisation_id is not None:
        return invitation.organisation_id == actor.organisation.id
    return not _member(actor, invitation.network)  # an e-mailed link: whoever holds it, for their org


def _writer(actor, network) -> bool:
    return network_role(actor, network) in ("member", "coordinator")


def _may_view_spec(actor, spec) -> bool:
    return spec.is_public or _member(actor, spec.network)


def _may_edit_spec(actor, spec) -> bool:
    return _writer(actor, spec.network)


def member_network_ids(user) -> list[int]:
    """Ids of the networks the user's organisation belongs to (any role)."""
    actor = user if isinstance(user, Actor) else Actor.of(user)
    if actor.organisation is None:
        return []
    from .networks.models import Membership

    return list(db.session.scalars(select(Membership.network_id).where(
        Membership.organisation_id == actor.organisation.id)))


def _may_view_criterion(actor, criterion) -> bool:
    return criterion.network_id is None or _member(actor, criterion.network)


def _may_edit_criterion(actor, criterion) -> bool:
    if criterion.network_id is None:
        return bool(actor.user is not None and actor.user.is_library_editor)
    return _writer(actor, criterion.network)


def _may_create_criterion(actor, network) -> bool:
    if network is None:
        return bool(actor.user is not None and actor.user.is_library_editor)
    return _writer(actor, network)


def _may_manage_need(actor, need) -> bool:
    """A network's needs are its members' and coordinators'; an organisation's own, its users'."""
    if need.network_id is not None:
        return _writer(actor, need.network)
    return actor.organisation.id == need.organisation_id


def _may_register_interest(actor, need) -> bool:
    return actor.organisation.is_supplier and need.is_open


def _may_ask(actor, target) -> bool:
    """Anyone acting for an organisation may ask, except the buyers behind it (they answer)."""
    if hasattr(target, "procedure"):  # a need
        return target.is_open and not _may_manage_need(actor, target)
    return target.status == "consultation" and not _member(actor, target.network)


def _may_answer(actor, target) -> bool:
    if hasattr(target, "procedure"):
        return _may_manage_need(actor, target)
    return _writer(actor, target.network)


def _spec_member(actor, spec) -> bool:
    return _member(actor, spec.network)


def _spec_coordinator(actor, spec) -> bool:
    return _coordinator(actor, spec.network)


def _may_view_intent(actor, intent) -> bool:
    return intent.is_public or _member(actor, intent.network)


def _intent_coordinator(actor, intent) -> bool:
    return _coordinator(actor, intent.network)


def _intent_member(actor, intent) -> bool:
    return _member(actor, intent.network)


def _may_sign(actor, network) -> bool:
    """A person with the signing right of an organisation that is a member or coordinator."""
    return bool(actor.user is not None and actor.user.may_sign_intents and _writer(actor, network))


def _may_sign_intent(actor, intent) -> bool:
    return _may_sign(actor, intent.network)


def _may_withdraw(actor, signature) -> bool:
    return signature.organisation_id == actor.organisation.id and _may_sign(actor, signature.intent.network)


# action -> (rule, portal admin may too, refusal for people who may not even know it exists)
RULES: dict[str, tuple[Callable, bool, bool]] = {
    "network.view": (lambda a, n: True, True, False),
    # A network is created on behalf of an organisation, which becomes its first coordinator.
    "network.create": (lambda a, _: a.organisation is not None and a.organisation.is_buyer, False, False),
    "network.view_private": (_member, True, True),
    "network.edit": (_coordinator, True, True),
    "network.manage_members": (_coordinator, True, True),
    "network.request_join": (_may_request_join, False, False),
    "network.leave": (lambda a, n: a.is_org_admin and _member(a, n), False, True),
    "invitation.accept": (_may_accept_invitation, False, False),
    "organisation.view": (lambda a, o: True, True, False),
    "organisation.edit": (_own_org_admin, True, False),
    "organisation.approve_users": (_own_org_admin, True, False),
    "user.manage_tokens": (lambda a, u: a.user is not None and a.user.id == u.id, False, False),
    "spec.view": (_may_view_spec, True, True),
    "spec.create": (_writer, True, True),
    "spec.edit": (_may_edit_spec, True, True),
    "spec.view_drafts": (_spec_member, True, True),  # revisions after the published one
    "spec.manage": (_spec_coordinator, True, True),  # consultation, adoption, archiving
    # Shared criteria: everyone reads, library editors write. A network's own: its members.
    "criterion.view": (_may_view_criterion, True, True),
    "criterion.edit": (_may_edit_criterion, True, True),
    "criterion.create": (_may_create_criterion, True, False),  # on a network, or None: the shared library
    # Planned needs: published ones are public; drafts are their publishers' (404 to others).
    "need.view": (lambda a, n: n.is_published or (a.organisation is not None and _may_manage_need(a, n)), True, False),
    "need.create": (lambda a, _: a.organisation.is_buyer, False, False),  # for the user's own organisation
    "need.publish_for": (_writer, False, False),  # on behalf of a network
    "need.edit": (_may_manage_need, True, False),  # also: see registrations, message them, answer questions
    "need.register_interest": (_may_register_interest, False, False),
    "question.ask": (_may_ask, False, False),  # about a need, or a specification in consultation
    "question.answer": (_may_answer, True, False),
    "watch.create": (lambda a, _: True, False, False),  # anyone acting for an organisation
    # Letters of intent: coordinators write and run them; signers of member organisations sign.
    "intent.view": (_may_view_intent, True, True),
    "intent.create": (_coordinator, True, True),  # on a network
    "intent.edit": (_intent_coordinator, True, True),  # text and details
    "intent.manage": (_intent_coordinator, True, True),  # open, close, move to a new version
    "intent.sign": (_may_sign_intent, False, False),  # for the signer's own organisation only
    "intent.signatories": (_intent_member, True, True),  # signer names and titles, the CSV
    "intent.audit": (_intent_coordinator, True, True),
    "signature.withdraw": (_may_withdraw, False, False),
}
ACTIONS = tuple(RULES)
# What the object's state must allow before anyone, portal admins included, may act.
PRECONDITIONS: dict[str, Callable] = {
    "spec.edit": lambda spec: spec.status in ("draft", "consultation", "adopted"),  # archived texts are final
    "intent.edit": lambda intent: intent.status != "closed",  # a closed letter is final
    "intent.sign": lambda intent: intent.status == "open",  # the dates are checked by the service
    "signature.withdraw": lambda signature: signature.status == "active",
}


def may(user, action: str, obj=None) -> bool:
    """Whether `user` (a User, None or an anonymous user) may do `action` to `obj`."""
    rule, admin_too, _ = RULES[action]
    if action in PRECONDITIONS and not PRECONDITIONS[action](obj):
        return False
    actor = Actor.of(user)
    if actor.is_portal_admin and admin_too:
        return True
    public = ("network.view", "organisation.view", "spec.view", "criterion.view", "need.view", "intent.view")
    if actor.is_anonymous and action not in public:
        return False
    if actor.organisation is None and action not in public + ("user.manage_tokens",):
        return False
    return bool(rule(actor, obj))


def hides_existence(user, action: str, obj) -> bool:
    """True when a refusal must look like 404: the object is private to a network the user is outside."""
    _, _, private = RULES[action]
    if not private:
        return False
    network = getattr(obj, "network", obj)
    if network is None:  # shared (not network-owned) things are no secret
        return False
    return not (Actor.of(user).is_portal_admin or _member(Actor.of(user), network))


def require(user, action: str, obj=None) -> None:
    """Raise NotFound or Forbidden unless `user` may do `action` to `obj`."""
    if may(user, action, obj):
        return
    if hides_existence(user, action, obj):
        raise NotFound()
    raise Forbidden()
