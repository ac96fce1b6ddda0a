"""Versioned texts of specifications and criteria: saving with merge, reading (cached per process),
and the database's cache of each text's revision list (rebuildable from git).

Each owner (a Spec or a Criterion, with .repository, .path, head_revision and revision_count)
keeps one row per commit that changed its text, numbered r1, r2, …, so history pages and
r-numbers are indexed queries whatever the length of the history. `sync` appends what git has
and the cache lacks; `rebuild` replaces the list; `check` compares the two.
"""
from dataclasses import dataclass, field, replace

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from .dbtypes import utcnow
from .errors import AppError, InvalidInput
from .extensions import db
from .gitstore import Revision, RevisionNotFound, SaveOutcome, StaleBase, StoreError
from .repos import author_of, store
from .util import LRUCache


class EditConflict(AppError):
    """The edit overlaps a change saved since its base revision; nothing was saved."""

    status, code = 409, "edit_conflict"
    message = _l("Someone else changed the same part of the text since you started. "
                 "Your text is kept: compare it with theirs and save again.")

    def __init__(self, current_revision: str, current_text: str, conflict_text: str):
        super().__init__()
        self.current_revision, self.current_text, self.conflict_text = (current_revision, current_text,
                                                                         conflict_text)


class StorageFailed(AppError):
    status, code = 503, "storage_unavailable"
    message = _l("The text could not be saved right now, and nothing was changed. Please try again.")


# A commit never changes, so a text is cached per process by (repository, path, commit id).
_texts = LRUCache(4096)


def text(owner, commit_id: str) -> str:
    """The owner's text at a commit (RevisionNotFound if git has no such text)."""
    key = (owner.repository, owner.path, commit_id)
    return _texts.get_or_make(key, lambda: store().text_at(*key))


def save(owner, revision_model, new_text: str, *, base_revision: str | None, actor, message: str,
         when=None) -> SaveOutcome:
    """Commit the owner's new text (merged with changes saved since `base_revision`), then bring
    the revision cache up to date. Raises EditConflict when the changes overlap, InvalidInput for
    an unknown base revision and StorageFailed when git fails; nothing is saved then. A new
    owner (base None) must already have an id: it is flushed, not yet committed."""
    try:
        store().ensure(owner.repository)
        outcome = store().save(owner.repository, owner.path, new_text, base_revision=base_revision,
                               author=author_of(actor), message=message, when=when,
                               labels=(str(_l("your edit")), str(_l("saved meanwhile"))),
                               base_text=_texts.get((owner.repository, owner.path, base_revision)))
    except RevisionNotFound:
        raise InvalidInput({"base_revision": _l("The revision the edit started from does not exist.")}) from None
    except StaleBase as conflict:
        raise EditConflict(conflict.current_revision, conflict.current_text, conflict.conflict_text) from None
    except StoreError as err:
        raise StorageFailed() from err
    if not outcome.is_unchanged:
        _texts.put((owner.repository, owner.path, outcome.commit_id), outcome.text)
        sync(owner, revision_model, owner.repository, owner.path, outcome)
    return outcome


def sync(owner, revision_model, repository: str, path: str, saved: SaveOutcome | None = None) -> None:
    """Bring the cached revisions of `owner` (a Spec or a Criterion with head_revision and
    revision_count) up to date with git, then commit.

    Runs under a write lock on the owner's row (an UPDATE first: a row lock on PostgreSQL, the
    write lock on SQLite), so processes saving at once number the revisions the same way. When
    `saved` directly follows the cached head it is appended without asking git; otherwise only
    commits after the cached head are read. Either way the cost does not grow with the history.
    """
    model = type(owner)
    owner_column = getattr(revision_model, revision_model.OWNER)
    db.session.execute(update(model).where(model.id == owner.id).values(updated_at=utcnow()))
    last = db.session.scalars(select(revision_model).where(owner_column == owner.id)
                              .order_by(revision_model.number.desc()).limit(1)).first()
    try:
        if saved is not None and saved.revision is not None \
                and (last.commit_id if last else None) == saved.previous_change:
            new = [replace(saved.revision, number=1)]
        else:
            new = store().changes_since(repository, path, last.commit_id if last else None)
    except RevisionNotFound:  # the cached head is not in git: rebuild from scratch
        rebuild(owner, revision_model, store().changes_since(repository, path))
        db.session.commit()
        return
    offset = last.number if last else 0
    db.session.add_all(row(owner, revision_model, r, offset) for r in new)
    if new:
        owner.head_revision, owner.revision_count = new[-1].commit_id, offset + len(new)
    db.session.commit()


def rebuild(owner, revision_model, revisions: list[Revision]) -> None:
    """Replace the cached list with `revisions` (oldest first, numbered from 1); no commit."""
    db.session.execute(revision_model.__table__.delete().where(
        getattr(revision_model, revision_model.OWNER) == owner.id))
    db.session.add_all(row(owner, revision_model, r, 0) for r in revisions)
    owner.head_revision = revisions[-1].commit_id if revisions else None
    owner.revision_count = len(revisions)


def row(owner, revision_model, revision: Revision, offset: int):
    return revision_model(**{revision_model.OWNER: owner.id}, number=offset + revision.number, commit_id=revision.commit_id,
                          author_name=revision.author_name[:200], author_email=revision.author_email[:254],
                          authored_at=revision.authored_at, message=revision.message)


@dataclass
class CacheCheck:
    drift: list[str] = field(default_factory=list)  # the cache disagrees with git: --repair fixes it
    missing: list[str] = field(default_factory=list)  # no text in git: nothing to rebuild from


def check(owners, revision_model, folder: str, *, label, repair: bool = False) -> CacheCheck:
    """Compare the cached revision lists of `owners` (with .repository and .path under `folder`;
    `label(owner)` names one in reports) with git, reading each repository once; report drift, and rebuild the lists when `repair`.
    A text missing from git is reported, never repaired by guessing."""
    report = CacheCheck()
    in_repository: dict[str, dict] = {}
    owner_column = getattr(revision_model, revision_model.OWNER)
    for owner in owners:
        name = owner.repository
        if name not in in_repository:
            try:
                in_repository[name] = store().changes_by_path(name, folder)
            except RevisionNotFound:
                in_repository[name] = {}
        revisions = in_repository[name].get(owner.path, [])
        if not revisions:
            report.missing.append(f"{label(owner)}: no text in git at {owner.path}")
            continue
        in_git = [r.commit_id for r in revisions]
        cached = list(db.session.scalars(select(revision_model.commit_id).where(owner_column == owner.id)
                                         .order_by(revision_model.number)))
        if cached != in_git or (owner.head_revision, owner.revision_count) != (in_git[-1], len(in_git)):
            report.drift.append(f"{label(owner)}: the cache lists {len(cached)} revisions ending at "
                                f"{owner.head_revision}, git has {len(in_git)} ending at {in_git[-1]}")
            if repair:
                rebuild(owner, revision_model, revisions)
    db.session.commit()
    return report
