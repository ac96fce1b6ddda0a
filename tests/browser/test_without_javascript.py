"""The core tasks work with JavaScript turned off: JavaScript only enhances the portal."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import COORDINATOR, NEW_PASSWORD, log_in, register, screenshot, submit, t
from tests.conftest import valid_orgnr


@pytest.fixture
def page(new_page):
    return new_page(java_script_enabled=False)


def test_registering_logging_out_and_in_again_without_javascript(page):
    response = register(page, name="Nils Utan Skript", email="nils@utan-skript.example",
                        org_name="Skriptfria kommunen", orgnr=valid_orgnr("212"), kind="Municipality")
    assert response.status == 302
    page.wait_for_url("/")
    expect(page.get_by_text(t("You act for %(org)s.", org="Skriptfria kommunen"))).to_be_visible()

    submit(page, page.get_by_role("button", name=t("Log out"), exact=True))
    page.wait_for_url("/")
    expect(page.get_by_role("status")).to_contain_text(t("You are logged out."))

    log_in(page, "nils@utan-skript.example", password=NEW_PASSWORD)
    expect(page.get_by_text(t("You act for %(org)s.", org="Skriptfria kommunen"))).to_be_visible()


def test_registration_form_shows_every_field_and_its_errors_without_javascript(page):
    page.goto("/register")
    # Without the script that hides fields irrelevant to the current choice, all of them show.
    expect(page.get_by_label(t("Size class (companies and non-profits)"), exact=True)).to_be_visible()
    page.get_by_label(t("Your name"), exact=True).fill("Nora Nollskript")
    response = submit(page, page.get_by_role("button", name=t("Create account"), exact=True))
    assert response.status == 422
    expect(page.get_by_role("alert")).to_contain_text(t("Please correct the marked fields."))
    expect(page.get_by_label(t("Your name"), exact=True)).to_have_value("Nora Nollskript")
    screenshot(page, "register-errors-without-javascript")  # axe needs JavaScript; see test_accessibility


def test_logging_in_with_a_demo_account_without_javascript(page):
    log_in(page, COORDINATOR)
    expect(page.get_by_text(t("You act for %(org)s.", org="Bostadsbolaget Norrtull AB"))).to_be_visible()
