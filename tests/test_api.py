"""The JSON API: bearer tokens, JSON errors, OpenAPI document, networks and the current user."""
import re

import pytest

from network_app.accounts import services as accounts
from network_app.networks import services as networks


@pytest.fixture
def token(make_user):
    user = make_user(email="api@example.org", name="Api User")
    return accounts.create_api_token(user, "test")


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_me_needs_a_token(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"
    assert "message" in response.json["error"]


@pytest.mark.parametrize("header", ["Bearer nonsense", "Basic abc", "Bearer "])
def test_wrong_tokens_are_401_even_on_public_endpoints(client, header):
    response = client.get("/api/v1/networks", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"


def test_me_describes_the_token_user(client, token, make_network):
    response = client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 200
    body = response.json
    assert body["email"] == "api@example.org" and body["organisation"]["orgnr"]
    assert body["permissions"]["create_network"] is True


def test_tokens_are_stored_hashed_and_can_be_revoked(client, token, app):
    from network_app.accounts.models import ApiToken
    from network_app.extensions import db

    row = db.session.scalar(db.select(ApiToken))
    assert row.token_hash != token and token not in row.token_hash
    accounts.revoke_api_token(row.user, row.id)
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401


def test_revoking_a_token_in_the_profile_page(client, token, make_user):
    from tests.conftest import login

    login(client, "api@example.org")
    page = client.get("/account")
    assert token[:10] in page.text and token not in page.text  # only the prefix is ever shown again
    from network_app.accounts.models import ApiToken
    from network_app.extensions import db

    token_id = db.session.scalar(db.select(ApiToken.id))
    client.post(f"/account/tokens/{token_id}/revoke", data={})
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401


def test_networks_list_show_and_members(client, make_network, token):
    network = make_network(slug="bebo", name="BeBo")
    listing = client.get("/api/v1/networks").json
    assert [n["slug"] for n in listing["networks"]] == ["bebo"]
    assert listing["networks"][0]["member_count"] == 1
    detail = client.get("/api/v1/networks/bebo", headers=bearer(token)).json
    assert detail["name"] == "BeBo" and detail["members"][0]["role"] == "coordinator"
    members = client.get("/api/v1/networks/bebo/members").json["members"]
    assert members[0]["organisation"]["orgnr"] == network.memberships[0].organisation.orgnr


def test_unknown_network_and_unknown_route_are_json_404(client):
    for path in ("/api/v1/networks/nope", "/api/v1/nothing-here"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json["error"]["code"] == "not_found"


def test_wrong_method_is_json_405(client):
    response = client.post("/api/v1/networks")
    assert response.status_code == 405
    assert response.json["error"]["code"] == "method_not_allowed"


def test_openapi_document_describes_every_api_route(client, app):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    documented = set(spec["paths"])
    routes = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi":
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            routes.setdefault(path, set()).update(m.lower() for m in rule.methods - {"HEAD", "OPTIONS"})
    assert set(routes) == documented
    for path, methods in routes.items():
        assert set(spec["paths"][path]) >= methods, path
        assert all(spec["paths"][path][m]["responses"] for m in methods)
