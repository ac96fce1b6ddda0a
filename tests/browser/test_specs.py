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
    # One changed line, side by side: the old and the new number are the marked words.
    expect(member.locator("tr.diff-change .diff-old mark")).to_have_text("10")
    expect(member.locator("tr.diff-change .diff-new mark")).to_have_text("6")
    check_axe(member, "specs-diff")
    member.get_by_label(t("Inline"), exact=True).check()
    member.get_by_role("button", name=t("Compare"), exact=True).click()
    expect(member.locator("tr.diff-add")).to_contain_text("6 år")
    check_axe(member, "specs-diff-inline")


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


def test_adopt_then_keep_editing_while_visitors_read_the_adopted_version(new_page):
    coordinator = new_page()
    log_in(coordinator, COORDINATOR)
    coordinator.goto("/networks/bebo/specs/new")
    coordinator.get_by_label(t("Title"), exact=True).fill("Ventilation i tvättstugor (test)")
    # The CPV picker finds codes by Swedish words and adds them to the field.
    coordinator.get_by_label(t("Find a CPV code by number or words"), exact=True).fill("tvättmaskiner")
    coordinator.locator(".cpv-results button", has_text="42716120").click()
    expect(coordinator.get_by_label(t("CPV codes"), exact=True)).to_have_value("42716120-5")
    editor = coordinator.get_by_label(t("Text (Markdown)"), exact=True)
    editor.fill("# Ventilation\n\n## Krav\n\nLuftflöde minst 10 l/s.\n")
    # The live preview shows the text as the page will (rendered by the server).
    expect(coordinator.locator("#preview h3")).to_have_text("Krav")
    check_axe(coordinator, "specs-new-preview")
    assert submit(coordinator, coordinator.get_by_role("button", name=t("Create specification"),
                                                       exact=True)).status == 302
    spec_url = coordinator.url
    expect(coordinator.locator(".facts")).to_contain_text("Tvättmaskiner")

    # Adopt r1 as v1.
    coordinator.get_by_role("link", name=t("Status and adoption"), exact=True).click()
    check_axe(coordinator, "specs-status")
    coordinator.get_by_label(t("Decision"), exact=True).fill("Beslut i styrgruppen, protokoll 7 § 3")
    assert submit(coordinator, coordinator.get_by_role("button", name=t("Adopt r%(n)d", n=1),
                                                       exact=True)).status == 302
    expect(coordinator.get_by_test_id("revision-badge")).to_contain_text("v1")

    # Keep editing towards v2, one section at a time.
    coordinator.locator(".section-edit a").nth(1).click()
    section = coordinator.get_by_label(t("Text (Markdown)"), exact=True)
    expect(section).to_have_value("## Krav\n\nLuftflöde minst 10 l/s.\n")
    section.fill("## Krav\n\nLuftflöde minst 14 l/s.\n")
    assert submit(coordinator, coordinator.get_by_role("button", name=t("Save"), exact=True)).status == 302
    expect(coordinator.locator("article")).to_contain_text("14 l/s")
    expect(coordinator.locator("article")).to_contain_text("Ventilation")  # the rest of the text is kept
    expect(coordinator.locator("main")).to_contain_text(t("Read the public text"))

    # An anonymous visitor reads v1, not the working text, and sees only the published history.
    visitor = new_page()
    visitor.goto(spec_url)
    expect(visitor.locator("article")).to_contain_text("10 l/s")
    expect(visitor.locator("article")).not_to_contain_text("14 l/s")
    expect(visitor.get_by_test_id("revision-badge")).to_contain_text("v1")
    check_axe(visitor, "specs-public")
    assert visitor.goto(spec_url + "?revision=r2").status == 404
    visitor.goto(spec_url + "/versions")
    check_axe(visitor, "specs-versions")
    visitor.get_by_role("link", name="v1", exact=True).click()
    expect(visitor.locator("main")).to_contain_text("protokoll 7 § 3")
    check_axe(visitor, "specs-version")
    visitor.goto(spec_url + "/blame")
    check_axe(visitor, "specs-blame")

    # v2 and its "what changed" page.
    coordinator.goto(spec_url + "/status")
    coordinator.get_by_label(t("Decision"), exact=True).fill("Beslut i styrgruppen, protokoll 9 § 2")
    submit(coordinator, coordinator.get_by_role("button", name=t("Adopt r%(n)d", n=2), exact=True))
    visitor.goto(spec_url + "/versions/v2")
    expect(visitor.locator("tr.diff-change .diff-new mark")).to_have_text("14")

    # Revert to r1 with a reason.
    coordinator.goto(spec_url + "/revert?revision=r1")
    check_axe(coordinator, "specs-revert")
    coordinator.get_by_label(t("Why go back to this revision?"), exact=True).fill("Fel flöde, se remissvar")
    assert submit(coordinator, coordinator.get_by_role("button", name=t("Revert to r%(n)d", n=1),
                                                       exact=True)).status == 302
    expect(coordinator.locator("article")).to_contain_text("10 l/s")
