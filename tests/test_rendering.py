"""What reaches the browser from a Markdown text: only the allow-list, whatever the input."""
import re

import pytest

from network_app.rendering import render

ATTACKS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">klick</a>',
    "[klick](javascript:alert(1))",
    "[klick](JaVaScRiPt:alert(1))",
    "[klick](jav&#x09;ascript:alert(1))",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
    "[data](data:text/html,<script>alert(1)</script>)",
    '<svg onload="alert(1)"><circle r="10"/></svg>',
    '<svg><script>alert(1)</script></svg>',
    '<iframe src="https://evil.example"></iframe>',
    '<p style="background:url(javascript:alert(1))">stil</p>',
    "Stycke\n{: onclick=\"alert(1)\" }",
    '<div onmouseover="alert(1)">hovra</div>',
    '<form action="https://evil.example"><input name="x"></form>',
    '<object data="evil.swf"></object><embed src="evil.swf">',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<a href="&#106;avascript:alert(1)">entity</a>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
    "<!-- <script>alert(1)</script> -->",
]


@pytest.mark.parametrize("source", ATTACKS)
def test_nothing_executable_survives(source):
    html = str(render(source).html).lower()
    for element in ("script", "iframe", "svg", "form", "input", "object", "embed", "meta", "base", "math", "img"):
        assert f"<{element}" not in html, (source, html)
    # Inside the tags that remain: no event handlers, styles or dangerous URLs. (The same words
    # may appear as escaped text, which is harmless.)
    for tag in re.findall(r"<[^>]*>", html):
        assert not re.search(r"\son\w+\s*=|style=|javascript:|data:|xlink", tag), (source, tag)


def test_ordinary_markdown_renders_with_anchored_headings_and_a_toc():
    rendered = render("# Värmepumpar\n\n## Krav på ljud\n\nText med **fetstil** och [länk](https://example.org).\n\n"
                      "| Krav | Nivå |\n|---|---|\n| COP | 3 |\n")
    html = str(rendered.html)
    assert '<h3 id="h-krav-pa-ljud">Krav på ljud</h3>' in html  # one level down: the page has the h1
    assert "<strong>fetstil</strong>" in html and "<table>" in html
    assert re.search(r'<a href="https://example.org" rel="noopener noreferrer nofollow">länk</a>', html)
    assert [(h.level, h.anchor, h.title) for h in rendered.toc] == [(2, "h-varmepumpar", "Värmepumpar"),
                                                                   (3, "h-krav-pa-ljud", "Krav på ljud")]


def test_a_text_cannot_take_the_pages_own_ids():
    html = str(render('<h2 id="main">Kapning</h2>\n\n<p id="main">x</p>').html)
    assert 'id="main"' not in html


def test_heading_titles_in_the_toc_are_plain_text():
    rendered = render("## Rubrik <img src=x onerror=alert(1)>")
    assert all("<" not in h.title for h in rendered.toc)
