"""textdiff.rows: line rows of a side-by-side diff, with the changed words marked (pure functions)."""
import pytest

from network_app.specs import textdiff
from network_app.specs.textdiff import Part, Row, is_unchanged, rows


def marked(parts) -> list[str]:
    return [p.text for p in parts if p.changed]


def joined(parts) -> str:
    return "".join(p.text for p in parts)


def lines(n: int, prefix: str = "rad") -> list[str]:
    return [f"{prefix} {i}" for i in range(1, n + 1)]


def text(items) -> str:
    return "".join(f"{line}\n" for line in items)


def test_a_one_word_change_is_one_change_row_with_only_that_word_marked():
    result = rows("Krav 2: ljudnivå högst 45 dB.\n", "Krav 2: ljudnivå högst 40 dB.\n")
    assert len(result) == 1
    row = result[0]
    assert (row.kind, row.old_number, row.new_number) == ("change", 1, 1)
    assert marked(row.old) == ["45"] and marked(row.new) == ["40"]
    assert joined(row.old) == "Krav 2: ljudnivå högst 45 dB." and joined(row.new) == "Krav 2: ljudnivå högst 40 dB."
    # The unchanged words around the change are unmarked parts, Swedish letters inside words included.
    assert [p for p in row.old if not p.changed][0] == Part("Krav 2: ljudnivå högst ")


def test_punctuation_and_whitespace_are_words_of_their_own():
    row = rows("COP minst 3, helst 4.\n", "COP minst 3; helst  4.\n")[0]
    assert marked(row.old) == [",", " "] and marked(row.new) == [";", "  "]


def test_several_changed_words_are_marked_separately():
    row = rows("Garanti 5 år på kompressorn.\n", "Garanti 10 år på värmepumpen.\n")[0]
    assert marked(row.old) == ["5", "kompressorn"]
    assert marked(row.new) == ["10", "värmepumpen"]


@pytest.mark.parametrize("old, new", [
    ("a b c", "a x c"), ("", "nytt"), ("gammalt", ""), ("Å ä ö!", "Å, ä ö?"), ("x\ty", "x  y"),
    ("42511110-5 Värmepumpar", "42511110-5 Värmepumpar (bergvärme)"),
])
def test_the_parts_of_a_changed_row_rebuild_both_lines_exactly(old, new):
    old_parts, new_parts = textdiff._mark_words(old, new)
    assert joined(old_parts) == old and joined(new_parts) == new


def test_lines_added_at_the_start_and_end():
    old = text(["b", "c"])
    new = text(["a", "b", "c", "d"])
    result = rows(old, new)
    assert [(r.kind, r.old_number, r.new_number) for r in result] == [
        ("add", None, 1), ("same", 1, 2), ("same", 2, 3), ("add", None, 4)]
    assert result[0].new == (Part("a", True),) and result[0].old == ()
    assert result[-1].new == (Part("d", True),)


def test_lines_deleted_at_the_start_and_end():
    result = rows(text(["a", "b", "c", "d"]), text(["b", "c"]))
    assert [(r.kind, r.old_number, r.new_number) for r in result] == [
        ("del", 1, None), ("same", 2, 1), ("same", 3, 2), ("del", 4, None)]
    assert result[0].old == (Part("a", True),) and result[0].new == ()


def test_a_replaced_block_pairs_lines_and_the_rest_are_additions():
    result = rows(text(["a", "gammal 1", "gammal 2", "z"]), text(["a", "ny 1", "ny 2", "ny 3", "z"]))
    assert [(r.kind, r.old_number, r.new_number) for r in result] == [
        ("same", 1, 1), ("change", 2, 2), ("change", 3, 3), ("add", None, 4), ("same", 4, 5)]
    assert marked(result[1].old) == ["gammal"] and marked(result[1].new) == ["ny"]


def test_long_unchanged_stretches_fold_into_gaps_with_context_around_the_change():
    old = lines(20)
    new = list(old)
    new[9] = "rad 10 ändrad"
    result = rows(text(old), text(new))
    kinds = [r.kind for r in result]
    # Lines 1-6 hidden at the top, 3 lines of context, the change, 3 lines of context, 14-20 hidden.
    assert kinds == ["gap", "same", "same", "same", "change", "same", "same", "same", "gap"]
    assert result[0].old_number == 6 and result[-1].old_number == 7
    assert [r.old_number for r in result[1:4]] == [7, 8, 9]
    assert [r.new_number for r in result[5:8]] == [11, 12, 13]
    assert result[4].old_number == result[4].new_number == 10
    assert marked(result[4].new) == [" ändrad"] and marked(result[4].old) == []


def test_a_stretch_between_two_changes_keeps_context_on_both_sides():
    old = lines(20)
    new = list(old)
    new[0], new[19] = "första", "sista"
    result = rows(text(old), text(new))
    assert [r.kind for r in result] == ["change", "same", "same", "same", "gap", "same", "same", "same", "change"]
    assert result[4].old_number == 18 - 6  # 18 unchanged lines, 3 shown on each side
    assert [r.old_number for r in result[1:4]] == [2, 3, 4]
    assert [r.old_number for r in result[5:8]] == [17, 18, 19]


def test_a_single_hidden_line_is_shown_rather_than_folded():
    old = lines(8)
    new = list(old)
    new[0], new[7] = "första", "sista"
    result = rows(text(old), text(new))  # 6 unchanged lines = 3 + 3 of context: nothing to fold
    assert "gap" not in [r.kind for r in result]
    old = lines(9)
    new = list(old)
    new[0], new[8] = "första", "sista"
    result = rows(text(old), text(new))  # 7 unchanged lines: folding would hide one line only
    assert "gap" not in [r.kind for r in result] and len(result) == 9


def test_context_can_be_changed_or_switched_off():
    old = lines(20)
    new = list(old)
    new[9] = "ändrad"
    assert [r.kind for r in rows(text(old), text(new), context=1)] == ["gap", "same", "change", "same", "gap"]
    unfolded = rows(text(old), text(new), context=None)
    assert len(unfolded) == 20 and [r.kind for r in unfolded].count("same") == 19


def test_identical_texts_have_no_changes():
    same = text(lines(12))
    result = rows(same, same)
    assert is_unchanged(result)
    assert all(r.kind in ("same", "gap") for r in result)
    # Everything is accounted for: shown lines plus hidden ones make the whole text.
    assert sum(r.old_number if r.kind == "gap" else 1 for r in result) == 12
    assert len(rows(same, same, context=None)) == 12 and is_unchanged(rows(same, same, context=None))
    assert rows("", "") == [] and is_unchanged([])


def test_is_unchanged_is_false_for_any_change():
    assert not is_unchanged(rows("a\n", "a\nb\n"))
    assert not is_unchanged(rows("a\nb\n", "a\n"))
    assert not is_unchanged(rows("a\n", "b\n"))
    assert is_unchanged([Row("gap", old_number=3), Row("same", 1, (Part("x"),), 1, (Part("x"),))])


def test_line_endings_do_not_count_as_changes():
    assert is_unchanged(rows("a\r\nb\r\n", "a\nb\n"))
