"""Specifications: create, read, save with merge, history and diff. Texts in git, state here.

A save runs: check permission and input -> git save -> database commit (caches). If git
fails nothing is stored; if the database fails after git, the text is safe in git and the
caches can be rebuilt from it.
"""
from dataclasses import dataclass, field
from functools import cache

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select
from sqlalchemy.orm import contains_eager, selectinload

from .. import cpv, permissions, revcache, signals
from ..dbtypes import utcnow
from ..errors import AppError, InvalidInput, NotFound
from ..extensions import db
from ..gitstore import RevisionNotFound, SaveOutcome, valid_revision
from ..networks.models import Network
from ..networks.services import free_slug
from ..rendering import Rendered, render
from ..repos import store
from ..revcache import EditConflict, StorageFailed  # noqa: F401 - raised by save_spec, part of its interface
from ..util import SLUG_RE, LRUCache, has_forbidden_chars
from . import sections, textdiff
from .models import PUBLIC_STATUSES, Spec, SpecCpv, SpecRevision, SpecTag, SpecVersion

MAX_TEXT = 500_000


@dataclass
class SpecDraft:
    title: str = ""
    text: str = ""
    message: str = ""
    summary: str = ""
    cpv: list[str] = field(default_factory=list)
    category: str = ""
    tags: list[str] = field(default_factory=list)
    slug: str = ""  # empty: made from the title


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
    draft.summary = (draft.summary or "").strip()
    if len(draft.summary) > 2000 or has_forbidden_chars(draft.summary):
        errors["summary"] = _l("Use a summary of at most 2,000 characters.")
    draft.category = (draft.category or "").strip()
    if len(draft.category) > 80 or has_forbidden_chars(draft.category):
        errors["category"] = _l("Use a category of at most 80 characters.")
    draft.tags = sorted({t.strip().lower() for t in draft.tags if t.strip()})
    if any(len(t) > 40 or has_forbidden_chars(t) for t in draft.tags) or len(draft.tags) > 20:
        errors["tags"] = _l("Use at most 20 tags of at most 40 characters each.")
    return errors


def create_spec(network, draft: SpecDraft, *, actor, when=None) -> Spec:
    """A new draft specification; its first text is revision r1, authored by `actor`
    (at `when`, default now: the demo loader passes the dates of its history)."""
    permissions.require(actor, "spec.create", network)
    errors = _validate(draft)
    if errors:
        raise InvalidInput(errors)
    if draft.slug and (not SLUG_RE.match(draft.slug) or db.session.scalar(select(Spec.id).where(
            Spec.network_id == network.id, Spec.slug == draft.slug))):
        raise InvalidInput({"slug": _l("Choose another address: lower-case letters, digits and hyphens, "
                                       "not used by another specification of the network.")})
    spec = Spec(network=network, slug=draft.slug or free_slug(Spec, network, draft.title, "spec"), title=draft.title,
                summary=draft.summary, category=draft.category,
                cpv_codes=[SpecCpv(code=c) for c in draft.cpv], tags=[SpecTag(tag=t) for t in draft.tags])
    db.session.add(spec)
    db.session.flush()
    try:
        revcache.save(spec, SpecRevision, draft.text, base_revision=None, actor=actor, when=when,
                      message=draft.message or str(_l("Create %(title)s", title=draft.title)))
    except AppError:
        db.session.rollback()
        raise
    signals.changed("spec", spec.id)
    return spec


def update_details(spec: Spec, draft: SpecDraft, *, actor) -> Spec:
    """Change title, summary, CPV codes, category and tags (database state; the text is untouched)."""
    permissions.require(actor, "spec.edit", spec)
    errors = _validate(draft)
    errors.pop("message", None)
    if errors:
        raise InvalidInput(errors)
    spec.title, spec.summary, spec.category = draft.title, draft.summary, draft.category
    spec.cpv_codes = [SpecCpv(code=c) for c in draft.cpv]
    spec.tags = [SpecTag(tag=t) for t in draft.tags]
    spec.updated_at = utcnow()  # pages cached under the old value are stale now
    db.session.commit()
    signals.changed("spec", spec.id)
    return spec


@cache
def _spec_query():
    """Built once: SQLAlchemy reuses its compiled form without working out a cache key per page."""
    return (select(Spec).join(Spec.network).where(Network.slug == bindparam("network_slug"),
                                                  Spec.slug == bindparam("slug"))
            .options(contains_eager(Spec.network)))


def get_spec_or_404(network_slug: str, slug: str, *, viewer) -> Spec:
    """The specification at /networks/<network_slug>/specs/<slug>, if `viewer` may see it."""
    spec = db.session.scalar(_spec_query(), {"network_slug": network_slug, "slug": slug})
    if spec is None or not permissions.may(viewer, "spec.view", spec):
        raise NotFound()
    return spec


def list_specs(network, *, viewer) -> list[Spec]:
    query = (select(Spec).where(Spec.network_id == network.id).order_by(Spec.title)
             .options(selectinload(Spec.versions)))
    if not permissions.may(viewer, "network.view_private", network):  # members see drafts too
        query = query.where(Spec.status.in_(PUBLIC_STATUSES))
    return list(db.session.scalars(query))


# --- revisions: numbers and texts ------------------------------------------------------------------

def visible_upto(spec: Spec, viewer) -> int | None:
    """The highest r-number `viewer` may read: None (all) for the network's members; for everyone
    else the published revision, so work on the next version stays inside the network."""
    if permissions.may(viewer, "spec.view_drafts", spec):
        return None
    if spec.public_revision is None:
        return 0
    published = db.session.scalar(select(SpecRevision.number).where(
        SpecRevision.spec_id == spec.id, SpecRevision.commit_id == spec.public_revision))
    return published or 0


def revision_of(spec: Spec, revision: str | None = None, *, upto: int | None = None) -> SpecRevision:
    """The revision a string means (hex id of 7-40 digits, rN, vN; None: the latest one the
    reader may see). Anything outside the allow-list, unknown, or beyond `upto` is NotFound."""
    query = select(SpecRevision).where(SpecRevision.spec_id == spec.id)
    if revision is None:
        query = query.order_by(SpecRevision.number.desc())
    elif not valid_revision(revision):
        raise NotFound()
    elif revision[0] == "r":
        query = query.where(SpecRevision.number == int(revision[1:]))
    elif revision[0] == "v":
        commit = db.session.scalar(select(SpecVersion.commit_id).where(
            SpecVersion.spec_id == spec.id, SpecVersion.number == int(revision[1:])))
        query = query.where(SpecRevision.commit_id == (commit or ""))
    elif len(revision) == 40:
        query = query.where(SpecRevision.commit_id == revision)
    else:
        query = query.where(SpecRevision.commit_id.startswith(revision))
    if upto is not None:
        query = query.where(SpecRevision.number <= upto)
    found = db.session.scalars(query.limit(2)).all()
    if not found or (revision is not None and len(found) > 1):
        raise NotFound()
    return found[0]


# A commit never changes, so its rendering is cached per process, keyed by the commit (the same
# commit id means the same text, whichever portal or test made it); texts are cached in revcache.
_rendered = LRUCache(1024)


def text_of(spec: Spec, revision: SpecRevision) -> str:
    """The text at a revision."""
    try:
        return revcache.text(spec, revision.commit_id)
    except RevisionNotFound:
        raise NotFound() from None


def rendered_of(spec: Spec, revision: SpecRevision) -> Rendered:
    """The rendered text; embedded criteria ([[K-0042@r3]]) become boxes in the reader's language."""
    text = text_of(spec, revision)
    if "[[K-" not in text:
        return _rendered.get_or_make((spec.path, revision.commit_id), lambda: render(text))
    from ..criteria import embedding
    from ..criteria import services as criteria

    key = (spec.path, revision.commit_id, str(get_locale()), criteria.stamp())
    return _rendered.get_or_make(key, lambda: embedding.render_with_criteria(text, spec))


def read_spec(spec: Spec, revision: str | None = None, *, upto: int | None = None):
    """(SpecRevision, text) of the specification at a revision (default: the latest readable)."""
    found = revision_of(spec, revision, upto=upto)
    return found, text_of(spec, found)


def version_of(spec: Spec, commit_id: str) -> SpecVersion | None:
    return next((v for v in spec.versions if v.commit_id == commit_id), None)


# --- saving --------------------------------------------------------------------------------------

def save_spec(spec: Spec, text: str, *, base_revision: str, message: str = "", actor,
              section: int | None = None, when=None) -> SaveOutcome:
    """Save an edit that started from `base_revision`; merges with changes saved meanwhile.

    With `section`, `text` is the new text of that section of the base revision (see sections).
    `when` dates the revision (the demo loader's history); the default is now.
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
    if section is not None:
        text = _whole_text(spec, base_revision, section, text)
    outcome = revcache.save(spec, SpecRevision, text, base_revision=base_revision, actor=actor, when=when,
                            message=message or str(_l("Update %(title)s", title=spec.title)))
    if not outcome.is_unchanged:
        signals.changed("spec", spec.id)
    return outcome


def _whole_text(spec: Spec, base_revision: str, number: int, section_text: str) -> str:
    try:
        base = revision_of(spec, base_revision)
    except NotFound:
        raise InvalidInput({"base_revision": _l("The revision the edit started from does not exist.")}) from None
    whole = sections.replace_section(text_of(spec, base), number, section_text)
    if whole is None:
        raise InvalidInput({"text": _l("That section does not exist in the revision you started from.")})
    return whole


def revert_spec(spec: Spec, revision: str, *, reason: str, actor) -> SaveOutcome:
    """Make the text of an earlier revision the latest, as a new revision that says why."""
    permissions.require(actor, "spec.edit", spec)
    target = revision_of(spec, revision)
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = _l("Say why the text goes back to an earlier revision.")
    elif len(reason) > 400 or has_forbidden_chars(reason) or "\n" in reason:
        errors["reason"] = _l("Give the reason in one line of at most 400 characters.")
    if errors:
        raise InvalidInput(errors)
    message = str(_l("Revert to r%(number)d: %(reason)s", number=target.number, reason=reason))
    return save_spec(spec, text_of(spec, target), base_revision=spec.head_revision, message=message, actor=actor)


def section_text(spec: Spec, revision: SpecRevision, number: int) -> str:
    found = sections.section(text_of(spec, revision), number)
    if found is None:
        raise NotFound()
    return found


# --- the revision cache --------------------------------------------------------------------------

def history(spec: Spec, *, limit: int = 50, offset: int = 0, upto: int | None = None):
    """(revisions newest first, total) from the cache: one indexed query whatever the history length."""
    limit, offset = max(1, min(limit, 200)), max(0, offset)
    total = spec.revision_count if upto is None else min(upto, spec.revision_count)
    rows = db.session.scalars(select(SpecRevision).where(
        SpecRevision.spec_id == spec.id, SpecRevision.number <= total)
        .order_by(SpecRevision.number.desc()).offset(offset).limit(limit)).all()
    return rows, total


def diff(spec: Spec, old: SpecRevision, new: SpecRevision, *, context: int | None = textdiff.CONTEXT):
    """Side-by-side rows (see textdiff) between two revisions."""
    return textdiff.rows(text_of(spec, old), text_of(spec, new), context=context)


def unified_diff(spec: Spec, old: SpecRevision, new: SpecRevision) -> str:
    try:
        return store().diff(spec.network.slug, spec.path, old.commit_id, new.commit_id)
    except RevisionNotFound:
        raise NotFound() from None


def diff_texts(old: str, new: str):
    return textdiff.rows(old, new)


def blame(spec: Spec, revision: SpecRevision) -> list[tuple[SpecRevision, int, str]]:
    """(revision that last changed the line, line number, line) for every line at `revision`."""
    try:
        lines = store().blame(spec.network.slug, spec.path, revision.commit_id)
    except RevisionNotFound:
        raise NotFound() from None
    commits = {commit for commit, _name, _line in lines}
    by_commit = {r.commit_id: r for r in db.session.scalars(select(SpecRevision).where(
        SpecRevision.spec_id == spec.id, SpecRevision.commit_id.in_(commits)))}
    return [(by_commit.get(commit), n, line) for n, (commit, _name, line) in enumerate(lines, start=1)]


def check_caches(*, repair: bool = False) -> revcache.CacheCheck:
    """Compare every specification's cached revision list with git (see revcache.check)."""
    return revcache.check(db.session.scalars(select(Spec).order_by(Spec.id)).all(), SpecRevision, "specs",
                          label=lambda spec: f"{spec.network.slug}/{spec.slug}", repair=repair)
