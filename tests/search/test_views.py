"""The search page and GET /api/v1/search."""
import html
import re
from datetime import date

import pytest

from network_app.accounts import services as accounts
from network_app.specs import lifecycle
from tests.conftest import login


@pytest.fixture
def published(make_spec, people):
    """Three adopted specifications: two about heat pumps (CPV 45), one about laundry (CPV 42)."""
    made = [make_spec("Värmepumpar för flerbostadshus", "Bergvärmepumpar <i>och</i> frånluft.", cpv=["45331000-6"]),
            make_spec("Värmepumpar i skolor", "Luft-vatten-värmepumpar.", cpv=["45331000-6"]),
            make_spec("Tvättstugor", "Tvättmaskiner med låg förbrukning.", cpv=["42716000-8"])]
    for spec in made:
        lifecycle.adopt(spec, note="Beslut", decided_on=date.today(), actor=people["coordinator"])
    return made


def links(page: str) -> dict[str, str]:
    """Link text -> href of the page's links."""
    return {html.unescape(re.sub(r"<[^>]+>", "", text)).strip(): html.unescape(href)
            for href, text in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', page, re.S)}


def test_the_page_without_a_query_has_a_labelled_search_field(client, published):
    page = client.get("/search")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert '<label for="search-q">' in body and 'id="search-q" name="q"' in body
    assert "3 documents" in body


def test_results_link_to_the_specification_with_marked_snippets(client, published):
    body = client.get("/search?q=värmepump").get_data(as_text=True)
    assert "2 results for “värmepump”" in body
    assert '<a href="/networks/bebo/specs/varmepumpar-for-flerbostadshus">Värmepumpar för flerbostadshus</a>' in body
    assert "<mark>Bergvärmepumpar</mark>" not in body  # a compound is its own word ...
    assert "<mark>värmepumpar</mark>" in body  # ... "Luft-vatten-värmepumpar" has it
    assert "&lt;i&gt;" not in body and "<i>" not in body


def test_facet_links_keep_the_query_and_show_counts(client, published):
    body = client.get("/search?q=värmepump OR tvättmaskin&sort=date").get_data(as_text=True)
    found = links(body)
    cpv45 = next(href for text, href in found.items() if text.startswith("45 "))
    assert "q=v%C3%A4rmepump+OR+tv%C3%A4ttmaskin" in cpv45 and "sort=date" in cpv45 and "cpv=45" in cpv45
    assert re.search(r"45 [^<]*</a> \(2\)", body)
    filtered = client.get(cpv45).get_data(as_text=True)
    assert "2 results" in filtered and "Tvättstugor</a>" not in filtered
    assert "Remove filter" in filtered


def test_no_results_gives_a_hint(client, published):
    body = client.get("/search?q=rymdraket").get_data(as_text=True)
    assert "No results." in body and "fewer or more general words" in body


@pytest.mark.parametrize("query", ['"unclosed', "AND OR", "title:", "((("])
def test_broken_syntax_answers_200_with_a_message(client, published, query):
    page = client.get("/search", query_string={"q": query})
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "could not be read as search syntax" in body or "very common words" in body
    assert client.get("/api/v1/search", query_string={"q": query}).status_code == 200


def test_pages_link_to_each_other(client, make_spec, people):
    for n in range(25):
        spec = make_spec(f"Hiss {n:02d}", "hissar")
        lifecycle.adopt(spec, note="Beslut", decided_on=date.today(), actor=people["coordinator"])
    first = client.get("/search?q=hiss").get_data(as_text=True)
    assert "Page 1 of 2" in first
    second = client.get(links(first)["Next page"]).get_data(as_text=True)
    assert "Page 2 of 2" in second and "Previous page" in second
    assert client.get("/search?q=hiss&page=nonsense").status_code == 200


def test_members_find_drafts_on_the_page(client, make_spec, people):
    make_spec("Hemligt utkast", "uniktord")
    assert "Hemligt utkast" not in client.get("/search?q=uniktord").get_data(as_text=True)
    login(client, people["member"].email)
    assert "Hemligt utkast" in client.get("/search?q=uniktord").get_data(as_text=True)


def test_the_api_answers_results_total_and_facets(client, published):
    answer = client.get("/api/v1/search?q=värmepump")
    assert answer.status_code == 200
    body = answer.json
    assert body["total"] == 2 and body["page"] == 1 and body["pages"] == 1
    first = body["results"][0]
    assert set(first) == {"kind", "id", "title", "url", "snippet", "date"}
    assert first["kind"] == "spec" and first["url"].startswith("/networks/bebo/specs/")
    assert {"value": "45", "count": 2} in body["facets"]["cpv"]
    assert body["facets"]["kind"] == [{"value": "spec", "count": 2}]
    assert client.get("/api/v1/search?q=värmepump&kind=criterion").json["total"] == 0
    assert client.get("/api/v1/search?q=värmepump&cpv=42").json["total"] == 0


def test_the_api_searches_with_the_tokens_permissions(client, make_spec, people):
    make_spec("Hemligt utkast", "uniktord")
    token = accounts.create_api_token(people["member"], "test")
    assert client.get("/api/v1/search?q=uniktord").json["total"] == 0
    answer = client.get("/api/v1/search?q=uniktord", headers={"Authorization": f"Bearer {token}"})
    assert answer.json["total"] == 1 and answer.json["results"][0]["title"] == "Hemligt utkast"
    assert client.get("/api/v1/search", headers={"Authorization": "Bearer wrong"}).status_code == 401
