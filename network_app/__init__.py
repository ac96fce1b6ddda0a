"""network_app: a shared workplace for Swedish buyer networks and regional purchasing centres."""
import logging
import os
import secrets
from pathlib import Path

from flask import Flask, current_app, g, has_request_context, request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config as config_module
from .extensions import babel, csrf, db, limiter, login_manager, migrate
from .forms import PortalRequest

log = logging.getLogger(__name__)


def create_app(config: dict | None = None) -> Flask:
    """Build the portal. `config` overrides environment settings (tests pass their paths here)."""
    app = Flask(__name__, template_folder=str(config_module.PROJECT_ROOT / "templates"),
                instance_path=str(config_module.PROJECT_ROOT / "instance"))
    app.config.update(config_module.DEFAULTS)
    app.config.update(config_module.from_environment())
    app.config.update(config or {})
    app.request_class = PortalRequest
    if app.config["PROXY_HOPS"]:
        # Behind a reverse proxy every client would otherwise be 127.0.0.1 to the login limits.
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    Path(app.config["DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    _ensure_secret_key(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(config_module.PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    _init_login(app)

    from . import cli, errors, models  # noqa: F401 - models registers every table on the metadata
    from .accounts.views import bp as accounts_bp
    from .api import bp as api_bp
    from .criteria.views import bp as criteria_bp
    from .intents.views import bp as intents_bp
    from .main.views import bp as main_bp
    from .needs.views import bp as needs_bp
    from .networks.views import bp as networks_bp
    from .organisations.views import bp as organisations_bp
    from .search.views import bp as search_bp
    from .specs.views import bp as specs_bp

    for bp in (main_bp, accounts_bp, organisations_bp, networks_bp, specs_bp, criteria_bp, needs_bp, intents_bp,
               search_bp, api_bp):
        app.register_blueprint(bp)
    csrf.exempt(api_bp)  # the API authenticates with bearer tokens, never with cookies
    errors.register_error_handlers(app)
    cli.register(app)
    _init_templates(app)
    app.after_request(_security_headers)
    return app


def _ensure_secret_key(app: Flask) -> None:
    """Use SECRET_KEY if given; otherwise keep a random one in the data folder, so sessions survive restarts."""
    if app.config.get("SECRET_KEY"):
        return
    key_file = Path(app.config["DATA_DIR"]) / "secret_key"
    if not key_file.exists():
        # Written to a temporary name and linked into place, so that workers starting at the
        # same moment all end up with the one key that won.
        tmp = key_file.with_name(f".secret_key.{os.getpid()}")
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(tmp, key_file)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    app.config["SECRET_KEY"] = key_file.read_text().strip()


def _select_locale() -> str:
    languages = ("sv", "en")
    if not has_request_context():  # CLI and background work speak the default language
        return "sv"
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = request.cookies.get("lang")
    return chosen if chosen in languages else "sv"


def _init_login(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from .accounts import services as accounts

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(accounts.load_session)


_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
        "object-src 'none'; frame-ancestors 'none'")
_SECURITY_HEADERS = (("Content-Security-Policy", _CSP), ("X-Content-Type-Options", "nosniff"),
                     ("Referrer-Policy", "same-origin"), ("X-Frame-Options", "DENY"),
                     ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"))
_HSTS = ("Strict-Transport-Security", "max-age=31536000")
_NO_STORE = ("Cache-Control", "no-store")


def _security_headers(response):
    """The headers every response carries, unless the view set its own. (One pass over the
    headers already there: Werkzeug's setdefault() raises and catches an exception for each
    header that is missing, which on every response is most of them.)"""
    headers = response.headers
    present = {name.lower() for name in headers.keys()}
    wanted = list(_SECURITY_HEADERS)
    if request.is_secure or current_app.config["SESSION_COOKIE_SECURE"]:
        wanted.append(_HSTS)
    if current_user and current_user.is_authenticated:
        wanted.append(_NO_STORE)
    for name, value in wanted:
        if name.lower() not in present:
            headers.add(name, value)
    return response


def _init_templates(app: Flask) -> None:
    from flask_babel import format_decimal, get_locale, get_translations

    from . import cpv, permissions, regions
    from .labels import LABELS

    def locale() -> str:
        return str(get_locale() or "sv")

    def translations():
        """Flask-Babel's translations for the locale of the request, kept on the request per
        locale object (a changed or forced locale is another object): its get_translations()
        walks g, the domain and the locale's name on each of the dozens of _() in a page."""
        current = get_locale()
        if current is None:  # outside requests
            return get_translations()
        kept = g.get("network_app_translations")
        if kept is None or kept[0] is not current:
            kept = g.network_app_translations = (current, get_translations())
        return kept[1]

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True)

    app.jinja_env.globals.update(may=permissions.may, counties=regions.counties, labels=LABELS,
                                 current_locale=locale, cpv_label=lambda code: cpv.label(code, locale()),
                                 cpv_division=lambda digits: cpv.division_label(digits, locale()))
    app.jinja_env.filters["sek"] = lambda amount: f"{format_decimal(amount, format='#,##0')} kr"
