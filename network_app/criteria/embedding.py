"""Criteria embedded in a specification's Markdown: a line `[[K-0042@r3]]` (pinned to r3) or
`[[K-0042]]` (the latest revision) becomes a box with the criterion's type, level, requirement
and verification.

The Markdown is rendered and sanitised first with a placeholder paragraph for each reference; the
placeholders carry a random nonce, so text typed by a person can never produce one. The boxes come
from a template (escaped like any page) and their texts go through the same sanitising renderer.
"""
import re
import secrets

from flask import render_template
from markupsafe import Markup

from ..errors import NotFound
from ..rendering import Rendered, render
from . import services

_LINE_RE = re.compile(r"^[ \t]*\[\[(K-\d{4})(?:@r([1-9]\d{0,6}))?\]\][ \t]*$", re.M)


def render_with_criteria(text: str, spec) -> Rendered:
    """Render a specification's text with its embedded criteria as boxes."""
    nonce = secrets.token_hex(8)
    refs: list[tuple[str, int | None]] = []

    def placeholder(match):
        refs.append((match.group(1), int(match.group(2)) if match.group(2) else None))
        return f"\ncriterion{nonce}x{len(refs) - 1}\n"

    rendered = render(_LINE_RE.sub(placeholder, text))
    if not refs:
        return rendered
    known = services.by_codes([code for code, _ in refs])
    html = str(rendered.html)
    for index, (code, number) in enumerate(refs):
        html = html.replace(f"<p>criterion{nonce}x{index}</p>", _box(known.get(code), code, number, spec), 1)
    return Rendered(Markup(html), rendered.toc)


def _box(criterion, code: str, number: int | None, spec) -> str:
    if criterion is None or not services.embeddable(criterion, spec):
        return render_template("criteria/_box.html", code=code, criterion=None)
    try:
        revision = services.revision_of(criterion, f"r{number}" if number else None)
    except NotFound:
        return render_template("criteria/_box.html", code=code, criterion=None)
    text = services.text_of(criterion, revision)
    return render_template("criteria/_box.html", code=code, criterion=criterion, revision=revision,
                           pinned=number is not None, latest_number=criterion.revision_count,
                           requirement=render(text.requirement).html, verification=render(text.verification).html)
