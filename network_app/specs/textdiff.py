"""Line diffs of two texts with the changed words marked, for side-by-side and inline display.

Pure functions: texts in, rows out. Lines are paired with difflib; inside a replaced pair the
words are compared again so that a one-word change shows as one marked word, not two lines.
"""
import difflib
import re
from dataclasses import dataclass

_WORD_RE = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)
CONTEXT = 3


@dataclass(frozen=True)
class Part:
    text: str
    changed: bool = False


@dataclass(frozen=True)
class Row:
    """One row of a side-by-side diff. kind: same, add, del, change or gap (skipped lines)."""

    kind: str
    old_number: int | None = None
    old: tuple[Part, ...] = ()
    new_number: int | None = None
    new: tuple[Part, ...] = ()


def _words(line: str) -> list[str]:
    return _WORD_RE.findall(line)


def _mark_words(old: str, new: str) -> tuple[tuple[Part, ...], tuple[Part, ...]]:
    a, b = _words(old), _words(new)
    old_parts, new_parts = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if i2 > i1:
            old_parts.append(Part("".join(a[i1:i2]), tag != "equal"))
        if j2 > j1:
            new_parts.append(Part("".join(b[j1:j2]), tag != "equal"))
    return tuple(old_parts), tuple(new_parts)


def rows(old_text: str, new_text: str, *, context: int | None = CONTEXT) -> list[Row]:
    """Side-by-side rows; unchanged stretches longer than 2 * `context` lines become one gap row."""
    old, new = old_text.splitlines(), new_text.splitlines()
    result: list[Row] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            same = [Row("same", i1 + k + 1, (Part(old[i1 + k]),), j1 + k + 1, (Part(new[j1 + k]),))
                    for k in range(i2 - i1)]
            result.extend(_fold(same, context, first=not result, last=i2 == len(old) and j2 == len(new)))
            continue
        pairs = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(pairs):
            old_parts, new_parts = _mark_words(old[i1 + k], new[j1 + k])
            result.append(Row("change", i1 + k + 1, old_parts, j1 + k + 1, new_parts))
        for k in range(i1 + pairs, i2):
            result.append(Row("del", k + 1, (Part(old[k], True),)))
        for k in range(j1 + pairs, j2):
            result.append(Row("add", None, (), k + 1, (Part(new[k], True),)))
    return result


def _fold(same: list[Row], context: int | None, *, first: bool, last: bool) -> list[Row]:
    if context is None:
        return same
    keep_head = 0 if first else context
    keep_tail = 0 if last else context
    if len(same) <= keep_head + keep_tail + 1:
        return same
    hidden = len(same) - keep_head - keep_tail
    gap = Row("gap", old_number=hidden)
    return same[:keep_head] + [gap] + same[len(same) - keep_tail:]


def is_unchanged(diff_rows: list[Row]) -> bool:
    return all(r.kind in ("same", "gap") for r in diff_rows)
