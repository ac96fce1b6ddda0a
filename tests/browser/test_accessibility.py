"""axe-core finds no WCAG 2.1 A/AA violation on any page type, logged out or logged in as the demo
users; the layout holds at 320 px; the skip link works from the keyboard; the language choice sticks.

Each check also saves a screenshot in tests/screenshots/."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import COORDINATOR, MEMBER, OUTSIDER, check_axe, log_in, submit, t

# name of the screenshot, who is logged in (None: nobody), path, expected status
PAGES = [
    ("home", None, "/", 200),
    ("networks", None, "/networks/", 200),
    ("network", None, "/networks/bebo", 200),
    ("register", None, "/register", 200),
    ("login", None, "/login", 200),
    ("forgot-password", None, "/password/forgot", 200),
    ("not-found", None, "/no-such-page", 404),
    ("network-not-found", None, "/networks/no-such-network", 404),
    ("home-coordinator", COORDINATOR, "/", 200),
    ("networks-coordinator", COORDINATOR, "/networks/", 200),
    ("network-coordinator", COORDINATOR, "/networks/bebo", 200),
    ("network-member", MEMBER, "/networks/bebo", 200),
    ("network-outsider", OUTSIDER, "/networks/bebo", 200),
    ("manage-members", COORDINATOR, "/networks/bebo/members", 200),
    ("edit-network", COORDINATOR, "/networks/bebo/edit", 200),
    ("create-network", COORDINATOR, "/networks/new", 200),
    ("invitations", MEMBER, "/networks/invitations", 200),
    ("profile", COORDINATOR, "/account", 200),
    ("forbidden", MEMBER, "/networks/bebo/edit", 403),
]


@pytest.mark.parametrize(("name", "user", "path", "status"), PAGES, ids=[p[0] for p in PAGES])
def test_page_has_no_accessibility_violations(page, name, user, path, status):
    if user:
        log_in(page, user)
    response = page.goto(path)
    assert response.status == status
    check_axe(page, name)


def test_organisation_pages_have_no_accessibility_violations(page):
    log_in(page, COORDINATOR)
    page.get_by_role("link", name=t("About the organisation"), exact=True).click()
    page.wait_for_url("/organisations/*")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bostadsbolaget Norrtull AB")
    check_axe(page, "organisation")
    organisation_page = page.url

    page.get_by_role("link", name=t("Edit details"), exact=True).click()
    page.wait_for_url("/organisations/*/edit")
    check_axe(page, "organisation-edit")

    page.goto(organisation_page)
    page.get_by_role("link", name=t("Users"), exact=True).click()
    page.wait_for_url("/organisations/*/users")
    expect(page.get_by_role("cell", name=COORDINATOR)).to_be_visible()
    check_axe(page, "organisation-users")


def test_public_organisation_page_has_no_accessibility_violations(page):
    page.goto("/networks/bebo")
    page.get_by_role("link", name="Bostadsbolaget Norrtull AB", exact=True).click()
    page.wait_for_url("/organisations/*")
    check_axe(page, "organisation-public")


def test_registration_errors_are_accessible_and_keep_what_was_typed(page):
    page.goto("/register")
    page.get_by_label(t("Your name"), exact=True).fill("Ada Andersson")
    response = submit(page, page.get_by_role("button", name=t("Create account"), exact=True))
    assert response.status == 422
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text(t("Please correct the marked fields."))
    expect(summary).to_be_focused()  # portal.js moves focus to the summary so it is read out
    expect(page.get_by_label(t("Your name"), exact=True)).to_have_value("Ada Andersson")
    email = page.get_by_label(t("E-mail address"), exact=True)
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_css("border-top-width", "2px")  # the error border, not only the text, marks it
    check_axe(page, "register-errors")


def test_failed_login_is_accessible(page):
    page.goto("/login")
    page.get_by_label(t("E-mail address"), exact=True).fill("nobody@example.org")
    page.get_by_label(t("Password"), exact=True).fill("not the right password")
    response = submit(page, page.locator("main").get_by_role("button", name=t("Log in"), exact=True))
    assert response.status == 401
    message = t("The e-mail address or the password is wrong.")
    expect(page.get_by_text(message, exact=True)).to_be_visible()
    # The error summary has focus and links to the field, as on the other forms.
    expect(page.locator("#form-errors")).to_be_focused()
    expect(page.get_by_label(t("E-mail address"), exact=True)).to_have_value("nobody@example.org")
    check_axe(page, "login-failed")


def test_profile_with_a_new_api_token_is_accessible(page):
    log_in(page, COORDINATOR)
    page.goto("/account")
    page.get_by_label(t("Name of the token"), exact=True).fill("Ärendesystemet")
    response = submit(page, page.get_by_role("button", name=t("Create token"), exact=True))
    assert response.status == 200
    expect(page.get_by_label(t("New token"), exact=True)).not_to_have_value("")
    expect(page.get_by_label(t("Name of the token"), exact=True)).to_have_value("")  # ready for the next one
    expect(page.get_by_role("cell", name="Ärendesystemet", exact=True)).to_be_visible()
    # The "<token>" placeholder in the usage hint is shown as text, not swallowed as an HTML tag.
    expect(page.get_by_role("region", name=t("API tokens"))).to_contain_text("Bearer <token>")
    check_axe(page, "profile-new-token")


def test_english_is_chosen_with_the_language_button_and_remembered(page):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    submit(page, page.get_by_role("button", name="English", exact=True))
    page.wait_for_url("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Svenska", exact=True)).to_be_visible()
    check_axe(page, "home-english")

    page.get_by_role("navigation").get_by_role("link", name="Networks", exact=True).click()
    page.wait_for_url("/networks/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Networks")


@pytest.mark.parametrize("path", ["/", "/register"], ids=["home", "register"])
def test_pages_fit_a_320_pixel_wide_screen(new_page, path):
    page = new_page(viewport={"width": 320, "height": 640})
    page.goto(path)
    name = "home-320px" if path == "/" else "register-320px"
    check_axe(page, name)
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll_width <= 320, f"{path} scrolls sideways at 320 px: it is {scroll_width} px wide"


def test_first_tab_reaches_the_skip_link_which_moves_focus_to_main(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name=t("Skip to content"), exact=True)
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()  # visible while it has focus
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
