"""Queries: who may find what (the permission filter), reading what people type, and run().

The permission filter is built in one place, permission_filter(), as a Whoosh query; every search
intersects its matches with the (live) documents that filter allows before anything is counted
or listed, so results, totals, facet counts and snippets all come from documents the viewer may
see. People's queries are parsed against the text fields only, so field syntax (`scope:public`),
wildcards and `*` can only narrow what the filter allows, never widen it.
"""
import heapq
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from math import ceil

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select
from whoosh import qparser
from whoosh.fields import TEXT, Schema
from whoosh.query import And, Not, NullQuery, Or, Prefix, Query, Term

from ..extensions import db
from ..permissions import Actor
from .analysis import swedish_analyzer
from .documents import FACETS, PUBLIC, members_scope
from .engine import Engine, Unsupported, query_terms
from .index import NO_NETWORK, searching
from .snippets import snippet

log = logging.getLogger(__name__)

PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_QUERY = 500  # characters of a query that are read
TITLE_BOOST = 3.0
SORTS = ("relevance", "date")


# --- who may find what --------------------------------------------------------------------------

def member_networks(viewer) -> tuple[int, ...]:
    """Ids of the networks the viewer's organisation belongs to (any role)."""
    from ..networks.models import Membership  # local: networks imports permissions

    actor = viewer if isinstance(viewer, Actor) else Actor.of(viewer)
    if actor.organisation is None:
        return ()
    return tuple(sorted(db.session.scalars(select(Membership.network_id).where(
        Membership.organisation_id == actor.organisation.id))))


def permission_filter(viewer) -> tuple[tuple, Query]:
    """(a key naming the viewer's reach, the Whoosh query of the documents the viewer may find).

    Anonymous people and organisations outside every network: public documents. Members of
    networks N1, N2: public documents of other networks and of none, plus the "members:" documents
    of N1 and N2 (members read their network's working text instead of the published one).
    Portal administrators: every network's "members:" documents and the public documents of none.
    """
    actor = viewer if isinstance(viewer, Actor) else Actor.of(viewer)
    if actor.is_portal_admin:
        return ("admin",), Or([Prefix("scope", "members:"),
                               And([Term("scope", PUBLIC), Term("network", NO_NETWORK)])])
    networks = member_networks(actor)
    if not networks:
        return ("public",), Term("scope", PUBLIC)
    own = Or([Term("network", str(n)) for n in networks])
    return ("members", networks), Or([And([Term("scope", PUBLIC), Not(own)]),
                                      *[Term("scope", members_scope(n)) for n in networks]])


# --- reading what people type -------------------------------------------------------------------

@dataclass
class ParsedQuery:
    text: str
    query: Query | None  # None: no words to search for (browse everything, or nothing when text)
    notice: object = None  # a message for the person (lazy string), e.g. about broken syntax


def _parser(plugins: bool):
    analyzer = swedish_analyzer()
    # A schema of the text fields alone: any other field name in a query is read as words.
    fields = Schema(title=TEXT(analyzer=analyzer), body=TEXT(analyzer=analyzer))
    parser = qparser.MultifieldParser(["title", "body"], fields, fieldboosts={"title": TITLE_BOOST},
                                      plugins=None if plugins else [])
    if plugins:
        parser.remove_plugin_class(qparser.RangePlugin)  # ranges over words are slow and never wanted
        parser.remove_plugin_class(qparser.BoostPlugin)
    return parser


_PARSERS: dict[bool, qparser.QueryParser] = {}
_OPERATOR = r"(?:AND|OR|NOT|ANDNOT|ANDMAYBE)"
_BROKEN = [
    re.compile(r"^\s*(?:AND|OR|ANDNOT|ANDMAYBE)\b"),  # a joining operator with nothing before it
    re.compile(rf"\b{_OPERATOR}\s*$"),  # an operator with nothing after it
    re.compile(rf"\b{_OPERATOR}\s+(?:AND|OR|ANDNOT|ANDMAYBE)\b"),  # two in a row ("AND NOT" is fine)
    re.compile(r"\w:(\s|$)"),  # a field name with nothing after it
]
_WORD = re.compile(r"[^\W_]+")


def _syntax_problem(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return True
    return depth != 0 or text.count('"') % 2 == 1 or any(p.search(text) for p in _BROKEN)


def parse(text: str) -> ParsedQuery:
    """Read a query: words (AND), "phrases", OR, NOT, title:word, prefix* wildcards. Broken
    syntax is searched as plain words with a notice, never an error."""
    text = (text or "").strip()[:MAX_QUERY]
    if not text:
        return ParsedQuery(text, None)
    if not _PARSERS:
        _PARSERS.update({True: _parser(True), False: _parser(False)})
    notice = None
    query = None
    if not _syntax_problem(text):
        try:
            query = _PARSERS[True].parse(text)
        except Exception:  # noqa: BLE001 - Whoosh's parser fails in odd ways on odd input
            log.info("query syntax not understood: %r", text, exc_info=True)
    if query is None:
        words = [w for w in _WORD.findall(text) if not re.fullmatch(_OPERATOR, w)]
        query = _PARSERS[False].parse(" ".join(words)) if words else NullQuery
        notice = _l("Part of your search could not be read as search syntax, so we searched for the "
                    "words alone. Quotation marks must come in pairs and brackets must be closed.")
    if query is NullQuery or query is None:
        return ParsedQuery(text, None, notice or _l(
            "Your search has only very common words or signs. Add a more specific word."))
    return ParsedQuery(text, query, notice)


# --- results ------------------------------------------------------------------------------------

@dataclass
class Hit:
    kind: str
    id: int
    title: str
    url: str
    snippet: Markup  # HTML-escaped text with the matched words in <mark>
    date: datetime
    status: str = ""
    key: str = ""


@dataclass
class SearchResult:
    query: str
    hits: list[Hit]
    total: int
    facets: dict[str, list[tuple[str, int]]]  # facet name -> [(value, count)], most frequent first
    page: int
    per_page: int
    sort: str
    filters: dict[str, str] = field(default_factory=dict)
    notice: object = None  # about the query (broken syntax, only common words)

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))


def _to_hit(stored: dict, terms=(), prefixes=()) -> Hit:
    return Hit(kind=stored["kind"], id=stored["doc_id"], title=stored["title"], url=stored["url"],
               snippet=snippet(stored.get("body") or "", set(terms), list(prefixes)),
               date=datetime.fromtimestamp(stored["date"], timezone.utc), status=stored.get("status", ""),
               key=stored["key"])


# --- per-index-version caches: document sets of filters and facet values ---------------------------

def _engine(searcher, cache: dict) -> Engine:
    found = cache.get("engine")
    if found is None:
        found = cache["engine"] = Engine(searcher)
    return found


def _docs(engine: Engine, cache: dict, key, query: Query) -> set[int]:
    """The document numbers `query` matches, remembered for this version of the index. Shared:
    never change the set that is returned."""
    found = cache.get(key)
    if found is None:
        found = cache[key] = engine.matching_docs(query)
    return found


def _allowed(engine: Engine, cache: dict, scope_key, scope_query: Query) -> set[int]:
    """The live documents the permission filter lets through (deleted ones never)."""
    key = ("scope", scope_key)
    found = cache.get(key)
    if found is None:
        found = cache[key] = engine.live(engine.matching_docs(scope_query))
    return found


def _facet_values(engine: Engine, cache: dict, name: str) -> list[tuple[str, set[int]]]:
    key = ("values", name)
    found = cache.get(key)
    if found is None:
        values = list(engine.reader.field_terms(name))
        found = cache[key] = [(v, _docs(engine, cache, ("facet", name, v), Term(name, v))) for v in values]
    return found


def _dates(engine: Engine, cache: dict) -> list[int]:
    found = cache.get("dates")
    if found is None:
        found = cache["dates"] = list(engine.reader.column_reader("date"))
    return found


def _count_facets(engine: Engine, cache, in_reach: set[int], selected: dict) -> dict:
    """Counts of each facet's values among the matches the viewer may see. A facet that is
    filtered on is counted without its own filter, so its other values stay visible."""
    facets = {}
    for name in FACETS:
        base = in_reach
        for other, docs in selected.items():
            if other != name:
                base = base & docs
        counts = [(value, n) for value, docs in _facet_values(engine, cache, name) if (n := len(base & docs))]
        counts.sort(key=lambda vc: (-vc[1], vc[0]))
        facets[name] = counts
    return facets


def _scores(engine: Engine, searcher, query: Query) -> dict[int, float]:
    """docnum -> score of every document the query matches (the fast evaluator, or Whoosh)."""
    try:
        return engine.evaluate(query)
    except Unsupported:
        log.info("query evaluated by Whoosh: %r", query)
        return {hit.docnum: hit.score or 0.0 for hit in searcher.search(query, limit=None)}


def run(parsed: ParsedQuery, viewer, *, filters: dict[str, str], page: int, per_page: int,
        sort: str) -> SearchResult:
    """The search itself; see find() in the package for the arguments."""
    scope_key, scope_query = permission_filter(viewer)
    with searching() as (searcher, cache):
        engine = _engine(searcher, cache)
        # The permission filter: only documents in `allowed` are ever counted, listed or shown.
        allowed = _allowed(engine, cache, scope_key, scope_query)
        selected = {name: _docs(engine, cache, ("facet", name, value), Term(name, value))
                    for name, value in filters.items()}
        if parsed.text and parsed.query is None:  # words typed, none searchable
            return SearchResult(parsed.text, [], 0, {name: [] for name in FACETS}, page, per_page, sort,
                                filters, parsed.notice)
        scores = None if parsed.query is None else _scores(engine, searcher, parsed.query)
        if scores is None:
            in_reach = allowed
        elif len(scores) < len(allowed):
            in_reach = {d for d in scores if d in allowed}
        else:
            in_reach = {d for d in allowed if d in scores}
        matched = in_reach
        for docs in selected.values():
            matched = matched & docs
        facets = _count_facets(engine, cache, in_reach, selected)
        for name, value in filters.items():  # a chosen value stays listed (to remove) even when nothing has it
            if value not in {v for v, _c in facets[name]}:
                facets[name].append((value, 0))
        start = (page - 1) * per_page
        if scores is not None and sort == "relevance":
            top = heapq.nlargest(start + per_page, matched, key=lambda d: (scores[d], -d))[start:]
        else:
            dates = _dates(engine, cache)
            top = heapq.nlargest(start + per_page, matched, key=lambda d: (dates[d], d))[start:]
        terms, prefixes = query_terms(parsed.query) if parsed.query is not None else (set(), [])
        hits = [_to_hit(searcher.stored_fields(d), terms, prefixes) for d in top]
        return SearchResult(parsed.text, hits, len(matched), facets, page, per_page, sort, filters, parsed.notice)


def _keys(engine: Engine, cache: dict) -> list:
    found = cache.get("keys")
    if found is None:
        found = cache["keys"] = list(engine.reader.column_reader("key"))
    return found


def public_ids(parsed: ParsedQuery, kind: str) -> set[int]:
    """Ids of the `kind` objects whose public documents match the query (for lists that filter and
    order in the database and take only the words from the index)."""
    if parsed.query is None:
        return set()
    with searching() as (searcher, cache):
        engine = _engine(searcher, cache)
        allowed = _allowed(engine, cache, ("public",), Term("scope", PUBLIC))
        of_kind = _docs(engine, cache, ("facet", "kind", kind), Term("kind", kind))
        keys = _keys(engine, cache)
        found = set()
        for docnum in _scores(engine, searcher, parsed.query):
            if docnum in allowed and docnum in of_kind:
                key = keys[docnum]
                found.add(int((key.decode() if isinstance(key, bytes) else key).split(":")[1]))
        return found
