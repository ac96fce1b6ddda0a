"""Snippets: a piece of the stored plain text around the first words a query matched, HTML-escaped
with those words in <mark>. The words are found by analysing each word of the text the way the
index does (cached per word), so "värmepumparna" is marked for a search on "värmepump"."""
import html
import re

from markupsafe import Markup

from .analysis import WORD_PATTERN, term_of

SNIPPET_CHARS = 240
BEFORE = 70  # characters of context before the first marked word
_WORDS = re.compile(WORD_PATTERN)


def snippet(text: str, terms: set[str], prefixes: list[str]) -> Markup:
    """The snippet of `text` for index terms `terms` and term prefixes `prefixes`."""
    marks = []
    if terms or prefixes:
        for match in _WORDS.finditer(text):
            if marks and match.start() > marks[0][0] + SNIPPET_CHARS:
                break
            term = term_of(match.group())
            if term is not None and (term in terms or any(term.startswith(p) for p in prefixes)):
                marks.append((match.start(), match.end()))
    if not marks:
        return lead(text)
    start = max(0, marks[0][0] - BEFORE)
    if start:
        space = text.find(" ", start, marks[0][0])
        start = space + 1 if space != -1 else start
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):
        space = text.rfind(" ", marks[0][1], end)
        end = space if space != -1 else end
    parts, at = [], start
    for mark_start, mark_end in marks:
        if mark_start >= end:
            break
        parts.append(html.escape(text[at:mark_start], quote=False))
        parts.append(f"<mark>{html.escape(text[mark_start:mark_end], quote=False)}</mark>")
        at = mark_end
    parts.append(html.escape(text[at:end], quote=False))
    return Markup(("… " if start else "") + "".join(parts) + (" …" if end < len(text) else ""))


def lead(text: str) -> Markup:
    """The beginning of the text, cut at a word."""
    if len(text) <= SNIPPET_CHARS:
        return Markup(html.escape(text, quote=False))
    cut = text[:SNIPPET_CHARS].rsplit(" ", 1)[0]
    return Markup(html.escape(cut, quote=False) + " …")
