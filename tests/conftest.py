"""Shared fixtures: an app per test with its own data folder and database, a CSRF-aware
client, factories that go through the services, and a real SMTP server on 127.0.0.1.

Set TEST_DATABASE_URL (postgresql+psycopg://...) to run the database tests on PostgreSQL.
"""
import hashlib
import os
import re
import socket

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from flask_babel import force_locale
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import create_engine, text

from network_app import create_app
from network_app.accounts import services as accounts
from network_app.extensions import db
from network_app.mail import OutboxMessage
from network_app.networks import services as networks
from network_app.organisations import services as organisations

PASSWORD = "a-long-enough-pass-2026"
PG_URL = os.environ.get("TEST_DATABASE_URL")


def pytest_report_header(config):
    return f"database: {'PostgreSQL ' + PG_URL if PG_URL else 'SQLite (set TEST_DATABASE_URL for PostgreSQL)'}"


@pytest.fixture(scope="session")
def _pg_schema():
    """On PostgreSQL: one schema for the whole run, emptied after each test."""
    if not PG_URL:
        yield None
        return
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": PG_URL,
                      "DATA_DIR": os.environ.get("TMPDIR", "/tmp") + "/network_app_pg_schema"})
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
        db.engine.dispose()
    yield PG_URL


def database_uri(tmp_path) -> str:
    return PG_URL or f"sqlite:///{tmp_path / 'portal.sqlite3'}"


def app_config(tmp_path, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATA_DIR": str(tmp_path / "data"),
        "SQLALCHEMY_DATABASE_URI": database_uri(tmp_path),
        "RATELIMIT_STORAGE_URI": "memory://",
        "PORTAL_BASE_URL": "http://portal.test",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": 1,  # nothing listens; tests that send start the smtp_server fixture
        "MAIL_TIMEOUT": 2,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # the real default (scrypt) costs ~0.1 s a user
    }
    config.update(overrides)
    return config


def empty_tables() -> None:
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def app(tmp_path, _pg_schema, request):
    overrides = getattr(request, "param", {}) or {}
    app = create_app(app_config(tmp_path, **overrides))
    app.test_client_class = CSRFClient
    with app.app_context():
        if not PG_URL:
            db.create_all()  # fine in tests; the real schema comes from migrations (see test_migrations)
        yield app
        db.session.remove()
        if PG_URL:
            empty_tables()
        db.engine.dispose()


@pytest.fixture
def make_app(tmp_path):
    """Further app instances (another worker, other settings); their connections close afterwards."""
    apps = []

    def make(**overrides):
        extra = create_app(app_config(tmp_path, **overrides))
        extra.test_client_class = CSRFClient
        apps.append(extra)
        return extra
    yield make
    for extra in apps:
        with extra.app_context():
            db.engine.dispose()


class CSRFClient(FlaskClient):
    """A test client that adds a valid CSRF token to every form POST that lacks one."""

    def csrf_token(self) -> str:
        with self.session_transaction() as sess:
            if "csrf_token" not in sess:
                sess["csrf_token"] = hashlib.sha1(os.urandom(64)).hexdigest()
            raw = sess["csrf_token"]
        return URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token").dumps(raw)

    def open(self, *args, **kwargs):
        # The fixture keeps one app context pushed, which Flask reuses for every request, so `g`
        # would carry Flask-Login's cached user and Flask-Babel's locale from one request to the
        # next. In production each request gets a fresh context; empty `g` to behave the same.
        if has_app_context():
            for name in list(vars(g)):
                delattr(g, name)
        return super().open(*args, **kwargs)

    def post(self, *args, **kwargs):
        data = kwargs.get("data")
        if isinstance(data, dict) and "csrf_token" not in data and not kwargs.pop("no_csrf", False):
            kwargs["data"] = {**data, "csrf_token": self.csrf_token()}
        kwargs.pop("no_csrf", None)
        return super().post(*args, **kwargs)


@pytest.fixture
def in_english(app):
    """Service messages in English (the source language) outside requests."""
    with force_locale("en"):
        yield


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


_counter = iter(range(10_000, 99_999))


def valid_orgnr(prefix: str = "556") -> str:
    """A fresh organisation number that passes the Luhn check."""
    from stdnum import luhn

    body = f"{prefix}{next(_counter):06d}"[:9]
    return body + luhn.calc_check_digit(body)


@pytest.fixture
def make_org(app):
    def make(name=None, kind="municipality", orgnr=None, size_class=None, counties=()):
        orgnr = orgnr or valid_orgnr("212" if kind not in ("company", "non_profit") else "556")
        draft = organisations.OrganisationDraft(name=name or f"Org {orgnr}", orgnr=orgnr, kind=kind,
                                                size_class=size_class, counties=list(counties))
        errors = organisations.validate(draft)
        assert not errors, errors
        org = organisations.build(draft)
        db.session.commit()
        return org
    return make


@pytest.fixture
def make_user(app, make_org):
    def make(email=None, name="Ada Buyer", org=None, org_kind="municipality", admin=False, approved=True,
             portal_admin=False):
        email = email or f"user{next(_counter)}@example.org"
        if org is None and org_kind:
            org = make_org(kind=org_kind, size_class="small" if org_kind in ("company", "non_profit") else None)
        user = accounts.create_user(email, name, PASSWORD, orgnr=org.orgnr if org else None,
                                    is_admin=portal_admin)
        user.is_org_admin = admin or user.is_org_admin
        user.is_org_approved = approved
        db.session.commit()
        return user
    return make


@pytest.fixture
def make_network(app, make_user):
    def make(slug="testnet", coordinator=None, name=None, kind="buyer_network"):
        coordinator = coordinator or make_user(name="Cora Coordinator", admin=True)
        return networks.create_network(networks.NetworkDraft(name=name or slug.title(), slug=slug, kind=kind),
                                       actor=coordinator)
    return make


@pytest.fixture
def bebo(make_network, make_user):
    """Network "bebo" (its coordinator, a member and an observer organisation), an outsider buyer,
    a supplier, another network "belok" with its coordinator, and a portal administrator."""
    from network_app.networks import services as network_services

    network = make_network(slug="bebo")
    coordinator = network.memberships[0].organisation.users[0]
    member = make_user(email="member@example.org", name="Mia Member", admin=True)
    observer = make_user(email="observer@example.org", name="Olle Observer", admin=True)
    for user, role in ((member, "member"), (observer, "observer")):
        network_services.accept_invitation(network_services.invite_organisation(
            network, user.organisation.orgnr, role, actor=coordinator), actor=user)
    outsider = make_user(email="outsider@example.org", name="Otto Outsider", admin=True)
    supplier = make_user(email="supplier@example.org", name="Sam Supplier", org_kind="company", admin=True)
    other_network = make_network(slug="belok", coordinator=make_user(email="other@example.org", admin=True))
    admin = make_user(email="admin@example.org", name="Ada Admin", org_kind=None, portal_admin=True)
    return {"network": network, "coordinator": coordinator, "member": member, "observer": observer,
            "outsider": outsider, "supplier": supplier, "other_network": other_network,
            "other": other_network.memberships[0].organisation.users[0], "admin": admin}


def login(client, email, password=PASSWORD, follow=False):
    return client.post("/login", data={"email": email, "password": password}, follow_redirects=follow)


@pytest.fixture
def outbox(app):
    """The queued messages, newest last."""
    def read(recipient=None):
        query = db.select(OutboxMessage).order_by(OutboxMessage.id)
        if recipient:
            query = query.where(OutboxMessage.recipient == recipient)
        return db.session.scalars(query).all()
    return read


def link_in(body: str) -> str:
    """The path of the first portal link in a message body."""
    match = re.search(r"http://portal\.test(/\S+)", body)
    assert match, body
    return match.group(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(app):
    """A real SMTP server on 127.0.0.1 (aiosmtpd); yields the list of received envelopes."""
    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope)
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    yield received
    controller.stop()


@pytest.fixture
def pg_engine():
    if not PG_URL:
        pytest.skip("PostgreSQL tests run when TEST_DATABASE_URL is set (make test does this in CI)")
    engine = create_engine(PG_URL)
    yield engine
    engine.dispose()
