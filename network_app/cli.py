"""Flask CLI: init, demo, reindex, check, create-user, create-token, send-mail, send-digests
(flask --app wsgi <command>)."""
import sys
import time

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from .errors import InvalidInput
from .extensions import db


def register(app) -> None:
    for command in (init, demo, reindex, create_user, create_token, library_editor, send_mail, send_digests, check):
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


@click.command("reindex")
@click.option("--procs", default=2, show_default=True, type=click.IntRange(1, 16),
              help="Processes that analyse the texts (2 uses both cores of a small server).")
@with_appcontext
def reindex(procs):
    """Rebuild the search index from the database and git (a fresh one if it is missing or damaged).
    Searches keep answering from the old index until the new one is complete."""
    from . import search

    start = time.perf_counter()
    with click.progressbar(search.all_documents(), label="Indexing documents", show_pos=True,
                           file=sys.stderr) as documents:
        count = search.rebuild(documents=documents, procs=procs)
    seconds = time.perf_counter() - start
    click.echo(f"Indexed {count} documents in {seconds:.1f} s ({count / seconds if seconds else 0:.0f} per second).")


def _fail(err: InvalidInput) -> None:
    for field, message in err.errors.items():
        click.echo(f"{field}: {message}", err=True)
    raise SystemExit(1)


@click.command("library-editor")
@with_appcontext
@click.argument("email")
@click.option("--remove", is_flag=True, help="Take the right away instead.")
def library_editor(email, remove):
    """Appoint a person to maintain the shared criteria library (or, with --remove, no longer)."""
    from .accounts.models import User

    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        click.echo(f"No account with the e-mail address {email}.", err=True)
        raise SystemExit(1)
    user.is_library_editor = not remove
    db.session.commit()
    click.echo(f"{user.name} <{user.email}> {'no longer edits' if remove else 'now edits'} the criteria library.")


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


@click.command("send-digests")
@with_appcontext
def send_digests():
    """Queue each user's daily digest of the needs its daily watches matched (run once a day,
    before send-mail)."""
    from .needs import notify

    queued = notify.send_digests()
    click.echo(f"Queued {queued} digest(s).")
    db.session.remove()


@click.command("check")
@click.option("--repair", is_flag=True, help="Rebuild the database's caches from git.")
@with_appcontext
def check(repair):
    """Check every git repository (git fsck), the database's caches of them and the search index
    against them; exit 1 on problems. Also refreshes each sound repository's commit graph, which
    keeps history walks fast."""
    from .criteria import services as criteria
    from .criteria.models import LIBRARY_REPOSITORY
    from .networks.services import list_networks
    from .repos import store
    from .search import check as search_check
    from .specs import services as specs

    problems = []
    names = [n.slug for n in list_networks()] + [LIBRARY_REPOSITORY]
    repositories = [name for name in names if (store().path_of(name) / "HEAD").exists()]
    with click.progressbar(repositories, label="Checking repositories", file=sys.stderr) as bar:
        for name in bar:
            clean, output = store().fsck(name)
            if not clean:
                problems.append(f"repository {name}: {output}")
            else:
                store().maintain(name)
    from .intents import services as intents

    reports = [specs.check_caches(repair=repair), criteria.check_caches(repair=repair),
               intents.check_caches(repair=repair)]
    drift = [line for report in reports for line in report.drift]
    problems += [line for report in reports for line in report.missing]
    drift += search_check(repair=repair).problems  # applies queued changes first; --repair reindexes
    for line in problems + drift:
        click.echo(line)
    if drift and repair:
        click.echo(f"Repaired {len(drift)} cache entr{'y' if len(drift) == 1 else 'ies'} from git.")
    total = len(problems) + len(drift)
    click.echo(f"Checked {len(repositories)} repositories: {'no problems' if not total else f'{total} problem(s)'}.")
    if problems or (drift and not repair):
        raise SystemExit(1)
