"""Networks: creation, invitations, join requests, roles and leaving.

A network always keeps at least one coordinator: every change that could remove the
last one is refused with a message saying what to do instead.
"""
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from .. import mail, permissions
from ..accounts.services import normalise_email
from ..dbtypes import utcnow
from ..errors import InvalidInput, NotFound
from ..extensions import db
from ..links import external_url
from ..organisations import services as org_services
from ..util import SLUG_RE, has_forbidden_chars, new_token, slugify, token_hash
from .models import KINDS, ROLES, Invitation, JoinRequest, Membership, Network

RESERVED_SLUGS = {"new", "api", "static", "admin", "invitations", "edit", "members"}


@dataclass
class NetworkDraft:
    name: str = ""
    slug: str = ""
    kind: str = "buyer_network"
    description: str = ""


def free_slug(model, network, title: str, fallback: str) -> str:
    """An address for a new document of `model` (a table with network_id and slug) in the network,
    made from its title and not used by another of the network's documents."""
    base = slugify(title, max_length=56) or fallback
    taken = set(db.session.scalars(select(model.slug).where(model.network_id == network.id,
                                                            model.slug.like(f"{base}%"))))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _validate(draft: NetworkDraft, existing: Network | None = None) -> dict:
    errors = {}
    draft.name = (draft.name or "").strip()
    draft.description = (draft.description or "").strip().replace("\r\n", "\n")
    if not draft.name:
        errors["name"] = _l("Enter the network's name.")
    elif len(draft.name) > 200:
        errors["name"] = _l("The name can be at most 200 characters.")
    elif has_forbidden_chars(draft.name):
        errors["name"] = _l("The name contains characters that cannot be used.")
    if existing is None:
        draft.slug = (draft.slug or "").strip().lower() or slugify(draft.name)
        if not SLUG_RE.match(draft.slug) or draft.slug in RESERVED_SLUGS:
            errors["slug"] = _l("Use 1–64 lower-case letters a–z, digits and hyphens, for example “bebo”.")
        elif db.session.scalar(select(Network.id).where(Network.slug == draft.slug)):
            errors["slug"] = _l("The address “%(slug)s” is taken. Choose another.", slug=draft.slug)
    if draft.kind not in KINDS:
        errors["kind"] = _l("Choose buyer network or purchasing centre.")
    if len(draft.description) > 20000:
        errors["description"] = _l("The description can be at most 20,000 characters.")
    elif has_forbidden_chars(draft.description):
        errors["description"] = _l("The description contains characters that cannot be used.")
    return errors


def create_network(draft: NetworkDraft, *, actor) -> Network:
    """Create a network; the creator's organisation becomes its first coordinator."""
    permissions.require(actor, "network.create")
    errors = _validate(draft)
    if errors:
        raise InvalidInput(errors)
    network = Network(name=draft.name, slug=draft.slug, kind=draft.kind, description=draft.description)
    if actor.approved_organisation is not None:
        network.memberships.append(Membership(organisation=actor.approved_organisation, role="coordinator"))
    db.session.add(network)
    try:
        db.session.commit()
    except IntegrityError:  # the same address was taken by a concurrent request
        db.session.rollback()
        raise InvalidInput(_validate(draft) or {"slug": _l("The address is taken. Choose another.")})
    return network


def update_network(network: Network, draft: NetworkDraft, *, actor) -> Network:
    permissions.require(actor, "network.edit", network)
    errors = _validate(draft, existing=network)
    if errors:
        raise InvalidInput(errors)
    network.name, network.kind, network.description = draft.name, draft.kind, draft.description
    db.session.commit()
    return network


def get_network_or_404(slug: str) -> Network:
    if not SLUG_RE.match(slug):  # also keeps NUL bytes away from PostgreSQL
        raise NotFound()
    network = db.session.scalar(select(Network).where(Network.slug == slug))
    if network is None:
        raise NotFound()
    return network


def list_networks() -> list[Network]:
    return db.session.scalars(select(Network).order_by(Network.name)).all()


def members(network: Network) -> list[Membership]:
    order = {role: i for i, role in enumerate(ROLES)}
    return sorted(network.memberships, key=lambda m: (order[m.role], m.organisation.name.lower()))


def member_counts() -> dict[int, int]:
    rows = db.session.execute(select(Membership.network_id, func.count()).group_by(Membership.network_id))
    return dict(rows.all())


def networks_of(organisation) -> list[Membership]:
    if organisation is None:
        return []
    return db.session.scalars(select(Membership).where(Membership.organisation_id == organisation.id)
                              .join(Network).order_by(Network.name)).all()


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise InvalidInput({"role": _l("Choose coordinator, member or observer.")})


def _is_member(network: Network, organisation) -> bool:
    return any(m.organisation_id == organisation.id for m in network.memberships)


# --- invitations ------------------------------------------------------------------------------

def invite_organisation(network: Network, orgnr: str, role: str, *, actor) -> Invitation:
    """Invite a registered organisation; its administrators are told by e-mail."""
    permissions.require(actor, "network.manage_members", network)
    _check_role(role)
    try:
        org_services.normalise_orgnr(orgnr)
    except ValueError as err:
        raise InvalidInput({"orgnr": str(err)}) from None
    org = org_services.find_by_orgnr(orgnr)
    if org is None:
        raise InvalidInput({"orgnr": _l("No organisation with this number is registered yet. "
                                        "Invite it by e-mail instead.")})
    if _is_member(network, org):
        raise InvalidInput({"orgnr": _l("%(org)s is already a member.", org=org.name)})
    pending = db.session.scalar(select(Invitation).where(
        Invitation.network_id == network.id, Invitation.organisation_id == org.id,
        Invitation.status == "pending", Invitation.expires_at > utcnow()))
    if pending is not None:
        raise InvalidInput({"orgnr": _l("%(org)s has already been invited.", org=org.name)})
    invitation = Invitation(network=network, organisation=org, role=role, invited_by=actor,
                            expires_at=utcnow() + timedelta(days=current_app.config["INVITATION_DAYS"]))
    db.session.add(invitation)
    link = external_url("networks.invitations")
    for admin in org_services.admins(org):
        mail.queue(admin.email, _l("%(org)s is invited to %(network)s", org=org.name, network=network.name),
                   _l("%(who)s invites %(org)s to join %(network)s as %(role)s. "
                      "Accept or decline here: %(link)s", who=actor.name, org=org.name,
                      network=network.name, role=role_label(role), link=link), locale=admin.locale)
    db.session.commit()
    return invitation


def invite_by_email(network: Network, email: str, role: str, *, actor) -> Invitation:
    """E-mail an invitation link; whoever administers an organisation can accept it for theirs."""
    permissions.require(actor, "network.manage_members", network)
    _check_role(role)
    try:
        email = normalise_email(email)
    except ValueError as err:
        raise InvalidInput({"email": str(err)}) from None
    token = new_token()
    invitation = Invitation(network=network, email=email, role=role, invited_by=actor,
                            token_hash=token_hash(token),
                            expires_at=utcnow() + timedelta(days=current_app.config["INVITATION_DAYS"]))
    db.session.add(invitation)
    mail.queue(email, _l("Invitation to %(network)s", network=network.name),
               _l("%(who)s invites your organisation to join %(network)s as %(role)s.\n\n"
                  "Open this link to accept (create an account first if you have none): %(link)s\n\n"
                  "The link works for %(days)d days.", who=actor.name, network=network.name,
                  role=role_label(role), link=external_url("networks.accept_link", token=token),
                  days=current_app.config["INVITATION_DAYS"]))
    db.session.commit()
    return invitation


def invitation_by_token(token: str) -> Invitation:
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token)))
    if invitation is None or not invitation.is_pending:
        raise NotFound(_l("This invitation has expired, been withdrawn or already been used."))
    return invitation


def get_invitation_or_404(invitation_id: int) -> Invitation:
    """An invitation to a registered organisation. E-mailed invitations are reachable only
    through the secret link (invitation_by_token), never by their number."""
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.organisation_id is None:
        raise NotFound()
    return invitation


def pending_invitations_for(organisation) -> list[Invitation]:
    if organisation is None:
        return []
    return db.session.scalars(select(Invitation).where(
        Invitation.organisation_id == organisation.id, Invitation.status == "pending",
        Invitation.expires_at > utcnow()).order_by(Invitation.created_at)).all()


def pending_invitations(network: Network) -> list[Invitation]:
    return db.session.scalars(select(Invitation).where(
        Invitation.network_id == network.id, Invitation.status == "pending",
        Invitation.expires_at > utcnow()).order_by(Invitation.created_at)).all()


def accept_invitation(invitation: Invitation, *, actor) -> Membership:
    """Join the network in the invited role, on behalf of the actor's organisation."""
    permissions.require(actor, "invitation.accept", invitation)
    org = actor.approved_organisation
    invitation.organisation = org
    membership = _add_member(invitation.network, org, invitation.role)
    db.session.commit()
    return membership


def _add_member(network: Network, org, role: str) -> Membership:
    """Make `org` a member and close its other open invitations and join requests here.

    Refuses an organisation that is already a member (say, through a join request accepted
    meanwhile) with a message instead of tripping over the unique constraint.
    """
    if db.session.scalar(select(Membership.id).where(Membership.network_id == network.id,
                                                     Membership.organisation_id == org.id)):
        db.session.rollback()
        raise InvalidInput({}, message=_l("%(org)s is already a member of %(network)s.",
                                          org=org.name, network=network.name))
    now = utcnow()
    for invitation in db.session.scalars(select(Invitation).where(
            Invitation.network_id == network.id, Invitation.status == "pending",
            Invitation.organisation_id == org.id)):
        invitation.status, invitation.decided_at = "accepted", now
    for join in db.session.scalars(select(JoinRequest).where(
            JoinRequest.network_id == network.id, JoinRequest.status == "pending",
            JoinRequest.organisation_id == org.id)):
        join.status, join.decided_at = "accepted", now
    membership = Membership(network=network, organisation=org, role=role)
    db.session.add(membership)
    return membership


def decline_invitation(invitation: Invitation, *, actor) -> None:
    permissions.require(actor, "invitation.accept", invitation)
    invitation.status, invitation.decided_at = "declined", utcnow()
    db.session.commit()


def revoke_invitation(network: Network, invitation_id: int, *, actor) -> None:
    permissions.require(actor, "network.manage_members", network)
    invitation = get_invitation_or_404(invitation_id)
    if invitation.network_id != network.id or invitation.status != "pending":
        raise NotFound()
    invitation.status, invitation.decided_at = "revoked", utcnow()
    db.session.commit()


# --- join requests ----------------------------------------------------------------------------

def request_to_join(network: Network, message: str, *, actor) -> JoinRequest:
    """Ask, for the actor's organisation, to join; coordinators are told by e-mail."""
    permissions.require(actor, "network.request_join", network)
    message = (message or "").strip()
    if len(message) > 2000 or has_forbidden_chars(message):
        raise InvalidInput({"message": _l("Write at most 2,000 characters of plain text.")})
    org = actor.approved_organisation
    if pending_join_request(network, org) is not None:
        raise InvalidInput({}, message=_l("%(org)s has already asked to join. A coordinator will answer.",
                                          org=org.name))
    join = JoinRequest(network=network, organisation=org, message=message, requested_by=actor)
    db.session.add(join)
    link = external_url("networks.manage", slug=network.slug)
    for membership in network.memberships:
        if membership.role == "coordinator":
            for admin in org_services.approved_users(membership.organisation):
                mail.queue(admin.email, _l("%(org)s asks to join %(network)s", org=org.name,
                                           network=network.name),
                           _l("%(who)s asks for %(org)s to join %(network)s.\n\n%(message)s\n\n"
                              "Answer here: %(link)s", who=actor.name, org=org.name,
                              network=network.name, message=message, link=link), locale=admin.locale)
    db.session.commit()
    return join


def pending_join_request(network: Network, organisation) -> JoinRequest | None:
    if organisation is None:
        return None
    return db.session.scalar(select(JoinRequest).where(
        JoinRequest.network_id == network.id, JoinRequest.organisation_id == organisation.id,
        JoinRequest.status == "pending"))


def pending_join_requests(network: Network) -> list[JoinRequest]:
    return db.session.scalars(select(JoinRequest).where(
        JoinRequest.network_id == network.id, JoinRequest.status == "pending")
        .order_by(JoinRequest.created_at)).all()


def decide_join_request(network: Network, request_id: int, *, accept: bool, role: str = "member",
                        actor) -> JoinRequest:
    permissions.require(actor, "network.manage_members", network)
    join = db.session.get(JoinRequest, request_id)
    if join is None or join.network_id != network.id or join.status != "pending":
        raise NotFound()
    if accept:
        _check_role(role)
        _add_member(network, join.organisation, role)
    join.status, join.decided_at = ("accepted" if accept else "declined"), utcnow()
    subject = (_l("%(org)s is now a member of %(network)s", org=join.organisation.name, network=network.name)
               if accept else _l("Your request to join %(network)s was declined", network=network.name))
    mail.queue(join.requested_by.email, subject, subject, locale=join.requested_by.locale)
    db.session.commit()
    return join


# --- roles and leaving ------------------------------------------------------------------------

def get_membership_or_404(network: Network, membership_id: int) -> Membership:
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.network_id != network.id:
        raise NotFound()
    return membership


def _refuse_last_coordinator(network: Network, membership: Membership) -> None:
    """Refuse to take away the network's only coordinator.

    The count runs under a write lock on the network row (an UPDATE that changes nothing:
    a row lock on PostgreSQL, the database write lock on SQLite), so two coordinators
    stepping down at the same moment cannot both pass the check.
    """
    if membership.role != "coordinator":
        return
    db.session.execute(update(Network).where(Network.id == network.id).values(id=Network.id))
    coordinators = db.session.scalar(select(func.count()).select_from(Membership).where(
        Membership.network_id == network.id, Membership.role == "coordinator"))
    if coordinators <= 1:
        db.session.rollback()
        raise InvalidInput({}, message=_l("%(org)s is the last coordinator of the network. "
                                          "Make another member coordinator first.",
                                          org=membership.organisation.name))


def set_role(network: Network, membership_id: int, role: str, *, actor) -> Membership:
    permissions.require(actor, "network.manage_members", network)
    _check_role(role)
    membership = get_membership_or_404(network, membership_id)
    if role != "coordinator":
        _refuse_last_coordinator(network, membership)
    membership.role = role
    db.session.commit()
    return membership


def remove_member(network: Network, membership_id: int, *, actor) -> None:
    permissions.require(actor, "network.manage_members", network)
    membership = get_membership_or_404(network, membership_id)
    _refuse_last_coordinator(network, membership)
    db.session.delete(membership)
    db.session.commit()


def leave_network(network: Network, *, actor) -> None:
    """The actor's organisation leaves; refused for the last coordinator."""
    permissions.require(actor, "network.leave", network)
    membership = next(m for m in network.memberships if m.organisation_id == actor.approved_organisation.id)
    _refuse_last_coordinator(network, membership)
    db.session.delete(membership)
    db.session.commit()


def role_label(role: str):
    labels = {"coordinator": _l("coordinator"), "member": _l("member"), "observer": _l("observer")}
    return labels.get(role, role)  # lazy: e-mails render it in the recipient's language
