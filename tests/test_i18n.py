"""Swedish by default, English by a remembered switch, every message translated."""
from babel.messages.pofile import read_po

from network_app.config import PROJECT_ROOT
from tests.conftest import login


def test_swedish_is_the_default(client):
    html = client.get("/login").text
    assert 'lang="sv"' in html and "Logga in" in html


def test_switching_to_english_is_remembered_in_a_cookie(client):
    response = client.post("/language", data={"lang": "en", "next": "/login"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    html = client.get("/networks/").text
    assert 'lang="en"' in html and "Networks" in html


def test_the_choice_is_remembered_on_the_account(client, app, make_user):
    login(client, make_user(email="ada@example.org").email)
    client.post("/language", data={"lang": "en", "next": "/"})
    fresh = app.test_client()
    login(fresh, "ada@example.org")
    assert 'lang="en"' in fresh.get("/account").text


def test_unknown_language_and_outside_next_are_ignored(client):
    response = client.post("/language", data={"lang": "xx", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    assert 'lang="sv"' in client.get("/").text


def test_the_swedish_catalogue_translates_every_message():
    with open(PROJECT_ROOT / "network_app/translations/sv/LC_MESSAGES/messages.po", "rb") as fh:
        catalogue = read_po(fh)
    missing = [m.id for m in catalogue if m.id and (not m.string or (isinstance(m.string, tuple)
                                                                     and not all(m.string)))]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert missing == [] and fuzzy == []


def test_the_catalogue_is_up_to_date_with_the_source(tmp_path):
    """Every _() in code and templates is in the catalogue (run `make extract-messages` if this fails)."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with open(PROJECT_ROOT / "babel.cfg") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    source = {msg[2] if isinstance(msg[2], str) else msg[2][0]
              for msg in extract_from_dir(str(PROJECT_ROOT), method_map, options_map,
                                          keywords={"_": None, "_l": None, "gettext": None,
                                                    "ngettext": (1, 2), "lazy_gettext": None})}
    with open(PROJECT_ROOT / "network_app/translations/sv/LC_MESSAGES/messages.po", "rb") as fh:
        known = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    assert sorted(source - known) == []
