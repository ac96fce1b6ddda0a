"""The life of a letter of intent: draft -> open (public, signable between its dates) -> closed; and
moving it to a newer adopted version of its specification, which asks signers to confirm.

Coordinators of the network do these; each is written to the audit log.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from .. import permissions, revcache, signals
from ..dbtypes import utcnow
from ..errors import AppError, InvalidInput
from ..extensions import db
from ..gitstore import SaveOutcome
from ..specs.models import SpecVersion
from .models import Intent, IntentRevision
from .services import check_message, compose, log, read_intent


def _lock(intent: Intent) -> None:
    """Serialise state changes of one letter (row lock on PostgreSQL, write lock on SQLite)."""
    db.session.execute(update(Intent).where(Intent.id == intent.id).values(updated_at=utcnow()))
    db.session.refresh(intent)


def _refuse(message) -> None:
    db.session.rollback()
    raise InvalidInput({}, message=message)


def open_intent(intent: Intent, *, actor, when=None) -> Intent:
    """Publish the letter: the market sees it, and signers may sign between its dates."""
    permissions.require(actor, "intent.manage", intent)
    _lock(intent)
    if intent.status != "draft":
        _refuse(_l("Only a draft letter can be opened."))
    if intent.closes_on is None:
        _refuse(_l("Set a closing date under “Details” before opening the letter."))
    intent.status = "open"
    log(intent, "opened", actor, when=when)
    db.session.commit()
    signals.changed("letter", intent.id)
    return intent


def close_intent(intent: Intent, *, actor) -> Intent:
    """No more signatures; the letter and its signatures stay public."""
    permissions.require(actor, "intent.manage", intent)
    _lock(intent)
    if intent.status != "open":
        _refuse(_l("Only an open letter can be closed."))
    intent.status = "closed"
    log(intent, "closed", actor)
    db.session.commit()
    signals.changed("letter", intent.id)
    return intent


def newer_version(intent: Intent) -> SpecVersion | None:
    """The specification's latest adopted version when it is newer than the letter's."""
    latest = intent.spec.latest_version
    return latest if latest and latest.number > intent.spec_version else None


def move_to_version(intent: Intent, number: int, *, actor, message: str = "", when=None) -> SaveOutcome:
    """Make the letter refer to a newer adopted version, as a new revision of the letter.

    Signatures stay bound to the version they signed; the signers of every active signature on
    an older version are asked by e-mail to confirm the new one.
    """
    from .signing import request_confirmations

    permissions.require(actor, "intent.manage", intent)
    version = next((v for v in intent.spec.versions if v.number == number), None)
    if version is None or number <= intent.spec_version:
        raise InvalidInput({"version": _l("Choose an adopted version newer than the letter's.")})
    if intent.status == "closed":
        raise InvalidInput({}, message=_l("A closed letter cannot move to a new version."))
    old_label = intent.version_label
    _, _, body = read_intent(intent)
    intent.spec_version = number
    message = check_message(message, {}) or str(_l("Refer to %(title)s v%(number)d instead of %(old)s",
                                                     title=intent.spec.title, number=number, old=old_label))
    # Logged and mailed in the same transaction as the revision cache: all of it, or (git failing) none.
    log(intent, "moved", actor, f"{old_label} -> v{number}")
    request_confirmations(intent, actor=actor)
    try:
        outcome = revcache.save(intent, IntentRevision, compose(intent, body, version),
                                base_revision=intent.head_revision, actor=actor, message=message, when=when)
    except AppError:
        db.session.rollback()
        raise
    db.session.commit()
    signals.changed("letter", intent.id)
    return outcome


def _on_version_adopted(_sender, spec_id: int, number: int) -> None:
    """Tell the network's coordinators which letters still refer to an older version."""
    from .. import mail
    from ..accounts.models import User
    from ..networks.models import Membership

    letters = db.session.scalars(select(Intent).where(Intent.spec_id == spec_id, Intent.spec_version < number,
                                                      Intent.status != "closed")).all()
    for intent in letters:
        coordinators = db.session.scalars(select(User).join(
            Membership, Membership.organisation_id == User.organisation_id).where(
            Membership.network_id == intent.network_id, Membership.role == "coordinator",
            User.is_org_approved.is_(True))).all()
        for person in coordinators:
            mail.queue(person.email, _l("Version v%(number)d of %(spec)s is adopted", number=number,
                                        spec=intent.spec.title),
                       _l("The letter of intent “%(title)s” still refers to %(old)s. Move it to v%(number)d on "
                          "the letter's page; the signers will be asked to confirm the new version.",
                          title=intent.title, old=intent.version_label, number=number), locale=person.locale)
    if letters:
        db.session.commit()


signals.version_adopted.connect(_on_version_adopted, sender="spec")
