"""Network pages over HTTP: public page, management, privacy of management pages."""
import pytest

from network_app.networks import services
from network_app.permissions import network_role
from tests.conftest import login


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("lang", "en")


def test_public_page_lists_members_and_roles_without_login(client, make_network):
    network = make_network(slug="bebo", name="BeBo")
    response = client.get("/networks/bebo")
    assert response.status_code == 200
    assert network.memberships[0].organisation.name in response.text
    assert "Coordinator" in response.text
    assert "Manage members" not in response.text


def test_unknown_network_is_404(client):
    assert client.get("/networks/nope").status_code == 404


def test_create_network_form(client, make_user):
    user = make_user(email="cora@example.org")
    login(client, user.email)
    response = client.post("/networks/new", data={"name": "Belok", "slug": "belok", "kind": "buyer_network",
                                                  "description": "Lokaler"})
    assert response.status_code == 302 and response.headers["Location"] == "/networks/belok/members"
    bad = client.post("/networks/new", data={"name": "Again", "slug": "belok", "kind": "buyer_network",
                                             "description": "Mitt nätverk"})
    assert bad.status_code == 422
    assert "is taken" in bad.text and "Mitt nätverk" in bad.text


def test_suppliers_get_403_on_create(client, make_user):
    login(client, make_user(email="sup@example.org", org_kind="company").email)
    assert client.get("/networks/new").status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get("/networks/new")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("who, status", [("outsider", 404), ("member", 403), ("coordinator", 200)])
def test_management_page_is_hidden_from_outsiders(client, make_network, make_user, who, status):
    network = make_network(slug="bebo")
    coordinator = network.memberships[0].organisation.users[0]
    member = make_user(admin=True)
    services.accept_invitation(services.invite_organisation(network, member.organisation.orgnr, "member",
                                                            actor=coordinator), actor=member)
    user = {"outsider": make_user(), "member": member, "coordinator": coordinator}[who]
    login(client, user.email)
    assert client.get("/networks/bebo/members").status_code == status
    assert client.get("/networks/bebo/edit").status_code == status


def test_invite_accept_and_change_role_over_http(client, make_network, make_user):
    network = make_network(slug="bebo")
    coordinator = network.memberships[0].organisation.users[0]
    invitee = make_user(email="inv@example.org", admin=True)
    login(client, coordinator.email)
    response = client.post("/networks/bebo/invite", data={"orgnr": invitee.organisation.orgnr, "role": "member"})
    assert response.status_code == 302
    bad = client.post("/networks/bebo/invite", data={"orgnr": "not a number", "role": "member"})
    assert bad.status_code == 422 and "not a number" in bad.text

    other = client.application.test_client()
    login(other, invitee.email)
    page = other.get("/networks/invitations")
    assert network.name in page.text
    [invitation] = services.pending_invitations_for(invitee.organisation)
    response = other.post(f"/networks/invitations/{invitation.id}", data={"accept": "1"})
    assert response.headers["Location"] == "/networks/bebo"
    assert network_role(invitee, network) == "member"

    membership = next(m for m in network.memberships if m.organisation_id == invitee.organisation_id)
    client.post(f"/networks/bebo/members/{membership.id}", data={"role": "observer"})
    assert network_role(invitee, network) == "observer"
    page = client.get("/networks/bebo")
    assert "Observer" in page.text


def test_last_coordinator_leaving_gets_a_message(client, make_network):
    network = make_network(slug="bebo")
    coordinator = network.memberships[0].organisation.users[0]
    login(client, coordinator.email)
    response = client.post("/networks/bebo/leave", data={}, follow_redirects=True)
    assert "last coordinator" in response.text
    assert network_role(coordinator, network) == "coordinator"


def test_a_member_cannot_change_roles_by_posting(client, make_network, make_user):
    network = make_network(slug="bebo")
    coordinator = network.memberships[0].organisation.users[0]
    member = make_user(admin=True)
    services.accept_invitation(services.invite_organisation(network, member.organisation.orgnr, "member",
                                                            actor=coordinator), actor=member)
    login(client, member.email)
    coord_membership = network.memberships[0]
    response = client.post(f"/networks/bebo/members/{coord_membership.id}", data={"role": "observer"})
    assert response.status_code == 403
    assert network_role(coordinator, network) == "coordinator"


def test_join_request_over_http(client, make_network, make_user):
    network = make_network(slug="bebo")
    applicant = make_user(email="app@example.org", admin=True)
    login(client, applicant.email)
    assert "Ask to join" in client.get("/networks/bebo").text
    client.post("/networks/bebo/join", data={"message": "Hej!"})
    assert "asked to join" in client.get("/networks/bebo").text
    coordinator_client = client.application.test_client()
    coordinator_client.set_cookie("lang", "en")
    login(coordinator_client, network.memberships[0].organisation.users[0].email)
    page = coordinator_client.get("/networks/bebo/members")
    assert applicant.organisation.name in page.text and "Hej!" in page.text


def test_an_emailed_invitation_cannot_be_taken_by_its_number(client, make_network, make_user):
    network = make_network(slug="bebo")
    coordinator = network.memberships[0].organisation.users[0]
    invitation = services.invite_by_email(network, "invitee@example.org", "coordinator", actor=coordinator)
    stranger = make_user(email="stranger@example.org", admin=True)
    login(client, stranger.email)
    for answer in ("accept", "decline"):
        assert client.post(f"/networks/invitations/{invitation.id}", data={answer: "1"}).status_code == 404
    assert network_role(stranger, network) is None and invitation.status == "pending"


def test_names_people_typed_are_escaped_in_error_messages(client, make_network, make_user):
    network = make_network(slug="bebo")
    coordinator = network.memberships[0].organisation.users[0]
    evil = make_user(admin=True)
    evil.organisation.name = '<meta http-equiv="refresh" content="0;url=https://evil.example/">Evil'
    services.invite_organisation(network, evil.organisation.orgnr, "member", actor=coordinator)
    login(client, coordinator.email)
    response = client.post("/networks/bebo/invite", data={"orgnr": evil.organisation.orgnr, "role": "member"})
    assert response.status_code == 422
    assert "<meta http-equiv" not in response.text and "&lt;meta http-equiv" in response.text


def test_accepting_an_invitation_after_joining_otherwise_is_a_message_not_a_500(client, make_network, make_user):
    network = make_network(slug="bebo")
    coordinator = network.memberships[0].organisation.users[0]
    applicant = make_user(email="app@example.org", admin=True)
    invitation = services.invite_organisation(network, applicant.organisation.orgnr, "observer", actor=coordinator)
    join = services.request_to_join(network, "", actor=applicant)
    services.decide_join_request(network, join.id, accept=True, role="member", actor=coordinator)
    assert invitation.status == "accepted"  # closed when the organisation joined
    login(client, applicant.email)
    response = client.post(f"/networks/invitations/{invitation.id}", data={"accept": "1"})
    assert response.status_code in (302, 403)
    assert network_role(applicant, network) == "member"


@pytest.mark.parametrize("path", ["/networks/bebo%00", "/api/v1/networks/bebo%00", "/networks/%ff",
                                  "/api/v1/networks/bebo%00/members"])
def test_impossible_slugs_are_404_on_every_database(client, make_network, path):
    make_network(slug="bebo")
    assert client.get(path).status_code == 404
