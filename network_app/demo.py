"""Loads the demo organisations, accounts and networks from specs/demo/ into an empty portal."""
from pathlib import Path

import yaml
from sqlalchemy import select

from .accounts import services as accounts
from .accounts.models import User
from .config import PROJECT_ROOT
from .extensions import db
from .networks.models import Membership, Network
from .organisations import services as organisations

DEMO_DIR = PROJECT_ROOT / "specs" / "demo"


def is_empty() -> bool:
    return db.session.scalar(select(User.id).limit(1)) is None


def read_front_matter(path: Path) -> tuple[dict, str]:
    """Split a Markdown file with YAML front matter into (metadata, body)."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        return {}, text
    _, meta, body = text.split("---\n", 2)
    return yaml.safe_load(meta) or {}, body.strip()


def steps(demo_dir: Path = DEMO_DIR):
    """The demo as a list of (label, callable), so the CLI can show progress."""
    orgs = yaml.safe_load((demo_dir / "organisations.yaml").read_text(encoding="utf-8"))
    people = yaml.safe_load((demo_dir / "users.yaml").read_text(encoding="utf-8"))
    network_files = sorted((demo_dir / "networks").glob("*.md"))
    result = [(f"organisation {o['name']}", lambda o=o: _add_organisation(o)) for o in orgs]
    result += [(f"user {u['email']}", lambda u=u: _add_user(u, people["password"])) for u in people["users"]]
    result += [(f"network {p.stem}", lambda p=p: _add_network(p)) for p in network_files]
    return result


def _add_organisation(data: dict) -> None:
    draft = organisations.OrganisationDraft(name=data["name"], orgnr=data["orgnr"], kind=data["kind"],
                                            size_class=data.get("size_class"), counties=data.get("counties", []))
    errors = organisations.validate(draft)
    if errors:
        raise ValueError(f"demo organisation {data['name']}: {errors}")
    organisations.build(draft)
    db.session.commit()


def _add_user(data: dict, password: str) -> None:
    accounts.create_user(data["email"], data["name"], password, orgnr=data.get("orgnr"),
                         is_admin=bool(data.get("admin")))


def _add_network(path: Path) -> None:
    meta, body = read_front_matter(path)
    network = Network(slug=path.stem, name=meta["name"], kind=meta["kind"], description=body)
    for member in meta.get("members", []):
        org = organisations.find_by_orgnr(member["orgnr"])
        network.memberships.append(Membership(organisation=org, role=member["role"]))
    db.session.add(network)
    db.session.commit()
