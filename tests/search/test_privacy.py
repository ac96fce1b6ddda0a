"""The permission filter is part of every search: a draft's words are never found outside its
network, whatever the query syntax, and change no total or facet count there; members find it;
after adoption outsiders find the published text but not later member edits."""
from datetime import date, timedelta

import pytest

from network_app.networks import services as networks
from network_app.specs import lifecycle
from network_app.specs import services as specs
from tests.search.conftest import find, titles

SECRET = "Uniktord"  # the draft's unique word
QUERIES = [SECRET, SECRET.upper(), f"title:{SECRET}", f"body:{SECRET}", f"scope:public {SECRET}",
           f"scope:members {SECRET}", f"scope:members:1 {SECRET}", f"network:1 {SECRET}", f"kind:spec {SECRET}",
           f'"{SECRET} i texten"', "unikt*", "Unik*", "uniktor?", "*", f"{SECRET} OR *", f"*:* {SECRET}",
           f"scope:(public OR members) {SECRET}", f"(scope:members:1 OR title:{SECRET})", ""]
OUTSIDERS = ("anonymous", "supplier", "other")


@pytest.fixture
def public_spec(make_spec, people):
    spec = make_spec("Öppen specifikation", "Öppna krav för alla.", cpv=["42716000-8"])
    lifecycle.adopt(spec, note="Beslut", decided_on=date.today(), actor=people["coordinator"])
    return spec


def viewer(people, name):
    return None if name == "anonymous" else people[name]


def draft_of(make_spec):
    return make_spec(f"Hemligt utkast {SECRET}", f"# Utkast\n\n{SECRET} i texten. Värmepumpar.\n",
                     cpv=["45331000-6"])


@pytest.mark.parametrize("who", OUTSIDERS)
def test_a_drafts_unique_word_is_never_found_outside_the_network(people, public_spec, make_spec, who):
    before = {q: find(q, viewer(people, who)) for q in QUERIES}
    draft_of(make_spec)
    for query in QUERIES:
        result = find(query, viewer(people, who))
        assert "Hemligt utkast Uniktord" not in titles(result), query
        assert SECRET.lower() not in "".join(h.snippet.lower() for h in result.hits), query
        # Nothing about the draft shows in the total or in any facet count.
        assert (result.total, result.facets) == (before[query].total, before[query].facets), query


@pytest.mark.parametrize("who", ("coordinator", "member", "admin"))
def test_the_networks_members_and_portal_admins_find_the_draft(people, make_spec, who):
    draft = draft_of(make_spec)
    for query in (SECRET, "unikt*", f"title:{SECRET}", "värmepump"):
        result = find(query, people[who])
        assert [(h.kind, h.id) for h in result.hits] == [("spec", draft.id)], query
    assert dict(find("", people[who]).facets["cpv"]) == {"45": 1}


def test_with_nothing_visible_nothing_is_found(people, make_spec):
    """Whoosh reads an empty filter as no filter: search must not hand it one."""
    draft_of(make_spec)
    for query in ("*", SECRET, ""):
        result = find(query, None)
        assert (result.total, result.hits) == (0, []), query
        assert all(counts == [] for counts in result.facets.values())


def test_after_adoption_outsiders_find_the_published_text_only(people, make_spec):
    spec = make_spec("Ventilation", "# Ventilation\n\nPublicerat krav om filterbyte.\n")
    lifecycle.adopt(spec, note="Beslut", decided_on=date.today(), actor=people["coordinator"])
    specs.save_spec(spec, "# Ventilation\n\nPublicerat krav om filterbyte.\n\nSenare tillägg om Efterarbete.\n",
                    base_revision=spec.head_revision, actor=people["member"])
    for who in OUTSIDERS:
        assert titles(find("filterbyte", viewer(people, who))) == ["Ventilation"], who
        for query in ("efterarbete", "efterarb*", "title:efterarbete", "scope:members efterarbete"):
            assert find(query, viewer(people, who)).total == 0, (who, query)
    for who in ("coordinator", "member", "admin"):
        # Members read the working text, once: not the published one beside it.
        assert titles(find("efterarbete", people[who])) == ["Ventilation"], who
        assert titles(find("filterbyte", people[who])) == ["Ventilation"], who


def test_a_consultation_publishes_and_ending_it_hides_again(people, make_spec):
    spec = draft_of(make_spec)
    lifecycle.open_consultation(spec, date.today() + timedelta(days=10), actor=people["coordinator"])
    assert titles(find(SECRET, None)) == ["Hemligt utkast Uniktord"]
    lifecycle.end_consultation(spec, actor=people["coordinator"])
    assert find(SECRET, None).total == 0


def test_leaving_the_network_takes_the_drafts_out_of_reach(people, make_spec):
    draft_of(make_spec)
    member = people["member"]
    assert find(SECRET, member).total == 1
    networks.leave_network(people["network"], actor=member)
    assert find(SECRET, member).total == 0


def test_search_page_and_api_show_nothing_of_the_draft(people, make_spec, client):
    draft_of(make_spec)
    for path in (f"/search?q={SECRET}", "/search?q=unikt*", "/search?q=*", f"/search?q=scope:members+{SECRET}"):
        page = client.get(path)
        assert page.status_code == 200
        assert "Hemligt utkast" not in page.get_data(as_text=True), path
    answer = client.get(f"/api/v1/search?q={SECRET}")
    assert answer.status_code == 200 and answer.json["total"] == 0 and answer.json["results"] == []
