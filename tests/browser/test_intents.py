"""A letter of intent through the browser: the coordinator drafts and opens it, two members sign,
one withdraws, the public page shows the aggregate and the versions signed, and a newly adopted
specification version leads to a re-confirmation request; axe-core on every page on the way."""
import re

from playwright.sync_api import expect
from sqlalchemy import select

from network_app.extensions import db
from network_app.mail import OutboxMessage
from tests.browser.conftest import COORDINATOR, MEMBER, check_axe, log_in, submit, t

SECOND_MEMBER = "inkop@asbybostader.example"  # Bostäder i Åsby AB, member of bebo with the signing right
SPEC = "/networks/bebo/specs/gemensamma-tvattstugor"


def sign(page, letter_url: str, org: str, *, quantity: str, value: str, start: str, end: str, county: str,
         axe_name: str | None = None):
    page.goto(letter_url)
    page.get_by_role("link", name=t("Sign for %(org)s", org=org), exact=True).click()
    if axe_name:
        check_axe(page, axe_name)
    page.get_by_label(t("Your title"), exact=True).fill("Inköpschef")
    page.get_by_label(t("Estimated quantity"), exact=True).fill(quantity)
    page.get_by_label(t("Estimated value (SEK, excluding VAT)"), exact=True).fill(value)
    page.get_by_label(t("Planned procurement from"), exact=True).fill(start)
    page.get_by_label(t("Planned procurement until"), exact=True).fill(end)
    page.get_by_label(county, exact=True).check()
    response = submit(page, page.get_by_role("button", name=t("Sign"), exact=True))
    assert response.status == 302
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Receipt of a signature"))


def test_a_letter_of_intent_from_draft_to_reconfirmation(new_page, live_server):
    coordinator = new_page()
    log_in(coordinator, COORDINATOR)
    coordinator.goto("/networks/bebo/intents/")
    check_axe(coordinator, "intents-index")
    coordinator.get_by_role("link", name=t("New letter of intent"), exact=True).click()
    check_axe(coordinator, "intents-new")
    coordinator.get_by_label(t("Specification version"), exact=True).select_option(
        label="Gemensamma tvättstugor i bostadsområden – v1")
    coordinator.get_by_label(t("Title"), exact=True).fill("Tvättstugor 2027 (test)")
    coordinator.get_by_label(t("Unit of quantity"), exact=True).fill("tvättstugor")
    coordinator.get_by_label(t("Closes for signing"), exact=True).fill("2099-12-31")
    coordinator.get_by_label(t("Text (Markdown)"), exact=True).fill(
        "# Avsiktsförklaring\n\nVi avser att upphandla tvättstugor enligt specifikationen.\n")
    assert submit(coordinator, coordinator.get_by_role("button", name=t("Create letter of intent"),
                                                       exact=True)).status == 302
    expect(coordinator.get_by_test_id("status")).to_have_text(t("Draft"))
    expect(coordinator.locator(".binding")).to_contain_text(t("Declaration of intent, not binding"))
    check_axe(coordinator, "intents-show-draft")
    letter_url = coordinator.url

    # A draft is invisible outside the network.
    visitor = new_page()
    assert visitor.goto(letter_url).status == 404

    assert submit(coordinator, coordinator.get_by_role("button", name=t("Open the letter"), exact=True)).status == 302
    expect(coordinator.get_by_test_id("status")).to_have_text(t("Open for signing"))

    # Two members sign.
    member = new_page()
    log_in(member, MEMBER)
    sign(member, letter_url, "Hemgården Fastigheter AB", quantity="4", value="1200000", start="2027-03",
         end="2027-09", county="Stockholms län", axe_name="intents-sign")
    expect(member.get_by_test_id("spec-commit")).to_have_text(re.compile(r"^[0-9a-f]{40}$"))
    check_axe(member, "intents-receipt")
    second = new_page()
    log_in(second, SECOND_MEMBER)
    sign(second, letter_url, "Bostäder i Åsby AB", quantity="2", value="500000", start="2027-06", end="2028-02",
         county="Uppsala län")

    # Signing twice is refused with the date of the first signature.
    member.goto(letter_url + "/sign")
    assert member.get_by_role("button", name=t("Sign"), exact=True).count() == 1
    member.get_by_label(t("Your title"), exact=True).fill("Inköpschef")
    response = submit(member, member.get_by_role("button", name=t("Sign"), exact=True))
    assert response.status == 409
    expect(member.get_by_test_id("sign-refused")).to_be_visible()

    # The second one withdraws.
    second.goto(letter_url)
    second.get_by_role("link", name=t("Withdraw the signature"), exact=True).click()
    check_axe(second, "intents-withdraw")
    second.get_by_label(t("Why does your organisation withdraw?"), exact=True).fill("Budgeten flyttas till 2029.")
    assert submit(second, second.get_by_role("button", name=t("Withdraw"), exact=True)).status == 302

    # The public page: the aggregate of the active signature, the chart, the versions signed.
    visitor.goto(letter_url)
    expect(visitor.get_by_test_id("organisations")).to_have_text("1")
    expect(visitor.get_by_test_id("quantities")).to_contain_text("tvättstugor")
    expect(visitor.get_by_test_id("quantities")).to_contain_text("4")
    expect(visitor.locator("svg.timeline-chart[role=img]")).to_be_visible()
    expect(visitor.get_by_test_id("windows")).to_contain_text("Hemgården Fastigheter AB")
    expect(visitor.get_by_test_id("signatures")).to_contain_text("v1")
    expect(visitor.get_by_test_id("signature-history")).to_contain_text("Budgeten flyttas till 2029.")
    check_axe(visitor, "intents-show-public")

    # The network adopts a new version of the specification.
    coordinator.goto(SPEC + "/edit")
    editor = coordinator.get_by_label(t("Text (Markdown)"), exact=True)
    editor.fill(editor.input_value() + "\n\nTillägg inför version 2.\n")
    assert submit(coordinator, coordinator.get_by_role("button", name=t("Save"), exact=True)).status == 302
    coordinator.goto(SPEC + "/status")
    coordinator.get_by_label(t("Decision"), exact=True).fill("Styrgruppen fastställde version 2.")
    coordinator.locator("form[action$='/adopt'] button[type=submit]").click()
    coordinator.wait_for_load_state("load")

    # The coordinator moves the letter; the signer is asked to confirm.
    coordinator.goto(letter_url)
    expect(coordinator.get_by_role("heading", name=t("A newer version is adopted"))).to_be_visible()
    check_axe(coordinator, "intents-show-coordinator")
    assert submit(coordinator, coordinator.get_by_role("button", name=t("Move the letter"), exact=True)).status == 302
    expect(coordinator.get_by_test_id("spec-version")).to_contain_text("v2")
    with live_server.app.app_context():
        mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == MEMBER)).all()
        assert any("/confirm" in m.body and "v2" in m.subject for m in mails)
        db.session.remove()

    member.goto(letter_url)
    expect(member.get_by_test_id("signatures")).to_contain_text(t("not yet confirmed for %(version)s", version="v2"))
    member.get_by_role("link", name=t("Confirm %(version)s", version="v2"), exact=True).click()
    check_axe(member, "intents-confirm")
    assert submit(member, member.get_by_role("button", name=t("Confirm %(version)s", version="v2"),
                                             exact=True)).status == 302
    visitor.goto(letter_url)
    expect(visitor.get_by_test_id("organisations")).to_have_text("1")
    expect(visitor.get_by_test_id("signatures")).to_contain_text("v2")

    # Audit log, history, print view.
    coordinator.goto(letter_url + "/audit")
    expect(coordinator.get_by_test_id("audit")).to_contain_text(t("Signature withdrawn"))
    check_axe(coordinator, "intents-audit")
    coordinator.goto(letter_url + "/history")
    check_axe(coordinator, "intents-history")
    coordinator.goto(letter_url + "/print")
    check_axe(coordinator, "intents-print")


def test_the_demo_letter_works_without_javascript(new_page):
    page = new_page(java_script_enabled=False)
    page.goto("/networks/bebo/intents/varmepumpar-2027")
    expect(page.get_by_test_id("organisations")).to_have_text("6")
    expect(page.locator("svg.timeline-chart")).to_be_visible()
    expect(page.get_by_test_id("windows").locator("tbody tr")).to_have_count(6)


def test_the_demo_letter_pages_pass_axe(new_page):
    visitor = new_page()
    visitor.goto("/networks/bebo/intents/varmepumpar-2027")
    expect(visitor.get_by_test_id("signatures")).to_contain_text(t("Organisation not named"))
    expect(visitor.get_by_test_id("signature-history")).to_contain_text("Nordstads kommun")
    check_axe(visitor, "intents-demo-public")
    visitor.goto("/networks/bebo")
    check_axe(visitor, "intents-network-page")
    coordinator = new_page()
    log_in(coordinator, COORDINATOR)
    coordinator.goto("/networks/bebo/intents/varmepumpar-2027/details")
    check_axe(coordinator, "intents-details")
    coordinator.goto("/networks/bebo/intents/varmepumpar-2027/edit")
    check_axe(coordinator, "intents-edit")
    belok = new_page()
    log_in(belok, "samordnare@belok.example")
    belok.goto("/networks/belok/intents/led-belysning-2027")
    expect(belok.get_by_test_id("status")).to_have_text(t("Draft"))
    expect(belok.locator(".binding")).to_contain_text(t("Binding commitment"))
