"""Signatures on letters of intent: sign, confirm a newer version, withdraw; the aggregated demand
and the signatory export.

A signature pins the exact commit of the letter and the tag and commit of the specification
version it agreed to. One active signature per organisation; a withdrawal or a re-confirmation
keeps the earlier row (status withdrawn or replaced).
"""
import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from flask import current_app
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import mail, permissions, regions, signals
from ..accounts.models import User
from ..dbtypes import utcnow
from ..errors import AppError, InvalidInput, NotFound
from ..extensions import db
from ..util import has_forbidden_chars, spreadsheet_cell
from .models import PUBLIC_BODY_KINDS, Intent, Signature
from .services import current_version, log, revision_of, spec_tag

MAX_QUANTITY = Decimal("999999999999")
MAX_VALUE = 10**14


class AlreadySigned(AppError):
    """The organisation has an active signature on the letter already."""

    status, code = 409, "already_signed"

    def __init__(self, first: Signature):
        super().__init__(_l("Your organisation already signed this letter of intent on %(date)s.",
                            date=format_date(first.signed_at, "long")), signed_at=first.signed_at.isoformat())
        self.first = first


@dataclass
class SignatureDraft:
    signer_name: str = ""
    signer_title: str = ""
    quantity: str = ""  # as typed: "120" or "12,5"
    quantity_unit: str = ""
    value: str = ""  # whole kronor, as typed
    window_start: date | None = None
    window_end: date | None = None
    counties: list[str] = field(default_factory=list)
    sites: str = ""
    comment: str = ""
    is_named: bool = True

    @classmethod
    def from_signature(cls, s: Signature) -> "SignatureDraft":
        return cls(signer_title=s.signer_title, quantity="" if s.quantity is None else _plain(s.quantity),
                   quantity_unit=s.quantity_unit, value="" if s.value_sek is None else str(s.value_sek),
                   window_start=s.window_start, window_end=s.window_end, counties=s.county_codes, sites=s.sites,
                   comment=s.comment, is_named=s.is_named)


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f") if number == number.to_integral() else format(number, "f")


def _one_line(value: str, limit: int) -> bool:
    return len(value) <= limit and not has_forbidden_chars(value) and "\n" not in value


def _parse(intent: Intent, draft: SignatureDraft) -> tuple[dict, dict]:
    """(errors, clean values) for a signature draft, checked against what the letter asks for."""
    errors, clean = {}, {}
    clean["signer_name"] = (draft.signer_name or "").strip()
    clean["signer_title"] = (draft.signer_title or "").strip()
    if not clean["signer_name"] or not _one_line(clean["signer_name"], 200):
        errors["signer_name"] = _l("Enter your name (at most 200 characters).")
    if not clean["signer_title"] or not _one_line(clean["signer_title"], 200):
        errors["signer_title"] = _l("Enter your title, for example “Head of procurement”.")
    quantity = (draft.quantity or "").strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
    clean["quantity"] = None
    if quantity:
        try:
            clean["quantity"] = Decimal(quantity)
            if not clean["quantity"].is_finite() or not 0 <= clean["quantity"] <= MAX_QUANTITY \
                    or clean["quantity"] != clean["quantity"].quantize(Decimal("0.01")):
                raise InvalidOperation
        except InvalidOperation:
            errors["quantity"] = _l("Enter the quantity as a number, for example 12 or 12,5.")
    elif intent.asks_quantity:
        errors["quantity"] = _l("Enter the estimated quantity.")
    clean["quantity_unit"] = (draft.quantity_unit or "").strip() or intent.quantity_unit
    if not _one_line(clean["quantity_unit"], 40):
        errors["quantity_unit"] = _l("Use a unit of at most 40 characters, for example “st” or “kW”.")
    value = (draft.value or "").strip().replace(" ", "").replace("\u00a0", "")
    clean["value_sek"] = None
    if value:
        if not value.isdigit() or int(value) > MAX_VALUE:
            errors["value"] = _l("Enter the estimated value in whole kronor, for example 2500000.")
        else:
            clean["value_sek"] = int(value)
    elif intent.asks_value:
        errors["value"] = _l("Enter the estimated value in kronor.")
    clean["window_start"], clean["window_end"] = draft.window_start, draft.window_end
    if (draft.window_start is None) != (draft.window_end is None) or (
            intent.asks_window and draft.window_start is None):
        errors["window_start"] = _l("Enter when the procurement is planned: the first and the last month.")
    elif draft.window_start and draft.window_end < draft.window_start:
        errors["window_end"] = _l("The end of the window cannot be before its start.")
    counties = sorted(set(draft.counties or []))
    if any(c not in regions.counties() for c in counties):
        errors["counties"] = _l("Choose counties from the list.")
    elif intent.asks_counties and not counties:
        errors["counties"] = _l("Choose at least one county.")
    clean["counties"] = ",".join(counties)
    clean["sites"] = (draft.sites or "").strip()
    if len(clean["sites"]) > 2000 or has_forbidden_chars(clean["sites"]):
        errors["sites"] = _l("Describe the sites in at most 2,000 characters.")
    clean["comment"] = (draft.comment or "").strip()
    if len(clean["comment"]) > 2000 or has_forbidden_chars(clean["comment"]):
        errors["comment"] = _l("Write the comment in at most 2,000 characters.")
    clean["is_named"] = bool(draft.is_named)
    return errors, clean


def active_signature(intent: Intent, organisation_id: int) -> Signature | None:
    return db.session.scalar(select(Signature).where(Signature.intent_id == intent.id,
                                                     Signature.active_organisation_id == organisation_id))


def _check_dates(intent: Intent, today: date | None) -> None:
    today = today or date.today()
    if not intent.is_signable_on(today):
        raise InvalidInput({}, message=_l("The letter is not open for signing today."))


def _pinned(intent: Intent, actor, clean: dict) -> Signature:
    """A new active signature bound to the letter's latest commit and the specification version it names."""
    version = current_version(intent)
    latest = revision_of(intent)
    org = actor.approved_organisation
    if org.kind in PUBLIC_BODY_KINDS:
        clean["is_named"] = True  # public bodies are always named
    return Signature(intent_id=intent.id, organisation_id=org.id, active_organisation_id=org.id, status="active",
                     signer_id=actor.id, intent_revision=latest.commit_id, intent_revision_number=latest.number,
                     spec_version=version.number, spec_tag=spec_tag(intent.spec, version),
                     spec_revision=version.commit_id, signed_at=utcnow(), **clean)


def sign_intent(intent: Intent, draft: SignatureDraft, *, actor, today: date | None = None,
                when=None) -> Signature:
    """Sign for the actor's organisation. Raises AlreadySigned (409, with the date of the first
    signature) when the organisation has an active signature, InvalidInput for bad input or
    outside the letter's dates, Forbidden without the signing right."""
    permissions.require(actor, "intent.sign", intent)
    _check_dates(intent, today)
    errors, clean = _parse(intent, draft)
    first = active_signature(intent, actor.approved_organisation.id)
    if first is not None:
        raise AlreadySigned(first)
    if errors:
        raise InvalidInput(errors)
    signature = _pinned(intent, actor, clean)
    if when is not None:  # the demo loader's history
        signature.signed_at = when
    db.session.add(signature)
    log(intent, "signed", actor, _summary(signature), when=when)
    try:
        db.session.commit()
    except IntegrityError:  # another signer of the same organisation won the race
        db.session.rollback()
        first = active_signature(intent, actor.approved_organisation.id)
        if first is None:
            raise
        raise AlreadySigned(first) from None
    signals.changed("letter", intent.id)
    return signature


def confirm_signature(intent: Intent, draft: SignatureDraft, *, actor, today: date | None = None) -> Signature:
    """Confirm the organisation's signature for the letter's current version, with its figures as
    given now: a new active signature; the earlier one stays in the history as replaced."""
    permissions.require(actor, "intent.sign", intent)
    _check_dates(intent, today)
    old = active_signature(intent, actor.approved_organisation.id)
    if old is None or not old.needs_confirmation:
        raise InvalidInput({}, message=_l("Your organisation has no signature waiting for confirmation."))
    errors, clean = _parse(intent, draft)
    if errors:
        raise InvalidInput(errors)
    old.status, old.active_organisation_id = "replaced", None
    db.session.flush()  # free the organisation's active slot before the new row takes it
    signature = _pinned(intent, actor, clean)
    db.session.add(signature)
    db.session.flush()
    old.replaced_by_id = signature.id
    log(intent, "confirmed", actor, f"{old.version_label} -> {signature.version_label}; {_summary(signature)}")
    db.session.commit()
    signals.changed("letter", intent.id)
    return signature


def get_signature_or_404(intent: Intent, signature_id: int) -> Signature:
    signature = db.session.get(Signature, signature_id)
    if signature is None or signature.intent_id != intent.id:
        raise NotFound()
    return signature


def withdraw_signature(signature: Signature, reason: str, *, actor, when=None) -> Signature:
    """Withdraw the organisation's signature; it stays in the history with the reason."""
    permissions.require(actor, "signature.withdraw", signature)
    reason = (reason or "").strip()
    if not reason or len(reason) > 1000 or has_forbidden_chars(reason):
        raise InvalidInput({"reason": _l("Say why the organisation withdraws (at most 1,000 characters).")})
    signature.status, signature.active_organisation_id = "withdrawn", None
    signature.withdrawn_at, signature.withdrawn_by_name, signature.withdrawal_reason = (when or utcnow(), actor.name,
                                                                                         reason)
    log(signature.intent, "withdrawn", actor, f"{signature.organisation.name}: {reason}", when=when)
    db.session.commit()
    signals.changed("letter", signature.intent_id)
    return signature


def _summary(s: Signature) -> str:
    parts = [s.organisation.name if s.organisation else str(s.organisation_id), s.version_label,
             f"r{s.intent_revision_number}"]
    if s.quantity is not None:
        parts.append(f"{_plain(s.quantity)} {s.quantity_unit}".strip())
    if s.value_sek is not None:
        parts.append(f"{s.value_sek} SEK")
    return ", ".join(parts)


def request_confirmations(intent: Intent, *, actor) -> int:
    """Ask the organisations whose active signature names an older version to confirm the
    current one (e-mail via the outbox, in the caller's transaction); return how many."""
    base = current_app.config.get("PORTAL_BASE_URL", "").rstrip("/")
    url = f"{base}/networks/{intent.network.slug}/intents/{intent.slug}/confirm"
    asked = 0
    for signature in intent.active_signatures:
        if signature.spec_version == intent.spec_version:
            continue
        signature.confirmation_requested_at = utcnow()
        asked += 1
        signers = db.session.scalars(select(User).where(
            User.organisation_id == signature.organisation_id, User.is_org_approved.is_(True),
            User.may_sign_intents.is_(True))).all()
        original = db.session.get(User, signature.signer_id) if signature.signer_id else None
        people = {u.email: u for u in signers}
        if original is not None and original.organisation_id == signature.organisation_id:
            people.setdefault(original.email, original)
        for person in people.values():
            mail.queue(person.email,
                       _l("Confirm your letter of intent for %(spec)s v%(number)d", spec=intent.spec.title,
                          number=intent.spec_version),
                       _l("%(org)s signed the letter of intent “%(title)s” for %(spec)s %(old)s. The network "
                          "has moved the letter to the newly adopted version v%(number)d. Your signature stays "
                          "bound to %(old)s until you confirm the new version here:\n\n%(url)s",
                          org=signature.organisation.name, title=intent.title, spec=intent.spec.title,
                          old=signature.version_label, number=intent.spec_version, url=url),
                       locale=person.locale)
    return asked


# --- the aggregated demand -----------------------------------------------------------------------

@dataclass
class Aggregate:
    organisations: int
    quantities: list[tuple[str, Decimal]]  # (unit, total), by unit
    total_value: int
    counties: list[tuple[str, str]]  # (code, name)
    signatures: list[Signature]  # active ones, oldest first
    anonymous: int  # companies that chose not to be named
    by_version: dict[int, int]  # version number -> active signatures on it


def aggregate(intent: Intent) -> Aggregate:
    """What is at stake: active signatures only. A re-confirmed signature is one active row (the
    earlier one is replaced), so it counts once, with its current figures."""
    active = [s for s in intent.signatures if s.status == "active"]
    quantities: dict[str, Decimal] = defaultdict(Decimal)
    by_version: dict[int, int] = defaultdict(int)
    codes: set[str] = set()
    for s in active:
        if s.quantity is not None:
            quantities[s.quantity_unit] += s.quantity
        codes.update(s.county_codes)
        by_version[s.spec_version] += 1
    names = regions.counties()
    return Aggregate(organisations=len({s.organisation_id for s in active}),
                     quantities=sorted(quantities.items()),
                     total_value=sum(s.value_sek or 0 for s in active),
                     counties=[(c, names.get(c, c)) for c in sorted(codes)], signatures=active,
                     anonymous=sum(1 for s in active if not s.shows_name),
                     by_version=dict(sorted(by_version.items())))


def signatories_csv(intent: Intent, *, viewer) -> str:
    """Every signature (active, withdrawn, replaced) with its pinned commits; safe in spreadsheets."""
    from ..labels import LABELS

    permissions.require(viewer, "intent.signatories", intent)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([str(h) for h in (
        _l("Organisation"), _l("Organisation number"), _l("Signed by"), _l("Title"), _l("Quantity"), _l("Unit"),
        _l("Estimated value (SEK)"), _l("Window from"), _l("Window to"), _l("Counties"), _l("Sites"), _l("Comment"),
        _l("Named publicly"), _l("Status"), _l("Signed at (UTC)"), _l("Letter revision"), _l("Letter commit"),
        _l("Specification version"), _l("Specification tag"), _l("Specification commit"),
        _l("Withdrawn at (UTC)"), _l("Reason for withdrawal"))])
    for s in intent.signatures:
        writer.writerow([spreadsheet_cell(str(v)) for v in (
            s.organisation.name, s.organisation.orgnr, s.signer_name, s.signer_title,
            "" if s.quantity is None else _plain(s.quantity), s.quantity_unit,
            "" if s.value_sek is None else s.value_sek, s.window_start or "", s.window_end or "",
            " ".join(s.county_codes), s.sites, s.comment, "1" if s.shows_name else "0",
            LABELS["signature_status"][s.status], s.signed_at.isoformat(timespec="seconds"),
            f"r{s.intent_revision_number}", s.intent_revision, s.version_label, s.spec_tag, s.spec_revision,
            s.withdrawn_at.isoformat(timespec="seconds") if s.withdrawn_at else "", s.withdrawal_reason)])
    return "\ufeff" + out.getvalue()  # a byte-order mark, so spreadsheet programs read UTF-8
