"""Planned needs: draft, publish, change, move through their statuses, and find them.

Every change to a published need is kept as a NeedEvent (field -> [before, after]); a status move
or a publication tells the watchers and the suppliers who registered interest (see notify.py).
"""
import re
from array import array
from dataclasses import dataclass, field, fields
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from .. import cpv, permissions, regions, signals
from ..dbtypes import utcnow
from ..errors import AppError, InvalidInput, NotFound
from ..extensions import db
from ..networks.models import Network
from ..organisations.models import Organisation
from ..util import LRUCache, has_forbidden_chars
from .models import (NEXT_STATUSES, PROCEDURES, PUBLIC_STATUSES, STATUSES, Interest, Need, NeedCounty, NeedCpv,
                     NeedEvent, NeedMunicipality)

MAX_DESCRIPTION = 20_000
MAX_VALUE = 10**12  # SEK; anything larger is a typing slip
_URL = re.compile(r"^https?://[^\s<>\"]+$")


def is_email(value: str) -> bool:
    """Whether `value` is an e-mail address (the accounts' check, email-validator)."""
    from ..accounts.services import normalise_email

    try:
        normalise_email(value)
    except ValueError:
        return False
    return True


class StatusRefused(AppError):
    status, code = 409, "status_refused"


@dataclass
class NeedDraft:
    """What a buyer types about a need. Strings where people type; validate() turns them into values."""

    title: str = ""
    description: str = ""
    cpv: list[str] = field(default_factory=list)
    counties: list[str] = field(default_factory=list)
    municipalities: list[str] = field(default_factory=list)
    value_min: str | int | None = None
    value_max: str | int | None = None
    quantity: str = ""
    procedure: str = ""
    planned_notice_date: date | str | None = None
    planned_contract_start: date | str | None = None
    reserved_for_non_profits: bool = False
    critical_supply: bool = False
    preparedness_note: str = ""
    spec: str = ""  # "<network>/<slug>/v<N>", an adopted version, or empty
    intent: str = ""  # "<network>/<slug>" of a letter of intent that has been opened, or empty
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""


# Fields of a need that its history records, in the order a page lists them.
TRACKED = ("title", "description", "cpv", "counties", "municipalities", "value_min", "value_max", "quantity",
           "procedure", "planned_notice_date", "planned_contract_start", "reserved_for_non_profits",
           "critical_supply", "preparedness_note", "spec", "intent", "contact_name", "contact_email", "contact_phone")


def _text(value, limit: int, errors: dict, name: str, message, *, one_line: bool = True) -> str:
    value = (value or "").strip()
    if len(value) > limit or has_forbidden_chars(value) or (one_line and "\n" in value):
        errors[name] = message
    return value


def _amount(value, errors: dict, name: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        errors[name] = _l("Enter an amount in whole kronor, for example 2 500 000.")
        return None
    if isinstance(value, str):
        cleaned = re.sub(r"[\s\u00a0]|kr|sek|:-", "", value.strip().lower())
        if not re.fullmatch(r"-?\d+", cleaned):
            errors[name] = _l("Enter an amount in whole kronor, for example 2 500 000.")
            return None
        value = int(cleaned)
    if not isinstance(value, int):
        errors[name] = _l("Enter an amount in whole kronor, for example 2 500 000.")
        return None
    if value < 0:
        errors[name] = _l("The value cannot be negative.")
        return None
    if value > MAX_VALUE:
        errors[name] = _l("That value is too large. Enter it in kronor, without VAT.")
        return None
    return value


def _day(value, errors: dict, name: str) -> date | None:
    if isinstance(value, date):
        return value
    if not value:
        errors[name] = _l("Enter a date (YYYY-MM-DD).")
        return None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        errors[name] = _l("Enter a date as YYYY-MM-DD, for example 2027-03-01.")
        return None


def _spec_version(ref: str, errors: dict):
    """'bebo/heat-pumps/v1' -> (spec, 1) if that adopted version exists and is public."""
    from ..specs.models import Spec, SpecVersion

    ref = (ref or "").strip()
    if not ref:
        return None, None
    match = re.fullmatch(r"([a-z0-9-]+)/([a-z0-9-]+)/v(\d{1,4})", ref)
    spec = version = None
    if match:
        spec = db.session.scalar(select(Spec).join(Network).where(
            Network.slug == match.group(1), Spec.slug == match.group(2)))
        version = spec and db.session.get(SpecVersion, (spec.id, int(match.group(3))))
    if not version:
        errors["spec"] = _l("Choose an adopted specification version, such as bebo/heat-pumps/v1.")
        return None, None
    return spec, version.number


def _intent(ref: str, errors: dict):
    """'bebo/heat-pumps-2027' -> the letter of intent, if it has been opened (drafts are private)."""
    from ..intents.models import Intent

    ref = (ref or "").strip()
    if not ref:
        return None
    match = re.fullmatch(r"([a-z0-9-]+)/([a-z0-9-]+)", ref)
    intent = match and db.session.scalar(select(Intent).join(Network).where(
        Network.slug == match.group(1), Intent.slug == match.group(2), Intent.status != "draft"))
    if not intent:
        errors["intent"] = _l("Choose a letter of intent that has been opened, such as bebo/heat-pumps-2027.")
        return None
    return intent


def validate(draft: NeedDraft) -> tuple[dict, dict]:
    """(errors, values): the field errors, and the values to store when there are none."""
    errors: dict = {}
    v: dict = {}
    v["title"] = _text(draft.title, 200, errors, "title", _l("Use a title of at most 200 characters."))
    if not v["title"] and "title" not in errors:
        errors["title"] = _l("Enter a title.")
    v["description"] = _text(draft.description, MAX_DESCRIPTION, errors, "description",
                             _l("Use a description of at most 20,000 characters."), one_line=False)
    codes = [c for c in (c.strip() for c in draft.cpv) if c]
    normalised = [cpv.normalise(c) for c in codes]
    if None in normalised:
        errors["cpv"] = _l("Unknown CPV code: %(codes)s.",
                           codes=", ".join(c for c, n in zip(codes, normalised) if n is None))
    elif not codes:
        errors["cpv"] = _l("Enter at least one CPV code, so that suppliers watching it find the need.")
    v["cpv"] = sorted(set(filter(None, normalised)))
    known_municipalities = regions.municipalities()
    municipalities = sorted({m.strip() for m in draft.municipalities if m.strip()})
    unknown = [m for m in municipalities if m not in known_municipalities]
    if unknown:
        errors["municipalities"] = _l("Unknown municipality code: %(codes)s.", codes=", ".join(unknown))
    counties = {c.strip() for c in draft.counties if c.strip()}
    unknown = sorted(c for c in counties if c not in regions.counties())
    if unknown:
        errors["counties"] = _l("Unknown county code: %(codes)s.", codes=", ".join(unknown))
    # A municipality is delivered to within its county: the county is implied.
    counties |= {known_municipalities[m][1] for m in municipalities if m in known_municipalities}
    if not counties and "counties" not in errors:
        errors["counties"] = _l("Choose at least one county where the need is delivered.")
    v["counties"], v["municipalities"] = sorted(counties), municipalities
    v["value_min"] = _amount(draft.value_min, errors, "value_min")
    v["value_max"] = _amount(draft.value_max, errors, "value_max")
    if v["value_min"] is not None and v["value_max"] is not None and v["value_max"] < v["value_min"]:
        errors["value_max"] = _l("The highest value cannot be lower than the lowest.")
    if v["value_min"] is None and v["value_max"] is not None and "value_min" not in errors:
        v["value_min"] = v["value_max"]  # "up to X": a single value
    v["quantity"] = _text(draft.quantity, 200, errors, "quantity", _l("Describe the quantity in at most 200 characters."))
    v["procedure"] = (draft.procedure or "").strip()
    if v["procedure"] not in PROCEDURES:
        errors["procedure"] = _l("Choose a procedure.")
    v["planned_notice_date"] = _day(draft.planned_notice_date, errors, "planned_notice_date")
    v["planned_contract_start"] = _day(draft.planned_contract_start, errors, "planned_contract_start")
    if v["planned_notice_date"] and v["planned_contract_start"] and \
            v["planned_contract_start"] < v["planned_notice_date"]:
        errors["planned_contract_start"] = _l("The contract cannot start before the planned notice date.")
    v["reserved_for_non_profits"] = bool(draft.reserved_for_non_profits)
    v["critical_supply"] = bool(draft.critical_supply)
    v["preparedness_note"] = _text(draft.preparedness_note, 2000, errors, "preparedness_note",
                                   _l("Use at most 2,000 characters."), one_line=False)
    v["spec"], v["spec_version"] = _spec_version(draft.spec, errors)
    v["intent"] = _intent(draft.intent, errors)
    v["contact_name"] = _text(draft.contact_name, 200, errors, "contact_name", _l("Use at most 200 characters."))
    v["contact_email"] = _text(draft.contact_email, 254, errors, "contact_email", _l("Enter an e-mail address."))
    if v["contact_email"] and not is_email(v["contact_email"]):
        errors["contact_email"] = _l("Enter an e-mail address such as name@example.se.")
    v["contact_phone"] = _text(draft.contact_phone, 40, errors, "contact_phone", _l("Use at most 40 characters."))
    return errors, v


# --- who publishes ------------------------------------------------------------------------------

def publishers(user) -> list[tuple[str, str]]:
    """What `user` may publish for: ("org", own organisation) if a buyer, then ("<slug>", network
    name) for each network where the organisation is a member or coordinator."""
    actor = permissions.Actor.of(user)
    if actor.organisation is None or not actor.organisation.is_buyer:
        return []
    choices = [("", actor.organisation.name)]
    networks = db.session.scalars(select(Network).where(Network.id.in_(permissions.member_network_ids(user)))
                                  .order_by(Network.name))
    choices += [(n.slug, n.name) for n in networks if permissions.may(user, "need.publish_for", n)]
    return choices


def _publisher(network_slug: str, actor):
    if not network_slug:
        permissions.require(actor, "need.create")
        return None
    network = db.session.scalar(select(Network).where(Network.slug == network_slug))
    if network is None:
        raise InvalidInput({"network": _l("There is no network %(slug)s.", slug=network_slug)})
    permissions.require(actor, "need.publish_for", network)
    return network


# --- changes ------------------------------------------------------------------------------------

def _snapshot(need: Need) -> dict:
    spec = f"{need.spec.network.slug}/{need.spec.slug}/v{need.spec_version}" if need.spec_id else ""
    intent = f"{need.intent.network.slug}/{need.intent.slug}" if need.intent_id else ""
    values = {name: getattr(need, name) for name in TRACKED if name not in ("cpv", "counties", "municipalities",
                                                                           "spec", "intent")}
    values.update(cpv=need.cpv, counties=need.county_codes, municipalities=need.municipality_codes, spec=spec,
                  intent=intent)
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items()}


def _apply(need: Need, v: dict) -> None:
    for name in ("title", "description", "value_min", "value_max", "quantity", "procedure", "planned_notice_date",
                 "planned_contract_start", "reserved_for_non_profits", "critical_supply", "preparedness_note",
                 "spec_version", "contact_name", "contact_email", "contact_phone"):
        setattr(need, name, v[name])
    need.spec, need.intent = v["spec"], v["intent"]
    if need.cpv != v["cpv"]:
        need.cpv_codes = [NeedCpv(code=c) for c in v["cpv"]]
    if need.county_codes != v["counties"]:
        need.counties = [NeedCounty(county_code=c) for c in v["counties"]]
    if need.municipality_codes != v["municipalities"]:
        need.municipalities = [NeedMunicipality(code=m) for m in v["municipalities"]]


def _event(need: Need, kind: str, actor, *, changes: dict | None = None, note: str = "") -> NeedEvent:
    user = getattr(actor, "user", actor)
    event = NeedEvent(need_id=need.id, kind=kind, status=need.status, changes=changes or {}, note=note,
                      actor_id=getattr(user, "id", None), actor_name=getattr(user, "name", "") or "")
    db.session.add(event)
    return event


def create_need(draft: NeedDraft, *, actor, network: str = "", publish: bool = False) -> Need:
    """A new need for the actor's organisation (or for a network it may publish for), as a draft
    or published at once."""
    owner = _publisher(network, actor)
    errors, values = validate(draft)
    if errors:
        raise InvalidInput(errors)
    need = Need(organisation_id=actor.approved_organisation.id, network=owner, created_by_id=actor.id)
    _apply(need, values)
    db.session.add(need)
    db.session.flush()
    _event(need, "created", actor)
    if publish:
        return publish_need(need, actor=actor)
    db.session.commit()
    return need


def update_need(need: Need, draft: NeedDraft, *, actor) -> dict:
    """Save the buyer's changes; on a published need they become an event of its history.
    Returns what changed (field -> [before, after])."""
    permissions.require(actor, "need.edit", need)
    if need.status in ("awarded", "cancelled"):
        raise StatusRefused(_l("An awarded or cancelled need is final and cannot be changed."))
    errors, values = validate(draft)
    if errors:
        raise InvalidInput(errors)
    before = _snapshot(need)
    _apply(need, values)
    db.session.flush()
    after = _snapshot(need)
    changes = {k: [before[k], after[k]] for k in TRACKED if before[k] != after[k]}
    if not changes:
        db.session.rollback()
        return {}
    need.updated_at = utcnow()
    if need.is_published:
        _event(need, "edited", actor, changes=changes)
    db.session.commit()
    signals.changed("need", need.id)
    return changes


def publish_need(need: Need, *, actor) -> Need:
    permissions.require(actor, "need.edit", need)
    if need.is_published:
        raise StatusRefused(_l("This need is already published."))
    need.status, need.published_at = "planned", utcnow()
    need.updated_at = need.published_at
    _event(need, "published", actor)
    db.session.commit()
    signals.changed("need", need.id)
    from . import notify

    notify.need_published(need)
    return need


def change_status(need: Need, status: str, *, actor, notice_reference: str = "", notice_url: str = "",
                  reason: str = "") -> Need:
    """Move a published need on: planned -> market dialogue -> announced (with the notice) ->
    awarded, or cancelled (with a reason) from any open status."""
    permissions.require(actor, "need.edit", need)
    if status not in NEXT_STATUSES.get(need.status, ()):
        raise StatusRefused(_l("A need that is %(now)s cannot become %(next)s.",
                               now=str(status_label(need.status)).lower(),
                               next=str(status_label(status)).lower() if status in STATUSES else status))
    errors: dict = {}
    notice_reference = _text(notice_reference, 100, errors, "notice_reference", _l("Use at most 100 characters."))
    notice_url = _text(notice_url, 500, errors, "notice_url", _l("Enter a web address starting with https://."))
    reason = _text(reason, 2000, errors, "reason", _l("Use at most 2,000 characters."), one_line=False)
    if status == "announced":
        if not notice_reference and "notice_reference" not in errors:
            errors["notice_reference"] = _l("Enter the notice's reference, for example TED 2027/S 012-034567.")
        if notice_url and not _URL.match(notice_url):
            errors["notice_url"] = _l("Enter a web address starting with https://.")
    if status == "cancelled" and not reason and "reason" not in errors:
        errors["reason"] = _l("Say why the need is cancelled; suppliers who registered interest are told.")
    if errors:
        raise InvalidInput(errors)
    before = need.status
    need.status, need.updated_at = status, utcnow()
    if status == "announced":
        need.notice_reference, need.notice_url = notice_reference, notice_url
    if status in ("awarded", "cancelled"):
        need.status_reason = reason
    changes = {"status": [before, status]}
    if status == "announced":
        changes["notice_reference"] = [None, notice_reference]
    _event(need, "status", actor, changes=changes, note=reason)
    db.session.commit()
    signals.changed("need", need.id)
    from . import notify

    notify.status_changed(need, before)
    return need


def status_label(status: str):
    from ..labels import LABELS

    return LABELS["need_status"].get(status, status)


# --- reading ------------------------------------------------------------------------------------

def get_need_or_404(need_id, *, viewer) -> Need:
    """A need the viewer may see: published ones to everyone, drafts to their publishers only."""
    try:
        need_id = int(need_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    need = db.session.get(Need, need_id) if 0 < need_id < 2**31 else None
    if need is None or not permissions.may(viewer, "need.view", need):
        raise NotFound()
    return need


def history(need: Need) -> list[NeedEvent]:
    return list(db.session.scalars(select(NeedEvent).where(NeedEvent.need_id == need.id)
                                   .order_by(NeedEvent.at.desc(), NeedEvent.id.desc())))


def interest_count(need: Need) -> int:
    return db.session.scalar(select(func.count()).select_from(Interest).where(
        Interest.need_id == need.id, Interest.withdrawn_at.is_(None))) or 0


def own_needs(user) -> list[Need]:
    """Needs the user may manage: its organisation's and its networks' (drafts first, then newest)."""
    actor = permissions.Actor.of(user)
    if actor.organisation is None:
        return []
    networks = [n for n in permissions.member_network_ids(user)]
    query = (select(Need).where(or_(and_(Need.organisation_id == actor.organisation.id, Need.network_id.is_(None)),
                                    Need.network_id.in_(networks)))
             .options(joinedload(Need.network), joinedload(Need.organisation))
             .order_by((Need.status == "draft").desc(), Need.updated_at.desc()).limit(500))
    return [n for n in db.session.scalars(query) if permissions.may(user, "need.edit", n)]


# --- the public list ------------------------------------------------------------------------------

SORTS = ("notice", "newest", "value", "title")
FEW_MATCHES = 10_000  # words matching at most this many needs are passed to the database as ids
PER_PAGE = 20
MAX_PER_PAGE = 100


@dataclass
class NeedFilters:
    """The public list's filters, read from query parameters (the list, the feed and the API share them).
    Values that cannot be read are dropped, and named in `problems` for the page to mention."""

    q: str = ""
    cpv: str = ""  # digits of a CPV prefix: "45" covers 45xxxxxx
    county: str = ""
    status: list[str] = field(default_factory=list)
    procedure: str = ""
    value_min: int | None = None
    value_max: int | None = None
    notice_from: date | None = None
    notice_to: date | None = None
    reserved: bool = False
    critical: bool = False
    buyer: int | None = None  # organisation id
    network: str = ""  # network slug
    sort: str = "notice"
    page: int = 1
    per_page: int = PER_PAGE
    problems: list[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args) -> "NeedFilters":
        f = cls()
        f.q = (args.get("q") or "").strip()[:200]
        raw_cpv = re.sub(r"[\s-]", "", args.get("cpv") or "")
        if raw_cpv:
            f.cpv = cpv_prefix(raw_cpv) or ""
            if not f.cpv:
                f.problems.append("cpv")
        county = (args.get("county") or "").strip()
        if county:
            f.county = county if county in regions.counties() else ""
            if not f.county:
                f.problems.append("county")
        statuses = [s for part in args.getlist("status") for s in part.split(",") if s]
        f.status = [s for s in statuses if s in PUBLIC_STATUSES]
        if len(f.status) != len(statuses):
            f.problems.append("status")
        procedure = args.get("procedure") or ""
        f.procedure = procedure if procedure in PROCEDURES else ""
        if procedure and not f.procedure:
            f.problems.append("procedure")
        for name in ("value_min", "value_max"):
            raw = args.get(name) or ""
            if raw.strip():
                problems: dict = {}
                setattr(f, name, _amount(raw, problems, name))
                if problems:
                    f.problems.append(name)
        for name in ("notice_from", "notice_to"):
            raw = (args.get(name) or "").strip()
            if raw:
                try:
                    setattr(f, name, date.fromisoformat(raw))
                except ValueError:
                    f.problems.append(name)
        f.reserved = (args.get("reserved") or "") in ("1", "true", "yes", "on")
        f.critical = (args.get("critical") or "") in ("1", "true", "yes", "on")
        buyer = args.get("buyer") or ""
        if buyer:
            f.buyer = int(buyer) if buyer.isdigit() and len(buyer) < 10 else None
            if f.buyer is None:
                f.problems.append("buyer")
        f.network = (args.get("network") or "").strip()[:64]
        sort = args.get("sort") or "notice"
        f.sort = sort if sort in SORTS else "notice"
        f.page = _positive(args.get("page"), 1, 10_000)
        f.per_page = _positive(args.get("per_page"), PER_PAGE, MAX_PER_PAGE)
        return f

    def args(self, **changes) -> dict:
        """Query parameters that reproduce these filters (for links: pages, sorting, the feed)."""
        values = {"q": self.q, "cpv": self.cpv, "county": self.county, "status": ",".join(self.status),
                  "procedure": self.procedure, "value_min": self.value_min, "value_max": self.value_max,
                  "notice_from": self.notice_from.isoformat() if self.notice_from else None,
                  "notice_to": self.notice_to.isoformat() if self.notice_to else None,
                  "reserved": "1" if self.reserved else None, "critical": "1" if self.critical else None,
                  "buyer": self.buyer, "network": self.network,
                  "sort": self.sort if self.sort != "notice" else None,
                  "per_page": self.per_page if self.per_page != PER_PAGE else None,
                  "page": self.page if self.page != 1 else None}
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "", 0, False)}

    @property
    def is_filtered(self) -> bool:
        return bool({k for k in self.args() if k not in ("sort", "page", "per_page")})


def _positive(raw, default: int, limit: int) -> int:
    return min(int(raw), limit) if raw and str(raw).isdigit() and 0 < int(raw) else default


def cpv_prefix(value: str) -> str | None:
    """'45000000', '45000000-3' or '45' -> '45'; '45210000' -> '4521'. None when it is not a
    prefix of any code. CPV codes narrow digit by digit, and a division has two digits."""
    digits = re.sub(r"[\s-]", "", value or "")
    if len(digits) == 9:  # with its check digit
        digits = digits[:8]
    if not re.fullmatch(r"\d{2,8}", digits):
        return None
    prefix = digits.rstrip("0")
    prefix = prefix if len(prefix) >= 2 else digits[:2]
    if not any(code.startswith(prefix) for code in cpv.codes()):
        return None
    return prefix


def _range_end(prefix: str) -> str:
    """The smallest string after every code starting with `prefix` ('45' -> '46', '459' -> '45:')."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def filtered(f: NeedFilters, *, columns=None):
    """The SELECT of published needs matching the filters (without full-text and order)."""
    query = select(*(columns or (Need,))).where(Need.status.in_(f.status or PUBLIC_STATUSES))
    # CPV and county: sets of ids from the (code, need_id) indexes, not a lookup per need.
    if f.cpv:
        query = query.where(Need.id.in_(select(NeedCpv.need_id).where(NeedCpv.code >= f.cpv,
                                                                        NeedCpv.code < _range_end(f.cpv))))
    if f.county:
        query = query.where(Need.id.in_(select(NeedCounty.need_id).where(NeedCounty.county_code == f.county)))
    if f.procedure:
        query = query.where(Need.procedure == f.procedure)
    if f.value_min is not None:  # ranges that reach the wanted range
        query = query.where(func.coalesce(Need.value_max, Need.value_min) >= f.value_min)
    if f.value_max is not None:
        query = query.where(Need.value_min <= f.value_max)
    if f.notice_from:
        query = query.where(Need.planned_notice_date >= f.notice_from)
    if f.notice_to:
        query = query.where(Need.planned_notice_date <= f.notice_to)
    if f.reserved:
        query = query.where(Need.reserved_for_non_profits.is_(True))
    if f.critical:
        query = query.where(Need.critical_supply.is_(True))
    if f.buyer:
        query = query.where(Need.organisation_id == f.buyer)
    if f.network:
        query = query.where(Need.network_id == select(Network.id).where(Network.slug == f.network).scalar_subquery())
    return query


def _order(f: NeedFilters):
    return {
        "notice": (Need.planned_notice_date, Need.id),
        "newest": (Need.published_at.desc(), Need.id.desc()),
        "value": (func.coalesce(Need.value_max, Need.value_min, -1).desc(), Need.id),
        "title": (Need.title, Need.id),
    }[f.sort]


@dataclass
class NeedPage:
    needs: list[Need]
    total: int
    filters: NeedFilters
    notice: object = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.filters.per_page))


def _version() -> tuple:
    """Changes whenever the public list could: a need added (max id) or changed (max updated_at;
    publishing, edits and status moves all set it). Two index lookups."""
    # Two scalar subqueries: the database answers a lone max() from the index.
    return tuple(db.session.execute(select(select(func.max(Need.id)).scalar_subquery(),
                                           select(func.max(Need.updated_at)).scalar_subquery())).one())


_ordered_cache = LRUCache(64)  # (version, filters, sort) -> (ordered ids, notice); at most ~13 MB per process


def _ordered_ids(f: NeedFilters) -> tuple[array, object]:
    """Every matching need's id in list order (and a notice about the words). Remembered per
    process until a need is added or changed, so paging, the feed and popular filters do not
    count and sort the same rows again."""
    key = (_version(), f.q, f.cpv, f.county, tuple(f.status), f.procedure, f.value_min, f.value_max, f.notice_from,
           f.notice_to, f.reserved, f.critical, f.buyer, f.network, f.sort)
    found = _ordered_cache.get(key)
    if found is not None:
        return found
    query = filtered(f, columns=(Need.id,)).order_by(*_order(f))
    notice = None
    if not f.q:
        ordered = array("i", db.session.scalars(query))
    else:
        from ..search import matching_ids

        # Filters and order from the database, words from the index: a few matches go to the
        # database as ids; many are intersected with the filtered ids in their order.
        matches, notice = matching_ids(f.q, "need")
        if len(matches) <= FEW_MATCHES:
            ordered = array("i", db.session.scalars(query.where(Need.id.in_(matches))) if matches else ())
        else:
            ordered = array("i", (i for i in db.session.scalars(query) if i in matches))
    _ordered_cache.put(key, (ordered, notice))
    return ordered, notice


def find_needs(f: NeedFilters) -> NeedPage:
    """A page of published needs matching the filters; words go through the search index."""
    ordered, notice = _ordered_ids(f)
    offset = (f.page - 1) * f.per_page
    page_ids = list(ordered[offset:offset + f.per_page])
    # selectinload, not joinedload: a join before the sort would make the database sort wide rows.
    options = (selectinload(Need.organisation), selectinload(Need.network), selectinload(Need.cpv_codes),
               selectinload(Need.counties))
    rows = {n.id: n for n in db.session.scalars(select(Need).where(Need.id.in_(page_ids)).options(*options))}
    return NeedPage([rows[i] for i in page_ids if i in rows], len(ordered), f, notice)


def draft_of(need: Need) -> NeedDraft:
    """A draft holding what the need says now (to fill the edit form, or the API's PUT)."""
    snap = _snapshot(need)
    return NeedDraft(**{f.name: snap[f.name] for f in fields(NeedDraft) if f.name in snap})


def adopted_versions() -> list[tuple[str, str]]:
    """("<network>/<slug>/v<N>", "Network: Title vN") of every adopted specification version, for
    linking a need to the exact version it buys by."""
    from ..specs.models import Spec, SpecVersion

    rows = db.session.execute(select(Network.slug, Network.name, Spec.slug, Spec.title, SpecVersion.number)
                              .join(Spec, Spec.network_id == Network.id).join(SpecVersion, SpecVersion.spec_id == Spec.id)
                              .order_by(Network.name, Spec.title, SpecVersion.number.desc()))
    return [(f"{r[0]}/{r[2]}/v{r[4]}", f"{r[1]}: {r[3]} v{r[4]}") for r in rows]


def opened_intents() -> list[tuple[str, str]]:
    """("<network>/<slug>", "Network: Title") of the letters of intent that have been opened."""
    from ..intents.models import Intent

    rows = db.session.execute(select(Network.slug, Network.name, Intent.slug, Intent.title)
                              .join(Intent, Intent.network_id == Network.id).where(Intent.status != "draft")
                              .order_by(Network.name, Intent.title))
    return [(f"{r[0]}/{r[2]}", f"{r[1]}: {r[3]}") for r in rows]


def related_to_intent(intent) -> list[Need]:
    """The published needs that refer to a letter of intent."""
    return list(db.session.scalars(select(Need).where(Need.intent_id == intent.id, Need.status != "draft")
                                   .order_by(Need.planned_notice_date)))


def buyers() -> list[tuple[int, str]]:
    """Organisations with published needs, for the list's buyer filter."""
    rows = db.session.execute(select(Organisation.id, Organisation.name).where(
        exists().where(Need.organisation_id == Organisation.id, Need.status != "draft")).order_by(Organisation.name))
    return [(r.id, r.name) for r in rows]
