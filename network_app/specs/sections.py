"""Sections of a Markdown text: from one ATX heading ('## Title') to the next heading of the
same or a higher level. Section numbers count headings from 1 in document order, the order of
the rendered table of contents, so 'edit this section' links can be numbered from it.

Headings inside fenced code blocks do not count. Setext headings (underlined) are not
recognised; when the counts disagree with the rendered page, callers offer no section links.
"""
import re

_HEADING_RE = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+|$)")
_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def headings(text: str) -> list[tuple[int, int]]:
    """(line index, level) of every heading."""
    found, fence = [], None
    for index, line in enumerate(text.split("\n")):
        fence_match = _FENCE_RE.match(line)
        if fence_match:
            marker = fence_match.group(1)
            if fence is None:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence):
                fence = None
            continue
        if fence is None:
            match = _HEADING_RE.match(line)
            if match:
                found.append((index, len(match.group(1))))
    return found


def _span(text: str, number: int) -> tuple[int, int] | None:
    found = headings(text)
    if not 1 <= number <= len(found):
        return None
    start, level = found[number - 1]
    end = next((i for i, lvl in found[number:] if lvl <= level), len(text.split("\n")))
    return start, end


def _trailing_blank(lines: list[str]) -> int:
    count = 0
    while count < len(lines) and lines[len(lines) - 1 - count] == "":
        count += 1
    return count


def section(text: str, number: int) -> str | None:
    """The text of section `number` (without the blank lines that end it), or None if there is none."""
    span = _span(text, number)
    if span is None:
        return None
    lines = text.split("\n")[span[0]:span[1]]
    return "\n".join(lines[:len(lines) - _trailing_blank(lines)]) + "\n"


def replace_section(text: str, number: int, new_section: str) -> str | None:
    """`text` with section `number` replaced by `new_section`, keeping the blank lines that separated
    it from what follows; None if there is no such section. Replacing a section with section(text,
    number) gives back `text` unchanged."""
    span = _span(text, number)
    if span is None:
        return None
    lines = text.split("\n")
    blank = _trailing_blank(lines[span[0]:span[1]])
    replacement = new_section.replace("\r\n", "\n").rstrip("\n").split("\n") + [""] * blank
    return "\n".join(lines[:span[0]] + replacement + lines[span[1]:])
