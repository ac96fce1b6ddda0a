"""Links: absolute ones for e-mails (built from PORTAL_BASE_URL, so they work outside requests
too) and the check that a redirect target from a form stays on this site."""
from urllib.parse import urlsplit

from flask import current_app, url_for


def external_url(endpoint: str, **values) -> str:
    base = urlsplit(current_app.config["PORTAL_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http")
    return adapter.build(endpoint, values, force_external=True)


def local_path(target: str | None) -> str:
    """`target` if it is a path on this site, else the start page: no scheme, no host, no '//',
    backslash or control-character tricks (used after login and the language switch)."""
    if (not target or not target.startswith("/") or target.startswith("//") or "\\" in target
            or any(ord(c) < 32 for c in target)):
        return url_for("main.home")
    parts = urlsplit(target)
    return url_for("main.home") if parts.scheme or parts.netloc else target
