"""Search in the browser, on the demo data: a Swedish inflected word finds a specification, a facet
narrows the results, and the search page has no accessibility problems."""
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

from tests.browser.conftest import OUTSIDER, check_axe, log_in, t

FIELD = "Search specifications, criteria, planned needs and letters of intent"


def search_for(page, words: str) -> None:
    page.get_by_label(t(FIELD), exact=True).fill(words)
    page.locator("main form[role=search]").get_by_role("button", name=t("Search"), exact=True).click()
    page.wait_for_load_state("load")


def test_an_inflected_word_finds_the_demo_specification_and_a_facet_narrows(page):
    page.goto("/search")
    check_axe(page, "search-empty")
    search_for(page, "värmepump")  # the specification says "värmepumpar"
    results = page.locator("ol.search-results > li")
    hit = results.filter(has=page.get_by_role("link", name="Värmepumpar för flerbostadshus", exact=True))
    expect(hit).to_have_count(1)
    expect(hit.locator("mark").first).to_be_visible()
    expect(hit.locator("mark").first).to_contain_text("ärmepump")
    check_axe(page, "search-results")

    facets = page.get_by_role("navigation", name=t("Filter the results"))
    facets.get_by_role("link", name=t("Specification"), exact=True).click()
    page.wait_for_load_state("load")
    query = parse_qs(urlsplit(page.url).query)
    assert query["kind"] == ["spec"] and query["q"] == ["värmepump"]
    expect(results.filter(has_text="Värmepumpar för flerbostadshus")).to_have_count(1)
    expect(page.locator("ol.search-results .tag")).to_have_text([t("Specification")] * results.count())
    expect(facets.get_by_text(t("Remove filter"))).to_be_visible()
    check_axe(page, "search-filtered")

    # The search field keeps the words; the sort order can change without losing the filter.
    expect(page.get_by_label(t(FIELD), exact=True)).to_have_value("värmepump")
    page.get_by_label(t("Sort by"), exact=True).select_option("date")
    page.locator("main form[role=search]").get_by_role("button", name=t("Search"), exact=True).click()
    page.wait_for_load_state("load")
    assert parse_qs(urlsplit(page.url).query)["kind"] == ["spec"]


def test_no_results_and_broken_syntax_answer_gently(page):
    page.goto("/search")
    search_for(page, "rymdraketer")
    expect(page.locator("main")).to_contain_text(t("No results."))
    search_for(page, '"värmepump')
    expect(page.get_by_role("status")).to_be_visible()
    expect(page.get_by_role("link", name="Värmepumpar för flerbostadshus", exact=True)).to_be_visible()
    check_axe(page, "search-notice")


def test_a_member_of_another_network_finds_only_what_is_published(new_page):
    page = new_page()
    log_in(page, OUTSIDER)
    page.goto("/search?q=värmepumpar")
    expect(page.get_by_role("link", name="Värmepumpar för flerbostadshus", exact=True)).to_have_count(1)
