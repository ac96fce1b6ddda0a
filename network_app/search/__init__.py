"""Full-text search over criteria, specifications, planned needs and letters of intent (Whoosh).

For the other areas:

- `provider(kind)` registers the function that makes an object's SearchDocuments (see documents);
  `signals.changed(kind, id)` after a committed change keeps the index in step.
- `find(query, viewer, ...)` searches with the viewer's permissions; `SearchUnavailable` (503)
  when the index cannot be read.
- `facet_labels(name, labels)` names facet values on the search page.
"""
from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from .. import cpv as cpv_codes
from .. import signals
from ..errors import AppError
from . import index, pending, upkeep
from .documents import (FACETS, KINDS, PUBLIC, SearchDocument, all_documents, cpv_divisions, facet_labels,
                        label_of, members_scope, path_for, provider)
from .pending import enqueue
from .searching import MAX_PER_PAGE, PER_PAGE, SORTS, Hit, SearchResult, parse, permission_filter, public_ids, run
from .upkeep import Drift, check, drain, rebuild

__all__ = ["FACETS", "KINDS", "PUBLIC", "Drift", "Hit", "SearchDocument", "SearchResult", "SearchUnavailable",
           "all_documents", "check", "cpv_divisions", "drain", "enqueue", "facet_labels", "find", "init_app",
           "health", "label_of", "matching_ids", "members_scope", "path_for", "permission_filter", "provider",
           "rebuild"]

KIND_LABELS = {"spec": _l("Specification"), "criterion": _l("Criterion"), "need": _l("Planned need"),
               "letter": _l("Letter of intent")}
MAX_PAGE = 500


class SearchUnavailable(AppError):
    """The index cannot be read right now (being built, or damaged until `flask reindex`)."""

    status, code = 503, "search_unavailable"
    message = _l("Search is temporarily limited: the search index is being rebuilt. Please try again "
                 "in a few minutes.")


def init_app(app) -> None:
    app.config.setdefault("SEARCH_LOCK_TIMEOUT", 0.5)  # seconds a drain waits for the index's write lock
    # Outside tests: requests leave index changes to a thread of their process (see upkeep),
    # and a missing index is built in a thread.
    app.config.setdefault("SEARCH_UPDATE_AFTER_RESPONSE", not app.testing)
    app.config.setdefault("SEARCH_DRAIN_DELAY", 0.5)  # seconds the thread gathers changes for one commit
    app.config.setdefault("SEARCH_BUILD_IN_BACKGROUND", not app.testing)
    app.extensions["network_app.search"] = True
    signals.document_changed.connect(upkeep.on_document_changed)
    facet_labels("kind", KIND_LABELS)
    facet_labels("cpv", _cpv_division_label)


def health(app=None) -> dict:
    """For /healthz: the index's state (ok, missing: being built, broken: `flask reindex`) and the
    number of queued changes. ok is False only for a broken index."""
    state = index.state(app)
    return {"ok": state != "broken", "state": state, "queued": len(pending.pending(app))}


def _cpv_division_label(value: str):
    code = cpv_codes.normalise(f"{value}000000") if value.isdigit() and len(value) == 2 else None
    if code is None:
        return None
    return f"{value} {cpv_codes.label(code, str(get_locale() or 'sv'))}"


def find(query: str, viewer, *, kind: str | None = None, filters: dict | None = None, page: int = 1,
         per_page: int = PER_PAGE, sort: str = "relevance") -> SearchResult:
    """Search what `viewer` (a User, an anonymous user or None) may see.

    `query` is what a person typed (words, "phrases", OR, NOT, prefix*; broken syntax is read as
    plain words and the result carries a notice); an empty query lists everything, newest first.
    `kind` and `filters` ({"type": "...", "level": ..., "area": ..., "cpv": "45"}) narrow to one
    value per facet; `sort` is "relevance" or "date". Returns a SearchResult (hits of the page,
    total, facet counts). Raises SearchUnavailable when the index cannot be read.
    """
    chosen = {}
    for name, value in {**(filters or {}), **({"kind": kind} if kind else {})}.items():
        value = str(value or "").strip()
        if name in FACETS and value and len(value) <= 100:
            chosen[name] = value
    page = min(max(int(page or 1), 1), MAX_PAGE)
    per_page = min(max(int(per_page or PER_PAGE), 1), MAX_PER_PAGE)
    sort = sort if sort in SORTS else "relevance"
    parsed = parse(query)
    return _with_index(lambda: run(parsed, viewer, filters=chosen, page=page, per_page=per_page, sort=sort))


def _with_index(fn):
    """Run fn(), building a missing index first (tests, CLI) or raising SearchUnavailable."""
    for attempt in (1, 2):
        try:
            return fn()
        except index.IndexMissing:
            app = current_app._get_current_object()
            if app.config["SEARCH_BUILD_IN_BACKGROUND"] or attempt == 2:
                upkeep.build_in_background(app)
                raise SearchUnavailable() from None
            upkeep.rebuild(app, wait=True, only_if_missing=True)
        except index.IndexBroken:
            raise SearchUnavailable() from None
    raise AssertionError("unreachable")


def matching_ids(query: str, kind: str) -> tuple[set[int], object]:
    """(ids of the public `kind` objects matching what a person typed, a notice about the query
    or None). Raises SearchUnavailable when the index cannot be read."""
    parsed = parse(query)
    return _with_index(lambda: public_ids(parsed, kind)), parsed.notice
