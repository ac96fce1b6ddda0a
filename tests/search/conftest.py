"""Search fixtures: a network "bebo" with a coordinator and a member, an outsider network "belok",
a supplier, a portal administrator, and a factory for specifications (through the services, so
the index follows them through the signal like in production)."""
import pytest

from network_app import search
from network_app.networks import services as networks
from network_app.specs import services as specs


@pytest.fixture(autouse=True)
def english(client, in_english):
    """Pages and messages in English (the source language), whatever the catalogue holds."""
    client.set_cookie("lang", "en")


@pytest.fixture
def people(make_network, make_user):
    network = make_network(slug="bebo")
    coordinator = network.memberships[0].organisation.users[0]
    member = make_user(email="member@example.org", name="Mia Member", admin=True)
    networks.accept_invitation(networks.invite_organisation(network, member.organisation.orgnr, "member",
                                                            actor=coordinator), actor=member)
    supplier = make_user(email="supplier@example.org", name="Sam Supplier", org_kind="company", admin=True)
    other_network = make_network(slug="belok", coordinator=make_user(email="other@example.org", admin=True))
    admin = make_user(email="admin@example.org", name="Ada Admin", org_kind=None, portal_admin=True)
    return {"network": network, "coordinator": coordinator, "member": member, "supplier": supplier,
            "other_network": other_network, "other": other_network.memberships[0].organisation.users[0],
            "admin": admin}


@pytest.fixture
def make_spec(people):
    def make(title="Värmepumpar för flerbostadshus", text="# Värmepumpar\n\nKrav på värmepumpar.\n", *,
             network=None, actor=None, cpv=(), summary=""):
        return specs.create_spec(network or people["network"],
                                 specs.SpecDraft(title=title, text=text, cpv=list(cpv), summary=summary),
                                 actor=actor or people["coordinator"])
    return make


def find(query="", viewer=None, **options) -> search.SearchResult:
    return search.find(query, viewer, **options)


def titles(result) -> list[str]:
    return [hit.title for hit in result.hits]
