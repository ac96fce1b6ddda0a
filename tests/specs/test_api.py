"""Specifications over the JSON API: create, read, save with merge or 409, history, diff, privacy."""
import pytest

from network_app.accounts import services as accounts
from network_app.networks import services as networks

TEXT = "# Värmepumpar\n\nKrav 1: COP minst 3.\n\nKrav 2: ljudnivå högst 45 dB.\n\nKrav 3: garanti 5 år.\n"


@pytest.fixture
def setup(make_network, make_user):
    network = make_network(slug="bebo")
    coordinator = network.memberships[0].organisation.users[0]
    member = make_user(email="member@example.org", name="Mia Member", admin=True)
    observer = make_user(email="observer@example.org", admin=True)
    for user, role in ((member, "member"), (observer, "observer")):
        networks.accept_invitation(networks.invite_organisation(network, user.organisation.orgnr, role,
                                                                actor=coordinator), actor=user)
    tokens = {name: accounts.create_api_token(user) for name, user in
              (("coordinator", coordinator), ("member", member), ("observer", observer),
               ("outsider", make_user(email="out@example.org")))}
    return network, tokens


def auth(token):
    return {"Authorization": f"Bearer {token}"}


def create(client, token, **body):
    return client.post("/api/v1/networks/bebo/specs", json={"title": "Värmepumpar", "text": TEXT, **body},
                       headers=auth(token))


def test_create_read_and_history(client, setup):
    _, tokens = setup
    created = create(client, tokens["member"], cpv=["45331000"], message="Första utkast")
    assert created.status_code == 201
    body = created.json
    assert body["slug"] == "varmepumpar" and body["status"] == "draft" and body["cpv"] == ["45331000-6"]
    assert len(body["revision"]) == 40 and body["number"] == 1
    spec = client.get("/api/v1/networks/bebo/specs/varmepumpar", headers=auth(tokens["observer"])).json
    assert spec["text"] == TEXT and '<h2 id="h-varmepumpar">Värmepumpar</h2>' in spec["html"]
    assert spec["author_name"] == "Mia Member"
    history = client.get("/api/v1/networks/bebo/specs/varmepumpar/history").status_code
    assert history == 404  # a draft: anonymous callers do not see it exists


def test_drafts_are_404_to_outsiders_everywhere(client, setup):
    _, tokens = setup
    create(client, tokens["member"])
    for suffix in ("", "/history", "/diff?from=r1&to=r1"):
        for headers in ({}, auth(tokens["outsider"])):
            assert client.get(f"/api/v1/networks/bebo/specs/varmepumpar{suffix}", headers=headers).status_code == 404
    assert client.get("/api/v1/networks/bebo/specs", headers=auth(tokens["outsider"])).json == {"specs": []}


def test_observers_and_outsiders_cannot_write(client, setup):
    _, tokens = setup
    assert create(client, tokens["observer"]).status_code == 403
    assert create(client, tokens["outsider"]).status_code == 404
    assert create(client, "").status_code == 401


@pytest.mark.parametrize("body, field", [({"title": ""}, "title"), ({"cpv": ["12345678"]}, "cpv"),
                                         ({"cpv": "45331000"}, "cpv"), ({"text": "a\x00b"}, "text"),
                                         ({"message": "two\nlines"}, "message")])
def test_bad_input_is_422_and_nothing_is_stored(client, setup, body, field):
    _, tokens = setup
    response = create(client, tokens["member"], **body)
    assert response.status_code == 422
    assert field in response.json["error"]["fields"]
    assert client.get("/api/v1/networks/bebo/specs", headers=auth(tokens["member"])).json == {"specs": []}


def test_non_overlapping_edits_merge_and_overlapping_ones_conflict(client, setup):
    _, tokens = setup
    base = create(client, tokens["member"]).json["revision"]
    url = "/api/v1/networks/bebo/specs/varmepumpar"
    first = client.put(url, json={"text": TEXT.replace("COP minst 3", "COP minst 3,5"), "base_revision": base},
                       headers=auth(tokens["coordinator"]))
    assert first.status_code == 200 and first.json["merged"] is False
    second = client.put(url, json={"text": TEXT.replace("5 år", "10 år"), "base_revision": base,
                                   "message": "Längre garanti"}, headers=auth(tokens["member"]))
    assert second.status_code == 200 and second.json["merged"] is True
    text = client.get(url, headers=auth(tokens["member"])).json["text"]
    assert "COP minst 3,5" in text and "10 år" in text
    conflict = client.put(url, json={"text": TEXT.replace("COP minst 3", "COP minst 4"), "base_revision": base},
                          headers=auth(tokens["member"]))
    assert conflict.status_code == 409
    body = conflict.json
    assert body["error"]["code"] == "edit_conflict"
    assert body["current_revision"] == second.json["revision"] and "COP minst 3,5" in body["current_text"]
    assert "COP minst 4" in body["conflict_text"] and "<<<<<<<" in body["conflict_text"]
    history = client.get(f"{url}/history", headers=auth(tokens["member"])).json
    assert history["total"] == 3 and [r["number"] for r in history["revisions"]] == [3, 2, 1]
    assert history["revisions"][0]["message"] == "Längre garanti"
    diff = client.get(f"{url}/diff?from=r1&to=r3", headers=auth(tokens["member"])).json["diff"]
    assert "+Krav 3: garanti 10 år." in diff


def test_an_unknown_base_revision_is_422(client, setup):
    _, tokens = setup
    create(client, tokens["member"])
    response = client.put("/api/v1/networks/bebo/specs/varmepumpar", json={"text": "x", "base_revision": "f" * 40},
                          headers=auth(tokens["member"]))
    assert response.status_code == 422 and "base_revision" in response.json["error"]["fields"]


@pytest.mark.parametrize("revision", ["HEAD", "--help", "r0", "../x", "v9"])
def test_bad_revision_parameters_are_404(client, setup, revision):
    _, tokens = setup
    create(client, tokens["member"])
    response = client.get(f"/api/v1/networks/bebo/specs/varmepumpar?revision={revision}",
                          headers=auth(tokens["member"]))
    assert response.status_code == 404
