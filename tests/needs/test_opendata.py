"""Open data of planned needs: Atom feeds (public and personal) and the OCDS release package."""
import csv
import json
import pathlib
from datetime import date

import feedparser
import pytest

from network_app.extensions import db
from network_app.needs import opendata, services, watches
from network_app.needs.models import Need

# The schema and codelists ship with the tests (tests/data/ocds/SOURCE.md): validation never skips.
OCDS = pathlib.Path(__file__).resolve().parents[1] / "data" / "ocds" / "1.1.5" / "schema"
CLOSED_CODELISTS = {  # path in a release -> codelist
    ("tag",): "releaseTag", ("initiationType",): "initiationType", ("tender", "status"): "tenderStatus",
    ("tender", "procurementMethod"): "method", ("tender", "mainProcurementCategory"): "procurementCategory",
}


@pytest.fixture(scope="module")
def ocds_validator():
    from jsonschema import Draft4Validator, FormatChecker
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    release = json.loads((OCDS / "release-schema.json").read_text())
    package = json.loads((OCDS / "release-package-schema.json").read_text())
    registry = Registry().with_resource(release["id"], Resource(release, specification=DRAFT4))
    return Draft4Validator(package, registry=registry, format_checker=FormatChecker())


def codelist(name: str) -> set[str]:
    with open(OCDS / "codelists" / f"{name}.csv", encoding="utf-8", newline="") as fh:
        return {row["Code"] for row in csv.DictReader(fh)}


def assert_valid_ocds(package: dict, validator) -> None:
    errors = sorted(validator.iter_errors(package), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    roles = codelist("partyRole")
    for release in package["releases"]:
        for path, name in CLOSED_CODELISTS.items():
            value = release
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            if value is not None:
                values = value if isinstance(value, list) else [value]
                assert set(values) <= codelist(name), (path, values)
        for party in release["parties"]:
            assert set(party["roles"]) <= roles
        assert release["tender"]["status"] in codelist("tenderStatus")
        assert {i["classification"]["scheme"] for i in release["tender"]["items"]} <= codelist(
            "itemClassificationScheme")


def package_of(response) -> dict:
    assert response.status_code == 200, response.data[:500]
    assert response.mimetype == "application/json"
    return json.loads(response.get_data(as_text=True))


# --- Atom ----------------------------------------------------------------------------------------------

def test_needs_atom_is_a_valid_feed_with_the_needs(app, make_need):
    first = make_need("Värmepumpar", value_min=2_000_000, value_max=3_000_000, counties=["01", "14"])
    second = make_need("Skolmåltider", cpv=["55524000-9"], procedure="restricted")
    body = opendata.needs_atom([second, first], title="Planerade upphandlingar",
                               feed_url="http://portal.test/needs/feed.atom",
                               alternate_url="http://portal.test/needs/")
    feed = feedparser.parse(body)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "Planerade upphandlingar"
    assert [e.title for e in feed.entries] == ["Skolmåltider", "Värmepumpar"]
    entry = feed.entries[1]
    assert entry.link == f"http://portal.test/needs/{first.id}"
    assert entry.id.startswith("tag:portal.test,") and entry.id.endswith(f":needs/{first.id}")
    assert entry.published and entry.updated
    summary = entry.summary
    for text in ("Buyer: ", first.buyer_name, "Status: Planned", "Procedure: Open procedure",
                 "Planned notice: 2027-03-01", "45331000-6", "Stockholms län", "SEK"):
        assert text in summary, text
    assert [t.term for t in entry.tags] == ["45331000-6"]


def test_needs_atom_ids_stay_the_same_when_a_need_changes(app, make_need, people):
    need = make_need()
    before = feedparser.parse(opendata.needs_atom([need], title="t", feed_url="http://portal.test/f",
                                                  alternate_url="http://portal.test/")).entries[0]
    draft = services.draft_of(need)
    draft.title = "Värmepumpar, fler lägenheter"
    services.update_need(need, draft, actor=people["member"])
    after = feedparser.parse(opendata.needs_atom([need], title="t", feed_url="http://portal.test/f",
                                                 alternate_url="http://portal.test/")).entries[0]
    assert after.id == before.id and after.title == "Värmepumpar, fler lägenheter"


def test_characters_xml_forbids_are_removed(app, make_need):
    need = make_need()
    # Text from before validation caught them (or from an import): the feed must stay well-formed.
    # (Kept in memory: a lone surrogate cannot even be stored.)
    with db.session.no_autoflush:
        need.title = "Bad\x00ti\x1btle\ufffe\uffff ok\ud800"
        need.description = "line\x0bbreak\x0c\tTab\nNewline\r"
        need.organisation.name = "Org\x07name"
        body = opendata.needs_atom([need], title="Feed\x01", feed_url="http://portal.test/f",
                                   alternate_url="http://portal.test/")
    db.session.rollback()
    feed = feedparser.parse(body)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.entries[0].title == "Badtitle ok"
    assert "linebreak\tTab" in feed.entries[0].summary
    assert feed.feed.title == "Feed"
    assert opendata.xml_text("a\x00b\x1fc\td\ne\rf\ufffeg\udfffh") == "abc\td\ne\rfgh"


def test_empty_feed_is_valid(app):
    feed = feedparser.parse(opendata.needs_atom([], title="Inga", feed_url="http://portal.test/f",
                                                alternate_url="http://portal.test/"))
    assert not feed.bozo and feed.entries == []


def test_feed_route_applies_the_filters(client, make_need):
    make_need("Värmepumpar", cpv=["45331000-6"], counties=["01"])
    make_need("Skolmåltider", cpv=["55524000-9"], counties=["14"])
    make_need("Utkast", publish=False)
    response = client.get("/needs/feed.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo
    assert sorted(e.title for e in feed.entries) == ["Skolmåltider", "Värmepumpar"]  # never drafts
    for query, titles in (("cpv=45000000", ["Värmepumpar"]), ("county=14", ["Skolmåltider"]),
                          ("cpv=55&county=01", [])):
        feed = feedparser.parse(client.get(f"/needs/feed.atom?{query}").data)
        assert not feed.bozo
        assert [e.title for e in feed.entries] == titles, query


def test_watch_feed_lists_the_matching_needs(client, app, people, make_need):
    supplier = people["supplier"]
    watches.create_watch(watches.WatchDraft(name="Värme i Stockholm", cpv=["45000000"], counties=["01"]),
                         actor=supplier)
    need = make_need("Värmepumpar")
    make_need("Skolmåltider", cpv=["55524000-9"])
    notices = watches.feed_items(supplier.id)
    assert [n.need_id for n in notices] == [need.id]
    body = opendata.watch_atom(notices, user=supplier, feed_url="http://portal.test/needs/watches/feed/x.atom")
    feed = feedparser.parse(body)
    assert not feed.bozo, feed.get("bozo_exception")
    assert len(feed.entries) == 1
    assert "Värmepumpar" in feed.entries[0].title and "Värme i Stockholm" in feed.entries[0].title
    assert feed.entries[0].link == f"http://portal.test/needs/{need.id}"
    token = watches.feed_token(supplier)
    response = client.get(f"/needs/watches/feed/{token}.atom")
    assert response.status_code == 200
    assert [e.link for e in feedparser.parse(response.data).entries] == [f"http://portal.test/needs/{need.id}"]
    wrong = token[:-1] + ("1" if token[-1] == "0" else "0")
    assert client.get(f"/needs/watches/feed/{wrong}.atom").status_code == 404


# --- OCDS ---------------------------------------------------------------------------------------------

def test_release_package_is_valid_ocds(client, make_need, people, ocds_validator):
    make_need("Värmepumpar", value_min=2_000_000, value_max=3_000_000, counties=["01", "14"],
              cpv=["45331000-6", "09332000-5"], reserved_for_non_profits=True, preparedness_note="Reservkraft krävs.",
              critical_supply=True, quantity="cirka 400 lägenheter")
    make_need("Skolmåltider", cpv=["55524000-9"], procedure="direct_award", network="bebo",
              actor=people["coordinator"])
    for procedure in ("restricted", "negotiated", "innovation_partnership", "below_threshold",
                      "framework_call_off", "iop"):
        make_need(f"Behov {procedure}", procedure=procedure, value_min=100_000)
    package = package_of(client.get("/api/v1/ocds/releases.json"))
    assert_valid_ocds(package, ocds_validator)
    assert package["version"] == "1.1" and package["uri"].startswith("http://portal.test/api/v1/ocds/releases.json")
    assert len(package["releases"]) == 8
    assert len({r["id"] for r in package["releases"]}) == 8
    assert len({r["ocid"] for r in package["releases"]}) == 8


def test_release_mapping(app, make_need, people, ocds_validator):
    need = make_need("Värmepumpar", value_min=2_000_000, value_max=3_000_000, counties=["01", "14"],
                     cpv=["45331000-6", "45332000-3"], reserved_for_non_profits=True,
                     preparedness_note="Reservkraft krävs.")
    release = opendata.release(need)
    assert release["ocid"] == f"ocds-xxxxxx-networkapp-need-{need.id}"
    assert release["tag"] == ["planning"] and release["initiationType"] == "tender"
    assert release["language"] == "sv" and release["date"].endswith("Z")
    tender = release["tender"]
    assert tender["status"] == "planned" and tender["procurementMethod"] == "open"
    assert tender["mainProcurementCategory"] == "works"
    assert tender["tenderPeriod"]["startDate"] == "2027-03-01T00:00:00Z"
    assert tender["contractPeriod"]["startDate"] == "2027-09-01T00:00:00Z"
    assert [i["classification"]["id"] for i in tender["items"]] == ["45331000", "45332000"]
    assert all(i["classification"]["scheme"] == "CPV" and i["classification"]["description"]
               for i in tender["items"])
    assert [a["region"] for a in tender["items"][0]["deliveryAddresses"]] == ["SE110", "SE232"]  # Stockholm, Västra Götaland
    assert "Reservkraft krävs." in tender["eligibilityCriteria"] and "idéburna" in tender["eligibilityCriteria"]
    budget = release["planning"]["budget"]
    assert budget["amount"] == {"amount": 3_000_000, "currency": "SEK"}
    assert "2000000" in budget["description"] and "3000000" in budget["description"]
    buyer_party = next(p for p in release["parties"] if p["id"] == release["buyer"]["id"])
    assert buyer_party["roles"] == ["buyer", "procuringEntity"]
    assert buyer_party["identifier"] == {"scheme": "SE-BLV", "id": need.organisation.orgnr,
                                         "legalName": need.organisation.name}


def test_budget_only_when_a_value_is_given(app, make_need):
    assert "budget" not in opendata.release(make_need()).get("planning", {})
    single = opendata.release(make_need(value_max=500_000))
    assert single["planning"]["budget"]["amount"] == {"amount": 500_000, "currency": "SEK"}


def test_network_need_has_the_network_as_buyer(app, make_need, people):
    need = make_need(network="bebo", actor=people["coordinator"])
    release = opendata.release(need)
    assert release["buyer"]["id"] == "network-bebo"
    roles = {p["id"]: p["roles"] for p in release["parties"]}
    assert roles["network-bebo"] == ["buyer"]
    assert roles[release["tender"]["procuringEntity"]["id"]] == ["procuringEntity"]


def test_planning_update_after_a_change(client, make_need, people, ocds_validator):
    kept = make_need("Oförändrad")
    edited = make_need("Ändras")
    moved = make_need("Marknadsdialog")
    draft = services.draft_of(edited)
    draft.description = "Nu med solceller."
    services.update_need(edited, draft, actor=people["member"])
    services.change_status(moved, "market_dialogue", actor=people["member"])
    package = package_of(client.get("/api/v1/ocds/releases.json"))
    assert_valid_ocds(package, ocds_validator)
    tags = {r["tender"]["title"]: r["tag"] for r in package["releases"]}
    assert tags == {"Oförändrad": ["planning"], "Ändras": ["planningUpdate"], "Marknadsdialog": ["planningUpdate"]}
    assert kept.id


def test_status_mapping_for_announced_awarded_cancelled(client, make_need, people, ocds_validator):
    announced, awarded, cancelled = make_need("A"), make_need("B"), make_need("C")
    member = people["member"]
    services.change_status(announced, "announced", actor=member, notice_reference="TED 2027/S 1-2",
                           notice_url="https://ted.europa.eu/notice/1")
    services.change_status(awarded, "announced", actor=member, notice_reference="TED 2027/S 1-3")
    services.change_status(awarded, "awarded", actor=member, reason="Värme AB")
    services.change_status(cancelled, "cancelled", actor=member, reason="Budgeten drogs in.")
    package = package_of(client.get("/api/v1/ocds/releases.json"))
    assert_valid_ocds(package, ocds_validator)
    statuses = {r["tender"]["title"]: r["tender"]["status"] for r in package["releases"]}
    assert statuses == {"A": "active", "B": "complete", "C": "cancelled"}
    a = next(r for r in package["releases"] if r["tender"]["title"] == "A")
    assert a["tender"]["documents"][0]["url"] == "https://ted.europa.eu/notice/1"


def test_drafts_are_not_in_the_package(client, make_need):
    make_need("Publicerad")
    make_need("Utkast", publish=False)
    package = package_of(client.get("/api/v1/ocds/releases.json?per_page=all"))
    assert [r["tender"]["title"] for r in package["releases"]] == ["Publicerad"]


def test_pagination_links(client, make_need, ocds_validator):
    for n in range(5):
        make_need(f"Behov {n}")
    first = package_of(client.get("/api/v1/ocds/releases.json?per_page=2"))
    assert_valid_ocds(first, ocds_validator)
    assert [r["tender"]["title"] for r in first["releases"]] == ["Behov 0", "Behov 1"]
    assert "prev" not in first["links"]
    assert first["links"]["next"].startswith("http://portal.test/api/v1/ocds/releases.json?")
    titles = [r["tender"]["title"] for r in first["releases"]]
    page = first
    while "next" in page["links"]:
        path = page["links"]["next"].removeprefix("http://portal.test")
        page = package_of(client.get(path))
        assert page["links"]["prev"].startswith("http://portal.test/")
        titles += [r["tender"]["title"] for r in page["releases"]]
    assert titles == [f"Behov {n}" for n in range(5)]


def test_per_page_all_streams_everything(client, make_need, ocds_validator):
    for n in range(7):
        make_need(f"Behov {n}", cpv=["45331000-6" if n % 2 else "55524000-9"])
    response = client.get("/api/v1/ocds/releases.json?per_page=all")
    assert response.is_streamed
    package = package_of(response)
    assert_valid_ocds(package, ocds_validator)
    assert len(package["releases"]) == 7 and "links" not in package
    filtered = package_of(client.get("/api/v1/ocds/releases.json?per_page=all&cpv=45000000"))
    assert len(filtered["releases"]) == 3


def test_chunks_read_the_database_in_batches(app, make_need, monkeypatch):
    for n in range(5):
        make_need(f"Behov {n}")
    monkeypatch.setattr(opendata, "BATCH", 2)
    from sqlalchemy import select

    chunks = list(opendata.release_package_chunks(select(Need).where(Need.status != "draft"),
                                                  uri="http://portal.test/x", published_date=None))
    assert len(chunks) >= 3
    package = json.loads("".join(chunks))
    assert [r["tender"]["title"] for r in package["releases"]] == [f"Behov {n}" for n in range(5)]


@pytest.mark.parametrize("query", ["per_page=0", "per_page=1001", "per_page=many", "page=0", "cpv=99999999",
                                   "county=77", "q=värme", "status=draft"])
def test_bad_ocds_parameters_are_422(client, query):
    response = client.get(f"/api/v1/ocds/releases.json?{query}")
    assert response.status_code == 422
    assert response.json["error"]["code"] == "invalid" and response.json["error"]["fields"]


def test_release_dates_are_rfc3339(app, make_need):
    release = opendata.release(make_need(planned_notice_date=date(2027, 1, 31)))
    from datetime import datetime

    datetime.strptime(release["date"], "%Y-%m-%dT%H:%M:%SZ")
    assert release["tender"]["tenderPeriod"]["startDate"] == "2027-01-31T00:00:00Z"
