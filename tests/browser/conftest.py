"""Browser tests: the portal served on 127.0.0.1 with the demo data, driven by the system Chromium.

One live server and one browser per session; every test gets fresh browser contexts (Swedish locale),
so cookies never leak between tests. axe-core runs inside the page to check WCAG 2.1 AA.

Every page a test opens is also watched: a 5xx response, a failed stylesheet or script, a console
error (a Content-Security-Policy violation, for example) or a request to anywhere but 127.0.0.1
fails the test.
"""
import os
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from werkzeug.serving import make_server

from network_app import create_app, demo
from network_app.extensions import db
from tests.conftest import app_config

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent.parent
CHROMIUM = Path("/usr/bin/chromium")
AXE = PROJECT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = PROJECT / "tests" / "screenshots"
TRANSLATIONS = PROJECT / "network_app" / "translations"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

DEMO_PASSWORD = "demo-losenord-2026"
COORDINATOR = "samordnare@bebo.example"  # Bostadsbolaget Norrtull AB, coordinator of "bebo"
MEMBER = "medlem@bebo.example"  # Hemgården Fastigheter AB, member of "bebo"
OUTSIDER = "samordnare@belok.example"  # a buyer organisation outside "bebo"
NEW_PASSWORD = "tre orelaterade ord 2026"  # 12+ characters, not a common password


def pytest_collection_modifyitems(config, items):
    """Every test in this folder is a browser test (`-m "not browser"` leaves them out)."""
    for item in items:
        if Path(str(item.path)).is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


# --- translations --------------------------------------------------------------------------------

@cache
def _catalog():
    with (TRANSLATIONS / "sv" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale="sv")


def t(msgid: str, **values) -> str:
    """The Swedish text the portal shows for `msgid` (the English text while it is untranslated),
    so that tests find buttons and labels by their visible names whatever the state of the catalogue."""
    message = _catalog().get(msgid)
    text = message.string if message is not None and message.string and not message.fuzzy else msgid
    if isinstance(text, tuple):  # a plural entry: the singular form
        text = text[0] or msgid
    return text % values if values else text


def _compile_translations(target: Path) -> Path:
    """The catalogue compiled from the current .po file, as `make translations` does."""
    out = target / "sv" / "LC_MESSAGES"
    out.mkdir(parents=True)
    with (out / "messages.mo").open("wb") as fh:
        write_mo(fh, _catalog(), use_fuzzy=False)
    return target


# --- environment -----------------------------------------------------------------------------------

def _require_browser_environment() -> None:
    missing = []
    if not os.access(CHROMIUM, os.X_OK):
        missing.append(f"Chromium at {CHROMIUM} (install it with: sudo apt-get install chromium)")
    if not AXE.is_file():
        missing.append(f"axe-core at {AXE} (install it with: npm ci, or make axe)")
    if not missing:
        return
    message = "browser tests need " + " and ".join(missing)
    if os.environ.get("CI") == "true":
        pytest.fail(message + "; in CI they must run, so this is a failure", pytrace=False)
    pytest.skip(message)


# --- live server -----------------------------------------------------------------------------------

@dataclass
class LiveServer:
    app: Flask
    url: str

    def __call__(self, path: str = "/") -> str:
        """The absolute address of a path on the server."""
        return self.url + path


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The portal with the demo data on a free port of 127.0.0.1, always on a SQLite file."""
    tmp = tmp_path_factory.mktemp("browser")
    config = app_config(tmp, RENDER_500_IN_TESTS=True,
                         SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp / 'portal.sqlite3'}",
                         BABEL_TRANSLATION_DIRECTORIES=str(_compile_translations(tmp / "translations")))
    app = create_app(config)
    with app.app_context():
        db.create_all()
        for _label, step in demo.steps():
            step()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["PORTAL_BASE_URL"] = url
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(app=app, url=url)
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    with app.app_context():
        db.engine.dispose()


# --- browser ---------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    _require_browser_environment()
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()


class PageWatch:
    """Problems seen on the pages of one test; reported when the test ends."""

    def __init__(self):
        self.problems: list[str] = []

    def attach(self, context, page) -> None:
        context.route("**/*", self._only_local)
        page.on("response", self._response)
        page.on("console", self._console)
        page.on("pageerror", lambda err: self.problems.append(f"JavaScript error: {err}"))

    def _only_local(self, route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.problems.append(f"request outside 127.0.0.1 blocked: {route.request.url}")
            route.abort()

    def _response(self, response) -> None:
        kind = response.request.resource_type
        if response.status >= 500 or (response.status >= 400 and kind != "document"):
            self.problems.append(f"{response.status} for {kind} {response.request.method} {response.url}")

    def _console(self, message) -> None:
        # Chromium logs every 4xx document as a failed resource; the response handler judges those.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(f"console error: {message.text}")


@pytest.fixture
def new_page(browser, live_server):
    """Make a page in a fresh browser context (its own cookies): new_page(**context_options)."""
    contexts, watch = [], PageWatch()

    def make(**options):
        context = browser.new_context(locale="sv-SE", base_url=live_server.url, **options)
        context.set_default_timeout(10_000)
        page = context.new_page()
        watch.attach(context, page)
        contexts.append(context)
        return page

    yield make
    for context in contexts:
        context.close()
    if watch.problems:
        pytest.fail("problems seen in the browser:\n  " + "\n  ".join(watch.problems), pytrace=False)


@pytest.fixture
def page(new_page):
    return new_page()


# --- helpers for tests ------------------------------------------------------------------------------

@cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


AXE_RUN = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
    resultTypes: ['violations'],
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
    count: v.nodes.length,
  }));
}"""


def screenshot(page, name: str) -> None:
    """Save a full-page screenshot as tests/screenshots/<name>.png."""
    page.wait_for_load_state("load")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def check_axe(page, name: str) -> None:
    """Save a screenshot (see screenshot()) and assert that axe-core finds no WCAG 2.1 A/AA violation
    on the page as it is now. axe runs in the page, so the page needs JavaScript enabled (with it
    disabled, evaluate() would wait forever)."""
    screenshot(page, name)
    # evaluate() is not subject to the page's Content-Security-Policy; a <script> tag would be.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    violations = page.evaluate(AXE_RUN)
    report = "\n".join(
        f"  {v['id']} ({v['impact']}): {v['help']} - {v['count']} element(s), e.g. {', '.join(v['targets'])}"
        for v in violations)
    assert not violations, f"axe found accessibility problems on {name} ({page.url}):\n{report}"


def submit(page, button):
    """Click a form's submit button; return the response to the form's POST once the resulting page
    has loaded (a redirect is followed)."""
    with page.expect_response(lambda r: r.request.method == "POST" and r.request.is_navigation_request()) as info:
        button.click()
    page.wait_for_load_state("load")
    return info.value


def log_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the login form and wait for the start page."""
    page.goto("/login")
    page.get_by_label(t("E-mail address"), exact=True).fill(email)
    page.get_by_label(t("Password"), exact=True).fill(password)
    response = submit(page, page.locator("main").get_by_role("button", name=t("Log in"), exact=True))
    assert response.status == 302, f"logging in as {email} failed with {response.status}"
    page.wait_for_url("/")


def register(page, *, name: str, email: str, org_name: str, orgnr: str, kind: str = "Municipality",
             password: str = NEW_PASSWORD):
    """Fill in and send the registration form for a person with a new organisation; return the
    response to the POST. `kind` is the English label of the kind of organisation."""
    page.goto("/register")
    page.get_by_label(t("Your name"), exact=True).fill(name)
    page.get_by_label(t("E-mail address"), exact=True).fill(email)
    page.get_by_label(t("Password"), exact=True).fill(password)
    page.get_by_label(t("Register a new organisation"), exact=True).check()
    page.get_by_label(t("Organisation number"), exact=True).fill(orgnr)
    page.get_by_label(t("Name of the organisation"), exact=True).fill(org_name)
    page.get_by_label(t("Kind of organisation"), exact=True).select_option(label=t(kind))
    return submit(page, page.get_by_role("button", name=t("Create account"), exact=True))
