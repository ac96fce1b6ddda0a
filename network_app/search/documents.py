"""What the index holds: SearchDocument, and the providers that turn an area's objects into them.

An area registers one provider per kind of object:

    @provider("criterion")
    def criterion_documents(ids: list[int] | None) -> Iterator[SearchDocument]:
        ...  # ids None: every criterion; otherwise those (an id that no longer exists yields nothing)

and calls `network_app.signals.changed("criterion", criterion.id)` after each committed change;
the index follows. The provider is the only place that decides who may find what, through
`scope`:

- "public": anyone may find it. A public document of a network (network_id set) is hidden from
  that network's members, who get the network's own document instead (no duplicates).
- "members:<network_id>": only the network's members (and portal administrators) find it.

So an object owned by a network gives one "members:<id>" document (what members read, e.g. the
latest text) and, if outsiders may read it, one "public" document with network_id set (the
published text). An object of nobody's (the shared criteria library) gives one "public" document
with network_id None.
"""
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app

KINDS = ("spec", "criterion", "need", "letter")
FACETS = ("kind", "type", "level", "area", "cpv")  # in the order the search page lists them
PUBLIC = "public"


def members_scope(network_id: int) -> str:
    return f"members:{network_id}"


@dataclass
class SearchDocument:
    key: str  # unique in the index, e.g. "spec:12:public", "spec:12:members"
    kind: str  # one of KINDS
    id: int  # the object's id within its kind
    title: str
    body: str  # plain text or Markdown; Markdown syntax is dropped before indexing
    url: str  # path of the object's page
    date: datetime  # when it last changed (the date sort)
    scope: str  # "public" or "members:<network_id>", see the module docstring
    network_id: int | None = None
    type: list[str] = field(default_factory=list)
    level: list[str] = field(default_factory=list)
    area: list[str] = field(default_factory=list)
    cpv: list[str] = field(default_factory=list)  # 2-digit CPV divisions: ["42", "45"]
    status: str = ""
    # Cheap and changing with every change that affects the document (a commit id, a timestamp):
    # `flask check` compares it with the index to find documents that fell behind.
    version: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r}")
        if self.scope != PUBLIC and not re.fullmatch(r"members:\d+", self.scope):
            raise ValueError(f"scope must be 'public' or 'members:<network id>', not {self.scope!r}")
        for name in ("type", "level", "area", "cpv"):
            values = getattr(self, name)
            if any("," in v or not v.strip() for v in values):
                raise ValueError(f"{name} values must be non-empty and without commas: {values!r}")


Provider = Callable[[list[int] | None], Iterable[SearchDocument]]
_providers: dict[str, Provider] = {}


def provider(kind: str) -> Callable[[Provider], Provider]:
    """Register the function that makes the documents of `kind` (decorator)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")

    def register(fn: Provider) -> Provider:
        _providers[kind] = fn
        return fn
    return register


def providers() -> dict[str, Provider]:
    """kind -> provider, for the kinds registered so far."""
    from . import providers as _builtin  # noqa: F401 - registers the providers written here

    return dict(_providers)


def documents_of(kind: str, ids: list[int] | None) -> Iterator[SearchDocument]:
    fn = providers().get(kind)
    if fn is None:
        return iter(())
    return iter(fn(ids))


def all_documents() -> Iterator[SearchDocument]:
    for kind in providers():
        yield from documents_of(kind, None)


def path_for(endpoint: str, **values) -> str:
    """The path of a page, with or without a request (providers also run from the command line)."""
    adapter = current_app.url_map.bind("localhost", script_name=current_app.config.get("APPLICATION_ROOT") or "/")
    return adapter.build(endpoint, values)


def cpv_divisions(codes: Iterable[str]) -> list[str]:
    """'45331000-6', '42716000-8' -> ['42', '45']."""
    return sorted({c[:2] for c in codes if len(c) >= 2 and c[:2].isdigit()})


# Facet value labels: name -> function(value) -> label (a lazy string or text). Areas register
# theirs (the criteria area for type, level and area); unknown values show as they are.
_labels: dict[str, Callable[[str], object]] = {}


def facet_labels(name: str, labels: dict | Callable[[str], object]) -> None:
    """Register how the search page names the values of a facet (a dict or a function)."""
    _labels[name] = labels.get if isinstance(labels, dict) else labels


def label_of(name: str, value: str):
    fn = _labels.get(name)
    found = fn(value) if fn else None
    return found if found is not None else value
