"""Specifications: create, read, save with merge, history and diff. Texts in git, state here.

A save runs: check permission and input -> git save -> database commit (caches). If git
fails nothing is stored; if the database fails after git, the text is safe in git and the
caches can be rebuilt from it.
"""
import difflib
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import cpv, permissions
from ..dbtypes import utcnow
from ..errors import AppError, InvalidInput, NotFound
from ..extensions import db
from ..gitstore import RevisionNotFound, SaveOutcome, StaleBase, StoreError
from ..networks.services import get_network_or_404
from ..repos import author_of, store
from ..util import has_forbidden_chars, slugify
from .models import Spec, SpecCpv

MAX_TEXT = 500_000


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


@dataclass
class SpecDraft:
    title: str = ""
    text: str = ""
    message: str = ""
    summary: str = ""
    cpv: list[str] = field(default_factory=list)


def _check_text(text: str, errors: dict) -> None:
    if len(text) > MAX_TEXT:
        errors["text"] = _l("The text can be at most 500,000 characters.")
    elif has_forbidden_chars(text):
        errors["text"] = _l("The text contains characters that cannot be used.")


def _check_message(message: str, errors: dict) -> str:
    message = (message or "").strip()
    if len(message) > 500 or has_forbidden_chars(message) or "\n" in message:
        errors["message"] = _l("Describe the change in one line of at most 500 characters.")
    return message


def _validate(draft: SpecDraft) -> dict:
    errors = {}
    draft.title = (draft.title or "").strip()
    if not draft.title:
        errors["title"] = _l("Enter a title.")
    elif len(draft.title) > 200 or has_forbidden_chars(draft.title):
        errors["title"] = _l("Use a title of at most 200 characters.")
    _check_text(draft.text or "", errors)
    draft.message = _check_message(draft.message, errors)
    normalised = [cpv.normalise(c) for c in draft.cpv]
    if None in normalised:
        bad = [c for c, n in zip(draft.cpv, normalised) if n is None]
        errors["cpv"] = _l("Unknown CPV code: %(codes)s.", codes=", ".join(bad))
    draft.cpv = sorted(set(filter(None, normalised)))
    return errors


def _free_slug(network, title: str) -> str:
    base = slugify(title, max_length=56) or "spec"
    taken = set(db.session.scalars(select(Spec.slug).where(Spec.network_id == network.id,
                                                           Spec.slug.like(f"{base}%"))))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_spec(network, draft: SpecDraft, *, actor) -> Spec:
    """A new draft specification; its first text is revision r1, authored by `actor`."""
    permissions.require(actor, "spec.create", network)
    errors = _validate(draft)
    if errors:
        raise InvalidInput(errors)
    spec = Spec(network=network, slug=_free_slug(network, draft.title), title=draft.title,
                summary=draft.summary or "", cpv_codes=[SpecCpv(code=c) for c in draft.cpv])
    message = draft.message or str(_l("Create %(title)s", title=draft.title))
    try:
        store().ensure(network.slug)
        store().save(network.slug, spec.path, draft.text, base_revision=None, author=author_of(actor),
                     message=message)
    except StoreError as err:
        raise StorageFailed() from err
    db.session.add(spec)
    _sync_cache(spec)
    return spec


def get_spec_or_404(network_slug: str, slug: str, *, viewer) -> Spec:
    """The specification at /networks/<network_slug>/specs/<slug>, if `viewer` may see it."""
    network = get_network_or_404(network_slug)
    spec = db.session.scalar(select(Spec).where(Spec.network_id == network.id, Spec.slug == slug))
    if spec is None or not permissions.may(viewer, "spec.view", spec):
        raise NotFound()
    return spec


def list_specs(network, *, viewer) -> list[Spec]:
    specs = db.session.scalars(select(Spec).where(Spec.network_id == network.id).order_by(Spec.title)).all()
    return [s for s in specs if permissions.may(viewer, "spec.view", s)]


def read_spec(spec: Spec, revision: str | None = None):
    """(Revision, text) of the specification at a revision (default: the latest)."""
    try:
        return store().read_revision(spec.network.slug, spec.path, revision)
    except RevisionNotFound:
        raise NotFound() from None


def revision_of(spec: Spec, revision: str | None = None):
    """The Revision a revision string (hex id, rN, vN; None: latest) means for the specification."""
    try:
        return store().revision(spec.network.slug, spec.path, revision)
    except RevisionNotFound:
        raise NotFound() from None


def save_spec(spec: Spec, text: str, *, base_revision: str, message: str = "", actor) -> SaveOutcome:
    """Save an edit that started from `base_revision`; merges with changes saved meanwhile.

    Raises EditConflict (nothing saved, the texts attached) when the changes overlap.
    """
    permissions.require(actor, "spec.edit", spec)
    errors = {}
    _check_text(text or "", errors)
    message = _check_message(message, errors)
    if not base_revision:
        errors["base_revision"] = _l("The edit does not say which revision it started from.")
    if errors:
        raise InvalidInput(errors)
    try:
        outcome = store().save(spec.network.slug, spec.path, text, base_revision=base_revision,
                               author=author_of(actor),
                               message=message or str(_l("Update %(title)s", title=spec.title)),
                               labels=(str(_l("your edit")), str(_l("saved meanwhile"))))
    except RevisionNotFound:
        raise InvalidInput({"base_revision": _l("The revision the edit started from does not exist.")}) from None
    except StaleBase as conflict:
        raise EditConflict(conflict.current_revision, conflict.current_text, conflict.conflict_text) from None
    except StoreError as err:
        raise StorageFailed() from err
    if not outcome.is_unchanged:
        _sync_cache(spec)
    return outcome


def _sync_cache(spec: Spec) -> None:
    """Copy the latest revision and the revision count from git into the database row, and commit."""
    revisions, total = store().history(spec.network.slug, spec.path, limit=1)
    spec.head_revision, spec.revision_count, spec.updated_at = revisions[0].commit_id, total, utcnow()
    db.session.commit()


def history(spec: Spec, *, limit: int = 50, offset: int = 0):
    limit, offset = max(1, min(limit, 200)), max(0, offset)
    return store().history(spec.network.slug, spec.path, limit=limit, offset=offset)


def diff(spec: Spec, old: str, new: str) -> str:
    try:
        return store().diff(spec.network.slug, spec.path, old, new)
    except RevisionNotFound:
        raise NotFound() from None


def diff_texts(old: str, new: str) -> list[tuple[str, str]]:
    """(kind, line) pairs of a unified diff between two texts; kind is 'add', 'del', 'hunk' or 'same'."""
    return diff_lines("\n".join(difflib.unified_diff(old.splitlines(), new.splitlines(), "a", "b",
                                                     lineterm="")))


def diff_lines(unified: str) -> list[tuple[str, str]]:
    """Classify the lines of a unified diff for display, without its file headers."""
    lines = []
    for line in unified.splitlines():
        if line.startswith(("diff --git", "index ", "--- ", "+++ ")):
            continue
        kind = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "same")
        lines.append((kind, line[1:] if kind != "hunk" else line))
    return lines


def check_caches(*, repair: bool = False) -> list[str]:
    """Compare every specification's cached head revision and count with git; return the drift
    found (and fix it when `repair`). A missing text is reported, never repaired by guessing."""
    problems = []
    for spec in db.session.scalars(select(Spec).order_by(Spec.id)):
        try:
            revisions, total = store().history(spec.network.slug, spec.path, limit=1)
        except RevisionNotFound:
            problems.append(f"{spec.network.slug}/{spec.slug}: no text in git at {spec.path}")
            continue
        head = revisions[0].commit_id if revisions else None
        if (head, total) != (spec.head_revision, spec.revision_count):
            problems.append(f"{spec.network.slug}/{spec.slug}: cache says {spec.head_revision} "
                            f"({spec.revision_count} revisions), git says {head} ({total})")
            if repair:
                spec.head_revision, spec.revision_count = head, total
    if repair:
        db.session.commit()
    return problems
