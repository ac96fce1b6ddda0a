"""Markdown -> sanitised HTML. The only caller of markdown and nh3.

Python-Markdown renders (raw HTML in the source passes through it), then nh3 keeps only an
allow-list of tags, attributes and URL schemes: no scripts, event handlers, styles, iframes,
`javascript:` or `data:` links, whatever the input. Heading ids come from the table-of-contents
extension with an "h-" prefix; other ids are dropped, so a text cannot clobber the page's own
ids (such as the skip link's #main).
"""
from dataclasses import dataclass

import markdown
import nh3
from markupsafe import Markup

from .util import slugify

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd",
    "a", "em", "strong", "b", "i", "code", "pre", "blockquote", "del", "ins", "sub", "sup",
    "table", "thead", "tbody", "tr", "th", "td", "caption", "abbr",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
    **{f"h{n}": {"id"} for n in range(1, 7)},
}
URL_SCHEMES = {"http", "https", "mailto"}
ID_PREFIX = "h-"


@dataclass(frozen=True)
class Heading:
    level: int
    anchor: str
    title: str


@dataclass(frozen=True)
class Rendered:
    html: Markup
    toc: tuple[Heading, ...]


def _heading_id(value: str, separator: str) -> str:
    return ID_PREFIX + (slugify(value) or "rubrik")


def _keep_attribute(element: str, attribute: str, value: str) -> str | None:
    if attribute == "id" and not value.startswith(ID_PREFIX):
        return None
    return value


def render(text: str) -> Rendered:
    """Sanitised HTML (as Markup) and the table of contents of a Markdown text."""
    md = markdown.Markdown(extensions=["tables", "fenced_code", "sane_lists", "toc"],
                           # baselevel 2: the page has its own h1, so a text's "#" becomes h2.
                           extension_configs={"toc": {"slugify": _heading_id, "baselevel": 2}},
                           output_format="html")
    raw = md.convert(text or "")
    clean = nh3.clean(raw, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                      attribute_filter=_keep_attribute, link_rel="noopener noreferrer nofollow",
                      strip_comments=True)
    return Rendered(Markup(clean), tuple(_flatten(md.toc_tokens)))


def _flatten(tokens):
    for token in tokens:
        yield Heading(token["level"], token["id"], nh3.clean(token["name"], tags=set()))
        yield from _flatten(token["children"])
