"""Every role against every action that exists: the policy in one table."""
import pytest

from network_app import permissions
from network_app.errors import Forbidden, NotFound
from network_app.extensions import db
from network_app.networks import services as networks
from network_app.networks.models import Membership, Network

ROLES = ("anonymous", "supplier", "observer", "member", "coordinator", "org_admin", "portal_admin",
         "other_network", "pending")

T, F = True, False
# action: expected answer per role, in the order of ROLES.
TABLE = {
    "network.view":              (T, T, T, T, T, T, T, T, T),
    "network.create":            (F, F, T, T, T, T, F, T, F),
    "network.view_private":      (F, F, T, T, T, T, T, F, F),
    "network.edit":              (F, F, F, F, T, F, T, F, F),
    "network.manage_members":    (F, F, F, F, T, F, T, F, F),
    "network.request_join":      (F, F, F, F, F, F, F, T, F),
    "network.leave":             (F, F, F, F, F, T, F, F, F),
    "invitation.accept":         (F, F, F, F, F, F, F, T, F),
    "organisation.view":         (T, T, T, T, T, T, T, T, T),
    "organisation.edit":         (F, F, F, F, F, T, T, F, F),
    "organisation.approve_users": (F, F, F, F, F, T, T, F, F),
    "user.manage_tokens":        (F, T, T, T, T, T, T, T, T),
}


@pytest.fixture
def world(app, make_org, make_user):
    """Network N (coordinator org C, member org M, observer org O), network N2 of org X, a supplier."""
    c, m, o, x = (make_org(name=n) for n in ("Coord org", "Member org", "Observer org", "Other org"))
    people = {
        "anonymous": None,
        "supplier": make_user(org_kind="company", admin=True),
        "coordinator": make_user(org=c), "member": make_user(org=m), "observer": make_user(org=o),
        "org_admin": make_user(org=m), "portal_admin": make_user(org_kind=None, portal_admin=True),
        "other_network": make_user(org=x), "pending": make_user(org=c, approved=False),
    }
    # The first user of each organisation administers it; make the role users plain members.
    for role in ("coordinator", "member", "observer"):
        people[role].is_org_admin = False
    people["org_admin"].is_org_admin = True
    people["other_network"].is_org_admin = True
    n = Network(name="N", slug="n", kind="buyer_network")
    db.session.add_all([n, Membership(network=n, organisation=c, role="coordinator"),
                        Membership(network=n, organisation=m, role="member"),
                        Membership(network=n, organisation=o, role="observer")])
    db.session.commit()
    networks.create_network(networks.NetworkDraft(name="N2", slug="n2"), actor=people["other_network"])
    invitation = networks.invite_organisation(n, x.orgnr, "member", actor=people["coordinator"])
    return {"people": people, "network": n, "member_org": m, "invitation": invitation}


def target(world, action, user):
    area = action.split(".")[0]
    return {"network": world["network"], "invitation": world["invitation"],
            "organisation": world["member_org"], "user": user}[area] if action != "network.create" else None


def test_the_table_covers_every_action():
    assert set(TABLE) == set(permissions.ACTIONS)


@pytest.mark.parametrize("action", sorted(TABLE))
@pytest.mark.parametrize("role", ROLES)
def test_policy(world, role, action):
    user = world["people"][role]
    expected = TABLE[action][ROLES.index(role)]
    assert permissions.may(user, action, target(world, action, user)) is expected


@pytest.mark.parametrize("role, refusal", [("anonymous", NotFound), ("supplier", NotFound),
                                           ("other_network", NotFound), ("member", Forbidden),
                                           ("observer", Forbidden)])
def test_private_network_pages_are_404_to_outsiders_and_403_to_members(world, role, refusal):
    with pytest.raises(refusal):
        permissions.require(world["people"][role], "network.manage_members", world["network"])


def test_losing_the_coordinator_role_takes_effect_at_once(world):
    coordinator, network = world["people"]["coordinator"], world["network"]
    assert permissions.may(coordinator, "network.edit", network)
    membership = next(m for m in network.memberships if m.role == "coordinator")
    membership.role = "member"
    db.session.commit()
    assert not permissions.may(coordinator, "network.edit", network)
