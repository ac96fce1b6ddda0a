"""Who reads what: drafts stay inside the network, and after adoption or during a consultation people
outside it read the published revision while members read (and write) the next one."""
from datetime import date, timedelta

import pytest

from network_app.accounts import services as accounts
from network_app.extensions import db
from network_app.specs import lifecycle, services
from tests.conftest import login

URL = "/networks/bebo/specs/varmepumpar"
API = "/api/v1/networks/bebo/specs/varmepumpar"
TITLE = "Värmepumpar"


def text(n: int) -> str:
    """The text of revision rN: each revision changes the marker line and adds a line of its own."""
    added = "".join(f"Tillägg {i}: krav från arbetsgruppen.\n\n" for i in range(2, n + 1))
    return (f"# Värmepumpar\n\n## Krav\n\nMarkör REV{n}X i texten.\n\nKrav 1: COP minst 3.\n\n{added}"
            "## Garanti\n\nGaranti 5 år.\n")


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("lang", "en")


@pytest.fixture
def people(bebo):
    return bebo


@pytest.fixture
def draft(people):
    spec = services.create_spec(people["network"], services.SpecDraft(title=TITLE, text=text(1)),
                                actor=people["coordinator"])
    services.save_spec(spec, text(2), base_revision=spec.head_revision, actor=people["member"])
    return spec


@pytest.fixture
def published(draft, people):
    """r2 adopted as v1, then r3 and r4 by a member: outsiders must read r2."""
    lifecycle.adopt(draft, note="Styrgruppen", decided_on=date.today(), actor=people["coordinator"])
    for n in (3, 4):
        services.save_spec(draft, text(n), base_revision=draft.head_revision, actor=people["member"])
    assert draft.revision_count == 4
    return draft


def revision(spec, number: int) -> str:
    return services.revision_of(spec, f"r{number}").commit_id


OUTSIDERS = ["anonymous", "supplier", "other network"]


@pytest.fixture
def outsider(request, client, people):
    """A client for someone outside the network (parametrised by name)."""
    who = request.param
    if who != "anonymous":
        user = people["supplier"] if who == "supplier" else people["other"]
        assert login(client, user.email).status_code == 302
    return client


@pytest.fixture
def api_headers(request, people):
    who = request.param
    if who == "anonymous":
        return {}
    user = people["supplier"] if who == "supplier" else people["other"]
    return {"Authorization": f"Bearer {accounts.create_api_token(user)}"}


# --- drafts --------------------------------------------------------------------------------------

PUBLIC_PAGES = ["", "?revision=r1", "/raw", "/history", "/diff", "/diff?from=r1&to=r2", "/blame",
                "/blame?revision=r1", "/versions", "/versions/v1"]
LOGIN_PAGES = ["/edit", "/edit?section=1", "/status", "/revert?revision=r1", "/details"]


@pytest.mark.parametrize("outsider", ["supplier", "other network"], indirect=True)
@pytest.mark.parametrize("suffix", PUBLIC_PAGES + LOGIN_PAGES)
def test_a_draft_is_404_for_people_outside_the_network(outsider, draft, suffix):
    response = outsider.get(f"{URL}{suffix}")
    assert response.status_code == 404
    assert "REV" not in response.text and "Krav 1" not in response.text
    assert TITLE not in outsider.get("/networks/bebo/specs/").text


@pytest.mark.parametrize("suffix", PUBLIC_PAGES)
def test_a_draft_is_404_for_anonymous_visitors(client, draft, suffix):
    response = client.get(f"{URL}{suffix}")
    assert response.status_code == 404
    assert "REV" not in response.text and "Krav 1" not in response.text


@pytest.mark.parametrize("suffix", LOGIN_PAGES)
def test_pages_for_signed_in_people_answer_anonymous_visitors_as_if_the_draft_did_not_exist(client, draft, suffix):
    real = client.get(f"{URL}{suffix}")
    missing = client.get(f"/networks/bebo/specs/finns-inte{suffix}")
    assert real.status_code == missing.status_code == 302
    assert "/login" in real.headers["Location"]


@pytest.mark.parametrize("api_headers", OUTSIDERS, indirect=True)
@pytest.mark.parametrize("suffix", ["", "?revision=r1", "/history", "/diff?from=r1&to=r2", "/versions"])
def test_a_draft_is_404_over_the_api_for_people_outside_the_network(client, draft, api_headers, suffix):
    response = client.get(f"{API}{suffix}", headers=api_headers)
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"
    assert client.get("/api/v1/networks/bebo/specs", headers=api_headers).json == {"specs": []}


def test_members_read_the_draft(client, draft, people):
    login(client, people["member"].email)
    page = client.get(URL)
    assert page.status_code == 200 and "REV2X" in page.text


# --- after adoption: outsiders read the adopted revision ---------------------------------------

@pytest.mark.parametrize("outsider", OUTSIDERS, indirect=True)
def test_outsiders_read_the_adopted_revision_not_the_work_after_it(outsider, published):
    page = outsider.get(URL)
    assert page.status_code == 200
    assert "REV2X" in page.text and "REV3X" not in page.text and "REV4X" not in page.text
    assert f"r2 · <code title=\"{revision(published, 2)}\">" in page.text
    assert "<strong>v1</strong>" in page.text
    assert "You are reading an earlier revision." not in page.text  # r2 is the latest they may read
    assert "This is the working text" not in page.text
    assert outsider.get(f"{URL}/raw").text == text(2)
    assert outsider.get(f"{URL}?revision=r2").status_code == 200
    assert outsider.get(f"{URL}?revision=v1").status_code == 200


@pytest.mark.parametrize("outsider", OUTSIDERS, indirect=True)
def test_outsiders_see_only_the_published_history(outsider, published):
    history = outsider.get(f"{URL}/history")
    assert history.status_code == 200
    assert "2 revisions" in history.text
    assert ">r1</a>" in history.text and ">r2</a>" in history.text
    assert ">r3</a>" not in history.text and ">r4</a>" not in history.text
    assert revision(published, 3)[:7] not in history.text and revision(published, 4)[:7] not in history.text


@pytest.mark.parametrize("outsider", OUTSIDERS, indirect=True)
@pytest.mark.parametrize("suffix", [
    "?revision=r3", "?revision=r4", "/raw?revision=r3", "/raw?revision=r4", "/diff?to=r4", "/diff?from=r3&to=r2",
    "/diff?from=r1&to=r3", "/blame?revision=r4", "/blame?revision=r3",
])
def test_revisions_after_the_published_one_are_404_to_outsiders(outsider, published, suffix):
    response = outsider.get(f"{URL}{suffix}")
    assert response.status_code == 404
    assert "REV3X" not in response.text and "REV4X" not in response.text


@pytest.mark.parametrize("outsider", OUTSIDERS, indirect=True)
def test_unpublished_revisions_are_404_by_commit_id_too(outsider, published):
    for number in (3, 4):
        commit = revision(published, number)
        for suffix in (f"?revision={commit}", f"?revision={commit[:7]}", f"/raw?revision={commit}",
                       f"/diff?to={commit}", f"/blame?revision={commit}"):
            assert outsider.get(f"{URL}{suffix}").status_code == 404, suffix


@pytest.mark.parametrize("outsider", OUTSIDERS, indirect=True)
def test_the_default_diff_and_blame_stop_at_the_published_revision(outsider, published):
    diff = outsider.get(f"{URL}/diff")
    assert diff.status_code == 200 and "REV2X" in diff.text and "REV3X" not in diff.text
    assert "REV4X" not in diff.text
    blame = outsider.get(f"{URL}/blame")
    assert blame.status_code == 200 and "at r2." in blame.text
    assert "REV2X" in blame.text and "REV4X" not in blame.text and "Tillägg 3" not in blame.text


@pytest.mark.parametrize("api_headers", OUTSIDERS, indirect=True)
def test_the_api_gives_outsiders_the_adopted_revision(client, published, api_headers):
    detail = client.get(API, headers=api_headers)
    assert detail.status_code == 200
    body = detail.json
    assert (body["number"], body["revision"], body["version"]) == (2, revision(published, 2), "v1")
    assert body["text"] == text(2) and "REV4X" not in body["html"]
    history = client.get(f"{API}/history", headers=api_headers).json
    assert history["total"] == 2 and [r["number"] for r in history["revisions"]] == [2, 1]
    for suffix in ("?revision=r3", "?revision=r4", f"?revision={revision(published, 4)}", "/diff?from=r1&to=r4",
                   "/diff?from=r3&to=r2"):
        assert client.get(f"{API}{suffix}", headers=api_headers).status_code == 404, suffix
    diff = client.get(f"{API}/diff?from=r1&to=r2", headers=api_headers)
    assert diff.status_code == 200 and "+Markör REV2X i texten." in diff.json["diff"]
    assert [v["version"] for v in client.get(f"{API}/versions", headers=api_headers).json["versions"]] == ["v1"]
    listed = client.get("/api/v1/networks/bebo/specs", headers=api_headers).json["specs"]
    assert [(s["slug"], s["number"], s["revision"]) for s in listed] == [
        ("varmepumpar", 2, revision(published, 2))]


def test_members_read_the_working_text_and_are_told_what_others_read(client, published, people):
    login(client, people["member"].email)
    page = client.get(URL)
    assert "REV4X" in page.text and f"r4 · <code title=\"{published.head_revision}\">" in page.text
    assert "This is the working text, visible to the network's members. Everyone else reads r2." in page.text
    assert "4 revisions" in client.get(f"{URL}/history").text
    assert client.get(f"{URL}?revision=r3").status_code == 200
    token = accounts.create_api_token(people["member"])
    body = client.get(API, headers={"Authorization": f"Bearer {token}"}).json
    assert body["number"] == 4 and body["text"] == text(4) and body["version"] is None


# --- during a consultation -----------------------------------------------------------------------

@pytest.mark.parametrize("outsider", OUTSIDERS, indirect=True)
def test_during_a_consultation_outsiders_read_the_consultation_revision(client, outsider, draft, people):
    lifecycle.open_consultation(draft, date.today() + timedelta(days=30), actor=people["coordinator"])
    services.save_spec(draft, text(3), base_revision=draft.head_revision, actor=people["member"])
    page = outsider.get(URL)
    assert page.status_code == 200 and "Out for consultation until" in page.text
    assert "REV2X" in page.text and "REV3X" not in page.text
    assert "2 revisions" in outsider.get(f"{URL}/history").text
    assert outsider.get(f"{URL}?revision=r3").status_code == 404
    assert outsider.get(f"{URL}/raw").text == text(2)
    body = client.get(API).json  # the API, anonymously
    assert (body["status"], body["number"], body["text"]) == ("consultation", 2, text(2))


# --- a draft named on a public page --------------------------------------------------------------

def test_superseding_by_a_draft_does_not_reveal_the_draft(client, published, people):
    secret = services.create_spec(people["network"], services.SpecDraft(title="Hemligt utkast 2027", text=text(1)),
                                  actor=people["coordinator"])
    login(client, people["coordinator"].email)
    response = client.post(f"{URL}/archive", data={"successor": secret.slug})
    visitor = client.application.test_client()
    visitor.set_cookie("lang", "en")
    assert visitor.get(f"/networks/bebo/specs/{secret.slug}").status_code == 404  # still a draft
    # Either superseding by a draft is refused, or the public page does not name the draft.
    assert response.status_code in (302, 422)
    page = visitor.get(URL)
    assert page.status_code == 200
    assert "Hemligt utkast 2027" not in page.text and secret.slug not in page.text
    if response.status_code == 422:
        db.session.expire_all()
        assert (published.status, published.successor_id) == ("adopted", None)
