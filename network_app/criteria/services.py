"""Criteria: create, read, edit (with merge), history, browse with facets, usage in specifications.

A criterion's text is one Markdown document in git: the requirement, then `## Motiv` (rationale)
and `## Verifiering` (how to verify). Its metadata (type, level, areas, CPV codes) is database state.
"""
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from .. import cpv, permissions, revcache, signals
from ..dbtypes import utcnow
from ..errors import AppError, InvalidInput, NotFound
from ..extensions import db
from ..gitstore import RevisionNotFound, SaveOutcome, valid_revision
from ..specs import textdiff
from ..util import has_forbidden_chars, spreadsheet_cell
from .models import (AREAS, LEVELS, STATUSES, TYPES, Criterion, CriterionArea, CriterionCategory, CriterionCpv,
                     CriterionRevision, SpecCriterion)

RATIONALE, VERIFICATION = "## Motiv", "## Verifiering"
CODE_RE = re.compile(r"^K-\d{4}$")
REFERENCE_RE = re.compile(r"\[\[(K-\d{4})(?:@r([1-9]\d{0,6}))?\]\]")
MAX_PART = 20_000


@dataclass
class CriterionText:
    requirement: str = ""
    rationale: str = ""
    verification: str = ""

    @classmethod
    def parse(cls, text: str) -> "CriterionText":
        """Split the stored document at its `## Motiv` and `## Verifiering` lines."""
        parts = {"requirement": [], "rationale": [], "verification": []}
        current = "requirement"
        for line in text.replace("\r\n", "\n").split("\n"):
            if line.strip() == RATIONALE:
                current = "rationale"
            elif line.strip() == VERIFICATION:
                current = "verification"
            else:
                parts[current].append(line)
        return cls(**{k: "\n".join(v).strip() for k, v in parts.items()})

    def compose(self) -> str:
        return (f"{self.requirement.strip()}\n\n{RATIONALE}\n\n{self.rationale.strip()}\n\n"
                f"{VERIFICATION}\n\n{self.verification.strip()}\n")


@dataclass
class CriterionDraft:
    title: str = ""
    type: str = ""
    level: str = ""
    areas: list[str] = field(default_factory=list)
    cpv: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    source: str = ""
    text: CriterionText = field(default_factory=CriterionText)
    message: str = ""


def _validate(draft: CriterionDraft, *, with_text: bool = True) -> dict:
    errors = {}
    draft.title = (draft.title or "").strip()
    if not draft.title or len(draft.title) > 200 or has_forbidden_chars(draft.title):
        errors["title"] = _l("Enter a title of at most 200 characters.")
    if draft.type not in TYPES:
        errors["type"] = _l("Choose the kind of criterion.")
    if draft.level not in LEVELS:
        errors["level"] = _l("Choose the ambition level.")
    draft.areas = sorted(set(draft.areas))
    if not draft.areas or any(a not in AREAS for a in draft.areas):
        errors["areas"] = _l("Choose at least one area.")
    normalised = [cpv.normalise(c) for c in draft.cpv]
    if None in normalised:
        errors["cpv"] = _l("Unknown CPV code: %(codes)s.",
                           codes=", ".join(c for c, n in zip(draft.cpv, normalised) if n is None))
    draft.cpv = sorted(set(filter(None, normalised)))
    draft.categories = sorted({c.strip() for c in draft.categories if c.strip()})
    if any(len(c) > 60 or has_forbidden_chars(c) for c in draft.categories):
        errors["categories"] = _l("Use categories of at most 60 characters.")
    draft.source = (draft.source or "").strip()
    if len(draft.source) > 300 or has_forbidden_chars(draft.source):
        errors["source"] = _l("Use a source of at most 300 characters.")
    if with_text:
        _check_text(draft.text, errors)
    draft.message = (draft.message or "").strip()
    if len(draft.message) > 500 or "\n" in draft.message or has_forbidden_chars(draft.message):
        errors["message"] = _l("Describe the change in one line of at most 500 characters.")
    return errors


def _check_text(text: CriterionText, errors: dict) -> None:
    if not text.requirement.strip():
        errors["requirement"] = _l("Write the requirement.")
    for name in ("requirement", "rationale", "verification"):
        value = getattr(text, name)
        if len(value) > MAX_PART or has_forbidden_chars(value):
            errors[name] = _l("Use at most 20,000 characters.")
        elif any(line.strip() in (RATIONALE, VERIFICATION) for line in value.split("\n")):
            errors[name] = _l("The headings “## Motiv” and “## Verifiering” are added by the portal.")


def _apply(criterion: Criterion, draft: CriterionDraft) -> None:
    criterion.title, criterion.type, criterion.level, criterion.source = (draft.title, draft.type, draft.level,
                                                                          draft.source)
    criterion.areas = [CriterionArea(area=a) for a in draft.areas]
    criterion.cpv_codes = [CriterionCpv(code=c) for c in draft.cpv]
    criterion.categories = [CriterionCategory(name=c) for c in draft.categories]


def _next_code() -> str:
    highest = db.session.scalar(select(func.max(Criterion.code)))
    return f"K-{int(highest[2:]) + 1:04d}" if highest else "K-0001"


def create_criterion(draft: CriterionDraft, *, actor, network=None, code: str | None = None,
                     when=None) -> Criterion:
    """A new criterion in the shared library (network None) or a network's own; its text is r1."""
    permissions.require(actor, "criterion.create", network)
    errors = _validate(draft)
    if code is not None and (not CODE_RE.match(code) or db.session.scalar(
            select(Criterion.id).where(Criterion.code == code))):
        errors["code"] = _l("That identifier is taken or not of the form K-0042.")
    if errors:
        raise InvalidInput(errors)
    criterion = Criterion(code=code or _next_code(), network=network)
    _apply(criterion, draft)
    db.session.add(criterion)
    db.session.flush()
    try:
        revcache.save(criterion, CriterionRevision, draft.text.compose(), base_revision=None, actor=actor,
                      when=when, message=draft.message or f"{criterion.code}: {draft.title}")
    except AppError:
        db.session.rollback()
        raise
    signals.changed("criterion", criterion.id)
    return criterion


def save_criterion(criterion: Criterion, draft: CriterionDraft, *, base_revision: str, actor,
                   when=None) -> SaveOutcome:
    """Save details and text; the text merges with changes saved since `base_revision` (or raises
    EditConflict with both texts, nothing saved)."""
    permissions.require(actor, "criterion.edit", criterion)
    errors = _validate(draft)
    if not base_revision:
        errors["base_revision"] = _l("The edit does not say which revision it started from.")
    if errors:
        raise InvalidInput(errors)
    outcome = revcache.save(criterion, CriterionRevision, draft.text.compose(), base_revision=base_revision,
                            actor=actor, when=when,
                            message=draft.message or str(_l("Update %(code)s", code=criterion.code)))
    _apply(criterion, draft)
    criterion.updated_at = utcnow()
    db.session.commit()
    signals.changed("criterion", criterion.id)
    return outcome


def set_status(criterion: Criterion, status: str, *, actor, successor: Criterion | None = None) -> None:
    permissions.require(actor, "criterion.edit", criterion)
    if status not in STATUSES or (status == "revised") != (successor is not None) or successor is criterion:
        raise InvalidInput({"status": _l("A revised criterion names its successor; others do not.")})
    criterion.status, criterion.successor = status, successor
    criterion.updated_at = utcnow()
    db.session.commit()
    signals.changed("criterion", criterion.id)


# --- reading -------------------------------------------------------------------------------------

def get_criterion_or_404(code: str, *, viewer) -> Criterion:
    criterion = db.session.scalar(select(Criterion).where(Criterion.code == (code or "").upper()))
    if criterion is None or not permissions.may(viewer, "criterion.view", criterion):
        raise NotFound()
    return criterion


def by_codes(codes: list[str]) -> dict[str, Criterion]:
    if not codes:
        return {}
    return {c.code: c for c in db.session.scalars(select(Criterion).where(Criterion.code.in_(set(codes))))}


def by_ids(ids: list[int]) -> list[Criterion]:
    """The criteria with these ids, in the order given."""
    found = {c.id: c for c in db.session.scalars(select(Criterion).where(Criterion.id.in_(ids)))} if ids else {}
    return [found[i] for i in ids if i in found]


def revision_of(criterion: Criterion, revision: str | None = None) -> CriterionRevision:
    query = select(CriterionRevision).where(CriterionRevision.criterion_id == criterion.id)
    if revision is None:
        query = query.order_by(CriterionRevision.number.desc())
    elif not valid_revision(revision) or revision[0] == "v":
        raise NotFound()
    elif revision[0] == "r":
        query = query.where(CriterionRevision.number == int(revision[1:]))
    else:
        query = query.where(CriterionRevision.commit_id.startswith(revision))
    found = db.session.scalars(query.limit(2)).all()
    if not found or (revision is not None and len(found) > 1):
        raise NotFound()
    return found[0]


def text_of(criterion: Criterion, revision: CriterionRevision) -> CriterionText:
    try:
        return CriterionText.parse(revcache.text(criterion, revision.commit_id))
    except RevisionNotFound:
        raise NotFound() from None


def history(criterion: Criterion, *, limit: int = 50, offset: int = 0) -> list[CriterionRevision]:
    return list(db.session.scalars(select(CriterionRevision).where(
        CriterionRevision.criterion_id == criterion.id).order_by(CriterionRevision.number.desc())
        .offset(max(0, offset)).limit(max(1, min(limit, 200)))))


def diff(criterion: Criterion, old: CriterionRevision, new: CriterionRevision, context=textdiff.CONTEXT):
    return textdiff.rows(text_of(criterion, old).compose(), text_of(criterion, new).compose(), context=context)


def stamp():
    """Moves whenever any criterion changes: part of the cache keys of pages that embed criteria."""
    return db.session.scalar(select(func.max(Criterion.updated_at)))


# --- browsing ------------------------------------------------------------------------------------

FACETS = ("type", "level", "area", "cpv")


def _visible(viewer):
    """A filter: shared criteria, and network-owned ones of the viewer's networks."""
    if permissions.Actor.of(viewer).is_portal_admin:
        return True
    networks = permissions.member_network_ids(viewer)
    return (Criterion.network_id.is_(None)) | (Criterion.network_id.in_(networks or [-1]))


def _filtered(viewer, filters: dict, skip: str | None = None):
    query = select(Criterion.id).where(_visible(viewer), Criterion.status != "retired")
    words = (filters.get("q") or "").split()[:8]
    for word in words:  # the quick finder of the editor; full-text search lives in search/
        pattern = "%" + word.replace("\\", "").replace("%", "").replace("_", "") + "%"
        query = query.where(Criterion.title.ilike(pattern) | Criterion.code.ilike(pattern))
    for name, value in filters.items():
        if not value or name == skip:
            continue
        if name == "type":
            query = query.where(Criterion.type == value)
        elif name == "level":
            query = query.where(Criterion.level == value)
        elif name == "area":
            query = query.where(Criterion.id.in_(select(CriterionArea.criterion_id).where(CriterionArea.area == value)))
        elif name == "cpv":
            query = query.where(Criterion.id.in_(select(CriterionCpv.criterion_id).where(
                CriterionCpv.code.startswith(value[:2]))))
    return query


def browse(viewer, filters: dict) -> tuple[list[Criterion], dict[str, list[tuple[str, int]]]]:
    """Criteria matching the facet `filters` (type, level, area, cpv division), and for every
    facet the counts of its values among the criteria matching the other filters."""
    ids = _filtered(viewer, filters).subquery()
    criteria = list(db.session.scalars(select(Criterion).where(Criterion.id.in_(select(ids))).order_by(Criterion.code)))
    facets = {}
    for name in FACETS:
        base = _filtered(viewer, filters, skip=name).subquery()
        if name in ("type", "level"):
            column = getattr(Criterion, name)
            rows = db.session.execute(select(column, func.count()).where(Criterion.id.in_(select(base)))
                                      .group_by(column))
        elif name == "area":
            rows = db.session.execute(select(CriterionArea.area, func.count()).where(
                CriterionArea.criterion_id.in_(select(base))).group_by(CriterionArea.area))
        else:
            division = func.substr(CriterionCpv.code, 1, 2)
            rows = db.session.execute(select(division, func.count(func.distinct(CriterionCpv.criterion_id))).where(
                CriterionCpv.criterion_id.in_(select(base))).group_by(division))
        facets[name] = sorted(((value, count) for value, count in rows), key=lambda vc: (-vc[1], vc[0]))
    return criteria, facets


# --- use in specifications -----------------------------------------------------------------------

def references(text: str) -> list[tuple[str, int | None]]:
    """The criteria a text embeds, in order: (code, pinned revision number or None)."""
    seen, found = set(), []
    for code, number in REFERENCE_RE.findall(text or ""):
        if code not in seen:
            seen.add(code)
            found.append((code, int(number) if number else None))
    return found


def update_usage(spec) -> None:
    """Record which criteria the specification's latest text embeds (called after every change)."""
    from ..specs import services as specs

    refs = references(specs.text_of(spec, specs.revision_of(spec)))
    known = by_codes([code for code, _ in refs])
    wanted = {(known[code].id, number) for code, number in refs if code in known}
    recorded = set(db.session.execute(select(SpecCriterion.criterion_id, SpecCriterion.pinned_number).where(
        SpecCriterion.spec_id == spec.id)).all())
    if wanted == recorded:  # most saves change other words: write nothing
        return
    db.session.execute(SpecCriterion.__table__.delete().where(SpecCriterion.spec_id == spec.id))
    db.session.add_all(SpecCriterion(spec_id=spec.id, criterion_id=criterion_id, pinned_number=number)
                       for criterion_id, number in wanted)
    db.session.commit()


def used_in(criterion: Criterion, *, viewer) -> list:
    """The specifications whose latest text embeds the criterion, those the viewer may see."""
    from ..specs.models import Spec

    specs = db.session.scalars(select(Spec).join(SpecCriterion, SpecCriterion.spec_id == Spec.id).where(
        SpecCriterion.criterion_id == criterion.id).order_by(Spec.title))
    return [s for s in specs if permissions.may(viewer, "spec.view", s)]


def pin_updates(spec, text: str) -> list[tuple[Criterion, int, CriterionRevision]]:
    """Embedded criteria pinned to an older revision than their latest: (criterion, pinned, latest)."""
    refs = [(code, n) for code, n in references(text) if n is not None]
    known = by_codes([code for code, _ in refs])
    found = []
    for code, number in refs:
        criterion = known.get(code)
        if criterion and embeddable(criterion, spec) and number < criterion.revision_count:
            found.append((criterion, number, revision_of(criterion)))
    return found


def embeddable(criterion: Criterion, spec) -> bool:
    """A specification may embed shared criteria and those of its own network, never another's."""
    return criterion.network_id is None or criterion.network_id == spec.network_id


def update_pin(spec, code: str, *, actor):
    """Point the specification's [[code@rN]] references at the criterion's latest revision, as an edit."""
    from ..specs import services as specs

    criterion = get_criterion_or_404(code, viewer=actor)
    latest = revision_of(criterion)
    revision = specs.revision_of(spec)
    text = specs.text_of(spec, revision)
    pattern = re.compile(r"\[\[" + re.escape(criterion.code) + r"@r[1-9]\d{0,6}\]\]")
    new_text = pattern.sub(f"[[{criterion.code}@r{latest.number}]]", text)
    return specs.save_spec(spec, new_text, base_revision=revision.commit_id, actor=actor,
                           message=str(_l("Update %(code)s to r%(number)d", code=criterion.code, number=latest.number)))


def _on_spec_changed(_kind, document_id: int) -> None:
    from ..specs.models import Spec

    spec = db.session.get(Spec, document_id)
    if spec is not None and spec.head_revision:
        update_usage(spec)


def _on_criterion_changed(_kind, document_id: int) -> None:
    """Specifications embedding the criterion show it: move their updated_at, which keys their
    cached pages."""
    from ..specs.models import Spec

    db.session.execute(update(Spec).where(Spec.id.in_(select(SpecCriterion.spec_id).where(
        SpecCriterion.criterion_id == document_id))).values(updated_at=utcnow()))
    db.session.commit()


signals.document_changed.connect(_on_spec_changed, sender="spec")
signals.document_changed.connect(_on_criterion_changed, sender="criterion")


_cell = spreadsheet_cell  # shared with the signatory export of letters of intent


def checklist_csv(spec, text: str) -> str:
    """The criteria a specification text embeds, one row each, for ticking off in the documents."""
    import csv
    import io

    from ..labels import LABELS

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([str(h) for h in (_l("Criterion"), _l("Title"), _l("Type"), _l("Level"), _l("Revision"),
                                      _l("Requirement"), _l("Verification"), _l("Fulfilled"))])
    known = by_codes([code for code, _ in references(text)])
    for code, number in references(text):
        criterion = known.get(code)
        if criterion is None or not embeddable(criterion, spec):
            continue
        try:
            revision = revision_of(criterion, f"r{number}" if number else None)
        except NotFound:
            continue
        parts = text_of(criterion, revision)
        writer.writerow([_cell(v) for v in (criterion.code, criterion.title, str(LABELS["criterion_type"][criterion.type]),
                                            str(LABELS["criterion_level"][criterion.level]), f"r{revision.number}",
                                            parts.requirement, parts.verification, "")])
    return "\ufeff" + out.getvalue()  # a byte-order mark, so spreadsheet programs read UTF-8


def check_caches(*, repair: bool = False) -> revcache.CacheCheck:
    """Compare every criterion's cached revision list with git (see revcache.check)."""
    return revcache.check(db.session.scalars(select(Criterion).order_by(Criterion.id)).all(), CriterionRevision,
                          "criteria", label=lambda criterion: criterion.code, repair=repair)
