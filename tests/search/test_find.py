"""find(): Swedish words in every form, title before body, snippets, facets, sorting, pages and
queries with broken syntax."""
from datetime import date, datetime, timedelta, timezone

import pytest

from network_app import search
from network_app.search import documents
from network_app.search.index import plain_text
from network_app.specs import lifecycle
from network_app.specs import services as specs
from tests.search.conftest import find, titles


def test_an_inflected_word_finds_the_specification(make_spec, people):
    make_spec("Värmepumpar för flerbostadshus", "# Krav\n\nAvtalet gäller i fyra år.\n")
    for query in ("värmepump", "VÄRMEPUMPARNA", "varmepump", "avtal", "Avtalen"):
        result = find(query, people["coordinator"])
        assert titles(result) == ["Värmepumpar för flerbostadshus"], query
        assert result.total == 1


def test_a_word_in_the_title_weighs_more_than_in_the_body(make_spec, people):
    make_spec("Belysning i trapphus", "Armaturerna ska ha närvarostyrning. " * 5 + "Tvättstugor nämns här.")
    make_spec("Tvättstugor", "Maskiner och bokning.")
    assert titles(find("tvättstuga", people["coordinator"])) == ["Tvättstugor", "Belysning i trapphus"]


def test_the_snippet_marks_the_words_and_escapes_the_text(make_spec, people):
    make_spec("Ventilation", "Inledning.\n\nFlödet <script>alert(1)</script> ska mätas & **värmepumpar** "
                             "ska ha hög verkningsgrad.\n")
    hit = find("värmepump", people["coordinator"]).hits[0]
    assert "<mark>värmepumpar</mark>" in hit.snippet
    assert "<script>" not in hit.snippet and "&lt;script&gt;" not in hit.snippet  # tags are dropped
    assert "&amp;" in hit.snippet
    assert "**" not in hit.snippet  # Markdown syntax is not shown


def test_a_snippet_without_a_match_in_the_body_is_the_beginning_of_the_text(make_spec, people):
    make_spec("Laddplatser", "Första stycket om <el>.\n\n" + "Mer text. " * 60)
    hit = find("laddplatsen", people["coordinator"]).hits[0]
    assert hit.snippet.startswith("Första stycket om")
    assert "<mark>" not in hit.snippet


def test_phrase_or_not_and_prefix(make_spec, people):
    make_spec("A", "Bergvärmepump i flerbostadshus.")
    make_spec("B", "Flerbostadshus med frånluftsvärmepump.")
    make_spec("C", "Solceller på tak.")
    viewer = people["coordinator"]
    assert titles(find('"bergvärmepump i flerbostadshus"', viewer)) == ["A"]
    assert sorted(titles(find("bergvärmepump OR solceller", viewer))) == ["A", "C"]
    assert titles(find("flerbostadshus NOT bergvärmepump", viewer)) == ["B"]
    assert titles(find("flerbostadshus AND NOT bergvärmepump", viewer)) == ["B"]
    assert sorted(titles(find("NOT bergvärmepump", viewer))) == ["B", "C"]
    assert find("NOT bergvärmepump", viewer).notice is None
    assert sorted(titles(find("flerbostad*", viewer))) == ["A", "B"]
    assert titles(find("title:c", viewer)) == ["C"]


@pytest.mark.parametrize("query", ['"unclosed', "AND OR", "title:", "(((", "värmepump AND", "a) b"])
def test_broken_syntax_is_searched_as_plain_words_with_a_notice(make_spec, people, query):
    make_spec("Värmepumpar", "Krav.")
    result = find(query, people["coordinator"])
    assert result.notice is not None
    assert "syntax" in str(result.notice) or "common words" in str(result.notice)


def test_broken_syntax_still_finds_the_words(make_spec, people):
    make_spec("Värmepumpar", "Krav.")
    result = find('"värmepumpar', people["coordinator"])
    assert titles(result) == ["Värmepumpar"] and result.notice


def test_only_common_words_find_nothing_with_a_notice(make_spec, people):
    make_spec("Och i att", "och i att")
    result = find("och i att", people["coordinator"])
    assert result.total == 0 and result.hits == [] and result.notice


def test_an_empty_query_lists_everything_newest_first(make_spec, people):
    first = make_spec("Första", "Text ett.")
    second = make_spec("Andra", "Text två.")
    specs.save_spec(first, "Text ett, ändrad.", base_revision=first.head_revision, actor=people["coordinator"],
                    when=datetime.now(timezone.utc) + timedelta(minutes=5))
    assert second.id != first.id
    result = find("", people["coordinator"])
    assert titles(result) == ["Första", "Andra"] and result.notice is None


def test_sort_by_date(make_spec, people):
    old = make_spec("Gammal värmepump", "värmepump " * 10, )
    make_spec("Ny värmepump", "värmepump")
    specs.save_spec(old, "värmepump " * 11, base_revision=old.head_revision, actor=people["coordinator"],
                    when=datetime(2020, 1, 1, tzinfo=timezone.utc))
    viewer = people["coordinator"]
    assert titles(find("värmepump", viewer, sort="date")) == ["Ny värmepump", "Gammal värmepump"]
    hit = find("värmepump", viewer, sort="date").hits[1]
    assert "<mark>" in hit.snippet and hit.date.year == 2020


def test_pages_of_twenty(make_spec, people):
    for n in range(45):
        make_spec(f"Spec {n:02d}", f"Gemensamt ord. Nummer {n}.")
    viewer = people["coordinator"]
    pages = [find("gemensamt", viewer, page=p) for p in (1, 2, 3)]
    assert [len(p.hits) for p in pages] == [20, 20, 5]
    assert all(p.total == 45 and p.pages == 3 for p in pages)
    seen = [t for p in pages for t in titles(p)]
    assert len(set(seen)) == 45
    assert find("gemensamt", viewer, page=99).hits == []


def test_facets_count_and_filter(make_spec, people):
    make_spec("Värmepump A", "värmepump", cpv=["42511110-5", "45331000-6"])
    make_spec("Värmepump B", "värmepump", cpv=["45331000-6"])
    make_spec("Tvättmaskin", "tvätt", cpv=["42716000-8"])
    viewer = people["coordinator"]
    result = find("", viewer)
    assert dict(result.facets["cpv"]) == {"45": 2, "42": 2}
    assert dict(result.facets["kind"]) == {"spec": 3}
    filtered = find("", viewer, filters={"cpv": "45"})
    assert sorted(titles(filtered)) == ["Värmepump A", "Värmepump B"] and filtered.total == 2
    # The chosen facet keeps counting its other values; the others count within the filter.
    assert dict(filtered.facets["cpv"]) == {"45": 2, "42": 2}
    assert find("tvätt", viewer, filters={"cpv": "45"}).total == 0
    assert find("", viewer, kind="criterion").total == 0
    assert find("", viewer, kind="spec").total == 3


def test_markdown_becomes_plain_text():
    text = plain_text("# Rubrik\n\n- punkt **fet** och `kod`\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
                      "[länk](https://example.org) ![bild](x.png) [[K-0042@r3]] snake_case <b>html</b>")
    assert text == "Rubrik punkt fet och kod a b 1 2 länk bild K-0042@r3 snake_case html"


def test_a_document_refuses_an_unknown_scope_or_kind():
    now = datetime.now(timezone.utc)
    with pytest.raises(ValueError):
        documents.SearchDocument("x", "spec", 1, "t", "b", "/", now, scope="everyone")
    with pytest.raises(ValueError):
        documents.SearchDocument("x", "memo", 1, "t", "b", "/", now, scope="public")
    with pytest.raises(ValueError):
        documents.SearchDocument("x", "spec", 1, "t", "b", "/", now, scope="public", area=["a,b"])


def test_adopted_specification_shows_its_status(make_spec, people):
    spec = make_spec("Hissar", "hissar")
    lifecycle.adopt(spec, note="Beslut", decided_on=date.today(), actor=people["coordinator"])
    hit = find("hiss", None).hits[0]
    assert (hit.kind, hit.id, hit.status, hit.url) == ("spec", spec.id, "adopted", "/networks/bebo/specs/hissar")
    assert search.label_of("kind", "spec") == "Specification"
