"""Letters of intent over the JSON API: the public aggregate, signing (201 with the pinned ids),
signing twice (409 with the first date), refusals, and drafts hidden from outsiders."""
import pytest

from network_app.accounts import services as accounts
from network_app.extensions import db
from network_app.intents import signing
from tests.intents.conftest import draft

SIGN = {"signer_name": "Mia Member", "signer_title": "Inköpschef", "quantity": "12,5", "quantity_unit": "st",
        "value": 2500000, "window_start": "2027-03", "window_end": "2027-09", "counties": ["01"]}


def auth(user):
    return {"Authorization": f"Bearer {accounts.create_api_token(user)}"}


def test_the_public_letter_and_its_aggregate(client, world):
    letter = world["letter"]
    signing.sign_intent(letter, draft(quantity="10", value="1000000"), actor=world["member"])
    signing.sign_intent(letter, draft(quantity="2", quantity_unit="kW", value="5", is_named=False),
                        actor=world["company"])
    body = client.get(f"/api/v1/intents/{letter.id}").json
    assert body["id"] == letter.id and body["title"] == "Värmepumpar 2027" and body["binding"] is False
    assert body["spec_version"] == "v1" and body["organisations"] == 2
    assert body["quantities"] == [{"unit": "kW", "total": 2}, {"unit": "st", "total": 10}]
    assert body["total_value"] == 1000005
    names = [s["organisation"] for s in body["signatures"]]
    assert names == [world["member"].organisation.name, None]
    fields = {"organisation", "spec_version", "signed_at", "intent_revision", "spec_revision"}
    assert fields <= set(body["signatures"][0])
    listing = client.get("/api/v1/networks/bebo/intents").json
    assert [i["id"] for i in listing["intents"]] == [letter.id]


def test_signing_returns_the_pinned_ids_and_twice_is_409_with_the_first_date(client, world):
    letter = world["letter"]
    response = client.post(f"/api/v1/intents/{letter.id}/signatures", json=SIGN, headers=auth(world["member"]))
    assert response.status_code == 201, response.json
    assert response.json["intent_revision"] == letter.head_revision
    assert response.json["spec_revision"] == world["spec"].versions[0].commit_id
    assert response.json["spec_version"] == "v1"
    again = client.post(f"/api/v1/intents/{letter.id}/signatures", json=SIGN, headers=auth(world["member"]))
    assert again.status_code == 409
    assert again.json["error"]["code"] == "already_signed"
    assert again.json["error"]["signed_at"] == response.json["signed_at"]
    assert float(client.get(f"/api/v1/intents/{letter.id}").json["quantities"][0]["total"]) == 12.5


@pytest.mark.parametrize("who, status", [("observer", 403), ("supplier", 403), ("outsider", 403)])
def test_those_who_may_not_sign_are_refused(client, world, who, status):
    response = client.post(f"/api/v1/intents/{world['letter'].id}/signatures", json=SIGN, headers=auth(world[who]))
    assert response.status_code == status and response.json["error"]["code"] == "forbidden"


def test_signing_needs_a_token_and_valid_input(client, world):
    url = f"/api/v1/intents/{world['letter'].id}/signatures"
    assert client.post(url, json=SIGN).status_code == 401
    bad = client.post(url, json={**SIGN, "value": "lots"}, headers=auth(world["member"]))
    assert bad.status_code == 422 and "value" in bad.json["error"]["fields"]
    bad = client.post(url, json={**SIGN, "window_start": "March"}, headers=auth(world["member"]))
    assert bad.status_code == 422
    assert client.post(url, data="x", headers=auth(world["member"])).status_code == 422
    assert not world["letter"].signatures


def test_drafts_are_404_to_outsiders_and_anonymous(client, world):
    letter = world["letter"]
    letter.status = "draft"
    db.session.commit()
    assert client.get(f"/api/v1/intents/{letter.id}").status_code == 404
    assert client.get(f"/api/v1/intents/{letter.id}", headers=auth(world["outsider"])).status_code == 404
    assert client.get(f"/api/v1/intents/{letter.id}", headers=auth(world["observer"])).status_code == 200
    assert client.get("/api/v1/networks/bebo/intents").json == {"intents": []}
    assert client.get("/api/v1/intents/9999").status_code == 404
