"""The durable queue of index updates: one small file per change in DATA_DIR/search/queue/.

A file says "the documents of (kind, id) may be stale"; it holds no document data, so handling it
means reading the object as it is now. Files are written under a temporary name and renamed, so
a reader never sees half a file; every change gets a file of its own (a unique name), so a file
written while a drain runs is never removed by that drain.
"""
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from .documents import KINDS
from .index import search_dir

STALE_TMP_SECONDS = 3600


@dataclass(frozen=True)
class Pending:
    path: Path
    kind: str
    id: int

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.id}"


def queue_dir(app=None) -> Path:
    return search_dir(app) / "queue"


def enqueue(kind: str, document_id: int, app=None) -> Path:
    """Record that the documents of (kind, id) must be brought up to date; returns the file."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    folder = queue_dir(app)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{kind}.{int(document_id)}.{time.time_ns()}.{os.getpid()}.{secrets.token_hex(4)}"
    tmp = folder / f".tmp-{name}"
    with open(tmp, "x", encoding="ascii") as fh:
        fh.write(f"{kind} {int(document_id)}\n")
    os.replace(tmp, folder / name)
    return folder / name


def pending(app=None, limit: int | None = None) -> list[Pending]:
    """The queued changes, oldest first (at most `limit`)."""
    folder = queue_dir(app)
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return []
    found = []
    for entry in entries:
        if entry.name.startswith("."):
            _forget_stale_tmp(entry)
            continue
        kind, _, rest = entry.name.partition(".")
        number, _, stamp = rest.partition(".")
        if kind in KINDS and number.isdigit():
            found.append((stamp, Pending(Path(entry.path), kind, int(number))))
    found.sort(key=lambda pair: pair[0])
    items = [p for _stamp, p in found]
    return items[:limit] if limit is not None else items


def has_pending(app=None) -> bool:
    try:
        with os.scandir(queue_dir(app)) as entries:
            return any(not e.name.startswith(".") for e in entries)
    except FileNotFoundError:
        return False


def remove(items: list[Pending]) -> None:
    for item in items:
        try:
            item.path.unlink()
        except FileNotFoundError:  # another process handled the same file
            pass


def _forget_stale_tmp(entry: os.DirEntry) -> None:
    """A temporary file left by a process that died while writing it."""
    try:
        if time.time() - entry.stat().st_mtime > STALE_TMP_SECONDS:
            os.unlink(entry.path)
    except FileNotFoundError:
        pass
