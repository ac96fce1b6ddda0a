from tests.conftest import login


def test_home_page_is_swedish_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="sv"' in response.text


def test_logging_in_with_a_made_user(client, make_user):
    user = make_user(email="ada@example.org")
    response = login(client, "ada@example.org")
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert user.email in client.get("/account").text
