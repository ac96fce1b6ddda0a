"""Letters of intent: draft, edit with merge, open and close, move to a new specification version.

The letter's text is a versioned text like a specification's (revcache.save into the network's
repository). The file in git starts with a short header naming the specification version the
letter refers to, so every commit of the letter says which version it is about; people edit the
body only. State (status, dates, what signers are asked for) lives in the database, and every
change is written to the append-only audit log (IntentEvent).
"""
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from .. import permissions, revcache, signals
from ..dbtypes import utcnow
from ..errors import AppError, InvalidInput, NotFound
from ..extensions import db
from ..gitstore import RevisionNotFound, SaveOutcome, valid_revision
from ..networks.models import Network
from ..networks.services import free_slug
from ..revcache import EditConflict, StorageFailed  # noqa: F401 - raised by save_intent
from ..specs import textdiff
from ..specs.models import Spec, SpecVersion
from ..util import SLUG_RE, has_forbidden_chars
from .models import Intent, IntentEvent, IntentRevision

MAX_TEXT = 200_000
_HEADER_START, _HEADER_END = "<!-- letter of intent\n", "-->\n"


@dataclass
class IntentDraft:
    title: str = ""
    text: str = ""
    message: str = ""
    is_binding: bool = False
    quantity_unit: str = ""
    asks_quantity: bool = True
    asks_value: bool = True
    asks_window: bool = True
    asks_counties: bool = True
    opens_on: date | None = None
    closes_on: date | None = None
    slug: str = ""  # empty: made from the title


# --- the text in git: a header naming the specification version, then the body -------------------

def compose(intent: Intent, body: str, version: SpecVersion) -> str:
    """The file stored in git: the header (an HTML comment, so a rendered file shows nothing) and the body."""
    header = (f"{_HEADER_START}specification: {intent.spec.slug}\nversion: v{version.number}\n"
              f"tag: {spec_tag(intent.spec, version)}\ncommit: {version.commit_id}\n{_HEADER_END}\n")
    return header + body.strip("\n") + "\n"


def split(text: str) -> tuple[dict, str]:
    """(header fields, body) of a stored letter text; a text without the header is all body."""
    if not text.startswith(_HEADER_START) or _HEADER_END not in text:
        return {}, text
    header, body = text[len(_HEADER_START):].split(_HEADER_END, 1)
    fields = dict(line.split(": ", 1) for line in header.splitlines() if ": " in line)
    return fields, body.lstrip("\n")


def spec_tag(spec: Spec, version: SpecVersion) -> str:
    """The git tag of an adopted version (see gitstore.tag)."""
    return f"specs/{spec.slug}/v{version.number}"


def current_version(intent: Intent) -> SpecVersion:
    version = next((v for v in intent.spec.versions if v.number == intent.spec_version), None)
    if version is None:  # the database says the letter refers to a version that does not exist
        raise AppError()
    return version


# --- audit log -----------------------------------------------------------------------------------

def log(intent: Intent, action: str, actor, detail: str = "", *, when=None) -> IntentEvent:
    """Add a row to the audit log in the caller's transaction (at `when`, default now: the demo
    loader passes the dates of its history)."""
    org = getattr(actor, "approved_organisation", None)
    event = IntentEvent(intent_id=intent.id, action=action, actor_id=getattr(actor, "id", None),
                        actor_name=getattr(actor, "name", "") or "", organisation_name=org.name if org else "",
                        detail=detail, at=when or utcnow())
    db.session.add(event)
    return event


def audit_log(intent: Intent, *, viewer) -> list[IntentEvent]:
    """The letter's audit log, oldest first (coordinators of the network only)."""
    permissions.require(viewer, "intent.audit", intent)
    return list(db.session.scalars(select(IntentEvent).where(IntentEvent.intent_id == intent.id)
                                   .order_by(IntentEvent.at, IntentEvent.id)))


# --- validation ----------------------------------------------------------------------------------

def check_message(message: str, errors: dict) -> str:
    message = (message or "").strip()
    if len(message) > 500 or has_forbidden_chars(message) or "\n" in message:
        errors["message"] = _l("Describe the change in one line of at most 500 characters.")
    return message


def _check_text(text: str, errors: dict) -> None:
    if len(text) > MAX_TEXT:
        errors["text"] = _l("The text can be at most 200,000 characters.")
    elif has_forbidden_chars(text):
        errors["text"] = _l("The text contains characters that cannot be used.")
    elif _HEADER_START.strip() in text:
        errors["text"] = _l("The text cannot contain the line “<!-- letter of intent”.")


def _validate(draft: IntentDraft, *, with_text: bool) -> dict:
    errors = {}
    draft.title = (draft.title or "").strip()
    if not draft.title:
        errors["title"] = _l("Enter a title.")
    elif len(draft.title) > 200 or has_forbidden_chars(draft.title):
        errors["title"] = _l("Use a title of at most 200 characters.")
    if with_text:
        _check_text(draft.text or "", errors)
        if not (draft.text or "").strip():
            errors["text"] = _l("Write the text of the letter.")
        draft.message = check_message(draft.message, errors)
    draft.quantity_unit = (draft.quantity_unit or "").strip()
    if len(draft.quantity_unit) > 40 or has_forbidden_chars(draft.quantity_unit):
        errors["quantity_unit"] = _l("Use a unit of at most 40 characters, for example “st” or “kW”.")
    elif draft.asks_quantity and not draft.quantity_unit:
        errors["quantity_unit"] = _l("Say in which unit signers give the quantity, for example “st”.")
    if draft.opens_on and draft.closes_on and draft.closes_on < draft.opens_on:
        errors["closes_on"] = _l("The closing date cannot be before the opening date.")
    return errors


def adopted_versions(network) -> list[tuple[Spec, SpecVersion]]:
    """Every adopted version of the network's specifications, for choosing what a letter is about."""
    specs = db.session.scalars(select(Spec).where(Spec.network_id == network.id).order_by(Spec.title))
    return [(spec, version) for spec in specs for version in reversed(spec.versions)]


def find_version(network, spec_slug: str, number: int | None) -> tuple[Spec, SpecVersion]:
    """The adopted version `number` of the network's specification `spec_slug`; InvalidInput if none."""
    spec = db.session.scalar(select(Spec).where(Spec.network_id == network.id, Spec.slug == spec_slug))
    version = next((v for v in spec.versions if v.number == number), None) if spec else None
    if version is None:
        raise InvalidInput({"version": _l("Choose an adopted version of one of the network's specifications.")})
    return spec, version


# --- create, read, save --------------------------------------------------------------------------

def create_intent(network, spec: Spec, version: SpecVersion, draft: IntentDraft, *, actor, when=None) -> Intent:
    """A new draft letter about an adopted specification version; its text is revision r1."""
    permissions.require(actor, "intent.create", network)
    errors = _validate(draft, with_text=True)
    if spec.network_id != network.id or version.spec_id != spec.id:
        errors["version"] = _l("Choose an adopted version of one of the network's specifications.")
    if draft.slug and (not SLUG_RE.match(draft.slug) or db.session.scalar(select(Intent.id).where(
            Intent.network_id == network.id, Intent.slug == draft.slug))):
        errors["slug"] = _l("Choose another address: lower-case letters, digits and hyphens.")
    if errors:
        raise InvalidInput(errors)
    intent = Intent(network=network, spec=spec, spec_version=version.number,
                    slug=draft.slug or free_slug(Intent, network, draft.title, "letter"))
    _apply_details(intent, draft)
    db.session.add(intent)
    db.session.flush()
    log(intent, "created", actor, f"{spec.title} v{version.number}", when=when)
    try:
        revcache.save(intent, IntentRevision, compose(intent, draft.text, version), base_revision=None,
                      actor=actor, when=when, message=draft.message or str(_l("Create %(title)s", title=draft.title)))
    except AppError:
        db.session.rollback()
        raise
    signals.changed("letter", intent.id)
    return intent


def _apply_details(intent: Intent, draft: IntentDraft) -> None:
    intent.title, intent.is_binding, intent.quantity_unit = draft.title, draft.is_binding, draft.quantity_unit
    intent.asks_quantity, intent.asks_value = draft.asks_quantity, draft.asks_value
    intent.asks_window, intent.asks_counties = draft.asks_window, draft.asks_counties
    intent.opens_on, intent.closes_on = draft.opens_on, draft.closes_on


def update_details(intent: Intent, draft: IntentDraft, *, actor) -> Intent:
    """Change title, bindingness, what signers are asked for and the dates (database state)."""
    permissions.require(actor, "intent.edit", intent)
    errors = _validate(draft, with_text=False)
    if errors:
        raise InvalidInput(errors)
    before = (intent.is_binding, intent.opens_on, intent.closes_on)
    _apply_details(intent, draft)
    intent.updated_at = utcnow()
    detail = ""
    if before != (intent.is_binding, intent.opens_on, intent.closes_on):
        detail = (f"{'binding' if intent.is_binding else 'non-binding'}, "
                  f"{intent.opens_on or '–'} – {intent.closes_on or '–'}")
    log(intent, "details", actor, detail)
    db.session.commit()
    signals.changed("letter", intent.id)
    return intent


def get_intent_or_404(network_slug: str, slug: str, *, viewer) -> Intent:
    """The letter at /networks/<network_slug>/intents/<slug>, if `viewer` may see it."""
    intent = db.session.scalar(select(Intent).join(Intent.network).where(
        Network.slug == network_slug, Intent.slug == slug).options(contains_eager(Intent.network)))
    if intent is None or not permissions.may(viewer, "intent.view", intent):
        raise NotFound()
    return intent


def get_intent_by_id_or_404(intent_id: int, *, viewer) -> Intent:
    intent = db.session.get(Intent, intent_id)
    if intent is None or not permissions.may(viewer, "intent.view", intent):
        raise NotFound()
    return intent


def list_intents(network, *, viewer) -> list[Intent]:
    query = select(Intent).where(Intent.network_id == network.id).order_by(Intent.created_at.desc(), Intent.id)
    if not permissions.may(viewer, "network.view_private", network):
        query = query.where(Intent.status != "draft")
    return list(db.session.scalars(query))


def revision_of(intent: Intent, revision: str | None = None) -> IntentRevision:
    """The revision a string means (hex commit id or rN; None: the latest); anything else NotFound."""
    query = select(IntentRevision).where(IntentRevision.intent_id == intent.id)
    if revision is None:
        query = query.order_by(IntentRevision.number.desc())
    elif not valid_revision(revision) or revision[0] == "v":
        raise NotFound()
    elif revision[0] == "r":
        query = query.where(IntentRevision.number == int(revision[1:]))
    else:
        query = query.where(IntentRevision.commit_id.startswith(revision))
    found = db.session.scalars(query.limit(2)).all()
    if not found or (revision is not None and len(found) > 1):
        raise NotFound()
    return found[0]


def read_intent(intent: Intent, revision: str | None = None) -> tuple[IntentRevision, dict, str]:
    """(revision, header fields, body) of the letter at a revision (default: the latest)."""
    found = revision_of(intent, revision)
    try:
        header, body = split(revcache.text(intent, found.commit_id))
    except RevisionNotFound:
        raise NotFound() from None
    return found, header, body


def save_intent(intent: Intent, body: str, *, base_revision: str, message: str = "", actor,
                when=None) -> SaveOutcome:
    """Save an edit of the body that started from `base_revision`; merges with changes saved meanwhile.
    Raises EditConflict (nothing saved) when the changes overlap, InvalidInput for bad input."""
    permissions.require(actor, "intent.edit", intent)
    errors = {}
    _check_text(body or "", errors)
    message = check_message(message, errors)
    if not base_revision:
        errors["base_revision"] = _l("The edit does not say which revision it started from.")
    if errors:
        raise InvalidInput(errors)
    text = compose(intent, body or "", current_version(intent))
    outcome = revcache.save(intent, IntentRevision, text, base_revision=base_revision, actor=actor, when=when,
                            message=message or str(_l("Update %(title)s", title=intent.title)))
    if not outcome.is_unchanged:
        log(intent, "edited", actor, message)
        db.session.commit()
        signals.changed("letter", intent.id)
    return outcome


def history(intent: Intent) -> list[IntentRevision]:
    return list(db.session.scalars(select(IntentRevision).where(IntentRevision.intent_id == intent.id)
                                   .order_by(IntentRevision.number.desc())))


def diff(intent: Intent, old: IntentRevision, new: IntentRevision):
    """Side-by-side rows (specs.textdiff) between two revisions, header included: it names the version."""
    return textdiff.rows(revcache.text(intent, old.commit_id), revcache.text(intent, new.commit_id))


def diff_texts(old: str, new: str):
    """Side-by-side rows between two bodies (the conflict page)."""
    return textdiff.rows(old, new)


def check_caches(*, repair: bool = False) -> revcache.CacheCheck:
    """Compare every letter's cached revision list with git (see revcache.check)."""
    return revcache.check(db.session.scalars(select(Intent).order_by(Intent.id)).all(), IntentRevision, "intents",
                          label=lambda intent: f"{intent.network.slug}/intents/{intent.slug}", repair=repair)

