"""Networks: creation, invitations, join requests, roles, the last-coordinator rule."""
import pytest

from network_app.errors import Forbidden, InvalidInput, NotFound
from network_app.networks import services
from network_app.networks.models import Membership
from network_app.permissions import network_role
from tests.conftest import link_in


pytestmark = pytest.mark.usefixtures("in_english")


def draft(**kw):
    return services.NetworkDraft(**{"name": "BeBo", "slug": "bebo", **kw})


def test_creating_a_network_makes_the_creators_organisation_coordinator(make_user):
    user = make_user()
    network = services.create_network(draft(), actor=user)
    assert [(m.organisation_id, m.role) for m in network.memberships] == [(user.organisation_id, "coordinator")]


def test_slug_is_made_from_the_name_when_left_empty(make_user):
    network = services.create_network(draft(name="Inköpscentral Mitt", slug=""), actor=make_user())
    assert network.slug == "inkopscentral-mitt"


@pytest.mark.parametrize("overrides, field", [
    ({"name": ""}, "name"), ({"slug": "Has Spaces"}, "slug"), ({"slug": "new"}, "slug"),
    ({"slug": "-bad-"}, "slug"), ({"kind": "club"}, "kind"), ({"description": "x\x00y"}, "description"),
])
def test_bad_network_input_is_refused(make_user, overrides, field):
    with pytest.raises(InvalidInput) as err:
        services.create_network(draft(**overrides), actor=make_user())
    assert field in err.value.errors
    assert services.list_networks() == []


def test_a_taken_slug_is_refused(make_user):
    services.create_network(draft(), actor=make_user())
    with pytest.raises(InvalidInput) as err:
        services.create_network(draft(name="Other"), actor=make_user())
    assert "slug" in err.value.errors


def test_suppliers_cannot_create_networks(make_user):
    with pytest.raises(Forbidden):
        services.create_network(draft(), actor=make_user(org_kind="company"))


def test_inviting_by_organisation_number_and_accepting(make_network, make_user, outbox):
    network = make_network()
    coordinator = network.memberships[0].organisation.users[0]
    invitee = make_user(email="admin@invited.example.org", admin=True)
    invitation = services.invite_organisation(network, invitee.organisation.orgnr.replace("-", ""), "observer",
                                              actor=coordinator)
    assert [m.recipient for m in outbox()] == ["admin@invited.example.org"]
    services.accept_invitation(invitation, actor=invitee)
    assert network_role(invitee, network) == "observer"
    assert invitation.status == "accepted"


@pytest.mark.parametrize("orgnr, message", [("12345", "valid Swedish organisation number"),
                                            ("556036-0793", "No organisation with this number")])
def test_inviting_an_unknown_or_invalid_number_is_explained(make_network, orgnr, message):
    network = make_network()
    coordinator = network.memberships[0].organisation.users[0]
    with pytest.raises(InvalidInput) as err:
        services.invite_organisation(network, orgnr, "member", actor=coordinator)
    assert message in str(err.value.errors["orgnr"])


def test_inviting_a_member_or_inviting_twice_is_refused(make_network, make_user):
    network = make_network()
    coordinator = network.memberships[0].organisation.users[0]
    with pytest.raises(InvalidInput):
        services.invite_organisation(network, coordinator.organisation.orgnr, "member", actor=coordinator)
    other = make_user()
    services.invite_organisation(network, other.organisation.orgnr, "member", actor=coordinator)
    with pytest.raises(InvalidInput):
        services.invite_organisation(network, other.organisation.orgnr, "member", actor=coordinator)


def test_only_an_admin_of_the_invited_organisation_may_accept(make_network, make_user):
    network = make_network()
    coordinator = network.memberships[0].organisation.users[0]
    invitee_admin = make_user(admin=True)
    colleague = make_user(org=invitee_admin.organisation)
    stranger = make_user(admin=True)
    invitation = services.invite_organisation(network, invitee_admin.organisation.orgnr, "member",
                                              actor=coordinator)
    for user in (colleague, stranger):
        with pytest.raises(Forbidden):
            services.accept_invitation(invitation, actor=user)


def test_an_emailed_invitation_is_accepted_by_whoever_registers_with_the_link(
        make_network, make_user, outbox, client):
    network = make_network()
    coordinator = network.memberships[0].organisation.users[0]
    services.invite_by_email(network, "Someone@Example.org", "member", actor=coordinator)
    [message] = outbox("someone@example.org")
    token = link_in(message.body).rsplit("/", 1)[1]
    newcomer = make_user(admin=True)
    services.accept_invitation(services.invitation_by_token(token), actor=newcomer)
    assert network_role(newcomer, network) == "member"
    with pytest.raises(NotFound):  # one use only
        services.invitation_by_token(token)


def test_join_request_is_accepted_by_a_coordinator(make_network, make_user, outbox):
    network = make_network()
    coordinator = network.memberships[0].organisation.users[0]
    applicant = make_user(admin=True)
    join = services.request_to_join(network, "Vi vill vara med.", actor=applicant)
    assert coordinator.email in [m.recipient for m in outbox()]
    with pytest.raises(InvalidInput):
        services.request_to_join(network, "", actor=applicant)  # one open request at a time
    services.decide_join_request(network, join.id, accept=True, role="member", actor=coordinator)
    assert network_role(applicant, network) == "member"


def test_the_last_coordinator_can_neither_leave_nor_be_demoted_nor_removed(make_network, make_user):
    network = make_network()
    coordinator = network.memberships[0].organisation.users[0]
    membership = network.memberships[0]
    with pytest.raises(InvalidInput, match="last coordinator"):
        services.leave_network(network, actor=coordinator)
    with pytest.raises(InvalidInput, match="last coordinator"):
        services.set_role(network, membership.id, "member", actor=coordinator)
    with pytest.raises(InvalidInput, match="last coordinator"):
        services.remove_member(network, membership.id, actor=coordinator)
    assert network_role(coordinator, network) == "coordinator"

    # With a second coordinator, the first may step down and leave.
    second = make_user(admin=True)
    invitation = services.invite_organisation(network, second.organisation.orgnr, "coordinator", actor=coordinator)
    services.accept_invitation(invitation, actor=second)
    services.set_role(network, membership.id, "member", actor=second)
    services.leave_network(network, actor=coordinator)
    assert network_role(coordinator, network) is None


def test_removing_a_member_and_changing_roles(make_network, make_user):
    network = make_network()
    coordinator = network.memberships[0].organisation.users[0]
    member = make_user(admin=True)
    services.accept_invitation(services.invite_organisation(network, member.organisation.orgnr, "member",
                                                            actor=coordinator), actor=member)
    membership = next(m for m in network.memberships if m.organisation_id == member.organisation_id)
    services.set_role(network, membership.id, "observer", actor=coordinator)
    assert network_role(member, network) == "observer"
    with pytest.raises(InvalidInput):
        services.set_role(network, membership.id, "king", actor=coordinator)
    with pytest.raises(Forbidden):
        services.remove_member(network, network.memberships[0].id, actor=member)
    services.remove_member(network, membership.id, actor=coordinator)
    assert network_role(member, network) is None
    assert Membership.query.count() == 1
