"""The Whoosh index on disk: schema, opening, writing under the index lock, and one searcher per
process that is kept open and replaced when the index has changed (a directory listing per query).

The index lives in DATA_DIR/search/index-v<SCHEMA_VERSION>/: a new schema gets a new folder,
which starts out missing and is built from the providers, so an upgrade never reads an index
written with another schema.
"""
import fcntl
import gc
import logging
import os
import re
import shutil
import threading
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from flask import current_app
from whoosh import index as whoosh_index
from whoosh.columns import VarBytesColumn
from whoosh.fields import COLUMN, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.writing import CLEAR

from . import whoosh_patch
from .analysis import swedish_analyzer
from .documents import SearchDocument

whoosh_patch.apply()

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
NO_NETWORK = "-"  # the network field of documents that belong to no network
LIST_FIELDS = ("type", "level", "area", "cpv")
MAX_SEGMENTS = 12  # segments before the small ones are merged (a rebuild makes one or two)


class IndexMissing(Exception):
    """No index has been built yet."""


class IndexBroken(Exception):
    """The index exists but cannot be read (damaged files); `flask reindex` rebuilds it."""


class IndexBusy(Exception):
    """Another process holds the index's write lock."""


def schema() -> Schema:
    text = swedish_analyzer()
    return Schema(
        key=ID(stored=True, unique=True, sortable=True),
        ref=ID(),  # "<kind>:<id>": every document of one object, replaced together
        kind=ID(stored=True),
        doc_id=STORED(),
        title=TEXT(analyzer=text, stored=True),
        body=TEXT(analyzer=text, stored=True),
        url=STORED(),
        date=NUMERIC(int, bits=64, signed=True, stored=True, sortable=True),  # Unix seconds
        scope=ID(stored=True),
        network=ID(stored=True),
        type=KEYWORD(stored=True, commas=True, scorable=False),
        level=KEYWORD(stored=True, commas=True, scorable=False),
        area=KEYWORD(stored=True, commas=True, scorable=False),
        cpv=KEYWORD(stored=True, commas=True, scorable=False),
        status=ID(stored=True),
        version=COLUMN(VarBytesColumn()),  # compared by `flask check`, never searched
    )


def search_dir(app=None) -> Path:
    return Path((app or current_app).config["DATA_DIR"]) / "search"


def index_path(app=None) -> Path:
    return search_dir(app) / f"index-v{SCHEMA_VERSION}"


# --- turning documents into index fields -------------------------------------------------------

_MARKDOWN = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images: their alt text
    (re.compile(r"\[\[([^\]]+)\]\]"), r"\1"),  # [[K-0042@r3]] criterion references
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links: their text
    (re.compile(r"<[^>\n]*>"), " "),  # HTML tags
    (re.compile(r"^\s{0,3}(#{1,6}|>+|[-*+]\s|\|?\s*:?-{3,}.*$)", re.M), " "),  # headings, quotes, bullets, rules
    (re.compile(r"[*`~|]+|(?<!\w)_+|_+(?!\w)"), " "),  # emphasis, code, table bars
    (re.compile(r"\s+"), " "),
]


def plain_text(markdown: str) -> str:
    """Markdown reduced to its words, for the index and the snippets."""
    text = markdown or ""
    for pattern, replacement in _MARKDOWN:
        text = pattern.sub(replacement, text)
    return text.strip()


def _timestamp(when: datetime | None) -> int:
    if when is None:
        return 0
    if when.tzinfo is None:  # the database's naive datetimes are UTC
        when = when.replace(tzinfo=timezone.utc)
    return int(when.timestamp())


def fields_of(doc: SearchDocument) -> dict:
    body = plain_text(doc.body)
    return {"key": doc.key, "ref": f"{doc.kind}:{doc.id}", "kind": doc.kind, "doc_id": doc.id,
            "title": doc.title, "body": body,
            "url": doc.url, "date": _timestamp(doc.date),
            "scope": doc.scope, "network": str(doc.network_id) if doc.network_id is not None else NO_NETWORK,
            **{name: ",".join(getattr(doc, name)) for name in LIST_FIELDS},
            "status": doc.status or "", "version": doc.version.encode("utf-8")}


# --- opening ------------------------------------------------------------------------------------

def _exists(path: Path) -> bool:
    """Whether a table of contents is there (whoosh's exists_in opens it, and fails on garbage)."""
    try:
        return any(n.startswith("_MAIN_") and n.endswith(".toc") for n in os.listdir(path))
    except FileNotFoundError:
        return False


def _open_dir(path: Path, *, searcher: bool = False):
    """The index (or a searcher of it); IndexMissing or IndexBroken when that fails."""
    if not _exists(path):
        raise IndexMissing()
    with warnings.catch_warnings():
        # Whoosh leaves the file it failed to read open; it is closed (and warns) when the
        # exception is dropped, which happens inside this block.
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            ix = whoosh_index.open_dir(str(path), schema=schema())
            return (ix, ix.searcher()) if searcher else ix
        except Exception as err:  # noqa: BLE001 - whatever is wrong with the files, the index is unusable
            problem = f"{type(err).__name__}: {err}"
        gc.collect()
    raise IndexBroken(problem)


def state(app=None) -> str:
    """'ok', 'missing' or 'broken' (cheap: reads the table of contents, not the segments)."""
    try:
        _open_dir(index_path(app)).close()
        return "ok"
    except IndexMissing:
        return "missing"
    except IndexBroken as err:
        log.warning("the search index in %s cannot be opened: %s", index_path(app), err)
        return "broken"


def open_index(app=None):
    return _open_dir(index_path(app))


@contextmanager
def _creation_lock(app=None, *, wait: bool) -> Iterator[bool]:
    """A lock beside the index for creating or rebuilding it from nothing (the index's own lock
    lives inside its folder, which may not exist yet). Yields False when busy and not waiting."""
    folder = search_dir(app)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "rebuild.lock", "a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _create_empty(app=None):
    path = index_path(app)
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return whoosh_index.create_in(str(path), schema())


# --- writing ------------------------------------------------------------------------------------

def replace_documents(refs: Iterable[str], documents: Iterable[SearchDocument], *, timeout: float,
                      app=None) -> int:
    """Delete every document of the objects `refs` ("kind:id") and add `documents` in one commit.
    Raises IndexBusy when the write lock stays taken for `timeout` seconds, IndexMissing or
    IndexBroken when there is no usable index. Returns the number of documents added."""
    ix = open_index(app)
    try:
        writer = ix.writer(timeout=timeout, delay=0.005)
    except whoosh_index.LockError:
        raise IndexBusy() from None
    added = 0
    try:
        for ref in refs:
            writer.delete_by_term("ref", ref)
        for doc in documents:
            writer.add_document(**fields_of(doc))
            added += 1
    except BaseException:
        writer.cancel()
        raise
    # No merging here: the change is searchable as soon as its small segment is committed, and
    # merging small segments (every few commits, up to a few hundred ms) is left to merge_small().
    writer.commit(merge=False)
    return added


def merge_small(*, timeout: float, app=None, most: int = MAX_SEGMENTS) -> bool:
    """Merge the small segments that updates leave behind once there are more than `most`
    segments (Whoosh's own merge policy picks which). True when it merged (it held the write
    lock); False when there was nothing to do or the lock was taken."""
    ix = open_index(app)
    if len(ix._segments()) <= most:
        return False
    try:
        writer = ix.writer(timeout=timeout, delay=0.005)
    except whoosh_index.LockError:
        return False
    writer.commit(merge=True)
    return True


def rebuild(documents: Iterable[SearchDocument], *, procs: int = 1, app=None, on_document=None,
            wait: bool = True, only_if_missing: bool = False) -> int | None:
    """Replace the whole index with `documents` (a fresh index when the old one is missing or
    broken). Searches keep answering from the old index until the commit. With procs > 1 the
    documents are analysed in that many processes, each writing its own segment.

    Returns the number of documents, or None when nothing was built: another rebuild is running
    and not `wait`, or with `only_if_missing`, the index exists by the time the lock is ours."""
    with _creation_lock(app, wait=wait) as got:
        if not got:
            return None
        try:
            ix = open_index(app)
            ix.latest_generation()
            if only_if_missing:
                return None
        except (IndexMissing, IndexBroken):
            ix = _create_empty(app)
        options = {"procs": procs, "multisegment": True} if procs > 1 else {}
        writer = ix.writer(timeout=60, delay=0.05, limitmb=256, **options)
        count = 0
        try:
            for doc in documents:
                writer.add_document(**fields_of(doc))
                count += 1
                if on_document:
                    on_document(doc)
        except BaseException:
            writer.cancel()
            raise
        writer.commit(mergetype=CLEAR)
        # Whoosh's multi-process writer drops the documents of a worker process that failed,
        # without a word: count what arrived.
        with open_index(app).reader() as reader:
            if reader.doc_count() != count:
                raise RuntimeError(f"the rebuilt index holds {reader.doc_count()} of {count} documents")
    forget_searcher(app)
    return count


def indexed_versions(app=None) -> dict[str, str]:
    """key -> version of every document in the index."""
    with searching(app) as (searcher, _cache):
        reader = searcher.reader()
        keys, versions = reader.column_reader("key"), reader.column_reader("version")
        return {keys[n]: versions[n].decode("utf-8") for n in reader.all_doc_ids()}


# --- searching: one searcher per process ----------------------------------------------------------

class _Open:
    def __init__(self, path: str):
        self.path, self.pid = path, os.getpid()
        self.lock = threading.RLock()
        self.ix = None
        self.searcher = None
        self.cache: dict = {}


_open: dict[str, _Open] = {}
_open_lock = threading.Lock()


def _slot(app=None) -> _Open:
    path = str(index_path(app))
    with _open_lock:
        slot = _open.get(path)
        if slot is None or slot.pid != os.getpid():  # a forked worker opens its own
            slot = _open[path] = _Open(path)
        return slot


def _close(searcher) -> None:
    if searcher is not None:
        try:
            searcher.close()
        except Exception:  # noqa: BLE001 - it is being thrown away
            pass


def forget_searcher(app=None) -> None:
    slot = _slot(app)
    with slot.lock:
        _close(slot.searcher)
        slot.searcher, slot.cache = None, {}


@contextmanager
def searching(app=None):
    """(searcher, cache) for the latest version of the index, held for the block. `cache` is a
    dict that lives as long as this version of the index in this process (for facet sets and
    permission filters). Raises IndexMissing or IndexBroken."""
    slot = _slot(app)
    with slot.lock:
        try:
            # Not Searcher.refresh(): whoosh-reloaded 2.7.5's refresh reuses the readers of segments
            # that have since been merged away or had documents deleted, so replaced documents would
            # be found twice. A new searcher when the index has changed; a directory listing when not.
            if slot.searcher is None or slot.ix.latest_generation() != slot.searcher.reader().generation():
                _close(slot.searcher)
                slot.searcher, slot.cache = None, {}
                slot.ix, slot.searcher = _open_dir(index_path(app), searcher=True)
        except (IndexMissing, IndexBroken):
            slot.searcher, slot.cache = None, {}
            raise
        except Exception as err:  # noqa: BLE001 - the files changed under us
            slot.searcher, slot.cache = None, {}
            raise IndexBroken(f"{type(err).__name__}: {err}") from None
        try:
            yield slot.searcher, slot.cache
        except BaseException:
            # Whatever went wrong, the next search starts from a freshly opened searcher.
            _close(slot.searcher)
            slot.searcher, slot.cache = None, {}
            raise
