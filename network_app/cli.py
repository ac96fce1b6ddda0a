"""Flask CLI: init, demo, check, create-user, create-token, send-mail (flask --app wsgi <command>)."""
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from .errors import InvalidInput
from .extensions import db


def register(app) -> None:
    for command in (init, demo, create_user, create_token, send_mail, check):
        app.cli.add_command(command)


@click.command("init")
@with_appcontext
def init():
    """Create the data folder and bring the database schema up to date (Alembic migrations)."""
    from flask_migrate import upgrade

    click.echo(f"Data folder: {current_app.config['DATA_DIR']}")
    upgrade()
    click.echo("Database schema is up to date.")


@click.command("demo")
@with_appcontext
def demo():
    """Load the demo organisations, accounts and networks from specs/demo/ into an empty portal."""
    from . import demo as demo_data

    if not demo_data.is_empty():
        click.echo("The portal already has data; the demo is loaded only into an empty portal. Nothing changed.")
        return
    steps = demo_data.steps()
    with click.progressbar(steps, label="Loading demo data", item_show_func=lambda s: s[0] if s else "",
                           file=sys.stderr) as bar:
        for _label, step in bar:
            step()
    click.echo(f"Demo data loaded ({len(steps)} items). Password for every demo account: demo-losenord-2026")


def _fail(err: InvalidInput) -> None:
    for field, message in err.errors.items():
        click.echo(f"{field}: {message}", err=True)
    raise SystemExit(1)


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--name", required=True, help="The person's name.")
@click.option("--password", required=True, help="At least 12 characters, not a common password.")
@click.option("--org", "orgnr", help="Organisation number of a registered organisation to join (approved).")
@click.option("--admin", is_flag=True, help="Make the user a portal administrator.")
def create_user(email, name, password, orgnr, admin):
    """Create an account (approved in its organisation; the first user there administers it)."""
    from .accounts import services

    try:
        user = services.create_user(email, name, password, orgnr=orgnr, is_admin=admin)
    except InvalidInput as err:
        _fail(err)
    click.echo(f"Created user {user.email} (id {user.id}).")


@click.command("create-token")
@with_appcontext
@click.argument("email")
@click.option("--name", default="CLI", help="A name to tell the token apart on the profile page.")
def create_token(email, name):
    """Create an API token for EMAIL; the token is printed alone on the last line."""
    from .accounts import services

    user = services.find_user(email)
    if user is None:
        click.echo(f"No user with the e-mail address {email}.", err=True)
        raise SystemExit(1)
    try:
        token = services.create_api_token(user, name)
    except InvalidInput as err:
        _fail(err)
    click.echo(f"API token for {user.email} (stored hashed; shown only now):")
    click.echo(token)


@click.command("send-mail")
@with_appcontext
def send_mail():
    """Send the queued e-mail over SMTP; failures stay queued with their attempt count."""
    from . import mail

    sent, failed = mail.send_outbox()
    click.echo(f"Sent {sent} message(s); {failed} failed and stay queued.")
    db.session.remove()
    if failed:
        raise SystemExit(1)


@click.command("check")
@click.option("--repair", is_flag=True, help="Rebuild the database's caches from git.")
@with_appcontext
def check(repair):
    """Check every git repository (git fsck) and the database's caches of them; exit 1 on problems.
    Also refreshes each sound repository's commit graph, which keeps history walks fast."""
    from .networks.services import list_networks
    from .repos import store
    from .specs.services import check_caches

    problems = []
    networks = [n for n in list_networks() if (store().path_of(n.slug) / "HEAD").exists()]
    with click.progressbar(networks, label="Checking repositories", file=sys.stderr) as bar:
        for network in bar:
            clean, output = store().fsck(network.slug)
            if not clean:
                problems.append(f"repository {network.slug}: {output}")
            else:
                store().maintain(network.slug)
    report = check_caches(repair=repair)
    problems += report.missing
    for line in problems + report.drift:
        click.echo(line)
    if report.drift and repair:
        click.echo(f"Repaired {len(report.drift)} cache entr{'y' if len(report.drift) == 1 else 'ies'} from git.")
    total = len(problems) + len(report.drift)
    click.echo(f"Checked {len(networks)} repositories: {'no problems' if not total else f'{total} problem(s)'}.")
    if problems or (report.drift and not repair):
        raise SystemExit(1)
