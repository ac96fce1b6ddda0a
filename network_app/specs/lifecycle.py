"""The life of a specification: draft -> consultation -> adopted (v1, v2 …) -> archived or superseded.

Coordinators of the network move the states. Opening a consultation or adopting publishes a
revision (Spec.public_revision): outsiders read that one while members keep editing towards the
next version. Adoption makes the immutable git tag <slug>/vN, annotated with the decision.
"""
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from .. import permissions, signals
from ..dbtypes import utcnow
from ..errors import InvalidInput
from ..extensions import db
from ..gitstore import StoreError
from ..repos import author_of, store
from ..util import has_forbidden_chars
from .models import Spec, SpecVersion
from ..revcache import StorageFailed
from .services import revision_of

MAX_NOTE = 2000


def _lock(spec: Spec) -> None:
    """Serialise state changes of one specification (row lock on PostgreSQL, write lock on SQLite)."""
    db.session.execute(update(Spec).where(Spec.id == spec.id).values(updated_at=utcnow()))
    db.session.refresh(spec)


def _refuse(message) -> None:
    db.session.rollback()
    raise InvalidInput({}, message=message)


def open_consultation(spec: Spec, closes: date | None, *, actor, today: date | None = None) -> Spec:
    """Publish the latest revision for consultation (remiss) until `closes`."""
    permissions.require(actor, "spec.manage", spec)
    today = today or date.today()
    if closes is None or closes <= today:
        raise InvalidInput({"closes": _l("Choose a closing date after today.")})
    _lock(spec)
    if spec.status not in ("draft", "adopted"):
        _refuse(_l("Only a draft or an adopted specification can be sent out for consultation."))
    spec.status, spec.consultation_closes, spec.public_revision = "consultation", closes, spec.head_revision
    db.session.commit()
    signals.changed("spec", spec.id)
    return spec


def end_consultation(spec: Spec, *, actor) -> Spec:
    """Close the consultation without adopting: back to the latest adopted version, or to draft."""
    permissions.require(actor, "spec.manage", spec)
    _lock(spec)
    if spec.status != "consultation":
        _refuse(_l("The specification is not out for consultation."))
    latest = spec.latest_version
    spec.status = "adopted" if latest else "draft"
    spec.public_revision = latest.commit_id if latest else None
    spec.consultation_closes = None
    db.session.commit()
    signals.changed("spec", spec.id)
    return spec


def adopt(spec: Spec, *, note: str, decided_on: date | None, actor, revision: str | None = None,
          when=None) -> SpecVersion:
    """Adopt a revision (default: the latest) as the next version vN: tag it and record the decision."""
    permissions.require(actor, "spec.manage", spec)
    note = (note or "").strip()
    errors = {}
    if not note:
        errors["note"] = _l("Write the decision: who decided, and where it is recorded.")
    elif len(note) > MAX_NOTE or has_forbidden_chars(note):
        errors["note"] = _l("Write the decision in at most 2,000 characters.")
    if decided_on is None:
        errors["decided_on"] = _l("Enter the date of the decision.")
    elif decided_on > date.today():
        errors["decided_on"] = _l("The decision date cannot be in the future.")
    if errors:
        raise InvalidInput(errors)
    _lock(spec)
    if spec.status not in ("draft", "consultation", "adopted"):
        _refuse(_l("An archived or superseded specification cannot be adopted again."))
    target = revision_of(spec, revision)
    latest = spec.latest_version
    if latest and target.number <= latest.revision_number:
        _refuse(_l("Revision r%(number)d is not newer than the adopted version %(version)s.",
                   number=target.number, version=latest.label))
    number = (db.session.scalar(select(func.max(SpecVersion.number)).where(SpecVersion.spec_id == spec.id))
              or 0) + 1
    user = actor
    organisation = user.approved_organisation.name if user.approved_organisation else ""
    tag_message = f"v{number} {decided_on.isoformat()} {user.name}\n\n{note}"
    try:
        store().tag(spec.network.slug, spec.path, f"v{number}", target.commit_id, tagger=author_of(user),
                    message=tag_message, when=when)
    except StoreError as err:
        db.session.rollback()
        raise StorageFailed() from err
    version = SpecVersion(spec_id=spec.id, number=number, commit_id=target.commit_id,
                          revision_number=target.number, decided_on=decided_on, decided_by_id=user.id,
                          decided_by_name=user.name, organisation_name=organisation, note=note)
    db.session.add(version)
    spec.status, spec.public_revision, spec.consultation_closes = "adopted", target.commit_id, None
    db.session.commit()
    db.session.refresh(spec)
    signals.changed("spec", spec.id)
    signals.adopted(spec.id, number)
    return version


def archive(spec: Spec, *, actor, successor: Spec | None = None) -> Spec:
    """Withdraw an adopted specification (archived), or point to the one that replaces it (superseded).
    Its adopted versions stay public."""
    permissions.require(actor, "spec.manage", spec)
    if successor is not None and (successor.id == spec.id or successor.network_id != spec.network_id
                                  or not successor.is_public):
        raise InvalidInput({"successor": _l("Choose another specification of the same network that is "
                                            "out for consultation or adopted.")})
    _lock(spec)
    if spec.status not in ("adopted", "consultation") or not spec.versions:
        _refuse(_l("Only a specification with an adopted version can be archived or superseded."))
    latest = spec.latest_version
    spec.status = "superseded" if successor else "archived"
    spec.successor_id = successor.id if successor else None
    spec.public_revision, spec.consultation_closes = latest.commit_id, None
    db.session.commit()
    signals.changed("spec", spec.id)
    return spec
