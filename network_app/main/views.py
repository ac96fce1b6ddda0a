"""Home page, language switch and the health check."""
import os
from pathlib import Path

from flask import Blueprint, current_app, jsonify, redirect, render_template, request
from flask_login import current_user
from sqlalchemy import text

from .. import permissions
from ..accounts import services as accounts
from ..extensions import db
from ..links import local_path
from ..networks import services as networks
from ..organisations import services as organisations

bp = Blueprint("main", __name__)


@bp.route("/")
def home():
    org = current_user.approved_organisation if current_user.is_authenticated else None
    return render_template(
        "main/home.html", networks=networks.list_networks(), counts=networks.member_counts(),
        memberships=networks.networks_of(org), invitations=networks.pending_invitations_for(org),
        pending_users=(organisations.pending_users(org)
                       if org and permissions.may(current_user, "organisation.approve_users", org) else []))


@bp.route("/language", methods=["POST"])
def set_language():
    """Remember the chosen language: in a cookie, and on the account when logged in."""
    lang = request.form.get("lang")
    response = redirect(local_path(request.form.get("next")))
    if lang in current_app.config["LANGUAGES"]:
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
        if current_user.is_authenticated:
            accounts.set_locale(current_user, lang)
    return response


@bp.route("/healthz")
def healthz():
    """JSON state of the database, the data folder, the repositories and the search index; 503
    when one is not usable (a search index being rebuilt is not failing: search says it is limited)."""
    from .. import search

    checks = {"database": _check_database(), "data_dir": _check_data_dir(),
              "repositories": _check_repositories(), "search": search.health()}
    ok = all(c["ok"] for c in checks.values())
    return jsonify(status="ok" if ok else "failing", **checks), (200 if ok else 503)


def _check_database() -> dict:
    try:
        db.session.execute(text("SELECT 1"))
        return {"ok": True, "dialect": db.engine.dialect.name}
    except Exception as err:  # noqa: BLE001 - any failure is reported, not raised
        db.session.rollback()
        return {"ok": False, "error": type(err).__name__}


def _check_repositories() -> dict:
    """The git repositories' folder: present (or not yet needed) and writable; how many repositories."""
    path = Path(current_app.config["DATA_DIR"]) / "repos"
    if not path.exists():
        return {"ok": True, "count": 0}
    ok = os.access(path, os.W_OK)
    return {"ok": ok, "count": sum(1 for p in path.glob("*.git") if (p / "HEAD").exists())}


def _check_data_dir() -> dict:
    path = Path(current_app.config["DATA_DIR"])
    ok = path.is_dir() and os.access(path, os.W_OK)
    return {"ok": ok, "writable": ok}
