"""Keeping the index in step: follow document_changed through the queue, drain it, rebuild,
and compare the index with what the providers make (drift).

A change enqueues a file. In a request (SEARCH_UPDATE_AFTER_RESPONSE) it wakes this process's
drainer thread, which waits SEARCH_DRAIN_DELAY seconds to gather what follows into one commit and
then drains: the request, and the next ones of the same worker, never wait for the index. On the
command line and in tests the queue is drained at once. A drain takes the index's write lock with
a short timeout; when another process holds it, the files stay for that process, which looks at
the queue again after every commit: so whichever process writes last sees every file, and nothing
is dropped (a process that dies with files queued leaves them for the next drain anywhere).
"""
import atexit
import logging
import os
import threading
import time
import weakref
from dataclasses import dataclass, field
from itertools import chain

from flask import current_app, has_app_context, has_request_context

from . import index, pending
from .documents import KINDS, all_documents, documents_of

log = logging.getLogger(__name__)

BATCH = 200  # objects per commit while draining


@dataclass
class DrainOutcome:
    processed: int = 0  # queue files handled
    busy: bool = False  # stopped because another process holds the write lock (it carries on)
    broken: bool = False  # stopped because the index cannot be read (`flask reindex`)


def drain(app=None) -> DrainOutcome:
    """Bring the index up to date with every queued change. Never raises for a busy or broken
    index: the files stay queued for the next drain."""
    app = app or current_app._get_current_object()
    outcome = DrainOutcome()
    while True:
        items = pending.pending(app, limit=BATCH)
        if not items:
            return outcome
        try:
            with app.app_context():  # a session of its own: the caller's is none of our business
                _apply(items, app)
        except index.IndexBusy:
            outcome.busy = True
            return outcome
        except index.IndexMissing:
            if _build_missing(app):  # the rebuild read every object, these included
                outcome.processed += len(items)
                continue
            if index.state(app) != "ok":  # another process is building it and drains after
                outcome.busy = True
                return outcome
            continue  # built meanwhile by another process: apply the changes to it
        except index.IndexBroken:
            log.warning("search index unreadable; %d change(s) stay queued until `flask reindex`", len(items))
            outcome.broken = True
            return outcome
        pending.remove(items)
        outcome.processed += len(items)


def tidy(app=None) -> None:
    """Merge the small segments updates leave (off the critical path, after drain): never raises.
    Having held the write lock, it drains again: a drain that found the lock taken left its
    changes to whoever held it."""
    app = app or current_app._get_current_object()
    try:
        merged = index.merge_small(timeout=app.config["SEARCH_LOCK_TIMEOUT"], app=app)
    except (index.IndexMissing, index.IndexBroken):
        return
    if merged:
        drain(app)


def _apply(items: list[pending.Pending], app) -> None:
    by_kind: dict[str, set[int]] = {}
    for item in items:
        by_kind.setdefault(item.kind, set()).add(item.id)
    # Read everything before taking the write lock, so that the lock is held only for the write.
    documents = list(chain.from_iterable(documents_of(kind, sorted(ids)) for kind, ids in by_kind.items()))
    refs = {item.ref for item in items}
    index.replace_documents(refs, documents, timeout=app.config["SEARCH_LOCK_TIMEOUT"], app=app)


def _build_missing(app) -> bool:
    """Build a missing index from the providers; False when this process did not build it
    (another one is at it, or has just done it)."""
    with app.app_context():
        return rebuild(app, wait=False, only_if_missing=True) is not None


def rebuild(app=None, *, documents=None, procs: int = 1, wait: bool = True,
            only_if_missing: bool = False) -> int | None:
    """Rebuild the whole index from the providers (a fresh one if it is missing or broken), then
    drain what changed meanwhile. `documents` defaults to all_documents() (the command line
    passes it through a progress bar). Returns the number of documents indexed (None: nothing
    built, see index.rebuild)."""
    app = app or current_app._get_current_object()
    before = pending.pending(app)
    count = index.rebuild(all_documents() if documents is None else documents, procs=procs, app=app,
                          wait=wait, only_if_missing=only_if_missing)
    if count is None:
        return None
    pending.remove(before)  # the rebuild read those objects as they are now
    drain(app)
    return count


# --- following changes ------------------------------------------------------------------------

def on_document_changed(kind: str, document_id: int) -> None:
    """Receiver of signals.document_changed: queue the change; in a request, wake the drainer
    thread, elsewhere drain right away."""
    if not has_app_context() or "network_app.search" not in current_app.extensions:
        return
    app = current_app._get_current_object()
    pending.enqueue(kind, document_id, app)
    if has_request_context() and app.config["SEARCH_UPDATE_AFTER_RESPONSE"]:
        drainer(app).wake()
    else:
        drain(app)
        tidy(app)


def _drain_quietly(app) -> None:
    try:
        drain(app)
        tidy(app)
    except Exception:  # noqa: BLE001 - nobody to tell; the files stay for the next drain
        log.exception("draining the search queue failed")


class Drainer:
    """The thread of one process that drains the queue for an app, off every request's path.

    Started on the first wake() in a process, so a process forked after that (gunicorn's
    workers) starts its own. wake() never blocks on the index; the thread sleeps `delay` seconds
    after a wake, so that the saves of the next moment are applied in the same commit.
    """

    def __init__(self, app):
        self.app = app
        self._forked()

    def _forked(self) -> None:
        """Fresh state (also in a child after fork, where the parent's thread does not run)."""
        self._lock = threading.Lock()
        self._wanted = threading.Event()  # a change was queued since the thread last looked
        self._idle = threading.Condition(self._lock)
        self._running = False  # a drain is under way
        self._thread: threading.Thread | None = None
        self._pid = None

    def wake(self) -> None:
        with self._lock:
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._run, name="search-drain", daemon=True)
                self._thread.start()
            self._wanted.set()

    def settle(self, timeout: float | None = None) -> bool:
        """Wait until every wake so far has been followed by a finished drain (tests, exit).
        False when `timeout` seconds passed first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._idle:
            while self._pid == os.getpid() and (self._wanted.is_set() or self._running):
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._idle.wait(remaining)
        return True

    def _run(self) -> None:
        while True:
            if not self._wanted.wait(IDLE_SECONDS):
                with self._lock:
                    if not self._wanted.is_set():  # quiet for a while: the next wake starts another
                        self._thread = None
                        return
            time.sleep(self.app.config["SEARCH_DRAIN_DELAY"])
            with self._lock:
                self._wanted.clear()  # a change queued from here on wakes another round
                self._running = True
            try:
                _drain_quietly(self.app)
            finally:
                with self._idle:
                    self._running = False
                    self._idle.notify_all()


IDLE_SECONDS = 300  # a drainer thread with nothing to do for this long ends
_drainers: "weakref.WeakSet[Drainer]" = weakref.WeakSet()
_drainers_lock = threading.Lock()


def drainer(app) -> Drainer:
    """The app's drainer in this process."""
    with _drainers_lock:
        found = app.extensions.get("network_app.search.drainer")
        if found is None:
            found = app.extensions["network_app.search.drainer"] = Drainer(app)
            _drainers.add(found)
        return found


def _after_fork_in_child() -> None:
    global _drainers_lock
    _drainers_lock = threading.Lock()
    for found in list(_drainers):
        found._forked()


os.register_at_fork(after_in_child=_after_fork_in_child)


@atexit.register
def _settle_at_exit() -> None:
    """A worker that stops (gunicorn restarting it, say) applies what it was about to apply."""
    for found in list(_drainers):
        found.settle(timeout=10)


_building: set[str] = set()
_building_lock = threading.Lock()


def build_in_background(app) -> None:
    """Start building a missing index in a thread of this process (once at a time)."""
    path = str(index.index_path(app))
    with _building_lock:
        if path in _building:
            return
        _building.add(path)

    def work():
        try:
            with app.app_context():
                _build_missing(app)
        except Exception:  # noqa: BLE001
            log.exception("building the search index failed")
        finally:
            with _building_lock:
                _building.discard(path)

    threading.Thread(target=work, name="search-index-build", daemon=True).start()


# --- drift ---------------------------------------------------------------------------------------

@dataclass
class Drift:
    state: str  # of the index: ok, missing, broken
    queued: int = 0  # changes waiting in the queue
    missing: list[str] = field(default_factory=list)  # keys the providers make, not in the index
    extra: list[str] = field(default_factory=list)  # keys in the index that no provider makes
    stale: list[str] = field(default_factory=list)  # in both, but the index has an older version

    @property
    def problems(self) -> list[str]:
        lines = []
        if self.state != "ok":
            lines.append(f"search index: {self.state} (`flask reindex` rebuilds it)")
        if self.queued:
            lines.append(f"search index: {self.queued} queued change(s) not yet applied")
        for label, keys in (("missing from the index", self.missing), ("in the index but gone", self.extra),
                            ("out of date in the index", self.stale)):
            if keys:
                shown = ", ".join(keys[:10]) + (f" and {len(keys) - 10} more" if len(keys) > 10 else "")
                lines.append(f"search index: {len(keys)} document(s) {label}: {shown}")
        return lines


def check(app=None, *, repair: bool = False) -> Drift:
    """Compare the index with the providers: keys and versions, after applying the queue. With
    `repair`, rebuild a missing or broken index, or bring the drifted objects up to date. Returns
    what was found (before repairing)."""
    app = app or current_app._get_current_object()
    drain(app)
    drift = Drift(state=index.state(app), queued=len(pending.pending(app)))
    if drift.state != "ok":
        if repair:
            rebuild(app)
        return drift
    indexed = index.indexed_versions(app)
    expected = {doc.key: doc.version for doc in all_documents()}
    drift.missing = sorted(expected.keys() - indexed.keys())
    drift.extra = sorted(indexed.keys() - expected.keys())
    drift.stale = sorted(k for k in expected.keys() & indexed.keys() if expected[k] != indexed[k])
    if repair and (drift.missing or drift.extra or drift.stale):
        for key in {*drift.missing, *drift.extra, *drift.stale}:
            kind, _, rest = key.partition(":")
            number = rest.partition(":")[0]
            if kind in KINDS and number.isdigit():
                pending.enqueue(kind, int(number), app)
        drain(app)
    return drift
