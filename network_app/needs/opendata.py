"""Open data about planned needs: Atom feeds (the public list's, and a supplier's personal watch
feed) and OCDS 1.1 planning releases, streamed as one release package.

OCDS mapping:
- one release per published need, its current state: ocid `<OCDS_OCID_PREFIX>-need-<id>`, release id
  `<ocid>-<updated_at>` (so each change makes a new release id);
- tag `planning` until the need is first changed after publication, `planningUpdate` afterwards;
- the organisation is the buyer and procuring entity; when a network published the need, the network
  is the buyer (the demand of its members) and the organisation that published it the procuring entity;
- tender.status: planned / market dialogue -> planned, announced -> active, awarded -> complete,
  cancelled -> cancelled;
- items: one per CPV code, each delivered to every county, as NUTS-3 codes in
  `deliveryAddresses[].region` (OCDS location extension, declared in the package).
"""
import json
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timezone
from urllib.parse import urlsplit

from feedgen.feed import FeedGenerator
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from .. import cpv, regions
from ..dbtypes import utcnow
from ..extensions import db
from ..labels import LABELS
from ..links import external_url
from .models import Need, NeedCounty, NeedCpv, NeedEvent

# Characters XML 1.0 does not allow: C0 controls other than tab, LF and CR; U+FFFE, U+FFFF;
# surrogates (which can only be lone ones in a Python str).
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

OCDS_VERSION = "1.1"
# Item.deliveryAddresses (its newest form; core OCDS 1.1 has no delivery place).
LOCATION_EXTENSION = ("https://raw.githubusercontent.com/open-contracting-extensions/ocds_location_extension/"
                      "master/extension.json")
# Our procedures -> OCDS procurementMethod (closed codelist: open, selective, limited, direct).
PROCUREMENT_METHODS = {
    "open": "open",
    "restricted": "selective",  # only suppliers who qualified may tender
    "negotiated": "selective",  # announced early, so with a call for competition: anyone may ask to take part
    "innovation_partnership": "selective",  # anyone may ask to take part, invited ones tender
    "direct_award": "direct",
    "below_threshold": "open",  # advertised simplified procedure (förenklat förfarande)
    "framework_call_off": "limited",  # among the framework's suppliers only
    "iop": "limited",  # a partnership with chosen non-profits, not a procurement in the LOU sense
}
TENDER_STATUSES = {"planned": "planned", "market_dialogue": "planned", "announced": "active",
                   "awarded": "complete", "cancelled": "cancelled"}
ORGNR_SCHEME = "SE-BLV"  # org-id.guide: Swedish organisation numbers (Bolagsverket)


def xml_text(value) -> str:
    """`value` as text that XML 1.0 can carry."""
    return _XML_FORBIDDEN.sub("", str(value or ""))


def _tag_uri(specific: str, day: date | None = None) -> str:
    """A tag: URI (RFC 4151) on the portal's host: stable as long as the host is."""
    host = urlsplit(current_app.config["PORTAL_BASE_URL"]).hostname or "localhost"
    return f"tag:{host},{(day or date(2026, 1, 1)).isoformat()}:{specific}"


def _kronor(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")


def summary_texts() -> dict:
    """The translated pieces of a feed entry's summary, looked up once per feed (not per entry)."""
    return {"buyer": _("Buyer: %(name)s"), "status": _("Status: %(status)s"),
            "procedure": _("Procedure: %(procedure)s"), "notice": _("Planned notice: %(date)s"),
            "cpv": _("CPV: %(codes)s"), "counties": _("Counties: %(names)s"),
            "range": _("%(low)s–%(high)s SEK"), "amount": _("%(amount)s SEK"),
            "value": _("Estimated value: %(value)s"), "reserved": _("Reserved for non-profit organisations"),
            "statuses": {k: str(v) for k, v in LABELS["need_status"].items()},
            "procedures": {k: str(v) for k, v in LABELS["procedure"].items()}}


def need_summary(need: Need, texts: dict | None = None) -> str:
    """The plain-text summary of a need in feeds: buyer, status, procedure, dates, CPV, counties, value."""
    t = texts or summary_texts()
    counties = regions.counties()
    lines = [t["buyer"] % {"name": need.buyer_name},
             t["status"] % {"status": t["statuses"].get(need.status, need.status)},
             t["procedure"] % {"procedure": t["procedures"].get(need.procedure, need.procedure)},
             t["notice"] % {"date": need.planned_notice_date.isoformat()},
             t["cpv"] % {"codes": ", ".join(f"{c} {cpv.label(c, 'sv')}" for c in need.cpv)},
             t["counties"] % {"names": ", ".join(counties.get(c, c) for c in need.county_codes)}]
    if need.value_min is not None:
        if need.value_max is not None and need.value_max != need.value_min:
            value = t["range"] % {"low": _kronor(need.value_min), "high": _kronor(need.value_max)}
        else:
            value = t["amount"] % {"amount": _kronor(need.value_min)}
        lines.append(t["value"] % {"value": value})
    if need.reserved_for_non_profits:
        lines.append(t["reserved"])
    if need.description:
        lines += ["", need.description[:1000] + ("…" if len(need.description) > 1000 else "")]
    return "\n".join(lines)


def _feed(*, feed_id: str, title: str, feed_url: str, alternate_url: str | None) -> FeedGenerator:
    fg = FeedGenerator()
    fg.id(feed_id)
    fg.title(xml_text(title))
    fg.author({"name": "network_app"})
    fg.link(href=feed_url, rel="self", type="application/atom+xml")
    if alternate_url:
        fg.link(href=alternate_url, rel="alternate", type="text/html")
    fg.language("sv")
    fg.generator("network_app")
    return fg


def _add_need_entry(fg: FeedGenerator, need: Need, *, entry_id: str, title: str, updated: datetime,
                    texts: dict) -> None:
    entry = fg.add_entry(order="append")
    entry.id(entry_id)
    entry.title(xml_text(title))
    entry.updated(updated)
    if need.published_at:
        entry.published(need.published_at)
    entry.link(href=external_url("needs.show", need_id=need.id), rel="alternate", type="text/html")
    entry.author({"name": xml_text(need.buyer_name)})
    entry.summary(xml_text(need_summary(need, texts)))
    for code in need.cpv:
        entry.category(term=code, scheme="urn:cpv:2008", label=xml_text(cpv.label(code, "sv")))


def needs_atom(needs: Iterable[Need], *, title: str, feed_url: str, alternate_url: str) -> bytes:
    """An Atom 1.0 feed of published needs, newest first as given."""
    needs = list(needs)
    fg = _feed(feed_id=feed_url, title=title, feed_url=feed_url, alternate_url=alternate_url)
    fg.updated(max((n.updated_at for n in needs), default=None) or utcnow())
    texts = summary_texts()
    for need in needs:
        _add_need_entry(fg, need, entry_id=_tag_uri(f"needs/{need.id}", need.created_at.date()),
                        title=need.title, updated=need.updated_at, texts=texts)
    return fg.atom_str(pretty=False)


def watch_atom(notices: Iterable, *, user, feed_url: str) -> bytes:
    """The personal feed of a supplier's watches: one entry per need and event (published, or a new status)."""
    notices = list(notices)
    fg = _feed(feed_id=_tag_uri(f"watch-feeds/{user.id}"), title=_("Your watches – planned procurements"),
               feed_url=feed_url, alternate_url=external_url("needs.watches"))
    fg.updated(max((n.created_at for n in notices), default=None) or utcnow())
    texts = summary_texts()
    new, event_title = _("New"), _("%(event)s: %(title)s (watch %(watch)s)")
    for notice in notices:
        need = notice.need
        event = new if notice.event == "published" else texts["statuses"].get(notice.event, notice.event)
        title = event_title % {"event": event, "title": need.title, "watch": notice.watch.name}
        _add_need_entry(fg, need, entry_id=_tag_uri(f"watch-notices/{notice.id}", notice.created_at.date()),
                        title=title, updated=notice.created_at, texts=texts)
    return fg.atom_str(pretty=False)


# --- OCDS -------------------------------------------------------------------------------------------------

def ocid(need: Need) -> str:
    return f"{current_app.config['OCDS_OCID_PREFIX']}-need-{need.id}"


def _rfc3339(value: datetime | date) -> str:
    """RFC 3339 in UTC ('2027-03-01T00:00:00Z'); a day is its start in UTC."""
    if not isinstance(value, datetime):
        return f"{value.isoformat()}T00:00:00Z"
    if value.utcoffset():
        value = value.astimezone(timezone.utc)
    return value.replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def _party_id_of_org(org) -> str:
    return f"{ORGNR_SCHEME}-{org.orgnr}"


def _category(codes: list[str]) -> str | None:
    """mainProcurementCategory from the CPV codes: works (45), services (50–98) or goods (03–44, 48),
    when they agree."""
    kinds = {("works" if c[:2] == "45" else "services" if c[:2] >= "50" else "goods") for c in codes}
    return kinds.pop() if len(kinds) == 1 else None


def swedish_texts() -> dict:
    """The fixed texts of releases, in Swedish (the releases' language) whatever the request's locale;
    also the per-package cache of URLs."""
    with force_locale("sv"):
        return {"procedure": {k: str(v) for k, v in LABELS["procedure"].items()},
                "reserved": _("Reserved for non-profit organisations (idéburna organisationer)."),
                "critical": _("Critical for security of supply (preparedness)."),
                "range": _("Estimated value %(low)s–%(high)s SEK excluding VAT"),
                "single": _("Estimated value excluding VAT"),
                "country": "Sverige", "urls": {}}  # a name, in the releases' language


def _url(texts: dict, endpoint: str, **values) -> str:
    key = (endpoint, *values.values())
    urls = texts["urls"]
    if key not in urls:
        urls[key] = external_url(endpoint, **values)
    return urls[key]


def _some(**values) -> dict:
    """The values that are there: OCDS prefers absent fields to empty ones."""
    return {k: v for k, v in values.items() if v not in (None, "", [], {})}


def release(need, *, changed: bool | None = None, texts: dict | None = None) -> dict:
    """The OCDS planning release of a published need (a Need, or a row with the same attributes).
    `changed`: whether it was changed after publication (looked up when not given); `texts`:
    swedish_texts() (made when not given)."""
    if changed is None:
        changed = bool(db.session.scalar(select(exists().where(
            NeedEvent.need_id == need.id, NeedEvent.kind.in_(("edited", "status"))))))
    texts = texts or swedish_texts()
    the_ocid = ocid(need)
    org = need.organisation
    org_name = xml_text(org.name)
    org_party = _some(id=_party_id_of_org(org), name=org_name,
                      identifier={"scheme": ORGNR_SCHEME, "id": org.orgnr, "legalName": org_name},
                      address={"countryName": texts["country"]}, roles=["buyer", "procuringEntity"],
                      contactPoint=_some(name=xml_text(need.contact_name), email=xml_text(need.contact_email),
                                         telephone=xml_text(need.contact_phone)))
    parties = [org_party]
    buyer = {"id": org_party["id"], "name": org_name}
    if need.network_id:
        network = need.network
        network_party = {"id": f"network-{network.slug}", "name": xml_text(network.name), "roles": ["buyer"],
                         "details": {"url": _url(texts, "networks.show", slug=network.slug)}}
        org_party["roles"] = ["procuringEntity"]
        parties.insert(0, network_party)
        buyer = {"id": network_party["id"], "name": network_party["name"]}
    nuts = regions.nuts3()
    addresses = [{"region": nuts[c], "countryName": texts["country"]} for c in need.county_codes if c in nuts]
    items = []
    for number, code in enumerate(need.cpv, start=1):
        label = cpv.label(code, "sv")
        item = {"id": str(number), "description": label,
                "classification": {"scheme": "CPV", "id": code[:8], "description": label}}
        if addresses:
            item["deliveryAddresses"] = addresses
        items.append(item)
    eligibility = [text for flag, text in ((need.reserved_for_non_profits, texts["reserved"]),
                                           (need.critical_supply, texts["critical"]),
                                           (need.preparedness_note, xml_text(need.preparedness_note))) if flag]
    documents = []
    if need.status == "announced" and need.notice_url:
        documents.append(_some(id="notice", documentType="tenderNotice", url=need.notice_url,
                               title=xml_text(need.notice_reference)))
    if need.spec_id and need.spec is not None:
        spec = need.spec
        documents.append({"id": "specification", "documentType": "technicalSpecifications",
                          "title": xml_text(f"{spec.title} v{need.spec_version}"),
                          "url": _url(texts, "specs.show", network=spec.network.slug, slug=spec.slug)})
    tender = _some(id=f"need-{need.id}", title=xml_text(need.title), description=xml_text(need.description),
                   status=TENDER_STATUSES.get(need.status, "planned"),
                   statusDetails=xml_text(need.status_reason) if need.status in ("awarded", "cancelled") else None,
                   procuringEntity={"id": org_party["id"], "name": org_name}, items=items,
                   procurementMethod=PROCUREMENT_METHODS[need.procedure],
                   procurementMethodDetails=texts["procedure"].get(need.procedure, need.procedure),
                   mainProcurementCategory=_category(need.cpv),
                   tenderPeriod={"startDate": _rfc3339(need.planned_notice_date)},
                   contractPeriod={"startDate": _rfc3339(need.planned_contract_start)},
                   eligibilityCriteria="\n".join(eligibility), documents=documents)
    planning = _some(rationale=xml_text(need.quantity))
    amount = need.value_max if need.value_max is not None else need.value_min
    if amount is not None:
        ranged = need.value_min is not None and need.value_max is not None and need.value_min != need.value_max
        planning["budget"] = {
            "description": texts["range"] % {"low": need.value_min, "high": need.value_max} if ranged
            else texts["single"],
            "amount": {"amount": amount, "currency": "SEK"}}
    when = need.updated_at or need.published_at
    return _some(ocid=the_ocid, id=f"{the_ocid}-{when.astimezone(timezone.utc).strftime('%Y%m%dT%H%M%S%fZ')}",
                 date=_rfc3339(when), tag=["planningUpdate" if changed else "planning"], initiationType="tender",
                 language="sv", parties=parties, buyer=buyer, planning=planning, tender=tender)


def package_head(*, uri: str, published_date: datetime, links: dict | None = None) -> dict:
    head = {"uri": uri, "version": OCDS_VERSION, "extensions": [LOCATION_EXTENSION],
            "publishedDate": _rfc3339(published_date),
            "publisher": {"name": "network_app", "uri": current_app.config["PORTAL_BASE_URL"]},
            "license": "https://creativecommons.org/publicdomain/zero/1.0/"}
    if links:
        head["links"] = links  # the OCDS pagination convention (links.next / links.prev)
    return head


BATCH = 1000


class _Named:
    """An organisation, network or specification as a release needs it (read with Core, not the ORM)."""

    __slots__ = ("name", "orgnr", "slug", "title", "network")

    def __init__(self, **values):
        for name in self.__slots__:
            setattr(self, name, values.get(name))


class NeedRow:
    """A need read with Core for the export: the attributes release() uses, without ORM objects
    (several times faster for 50,000 needs)."""

    def __init__(self, row, cpv_codes: list[str], county_codes: list[str]):
        self.__dict__.update(row._asdict())
        self.organisation = _Named(name=row.x_org_name, orgnr=row.x_org_orgnr)
        self.network = _Named(name=row.x_net_name, slug=row.x_net_slug) if row.network_id else None
        self.spec = (_Named(title=row.x_spec_title, slug=row.x_spec_slug, network=_Named(slug=row.x_spec_network))
                     if row.spec_id and row.x_spec_slug else None)
        self.cpv, self.county_codes = cpv_codes, county_codes


def _batch_rows(ids: list[int]) -> list[NeedRow]:
    from ..networks.models import Network
    from ..organisations.models import Organisation
    from ..specs.models import Spec

    spec_network = aliased(Network)
    columns = [c for c in Need.__table__.c if c.key not in ("created_by_id",)]
    query = (select(*columns, Organisation.name.label("x_org_name"), Organisation.orgnr.label("x_org_orgnr"),
                    Network.name.label("x_net_name"), Network.slug.label("x_net_slug"),
                    Spec.title.label("x_spec_title"), Spec.slug.label("x_spec_slug"),
                    spec_network.slug.label("x_spec_network"))
             .join(Organisation, Organisation.id == Need.organisation_id)
             .outerjoin(Network, Network.id == Need.network_id)
             .outerjoin(Spec, Spec.id == Need.spec_id)
             .outerjoin(spec_network, spec_network.id == Spec.network_id)
             .where(Need.id.in_(ids)).order_by(Need.id))
    codes: dict[int, list[str]] = {}
    for need_id, code in db.session.execute(select(NeedCpv.need_id, NeedCpv.code).where(NeedCpv.need_id.in_(ids))
                                            .order_by(NeedCpv.need_id, NeedCpv.code)):
        codes.setdefault(need_id, []).append(code)
    places: dict[int, list[str]] = {}
    for need_id, code in db.session.execute(select(NeedCounty.need_id, NeedCounty.county_code)
                                            .where(NeedCounty.need_id.in_(ids))
                                            .order_by(NeedCounty.need_id, NeedCounty.county_code)):
        places.setdefault(need_id, []).append(code)
    return [NeedRow(row, codes.get(row.id, []), places.get(row.id, [])) for row in db.session.execute(query)]


def published_needs(query=None, *, batch: int | None = None) -> Iterator[tuple[NeedRow, bool]]:
    """(need, changed since publication) for every need the SELECT of Need finds (default: every
    published one), in id order, read in keyset batches so that memory stays flat however many."""
    batch = batch or BATCH
    query = query if query is not None else select(Need).where(Need.status != "draft")
    ids_query = query.with_only_columns(Need.id).order_by(None)
    last = 0
    while True:
        ids = list(db.session.scalars(ids_query.where(Need.id > last).order_by(Need.id).limit(batch)))
        if not ids:
            return
        changed = set(db.session.scalars(select(NeedEvent.need_id).where(
            NeedEvent.need_id.in_(ids), NeedEvent.kind.in_(("edited", "status"))).distinct()))
        for need in _batch_rows(ids):
            yield need, need.id in changed
        if len(ids) < batch:
            return
        last = ids[-1]


def release_package_chunks(query_or_needs, *, uri: str, links: dict | None = None,
                           published_date: datetime | None = None) -> Iterator[str]:
    """One release package as JSON text, in chunks: the head, then the releases one by one.
    `query_or_needs` is a SELECT of Need (read in batches) or an iterable of needs."""
    head = package_head(uri=uri, published_date=published_date or utcnow(), links=links)
    text = json.dumps(head, ensure_ascii=False)
    yield text[:-1] + ', "releases": ['
    if isinstance(query_or_needs, (list, tuple)):
        rows = ((n, None) for n in query_or_needs)
    else:
        rows = published_needs(query_or_needs)
    texts = swedish_texts()
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    buffer, separator = [], ""
    for need, changed in rows:
        buffer.append(release(need, changed=changed, texts=texts))
        if len(buffer) >= 50:  # about 90 KB a chunk
            yield separator + encode(buffer)[1:-1]
            buffer, separator = [], ","
    if buffer:
        yield separator + encode(buffer)[1:-1]
    yield "]}"
