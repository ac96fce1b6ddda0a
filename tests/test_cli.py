"""The Flask CLI: init, demo, create-user, create-token, send-mail."""
from sqlalchemy import func, select

from network_app.accounts.models import User
from network_app.extensions import db
from network_app.networks.models import Network
from tests.conftest import PASSWORD


def test_demo_loads_networks_and_accounts_once(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    slugs = set(db.session.scalars(select(Network.slug)))
    assert {"bebo", "belok", "inkopscentral-mitt"} <= slugs
    emails = set(db.session.scalars(select(User.email)))
    assert {"samordnare@bebo.example", "medlem@bebo.example", "observator@bebo.example",
            "samordnare@inkopscentral.example", "leverantor@foretag.example", "forening@ideburen.example",
            "admin@portal.example"} <= emails
    users = db.session.scalar(select(func.count()).select_from(User))
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0 and "only into an empty portal" in again.output
    assert db.session.scalar(select(func.count()).select_from(User)) == users


def test_demo_roles_match_the_readme(runner, client):
    from network_app.accounts.services import find_user
    from network_app.networks.services import get_network_or_404
    from network_app.permissions import network_role

    runner.invoke(args=["demo"])
    bebo = get_network_or_404("bebo")
    assert network_role(find_user("samordnare@bebo.example"), bebo) == "coordinator"
    assert network_role(find_user("medlem@bebo.example"), bebo) == "member"
    assert network_role(find_user("observator@bebo.example"), bebo) == "observer"
    centre = get_network_or_404("inkopscentral-mitt")
    assert network_role(find_user("samordnare@inkopscentral.example"), centre) == "coordinator"
    assert sum(1 for m in centre.memberships if m.organisation.kind == "municipality") == 4
    assert find_user("admin@portal.example").is_portal_admin
    assert find_user("leverantor@foretag.example").organisation.size_class in ("micro", "small")
    assert find_user("forening@ideburen.example").organisation.kind == "non_profit"
    assert client.post("/login", data={"email": "medlem@bebo.example",
                                       "password": "demo-losenord-2026"}).status_code == 302


def test_create_user_and_token(runner, client, make_org):
    org = make_org()
    result = runner.invoke(args=["create-user", "new@example.org", "--name", "New Person",
                                 "--password", PASSWORD, "--org", org.orgnr, "--admin"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "new@example.org"))
    assert user.is_portal_admin and user.is_org_admin and user.organisation_id == org.id
    result = runner.invoke(args=["create-token", "new@example.org"])
    assert result.exit_code == 0
    token = result.output.strip().splitlines()[-1]
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.json["email"] == "new@example.org"


def test_create_user_refuses_a_weak_password_and_unknown_org(runner):
    result = runner.invoke(args=["create-user", "new@example.org", "--name", "N", "--password", "short",
                                 "--org", "556036-0793"])
    assert result.exit_code == 1
    assert "password" in result.output and "orgnr" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_create_token_for_unknown_user_fails(runner):
    result = runner.invoke(args=["create-token", "nobody@example.org"])
    assert result.exit_code == 1


def test_init_runs_the_migrations(tmp_path):
    from click.testing import CliRunner  # noqa: F401 - the app runner below wraps it

    from network_app import create_app
    from tests.conftest import app_config

    app = create_app(app_config(tmp_path / "fresh", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/fresh.db"))
    result = app.test_cli_runner().invoke(args=["init"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        from sqlalchemy import inspect

        tables = set(inspect(db.engine).get_table_names())
        db.engine.dispose()
    assert {"users", "organisations", "networks", "memberships", "outbox", "alembic_version"} <= tables
