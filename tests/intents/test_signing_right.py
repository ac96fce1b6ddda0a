"""The organisation's administrator grants and removes the right to sign letters of intent."""
from network_app.extensions import db
from tests.conftest import login


def test_the_admin_grants_and_removes_the_signing_right(client, bebo, make_user):
    admin = bebo["member"]
    colleague = make_user(email="colleague@example.org", org=admin.organisation)
    login(client, admin.email)
    page = client.get(f"/organisations/{admin.organisation.id}/users")
    assert page.status_code == 200 and f"/users/{colleague.id}/grant_signing" in page.text
    url = f"/organisations/{admin.organisation.id}/users/{colleague.id}"
    assert client.post(f"{url}/grant_signing", data={}).status_code == 302
    db.session.refresh(colleague)
    assert colleague.may_sign_intents
    assert client.post(f"{url}/revoke_signing", data={}).status_code == 302
    db.session.refresh(colleague)
    assert not colleague.may_sign_intents


def test_only_the_organisations_admin_may_grant_it(client, bebo, make_user):
    colleague = make_user(email="colleague@example.org", org=bebo["member"].organisation)
    login(client, colleague.email)  # not an administrator
    response = client.post(f"/organisations/{colleague.organisation.id}/users/{colleague.id}/grant_signing", data={})
    assert response.status_code == 403
    db.session.refresh(colleague)
    assert not colleague.may_sign_intents


def test_leaving_the_organisation_ends_the_signing_right(client, bebo, make_user):
    admin = bebo["member"]
    colleague = make_user(email="colleague@example.org", org=admin.organisation)
    colleague.may_sign_intents = True
    db.session.commit()
    login(client, admin.email)
    client.post(f"/organisations/{admin.organisation.id}/users/{colleague.id}/remove", data={})
    db.session.refresh(colleague)
    assert not colleague.may_sign_intents
