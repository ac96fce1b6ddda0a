"""Configuration: safe defaults for one machine, overridden by environment variables."""
import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def from_environment() -> dict:
    """Read the portal's settings from the environment (README lists every variable)."""
    env = os.environ
    data_dir = Path(env.get("DATA_DIR") or PROJECT_ROOT / "instance").resolve()
    return {
        "DATA_DIR": str(data_dir),
        "SECRET_KEY": env.get("SECRET_KEY"),
        "SQLALCHEMY_DATABASE_URI": env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'portal.sqlite3'}",
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "SESSION_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE"), default=False),
        "PREFERRED_URL_SCHEME": env.get("PREFERRED_URL_SCHEME", "http"),
        "SERVER_NAME": env.get("SERVER_NAME") or None,
        "PORTAL_BASE_URL": env.get("PORTAL_BASE_URL", "http://127.0.0.1:5000"),
        "MAIL_SERVER": env.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": int(env.get("MAIL_PORT", "25")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS")),
        "MAIL_SENDER": env.get("MAIL_SENDER", "network_app <noreply@network-app.example>"),
        "MAIL_MAX_ATTEMPTS": int(env.get("MAIL_MAX_ATTEMPTS", "10")),
        "LOGIN_LIMIT_PER_ACCOUNT": env.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes"),
        "LOGIN_LIMIT_PER_ADDRESS": env.get("LOGIN_LIMIT_PER_ADDRESS", "30 per 15 minutes"),
        "REGISTER_LIMIT_PER_ADDRESS": env.get("REGISTER_LIMIT_PER_ADDRESS", "20 per hour"),
        # Reverse proxies in front of the portal whose X-Forwarded-For/-Proto/-Host to trust.
        "PROXY_HOPS": int(env.get("PROXY_HOPS", "0")),
        # OCDS ocid prefix (register one with the Open Contracting Partnership); ocids are <prefix>-need-<id>.
        "OCDS_OCID_PREFIX": env.get("OCDS_OCID_PREFIX", "ocds-xxxxxx-networkapp"),
    }


DEFAULTS = {
    "BABEL_DEFAULT_LOCALE": "sv",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Stockholm",
    "LANGUAGES": ("sv", "en"),
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    # Requests larger than this are refused with 413 before any form is parsed.
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "MAX_FORM_MEMORY_SIZE": 1024 * 1024,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session: long edits must not expire
    "RATELIMIT_HEADERS_ENABLED": False,
    "PASSWORD_RESET_HOURS": 2,
    "PASSWORD_HASH_METHOD": "scrypt",  # Werkzeug's default; tests use a cheap pbkdf2 to stay fast
    "INVITATION_DAYS": 14,
    "MAIL_TIMEOUT": 10,
    "COMMITTER_NAME": "network_app",
    "COMMITTER_EMAIL": "portal@network-app.example",
}
