"""Headers on every response, cookie flags, calm error pages."""
import pytest

from tests.conftest import login


@pytest.mark.parametrize("path", ["/", "/login", "/networks/", "/nope", "/healthz", "/api/v1/networks",
                                  "/static/css/portal.css"])
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    response.close()
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert "unsafe-inline" not in csp and "http" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script_or_outside_assets(client):
    html = client.get("/register").text
    assert "<script>" not in html and " onclick=" not in html and "style=" not in html
    assert "http://" not in html.replace("http://portal.test", "") and "https://" not in html


def test_session_cookie_is_httponly_and_secure_when_configured(make_app, make_user):
    app = make_app(SESSION_COOKIE_SECURE=True)
    user_email = make_user(email="ada@example.org").email
    client = app.test_client()
    response = client.post("/login", data={"email": user_email, "password": "x"})
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("app", [{"RENDER_500_IN_TESTS": True}], indirect=True)
def test_unexpected_errors_show_a_calm_page_without_details(app, client, monkeypatch):
    from network_app.networks import services

    def explode():
        raise RuntimeError("secret internal detail /var/lib/db")

    monkeypatch.setattr(services, "list_networks", explode)
    response = client.get("/networks/")
    assert response.status_code == 500
    assert "secret internal detail" not in response.text and "Traceback" not in response.text
    assert 'lang="sv"' in response.text and "<main" in response.text


def test_logged_in_pages_are_not_cached(client, make_user):
    login(client, make_user(email="ada@example.org").email)
    assert client.get("/account").headers["Cache-Control"] == "no-store"


def test_healthz_reports_database_and_data_folder(client):
    body = client.get("/healthz").json
    assert body["status"] == "ok" and body["database"]["ok"] and body["data_dir"]["writable"]
    assert body["repositories"] == {"ok": True, "count": 0}


def test_healthz_says_503_when_the_data_folder_is_gone(client, app, tmp_path):
    app.config["DATA_DIR"] = str(tmp_path / "missing")
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json["data_dir"]["ok"] is False


def test_without_secret_key_a_random_one_is_kept_in_the_data_folder(tmp_path, make_app):
    first, second = make_app(SECRET_KEY=None), make_app(SECRET_KEY=None)
    key_file = tmp_path / "data" / "secret_key"
    assert first.secret_key == second.secret_key == key_file.read_text().strip()
    assert len(first.secret_key) == 64 and oct(key_file.stat().st_mode)[-3:] == "600"
