"""Registration, login, logout, password change and reset through HTTP."""
import re

import pytest
from sqlalchemy import func, select

from network_app.accounts.models import LoginSession, User
from network_app.extensions import db
from network_app.organisations.models import Organisation
from tests.conftest import PASSWORD, link_in, login, valid_orgnr


@pytest.fixture(autouse=True)
def english(client):
    """Assertions use the source (English) messages; tests/test_i18n.py covers Swedish."""
    client.set_cookie("lang", "en")


def registration(**overrides):
    data = {"name": "Ada Buyer", "email": "ada@example.org", "password": PASSWORD, "org_choice": "new",
            "orgnr": valid_orgnr("212"), "org_name": "Exempelby kommun", "kind": "municipality"}
    data.update(overrides)
    return data


def without_tokens(html: str) -> str:
    """The page without its CSRF tokens, which carry a timestamp."""
    return re.sub(r'(name="csrf_token"[^>]*?value=")[^"]*"', r"\1", html)


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_registering_creates_the_user_and_the_organisation_it_administers(client):
    response = client.post("/register", data=registration(orgnr="2120009903"))
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "ada@example.org"))
    assert user.is_org_admin and user.is_org_approved
    assert user.organisation.orgnr == "212000-9903"  # stored normalised
    assert user.password_hash != PASSWORD and PASSWORD not in user.password_hash
    assert "Ada Buyer" in client.get("/account").text  # and logged in


def test_a_supplier_registers_size_class_and_counties(client):
    client.post("/register", data=registration(kind="company", size_class="small", counties=["01", "14"]))
    org = db.session.scalar(select(Organisation))
    assert (org.kind, org.size_class, org.county_codes) == ("company", "small", ["01", "14"])


@pytest.mark.parametrize("field, value, message", [
    ("email", "not-an-address", "Enter a valid e-mail address"),
    ("password", "short", "Use at least 12 characters"),
    ("password", "password1234", "most commonly used"),
    ("password", "aaaaaaaaaaaaaaa", "most commonly used"),
    ("orgnr", "556036-0794", "Enter a valid Swedish organisation number"),
    ("orgnr", "", "Enter a valid Swedish organisation number"),
    ("org_name", "", "Enter the organisation&#39;s name"),
    ("kind", "", "Choose what kind of organisation"),
    ("kind", "company", "Choose the size class"),
    ("name", "x" * 121, "cannot be longer than 120 characters"),
    ("name", "Ada\x00Buyer", "characters that cannot be used"),
    ("org_name", "Kommun\x07", "characters that cannot be used"),
])
def test_bad_registration_keeps_the_form_and_stores_nothing(client, field, value, message):
    data = registration(**{field: value})
    response = client.post("/register", data=data)
    assert response.status_code == 422
    assert message in response.text
    assert "Ada Buyer" in response.text or field == "name"  # what was typed is still there
    assert count(User) == 0 and count(Organisation) == 0


def test_duplicate_email_and_organisation_number_are_explained(client, make_user):
    existing = make_user(email="ada@example.org")
    response = client.post("/register", data=registration(orgnr=existing.organisation.orgnr))
    assert response.status_code == 422
    assert "An account with this e-mail address already exists" in response.text
    assert "is already registered with this organisation number" in response.text
    assert count(User) == 1 and count(Organisation) == 1


def test_invalid_utf8_gets_a_message_not_a_500(client):
    body = b"name=Ada%FF%FE&email=ada%40example.org&password=" + PASSWORD.encode() + b"&org_choice=new"
    response = client.post("/register", data=body + b"&csrf_token=" + client.csrf_token().encode(),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 422
    assert "characters that cannot be used" in response.text
    assert count(User) == 0


def test_oversized_request_is_refused_with_413(client):
    response = client.post("/register", data=registration(name="x" * (2 * 1024 * 1024)))
    assert response.status_code == 413
    assert "too large" in response.text
    assert count(User) == 0


def test_post_without_csrf_token_is_refused_and_long_text_shown_for_copying(client):
    long_text = "Vi vill gärna vara med i nätverket. " * 5
    response = client.post("/register", data=registration(org_name=long_text), no_csrf=True)
    assert response.status_code == 400
    assert long_text.strip() in response.text
    assert 'readonly' in response.text
    assert count(User) == 0


def test_joining_an_existing_organisation_waits_for_its_admin(client, make_user, outbox):
    admin = make_user(email="admin@example.org", admin=True)
    response = client.post("/register", data=registration(org_choice="join", orgnr=admin.organisation.orgnr,
                                                          org_name="", kind=""))
    assert response.status_code == 302
    newcomer = db.session.scalar(select(User).where(User.email == "ada@example.org"))
    assert newcomer.organisation_id == admin.organisation_id and not newcomer.is_org_approved
    assert not newcomer.is_org_admin
    [message] = outbox("admin@example.org")
    assert "Ada Buyer" in message.subject

    other = client.application.test_client()
    other.set_cookie("lang", "en")
    login(other, "admin@example.org")
    users_page = link_in(message.body)
    assert "ada@example.org" in other.get(users_page).text
    other.post(f"/organisations/{admin.organisation_id}/users/{newcomer.id}/approve", data={})
    db.session.refresh(newcomer)
    assert newcomer.is_org_approved


def test_joining_an_unknown_organisation_number_is_explained(client):
    response = client.post("/register", data=registration(org_choice="join", orgnr=valid_orgnr()))
    assert response.status_code == 422
    assert "No organisation with this number is registered" in response.text


def test_wrong_password_and_unknown_email_get_the_same_answer(client, make_user):
    make_user(email="ada@example.org")
    wrong = login(client, "ada@example.org", "wrong-password-123")
    unknown = login(client, "nobody@example.org", "wrong-password-123")
    assert wrong.status_code == unknown.status_code == 401
    assert "The e-mail address or the password is wrong" in wrong.text
    assert (without_tokens(wrong.text).replace("ada@example.org", "X")
            == without_tokens(unknown.text).replace("nobody@example.org", "X"))


@pytest.mark.parametrize("target, expected", [
    ("/networks/", "/networks/"),
    ("/account?tab=1", "/account?tab=1"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
    ("", "/"),
])
def test_next_after_login_only_goes_to_local_paths(client, make_user, target, expected):
    make_user(email="ada@example.org")
    response = client.post("/login", data={"email": "ada@example.org", "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_logout_ends_the_session_on_the_server(client, make_user):
    make_user(email="ada@example.org")
    login(client, "ada@example.org")
    stolen_cookie = client.get_cookie("session").value
    client.post("/logout", data={})
    assert client.get("/account").status_code == 302  # logged out
    replay = client.application.test_client()
    replay.set_cookie("session", stolen_cookie)
    assert replay.get("/account").status_code == 302  # the old cookie no longer works
    assert count(LoginSession) == 0


def test_changing_the_password_logs_out_other_browsers(client, make_user):
    make_user(email="ada@example.org")
    other = client.application.test_client()
    login(client, "ada@example.org")
    login(other, "ada@example.org")
    new = "another-long-passphrase"
    response = client.post("/account/password", data={"current_password": PASSWORD, "new_password": new})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200  # this browser stays in
    assert other.get("/account").status_code == 302   # the other one is out
    assert login(client.application.test_client(), "ada@example.org", new).status_code == 302


def test_changing_the_password_needs_the_current_one(client, make_user):
    make_user(email="ada@example.org")
    login(client, "ada@example.org")
    response = client.post("/account/password", data={"current_password": "wrong-password-x",
                                                      "new_password": "another-long-passphrase"})
    assert response.status_code == 422
    assert "not your current password" in response.text


def test_password_reset_by_one_time_link(client, make_user, outbox):
    make_user(email="ada@example.org")
    response = client.post("/password/forgot", data={"email": "ADA@example.org"})
    assert response.status_code == 302
    [message] = outbox("ada@example.org")
    link = link_in(message.body)
    assert client.get(link).status_code == 200
    weak = client.post(link, data={"password": "short"})
    assert weak.status_code == 422
    assert client.post(link, data={"password": "a-brand-new-passphrase"}).status_code == 302
    assert login(client, "ada@example.org", "a-brand-new-passphrase").status_code == 302
    assert client.get(link).status_code == 404  # used once, then gone


def test_password_reset_does_not_reveal_whether_an_account_exists(client, make_user, outbox):
    make_user(email="ada@example.org")
    known = client.post("/password/forgot", data={"email": "ada@example.org"}, follow_redirects=True)
    unknown = client.post("/password/forgot", data={"email": "nobody@example.org"}, follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    assert without_tokens(known.text) == without_tokens(unknown.text)
    assert [m.recipient for m in outbox()] == ["ada@example.org"]


def test_an_unknown_reset_link_is_404(client):
    assert client.get("/password/reset/not-a-token").status_code == 404


@pytest.mark.parametrize("app", [{"LOGIN_LIMIT_PER_ACCOUNT": "3 per hour"}], indirect=True)
def test_login_is_throttled_per_account(client, make_user):
    make_user(email="ada@example.org")
    for _ in range(3):
        assert login(client, "ada@example.org", "wrong-password-123").status_code == 401
    # Even the right password waits now, and from another address too.
    other = client.application.test_client()
    other.set_cookie("lang", "en")
    response = other.post("/login", data={"email": "ada@example.org", "password": PASSWORD},
                          environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert response.status_code == 429
    assert "Too many attempts" in response.text
    assert login(client, "bob@example.org", "wrong-password-123").status_code == 401  # others unaffected


@pytest.mark.parametrize("app", [{"LOGIN_LIMIT_PER_ADDRESS": "4 per hour"}], indirect=True)
def test_login_is_throttled_per_address(client):
    for n in range(4):
        assert login(client, f"user{n}@example.org", "wrong-password-123").status_code == 401
    assert login(client, "user9@example.org", "wrong-password-123").status_code == 429


@pytest.mark.parametrize("app", [{"LOGIN_LIMIT_PER_ACCOUNT": "2 per hour"}], indirect=True)
def test_successful_logins_do_not_count_towards_the_limit(client, make_user):
    make_user(email="ada@example.org")
    for _ in range(4):
        assert login(client, "ada@example.org").status_code == 302


@pytest.mark.parametrize("app", [{"LOGIN_LIMIT_PER_ACCOUNT": "3 per hour"}], indirect=True)
def test_spelling_variants_of_an_address_share_one_limit(client, make_user):
    make_user(email="ada@example.org")
    for spelling in ("ada@example.org", "ADA@Example.org", " ada@example.org "):
        assert login(client, spelling, "wrong-password-123").status_code == 401
    assert login(client, "ada@ｅxample.org").status_code == 429  # full-width e normalises to the same


def test_the_csrf_page_never_shows_passwords(client):
    secret = "my-very-long-secret-passphrase-" * 4
    response = client.post("/account/password", data={"current_password": secret, "new_password": secret,
                                                      "note": "n" * 100}, no_csrf=True)
    assert response.status_code == 400
    assert secret not in response.text and "n" * 100 in response.text


def test_a_password_change_closes_open_reset_links(client, make_user, outbox):
    make_user(email="ada@example.org")
    client.post("/password/forgot", data={"email": "ada@example.org"})
    link = link_in(outbox("ada@example.org")[0].body)
    login(client, "ada@example.org")
    client.post("/account/password", data={"current_password": PASSWORD, "new_password": "another-long-passphrase"})
    assert client.get(link).status_code == 404


def test_removing_a_user_from_the_organisation_ends_its_rights(client, make_network, make_user):
    network = make_network(slug="bebo")
    org = network.memberships[0].organisation
    admin = org.users[0]
    colleague = make_user(email="leaver@example.org", org=org)
    other = client.application.test_client()
    login(other, colleague.email)
    assert other.get("/networks/bebo/members").status_code == 200  # a coordinator, through the organisation
    login(client, admin.email)
    client.post(f"/organisations/{org.id}/users/{colleague.id}/remove", data={})
    assert other.get("/networks/bebo/members").status_code == 404  # on its very next request
    response = client.post(f"/organisations/{org.id}/users/{admin.id}/remove", data={}, follow_redirects=True)
    assert "at least one administrator" in response.text
    assert admin.organisation_id == org.id


def test_mail_is_written_in_the_recipients_language(client, make_user, outbox):
    user = make_user(email="ada@example.org")
    user.locale = "en"
    make_user(email="sven@example.org")
    client.set_cookie("lang", "sv")
    client.post("/password/forgot", data={"email": "ada@example.org"})
    client.post("/password/forgot", data={"email": "sven@example.org"})
    assert outbox("ada@example.org")[0].subject == "Reset your password"
    assert outbox("sven@example.org")[0].subject != "Reset your password"
