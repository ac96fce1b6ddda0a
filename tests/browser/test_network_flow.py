"""The main user story, entirely through the browser: two municipalities register, one creates a
network and invites the other, the other accepts, and the coordinator changes its role."""
from playwright.sync_api import expect

from tests.browser.conftest import check_axe, register, submit, t
from tests.conftest import valid_orgnr

NETWORK = "Klimatsmarta kommuner"
SLUG = "klimatsmarta-kommuner"
FIRST_ORG, SECOND_ORG = "Första provkommunen", "Andra provkommunen"


def member_role(page, org_name: str):
    """The role cell of an organisation's row in the members table of a network page."""
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=org_name, exact=True))
    return row.get_by_role("cell").nth(2)


def managed_role(page, org_name: str):
    """The role cell of an organisation's row on the "Manage members" page."""
    return page.get_by_role("row").filter(has_text=org_name).get_by_role("cell").nth(1)


def test_municipalities_form_a_network_and_the_coordinator_changes_a_role(new_page):
    first_orgnr, second_orgnr = valid_orgnr("212"), valid_orgnr("212")

    # The second municipality registers first, in a browser of its own.
    second = new_page()
    response = register(second, name="Maja Lind", email="maja.lind@andra.example", org_name=SECOND_ORG,
                        orgnr=second_orgnr, kind="Municipality")
    assert response.status == 302
    second.wait_for_url("/")
    expect(second.get_by_text(t("You act for %(org)s.", org=SECOND_ORG))).to_be_visible()

    # The first person registers a new organisation and is logged in at once.
    first = new_page()
    first.goto("/register")
    check_axe(first, "flow-register")
    response = register(first, name="Per Holm", email="per.holm@forsta.example", org_name=FIRST_ORG,
                        orgnr=first_orgnr, kind="Municipality")
    assert response.status == 302
    first.wait_for_url("/")
    expect(first.get_by_role("status")).to_contain_text(
        t("Welcome! Your account and your organisation are registered."))
    expect(first.get_by_text(t("You act for %(org)s.", org=FIRST_ORG))).to_be_visible()
    check_axe(first, "flow-home-after-registration")

    # ... creates a network with a name and a short address ...
    first.get_by_role("link", name=t("Create a network"), exact=True).click()
    first.wait_for_url("/networks/new")
    check_axe(first, "flow-create-network")
    first.get_by_label(t("Name"), exact=True).fill(NETWORK)
    first.get_by_label(t("Short address"), exact=True).fill(SLUG)
    submit(first, first.get_by_role("button", name=t("Create network"), exact=True))
    first.wait_for_url(f"/networks/{SLUG}/members")
    expect(first.get_by_role("heading", level=1)).to_have_text(t("Members of %(name)s", name=NETWORK))
    expect(managed_role(first, FIRST_ORG)).to_have_text("Samordnare")

    # ... and invites the second municipality by its organisation number.
    first.get_by_label(t("Organisation number"), exact=True).fill(second_orgnr)
    submit(first, first.get_by_role("button", name=t("Invite"), exact=True))
    first.wait_for_url(f"/networks/{SLUG}/members")
    expect(first.get_by_role("status")).to_contain_text(t("%(org)s is invited.", org=SECOND_ORG))
    open_invitations = first.get_by_role("region", name=t("Open invitations"))
    expect(open_invitations).to_contain_text(SECOND_ORG)
    check_axe(first, "flow-manage-members-with-invitation")

    # The second user finds the invitation on the start page and accepts it.
    second.goto("/")
    second.get_by_role("link", name=t("Your organisation has %(num)d invitation to a network.", num=1)).click()
    second.wait_for_url("/networks/invitations")
    invitation = second.get_by_role("listitem").filter(has_text=NETWORK)
    expect(invitation).to_be_visible()
    check_axe(second, "flow-invitations")
    submit(second, invitation.get_by_role("button", name=t("Accept")))
    second.wait_for_url(f"/networks/{SLUG}")
    expect(second.get_by_role("status")).to_contain_text(NETWORK)

    # The network page now lists both organisations with their roles.
    expect(member_role(second, FIRST_ORG)).to_have_text("Samordnare")
    expect(member_role(second, SECOND_ORG)).to_have_text("Medlem")
    check_axe(second, "flow-network-page-as-member")

    # The coordinator makes the second organisation an observer on the "Manage members" page.
    first.goto(f"/networks/{SLUG}")
    check_axe(first, "flow-network-page-as-coordinator")
    first.get_by_role("link", name=t("Manage members"), exact=True).click()
    first.wait_for_url(f"/networks/{SLUG}/members")
    first.get_by_label(t("New role for %(org)s", org=SECOND_ORG), exact=True).select_option(label="Observatör")
    row = first.get_by_role("row").filter(has_text=SECOND_ORG)
    submit(first, row.get_by_role("button", name=t("Set role"), exact=True))
    first.wait_for_url(f"/networks/{SLUG}/members")
    expect(first.get_by_role("status")).to_contain_text(SECOND_ORG)
    expect(managed_role(first, SECOND_ORG)).to_have_text("Observatör")
    check_axe(first, "flow-manage-members-after-role-change")

    # Anyone, logged in or not, sees the new role on the public network page.
    visitor = new_page()
    response = visitor.goto(f"/networks/{SLUG}")
    assert response.status == 200
    expect(member_role(visitor, FIRST_ORG)).to_have_text("Samordnare")
    expect(member_role(visitor, SECOND_ORG)).to_have_text("Observatör")
    expect(visitor.get_by_role("link", name=t("Manage members"))).to_have_count(0)
    check_axe(visitor, "flow-network-page-public")
