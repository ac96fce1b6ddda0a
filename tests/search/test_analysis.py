"""Swedish analysis: inflected forms meet, case and å/ä/ö do not matter, common words are dropped."""
import pickle

import pytest

from network_app.search.analysis import STOP_WORDS, swedish_analyzer, swedish_stem, terms


@pytest.mark.parametrize("forms", [
    ("värmepump", "värmepumpar", "värmepumpen", "värmepumparna"),
    ("avtal", "avtalet", "avtalen", "avtalens"),
    ("kravspecifikation", "kravspecifikationen", "kravspecifikationer"),
    ("flerbostadshus", "flerbostadshusen"),
    ("leverantör", "leverantören", "leverantörer"),
])
def test_inflected_forms_share_a_term(forms):
    assert len({tuple(terms(form)) for form in forms}) == 1, [terms(f) for f in forms]


def test_case_does_not_matter():
    assert terms("VÄRMEPUMPAR Värmepumpar värmepumpar") == ["varmepump"] * 3


def test_a_and_o_with_and_without_dots_meet():
    assert terms("värmepump") == terms("varmepump")
    assert terms("Åtgärder Öppna") == terms("atgarder oppna")


def test_the_stemmer_sees_the_letters_before_folding():
    # Folded first, "område" would read as "omrade" and lose "ade" as if it were a verb ending.
    assert swedish_stem("omrade") == "omr"
    assert terms("område") == terms("områden") == ["omrad"]


def test_words_are_letters_and_digits():
    assert terms("styr-och-regler CO2e 45331000-6, 10,5 snake_case") == \
        ["styr", "regl", "co2", "45331000", "6", "10", "5", "snak", "cas"]


def test_common_words_are_dropped_but_requirement_words_kept():
    assert terms("och i att det som är för en ett") == []
    assert terms("ska bör krav") == ["ska", "bor", "krav"]
    assert {"ska", "bör", "krav", "år"}.isdisjoint(STOP_WORDS)


def test_the_analyzer_survives_pickling():
    """Whoosh keeps the schema, analyzer included, pickled in the index."""
    analyzer = pickle.loads(pickle.dumps(swedish_analyzer()))
    assert [t.text for t in analyzer("Värmepumparna")] == ["varmepump"]
