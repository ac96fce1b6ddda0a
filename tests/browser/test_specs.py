"""A specification through the browser: create, edit, two people editing at once (merge, then a
conflict that keeps the text), history and comparison; axe-core on every page on the way."""
from playwright.sync_api import expect

from tests.browser.conftest import COORDINATOR, MEMBER, check_axe, log_in, submit, t

TEXT = ("# Tvättstugor\n\n## Krav\n\nKrav 1: vattenförbrukning högst 45 liter per tvätt.\n\n"
        "Krav 2: bokning även per telefon.\n\nKrav 3: garanti 5 år.\n")


def edit_text(page, old: str, new: str) -> None:
    editor = page.get_by_label(t("Text (Markdown)"), exact=True)
    editor.fill(editor.input_value().replace(old, new))


def test_two_members_edit_a_specification_at_once(new_page):
    coordinator = new_page()
    log_in(coordinator, COORDINATOR)
    coordinator.goto("/networks/bebo/specs/")
    check_axe(coordinator, "specs-index")
    coordinator.get_by_role("link", name=t("New specification"), exact=True).click()
    check_axe(coordinator, "specs-new")
    coordinator.get_by_label(t("Title"), exact=True).fill("Gemensamma tvättstugor (test)")
    coordinator.get_by_label(t("CPV codes"), exact=True).fill("42716000-8")
    coordinator.get_by_label(t("Text (Markdown)"), exact=True).fill(TEXT)
    response = submit(coordinator, coordinator.get_by_role("button", name=t("Create specification"), exact=True))
    assert response.status == 302
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Gemensamma tvättstugor (test)")
    expect(coordinator.get_by_test_id("revision-badge")).to_contain_text("r1")
    check_axe(coordinator, "specs-show")
    spec_url = coordinator.url

    # Both open the editor on r1.
    member = new_page()
    log_in(member, MEMBER)
    for page in (coordinator, member):
        page.goto(spec_url + "/edit")
    check_axe(member, "specs-edit")

    # The member changes requirement 1 and saves first.
    edit_text(member, "45 liter", "40 liter")
    assert submit(member, member.get_by_role("button", name=t("Save"), exact=True)).status == 302

    # The coordinator changed requirement 3: merged, and told so.
    edit_text(coordinator, "5 år", "8 år")
    assert submit(coordinator, coordinator.get_by_role("button", name=t("Save"), exact=True)).status == 302
    expect(coordinator.get_by_role("status")).to_contain_text("Magnus Medlem")
    expect(coordinator.locator("article")).to_contain_text("40 liter")
    expect(coordinator.locator("article")).to_contain_text("8 år")

    # The member, still on r2 in a stale editor, changes requirement 3 too: a conflict.
    member.goto(spec_url + "/edit")
    coordinator.goto(spec_url + "/edit")
    edit_text(coordinator, "8 år", "10 år")
    submit(coordinator, coordinator.get_by_role("button", name=t("Save"), exact=True))
    edit_text(member, "8 år", "6 år")
    response = submit(member, member.get_by_role("button", name=t("Save"), exact=True))
    assert response.status == 409
    expect(member.get_by_role("heading", level=1)).to_have_text(t("Your edit overlaps another change"))
    editor = member.get_by_label(t("Text (Markdown)"), exact=True)
    expect(editor).to_contain_text("6 år")
    expect(editor).to_contain_text("<<<<<<< " + t("your edit"))
    check_axe(member, "specs-conflict")
    # Resolving and saving again works.
    editor.fill(TEXT.replace("45 liter", "40 liter").replace("5 år", "6 år"))
    assert submit(member, member.get_by_role("button", name=t("Save"), exact=True)).status == 302
    expect(member.locator("article")).to_contain_text("6 år")

    member.get_by_role("link", name=t("History"), exact=True).click()
    expect(member.get_by_role("row")).to_have_count(6)  # header + r1..r5
    check_axe(member, "specs-history")
    member.get_by_role("link", name=t("Changes in r%(n)d", n=5), exact=True).click()
    expect(member.locator("tr.diff-add")).to_contain_text("6 år")
    check_axe(member, "specs-diff")


def test_a_draft_is_not_found_for_outsiders(new_page, live_server):
    coordinator = new_page()
    log_in(coordinator, COORDINATOR)
    coordinator.goto("/networks/bebo/specs/new")
    coordinator.get_by_label(t("Title"), exact=True).fill("Hemligt utkast")
    coordinator.get_by_label(t("Text (Markdown)"), exact=True).fill("# Hemligt\n")
    submit(coordinator, coordinator.get_by_role("button", name=t("Create specification"), exact=True))
    url = coordinator.url
    visitor = new_page()
    response = visitor.goto(url)
    assert response.status == 404
    visitor.goto("/networks/bebo/specs/")
    expect(visitor.locator("main")).not_to_contain_text("Hemligt utkast")
