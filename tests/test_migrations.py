"""The schema comes only from Alembic migrations; they must agree with the models."""
import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text

from network_app import create_app
from network_app.extensions import db
from tests.conftest import PG_URL, app_config


@pytest.fixture
def migration_db(tmp_path):
    """An empty database: a SQLite file, or a fresh PostgreSQL database when TEST_DATABASE_URL is set."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    name = f"network_app_migrations_{os.getpid()}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield PG_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_migrations_match_the_models(tmp_path, migration_db):
    app = create_app(app_config(tmp_path, SQLALCHEMY_DATABASE_URI=migration_db))
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
        assert diff == [], f"models and migrations disagree; run `flask db migrate`: {diff}"
        downgrade(revision="base")
        upgrade()
        db.engine.dispose()
