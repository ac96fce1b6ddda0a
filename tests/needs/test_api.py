"""The planned-needs API: the public list with its filters, a need, publishing over the API, and
registrations of interest."""
from datetime import date

import pytest
from sqlalchemy import func, select

from network_app.accounts import services as accounts
from network_app.extensions import db
from network_app.needs import services
from network_app.needs.models import Interest, Need


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {accounts.create_api_token(user, 'test')}"}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def valid_body(**changes) -> dict:
    body = {"title": "Solceller på skolor", "description": "Solceller på tio skolor.", "cpv": ["09331200-0"],
            "counties": ["01"], "procedure": "open", "planned_notice_date": "2027-04-01",
            "planned_contract_start": "2027-10-01"}
    body.update(changes)
    return body


@pytest.fixture
def listed(make_need, people):
    """Five published needs and a draft, to filter."""
    return {
        "heat": make_need("Värmepumpar till flerbostadshus", cpv=["45331000-6"], counties=["01"],
                          value_min=2_000_000, value_max=3_000_000, planned_notice_date=date(2027, 3, 1)),
        "roof": make_need("Takbyte på förskolor", cpv=["45261000-4"], counties=["14"], procedure="restricted",
                          value_min=800_000, planned_notice_date=date(2027, 5, 1)),
        "food": make_need("Skolmåltider", cpv=["55524000-9"], counties=["14"], procedure="direct_award",
                          reserved_for_non_profits=True, planned_notice_date=date(2027, 2, 1)),
        "ict": make_need("Datorer till skolor", cpv=["30213000-5"], counties=["01"], critical_supply=True,
                         planned_notice_date=date(2027, 6, 1)),
        "network": make_need("Gemensam upphandling av belysning", cpv=["31500000-1"], counties=["03"],
                             network="bebo", actor=people["coordinator"], planned_notice_date=date(2027, 7, 1)),
        "draft": make_need("Hemligt utkast", publish=False),
    }


def titles(response) -> list[str]:
    assert response.status_code == 200, response.json
    return sorted(n["title"] for n in response.json["needs"])


# --- the list ------------------------------------------------------------------------------------------

def test_list_shows_published_needs_without_login(client, listed):
    response = client.get("/api/v1/needs")
    body = response.json
    assert body["total"] == 5 and body["page"] == 1 and body["per_page"] == 20 and body["links"] == {}
    assert "Hemligt utkast" not in titles(response)
    heat = next(n for n in body["needs"] if n["id"] == listed["heat"].id)
    assert heat["cpv"][0]["code"] == "45331000-6" and heat["cpv"][0]["label"]
    assert heat["counties"] == ["01"] and heat["value_min"] == 2_000_000 and heat["value_max"] == 3_000_000
    assert heat["url"] == f"http://portal.test/needs/{listed['heat'].id}"
    assert heat["api_url"] == f"http://portal.test/api/v1/needs/{listed['heat'].id}"
    assert heat["status"] == "planned" and heat["status_label"] == "Planned"


@pytest.mark.parametrize("query, expected", [
    ("cpv=45000000", ["Takbyte på förskolor", "Värmepumpar till flerbostadshus"]),  # 45xxxxxx
    ("cpv=45331000-6", ["Värmepumpar till flerbostadshus"]),
    ("cpv=4526", ["Takbyte på förskolor"]),
    ("county=14", ["Skolmåltider", "Takbyte på förskolor"]),
    ("county=01&cpv=30", ["Datorer till skolor"]),
    ("procedure=restricted", ["Takbyte på förskolor"]),
    ("procedure=direct_award", ["Skolmåltider"]),
    ("value_min=1000000", ["Värmepumpar till flerbostadshus"]),
    ("value_max=1000000", ["Takbyte på förskolor"]),
    ("notice_from=2027-05-01&notice_to=2027-06-30", ["Datorer till skolor", "Takbyte på förskolor"]),
    ("reserved=1", ["Skolmåltider"]),
    ("critical=true", ["Datorer till skolor"]),
    ("network=bebo", ["Gemensam upphandling av belysning"]),
    ("q=värmepump", ["Värmepumpar till flerbostadshus"]),
    ("q=skolor", ["Datorer till skolor"]),
])
def test_list_filters(client, listed, query, expected):
    assert titles(client.get(f"/api/v1/needs?{query}")) == expected


def test_status_filter(client, listed, people):
    services.change_status(listed["roof"], "market_dialogue", actor=people["member"])
    services.change_status(listed["food"], "cancelled", actor=people["member"], reason="Ingen budget.")
    assert titles(client.get("/api/v1/needs?status=market_dialogue")) == ["Takbyte på förskolor"]
    assert titles(client.get("/api/v1/needs?status=cancelled,market_dialogue")) == ["Skolmåltider",
                                                                                    "Takbyte på förskolor"]
    assert titles(client.get("/api/v1/needs?status=cancelled&status=planned")) == [
        "Datorer till skolor", "Gemensam upphandling av belysning", "Skolmåltider",
        "Värmepumpar till flerbostadshus"]


def test_buyer_filter(client, listed):
    buyer = listed["heat"].organisation_id
    assert "Värmepumpar till flerbostadshus" in titles(client.get(f"/api/v1/needs?buyer={buyer}"))


def test_list_pages_with_links(client, listed):
    first = client.get("/api/v1/needs?per_page=2&sort=notice").json
    assert [n["title"] for n in first["needs"]] == ["Skolmåltider", "Värmepumpar till flerbostadshus"]
    assert first["total"] == 5 and "prev" not in first["links"]
    seen = [n["title"] for n in first["needs"]]
    page = first
    while "next" in page["links"]:
        page = client.get(page["links"]["next"].removeprefix("http://portal.test")).json
        assert "prev" in page["links"] and "per_page=2" in page["links"]["prev"]
        seen += [n["title"] for n in page["needs"]]
    assert len(seen) == 5 and len(set(seen)) == 5
    assert page["page"] == 3


@pytest.mark.parametrize("query, field", [("cpv=99999999", "cpv"), ("county=99", "county"),
                                          ("status=draft", "status"), ("procedure=auction", "procedure"),
                                          ("value_min=lots", "value_min"), ("value_max=-5", "value_max"),
                                          ("notice_from=2027-13-01", "notice_from"), ("buyer=x", "buyer")])
def test_unreadable_filters_are_422(client, query, field):
    response = client.get(f"/api/v1/needs?{query}")
    assert response.status_code == 422
    assert response.json["error"]["code"] == "invalid"
    assert set(response.json["error"]["fields"]) == {field}


# --- one need ------------------------------------------------------------------------------------------

def test_detail_with_interest_count(client, listed, people):
    need = listed["heat"]
    client.post(f"/api/v1/needs/{need.id}/interest", json={"contact_name": "Sam"}, headers=bearer(people["supplier"]))
    body = client.get(f"/api/v1/needs/{need.id}").json
    assert body["id"] == need.id and body["interest_count"] == 1
    assert body["description"] and body["contact"]["email"] == "mia@example.org"
    assert body["ocid"] == f"ocds-xxxxxx-networkapp-need-{need.id}"


def test_drafts_only_for_their_publishers(client, listed, people):
    draft = listed["draft"]
    assert client.get(f"/api/v1/needs/{draft.id}").status_code == 404
    assert client.get(f"/api/v1/needs/{draft.id}", headers=bearer(people["outsider"])).status_code == 404
    assert client.get(f"/api/v1/needs/{draft.id}", headers=bearer(people["supplier"])).status_code == 404
    response = client.get(f"/api/v1/needs/{draft.id}", headers=bearer(people["member"]))
    assert response.status_code == 200 and response.json["status"] == "draft" and response.json["ocid"] is None


@pytest.mark.parametrize("path", ["/api/v1/needs/999999", "/api/v1/needs/0", "/api/v1/needs/abc"])
def test_unknown_need_is_404(client, path):
    response = client.get(path)
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


# --- publishing ----------------------------------------------------------------------------------------

def test_post_publishes_a_need(client, people):
    response = client.post("/api/v1/needs", json=valid_body(estimated_value={"min": 1_000_000, "max": 1_500_000},
                                                            municipalities=["0180"], quantity="tio skolor"),
                           headers=bearer(people["member"]))
    assert response.status_code == 201, response.json
    body = response.json
    assert response.headers["Location"] == f"http://portal.test/api/v1/needs/{body['id']}"
    assert body["status"] == "planned" and body["value_min"] == 1_000_000 and body["value_max"] == 1_500_000
    assert body["municipalities"] == ["0180"] and body["cpv"][0]["code"] == "09331200-0"
    need = db.session.get(Need, body["id"])
    assert need.published_at is not None and need.created_by_id == people["member"].id
    assert client.get(f"/api/v1/needs/{body['id']}").status_code == 200


def test_post_as_a_draft_and_single_values(client, people):
    response = client.post("/api/v1/needs", json=valid_body(publish=False, estimated_value=750_000),
                           headers=bearer(people["member"]))
    assert response.status_code == 201 and response.json["status"] == "draft"
    assert response.json["value_min"] == 750_000
    assert client.get(f"/api/v1/needs/{response.json['id']}").status_code == 404  # not public
    response = client.post("/api/v1/needs", json=valid_body(value_min="2 000 000", value_max=3_000_000),
                           headers=bearer(people["member"]))
    assert response.status_code == 201 and response.json["value_min"] == 2_000_000


def test_post_for_a_network(client, people):
    response = client.post("/api/v1/needs", json=valid_body(network="bebo"), headers=bearer(people["member"]))
    assert response.status_code == 201, response.json
    assert response.json["buyer"]["network"]["slug"] == "bebo"


@pytest.mark.parametrize("changes, field", [
    ({"cpv": ["12345678"]}, "cpv"),
    ({"cpv": []}, "cpv"),
    ({"cpv": "45331000-6"}, "cpv"),
    ({"counties": ["99"]}, "counties"),
    ({"counties": []}, "counties"),
    ({"planned_contract_start": "2027-01-01"}, "planned_contract_start"),
    ({"planned_notice_date": "next spring"}, "planned_notice_date"),
    ({"value_min": -5}, "value_min"),
    ({"estimated_value": -5}, "value_min"),
    ({"estimated_value": {"min": 5, "max": 1}}, "value_max"),
    ({"estimated_value": "a lot"}, "estimated_value"),
    ({"estimated_value": 5, "value_min": 1}, "estimated_value"),
    ({"value_max": True}, "value_max"),
    ({"procedure": "auction"}, "procedure"),
    ({"title": ""}, "title"),
    ({"title": 42}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"reserved_for_non_profits": "yes"}, "reserved_for_non_profits"),
    ({"contact_email": "not an address"}, "contact_email"),
    ({"spec": "bebo/nothing/v9"}, "spec"),
    ({"municipalities": ["9999"]}, "municipalities"),
    ({"network": "nowhere"}, "network"),
    ({"publish": "yes"}, "publish"),
])
def test_post_bad_input_is_422_and_stores_nothing(client, people, changes, field):
    response = client.post("/api/v1/needs", json=valid_body(**changes), headers=bearer(people["member"]))
    assert response.status_code == 422, response.json
    assert response.json["error"]["code"] == "invalid"
    assert field in response.json["error"]["fields"], response.json
    assert count(Need) == 0


def test_post_needs_a_json_object(client, people):
    for kwargs in ({"data": "title=x"}, {"json": ["a list"]}):
        response = client.post("/api/v1/needs", headers=bearer(people["member"]), **kwargs)
        assert response.status_code == 422
    assert count(Need) == 0


def test_post_needs_a_token(client):
    assert client.post("/api/v1/needs", json=valid_body()).status_code == 401
    assert count(Need) == 0


@pytest.mark.parametrize("who, network", [("supplier", ""), ("admin", ""), ("outsider", "bebo"),
                                          ("observer", "bebo"), ("member", "belok")])
def test_post_forbidden(client, people, who, network):
    response = client.post("/api/v1/needs", json=valid_body(network=network), headers=bearer(people[who]))
    assert response.status_code in (403, 404), response.json
    assert response.status_code == 403 or who == "admin"
    assert count(Need) == 0


# --- interest ------------------------------------------------------------------------------------------

def test_register_interest(client, listed, people):
    need = listed["heat"]
    supplier = people["supplier"]
    response = client.post(f"/api/v1/needs/{need.id}/interest",
                           json={"contact_name": "Sam Supplier", "contact_phone": "08-123 45",
                                 "message": "Vi levererar bergvärme.", "consortium": True},
                           headers=bearer(supplier))
    assert response.status_code == 201, response.json
    body = response.json
    assert body["need"] == need.id and body["organisation"]["id"] == supplier.organisation.id
    assert body["contact_email"] == supplier.email and body["consortium"] is True and body["active"] is True
    again = client.post(f"/api/v1/needs/{need.id}/interest", json={"contact_name": "Sam"}, headers=bearer(supplier))
    assert again.status_code == 409
    assert again.json["error"]["code"] == "already_registered" and "PUT" in again.json["error"]["message"]
    changed = client.put(f"/api/v1/needs/{need.id}/interest", json={"contact_name": "Sam S", "subcontractor": True},
                         headers=bearer(supplier))
    assert changed.status_code == 200 and changed.json["subcontractor"] is True and changed.json["id"] == body["id"]
    assert client.delete(f"/api/v1/needs/{need.id}/interest", headers=bearer(supplier)).status_code == 204
    assert services.interest_count(need) == 0
    renewed = client.post(f"/api/v1/needs/{need.id}/interest", json={"contact_name": "Sam"}, headers=bearer(supplier))
    assert renewed.status_code == 201 and renewed.json["id"] == body["id"]
    assert count(Interest) == 1


@pytest.mark.parametrize("body, field", [({}, "contact_name"), ({"contact_name": "Sam", "contact_email": "nope"},
                                                                   "contact_email"),
                                         ({"contact_name": "Sam", "message": "x" * 4001}, "message"),
                                         ({"contact_name": "Sam", "consortium": "yes"}, "consortium"),
                                         ({"contact_name": ["Sam"]}, "contact_name")])
def test_interest_bad_input_is_422(client, listed, people, body, field):
    response = client.post(f"/api/v1/needs/{listed['heat'].id}/interest", json=body,
                           headers=bearer(people["supplier"]))
    assert response.status_code == 422
    assert field in response.json["error"]["fields"]
    assert count(Interest) == 0


def test_interest_refused_on_closed_needs(client, listed, people):
    need = listed["food"]
    services.change_status(need, "cancelled", actor=people["member"], reason="Ingen budget.")
    response = client.post(f"/api/v1/needs/{need.id}/interest", json={"contact_name": "Sam"},
                           headers=bearer(people["supplier"]))
    assert response.status_code == 409 and response.json["error"]["code"] == "interest_refused"
    draft = client.post(f"/api/v1/needs/{listed['draft'].id}/interest", json={"contact_name": "Sam"},
                        headers=bearer(people["supplier"]))
    assert draft.status_code == 404
    assert count(Interest) == 0


def test_buyers_cannot_register_interest(client, listed, people):
    response = client.post(f"/api/v1/needs/{listed['heat'].id}/interest", json={"contact_name": "Otto"},
                           headers=bearer(people["outsider"]))
    assert response.status_code == 403
    assert client.post(f"/api/v1/needs/{listed['heat'].id}/interest", json={"contact_name": "Anon"}).status_code == 401
    assert count(Interest) == 0


def test_withdrawing_nothing_is_404(client, listed, people):
    response = client.delete(f"/api/v1/needs/{listed['heat'].id}/interest", headers=bearer(people["supplier"]))
    assert response.status_code == 404


def test_openapi_describes_the_needs_routes(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert set(paths["/api/v1/needs"]) == {"get", "post"}
    assert set(paths["/api/v1/needs/{need_id}/interest"]) == {"post", "put", "delete"}
    names = [p["name"] for p in paths["/api/v1/needs"]["get"]["parameters"]]
    assert {"q", "cpv", "county", "status", "value_min", "page", "per_page"} <= set(names)
    assert "per_page" in [p["name"] for p in paths["/api/v1/ocds/releases.json"]["get"]["parameters"]]
