"""The organisation page and its administrator's edit page."""
import pytest

from tests.conftest import login


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("lang", "en")


def test_public_page_shows_the_organisation(client, make_org):
    org = make_org(name="Värmeteknik AB", kind="company", size_class="small", counties=["06"])
    page = client.get(f"/organisations/{org.id}")
    assert page.status_code == 200
    assert "Värmeteknik AB" in page.text and org.orgnr in page.text and "Jönköpings län" in page.text
    assert client.get("/organisations/99999").status_code == 404


def test_the_admin_edits_details_but_not_the_number(client, make_user):
    admin = make_user(email="admin@example.org", org_kind="company", admin=True)
    org = admin.organisation
    login(client, admin.email)
    response = client.post(f"/organisations/{org.id}/edit", data={
        "org_name": "Nytt Namn AB", "kind": "company", "size_class": "medium", "counties": ["01", "25"],
        "orgnr": "212000-0142"})
    assert response.status_code == 302
    assert (org.name, org.size_class, org.county_codes) == ("Nytt Namn AB", "medium", ["01", "25"])
    assert org.orgnr != "212000-0142"


def test_bad_edit_keeps_what_was_typed(client, make_user):
    admin = make_user(email="admin@example.org", org_kind="company", admin=True)
    login(client, admin.email)
    response = client.post(f"/organisations/{admin.organisation_id}/edit",
                           data={"org_name": "Nytt Namn AB", "kind": "company", "size_class": ""})
    assert response.status_code == 422
    assert "Choose the size class" in response.text and "Nytt Namn AB" in response.text
    assert admin.organisation.name != "Nytt Namn AB"


def test_other_users_may_not_edit(client, make_user):
    admin = make_user(admin=True)
    colleague = make_user(email="colleague@example.org", org=admin.organisation)
    login(client, colleague.email)
    assert client.get(f"/organisations/{admin.organisation_id}/edit").status_code == 403
    assert client.get(f"/organisations/{admin.organisation_id}/users").status_code == 403
