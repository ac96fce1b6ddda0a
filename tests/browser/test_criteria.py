"""The criteria library in the browser: find a criterion by an inflected Swedish word, narrow with a
facet, insert a criterion into a specification with the editor's finder, and follow a revised
criterion with one click; axe-core on the criteria pages."""
from playwright.sync_api import expect

from tests.browser.conftest import COORDINATOR, MEMBER, check_axe, log_in, submit, t

HEAT_PUMPS = "/networks/bebo/specs/varmepumpar-flerbostadshus"


def test_find_a_criterion_and_filter_the_library(page):
    page.goto("/criteria/")
    check_axe(page, "criteria-index")
    all_count = page.locator(".rows > li").count()
    page.locator(".facets").get_by_role("link", name=t("Preparedness")).click()
    expect(page.locator(".facet--active")).to_have_text(t("Preparedness"))
    assert 0 < page.locator(".rows > li").count() < all_count
    # Search: "värmepumpen" (singular, definite) finds criteria that say "värmepumpar".
    page.goto("/search?kind=criterion&q=v%C3%A4rmepumpen")
    expect(page.locator("main")).to_contain_text("K-0012 Köldmedium med låg klimatpåverkan i värmepumpar")
    page.get_by_role("link", name="K-0012 Köldmedium med låg klimatpåverkan i värmepumpar").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("K-0012")
    expect(page.locator("main")).to_contain_text("[[K-0012@r2]]")
    check_axe(page, "criteria-show")
    page.get_by_role("link", name=t("Changes in r%(n)d", n=2)).click()
    expect(page.locator("tr.diff-change .diff-new mark").first).to_have_text("150")
    check_axe(page, "criteria-diff")


def test_insert_a_criterion_with_the_finder(new_page):
    member = new_page()
    log_in(member, MEMBER)
    member.goto("/networks/bebo/specs/gemensamma-tvattstugor/edit")
    member.get_by_label(t("Insert a criterion from the library"), exact=True).fill("tillgängliga")
    member.locator(".criteria-finder button", has_text="K-0031").click()
    editor = member.get_by_label(t("Text (Markdown)"), exact=True)
    expect(editor).to_have_value(__import__("re").compile(r"\[\[K-0031@r1\]\]"))
    check_axe(member, "specs-edit-criteria-finder")
    assert submit(member, member.get_by_role("button", name=t("Save"), exact=True)).status == 302
    box = member.locator("aside.criterion-box", has_text="K-0031")
    expect(box).to_contain_text("Tillgängliga maskiner")


def test_a_revised_criterion_is_announced_and_one_click_updates_the_pin(new_page):
    coordinator = new_page()
    log_in(coordinator, COORDINATOR)
    coordinator.goto(HEAT_PUMPS)
    notice = coordinator.locator(".criterion-update")
    expect(notice).to_contain_text("K-0012")
    check_axe(coordinator, "specs-criterion-update")
    response = submit(coordinator, notice.get_by_role("button", name=t("Use r%(number)d of %(code)s", number=2,
                                                                         code="K-0012")))
    assert response.status == 302
    expect(coordinator.locator(".criterion-update")).to_have_count(0)
    expect(coordinator.locator("aside.criterion-box", has_text="K-0012")).to_contain_text("GWP, 100 år) under 150")
    # Visitors still read the adopted version v2, which pins r1.
    visitor = new_page()
    visitor.goto(HEAT_PUMPS)
    expect(visitor.locator("aside.criterion-box", has_text="K-0012")).to_contain_text("under 750")
