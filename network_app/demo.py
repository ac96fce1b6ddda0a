"""Loads the demo organisations, accounts and networks from specs/demo/, the specification library
with its history from specs/library/, the criteria from specs/criteria/ and the planned needs from
specs/needs/, into an empty portal."""
import re
from datetime import date, datetime, time, timezone
from pathlib import Path

import yaml
from sqlalchemy import select

from .accounts import services as accounts
from .accounts.models import User
from .config import PROJECT_ROOT
from .extensions import db
from .networks.models import Membership, Network
from .organisations import services as organisations
from .criteria import services as criteria
from .intents import lifecycle as intent_lifecycle
from .intents import services as intents
from .intents import signing
from .needs import demo as needs_demo
from .specs import lifecycle
from .specs import services as specs

DEMO_DIR = PROJECT_ROOT / "specs" / "demo"
LIBRARY_DIR = PROJECT_ROOT / "specs" / "library"
CRITERIA_DIR = PROJECT_ROOT / "specs" / "criteria"
NEEDS_FILE = PROJECT_ROOT / "specs" / "needs" / "needs.yaml"
INTENTS_DIR = PROJECT_ROOT / "specs" / "intents"
CRITERIA_AUTHOR = "admin@portal.example"
CRITERIA_DATE = date(2025, 11, 17)


def is_empty() -> bool:
    return db.session.scalar(select(User.id).limit(1)) is None


def read_front_matter(path: Path) -> tuple[dict, str]:
    """Split a Markdown file with YAML front matter into (metadata, body)."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        return {}, text
    _, meta, body = text.split("---\n", 2)
    return yaml.safe_load(meta) or {}, body.strip()


def steps(demo_dir: Path = DEMO_DIR, library_dir: Path = LIBRARY_DIR, criteria_dir: Path = CRITERIA_DIR,
          needs_file: Path = NEEDS_FILE, intents_dir: Path = INTENTS_DIR):
    """The demo as a list of (label, callable), so the CLI can show progress."""
    orgs = yaml.safe_load((demo_dir / "organisations.yaml").read_text(encoding="utf-8"))
    people = yaml.safe_load((demo_dir / "users.yaml").read_text(encoding="utf-8"))
    network_files = sorted((demo_dir / "networks").glob("*.md"))
    result = [(f"organisation {o['name']}", lambda o=o: _add_organisation(o)) for o in orgs]
    result += [(f"user {u['email']}", lambda u=u: _add_user(u, people["password"])) for u in people["users"]]
    result += [(f"network {p.stem}", lambda p=p: _add_network(p)) for p in network_files]
    criteria = sorted(criteria_dir.glob("K-*.md"))
    result += [(f"criterion {p.stem}", lambda p=p: _add_criterion(p)) for p in criteria]
    spec_dirs = sorted(p.parent for p in library_dir.glob("*/*/spec.yaml"))
    result += [(f"specification {d.name}", lambda d=d: _add_spec(d)) for d in spec_dirs]
    revisions = sorted((criteria_dir / "revisions").glob("K-*.md"))
    result += [(f"criterion {p.stem}, new revision", lambda p=p: _revise_criterion(p)) for p in revisions]
    letters = sorted(p.parent for p in intents_dir.glob("*/*/letter.md"))
    result += [(f"letter of intent {d.name}", lambda d=d: _add_intent(d)) for d in letters]
    result += needs_demo.steps(needs_file)
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
    user = accounts.create_user(data["email"], data["name"], password, orgnr=data.get("orgnr"),
                                is_admin=bool(data.get("admin")))
    if data.get("library_editor") or data.get("signs_intents"):
        user.is_library_editor = bool(data.get("library_editor"))
        user.may_sign_intents = bool(data.get("signs_intents"))
        db.session.commit()


def _add_network(path: Path) -> None:
    meta, body = read_front_matter(path)
    network = Network(slug=path.stem, name=meta["name"], kind=meta["kind"], description=body)
    for member in meta.get("members", []):
        org = organisations.find_by_orgnr(member["orgnr"])
        network.memberships.append(Membership(organisation=org, role=member["role"]))
    db.session.add(network)
    db.session.commit()


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        raise ValueError(f"demo specification: no user {email}")
    return user


def _noon(day) -> datetime:
    return datetime.combine(day, time(12), tzinfo=timezone.utc)


def _add_spec(folder: Path) -> None:
    """One specification: spec.yaml describes it, 01.md, 02.md … are its revisions in order,
    each with front matter author, date, message and optionally adopt {version, note}."""
    meta = yaml.safe_load((folder / "spec.yaml").read_text(encoding="utf-8"))
    network = db.session.scalar(select(Network).where(Network.slug == folder.parent.name))
    coordinator = next(m.organisation for m in network.memberships if m.role == "coordinator")
    decider = db.session.scalar(select(User).where(User.organisation_id == coordinator.id).order_by(User.id))
    spec = None
    for path in sorted(folder.glob("[0-9]*.md")):
        front, body = read_front_matter(path)
        author, when = _user(front["author"]), _noon(front["date"])
        if spec is None:
            spec = specs.create_spec(network, specs.SpecDraft(
                title=meta["title"], summary=meta.get("summary", ""), cpv=meta.get("cpv", []),
                category=meta.get("category", ""), tags=meta.get("tags", []), text=body + "\n",
                message=front.get("message", ""), slug=folder.name), actor=author, when=when)
        else:
            specs.save_spec(spec, body + "\n", base_revision=spec.head_revision, message=front.get("message", ""),
                            actor=author, when=when)
        if "adopt" in front:
            note = front["adopt"]["note"]
            found = re.search(r"\d{4}-\d{2}-\d{2}", note)
            decided_on = date.fromisoformat(found.group(0)) if found else front["date"]
            lifecycle.adopt(spec, note=note, decided_on=decided_on, actor=decider, revision=spec.head_revision,
                            when=_noon(decided_on))


def _criterion_draft(path: Path) -> tuple[dict, "criteria.CriterionDraft"]:
    meta, body = read_front_matter(path)
    return meta, criteria.CriterionDraft(
        title=meta["title"], type=meta["type"], level=meta["level"], areas=meta.get("areas", []),
        cpv=meta.get("cpv", []), categories=meta.get("categories", []), source=meta.get("source", ""),
        text=criteria.CriterionText.parse(body), message=meta.get("message", ""))


def _add_criterion(path: Path) -> None:
    """A criterion of the shared library: front matter for its details, the text after it."""
    _meta, draft = _criterion_draft(path)
    draft.message = draft.message or f"{path.stem}: {draft.title}"
    criteria.create_criterion(draft, actor=_user(CRITERIA_AUTHOR), code=path.stem, when=_noon(CRITERIA_DATE))


def _revise_criterion(path: Path) -> None:
    """A later revision of a library criterion (front matter adds author, date and message)."""
    meta, draft = _criterion_draft(path)
    criterion = criteria.get_criterion_or_404(path.stem, viewer=None)
    criteria.save_criterion(criterion, draft, base_revision=criterion.head_revision, actor=_user(meta["author"]),
                            when=_noon(meta["date"]))


def _month(value) -> date:
    year, month = str(value).split("-")[:2]
    return date(int(year), int(month), 1)


def _add_intent(folder: Path) -> None:
    """A letter of intent: letter.md (front matter for its details, the text after it) and
    optionally signatures.yaml (signatures in order; `withdraw` withdraws one later)."""
    meta, body = read_front_matter(folder / "letter.md")
    network = db.session.scalar(select(Network).where(Network.slug == folder.parent.name))
    spec, version = intents.find_version(network, meta["spec"], meta["version"])
    author, when = _user(meta["author"]), _noon(meta["date"])
    letter = intents.create_intent(network, spec, version, intents.IntentDraft(
        title=meta["title"], text=body + "\n", message=meta.get("message", ""), is_binding=bool(meta.get("binding")),
        quantity_unit=meta.get("quantity_unit", ""), opens_on=meta.get("opens_on"), closes_on=meta.get("closes_on"),
        slug=folder.name), actor=author, when=when)
    if meta.get("open"):
        intent_lifecycle.open_intent(letter, actor=author, when=when)
    path = folder / "signatures.yaml"
    rows = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else []
    withdrawals = []
    for row in rows or []:
        signer, day = _user(row["email"]), row["date"]
        signature = signing.sign_intent(letter, signing.SignatureDraft(
            signer_name=signer.name, signer_title=row["title"], quantity=str(row.get("quantity", "")),
            value=str(row.get("value", "")), window_start=_month(row["from"]), window_end=_month(row["to"]),
            counties=row.get("counties", []), comment=row.get("comment", ""), is_named=row.get("named", True)),
            actor=signer, today=day, when=_noon(day))
        if "withdraw" in row:
            withdrawals.append((row["withdraw"]["date"], signature, signer, row["withdraw"]["reason"]))
    for day, signature, signer, reason in sorted(withdrawals, key=lambda w: w[0]):  # after the signatures
        signing.withdraw_signature(signature, reason, actor=signer, when=_noon(day))
