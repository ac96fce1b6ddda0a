"""Loads the demo's planned needs from specs/needs/needs.yaml: watches first (so that publishing
fills the suppliers' feeds), then the needs through their statuses, interest, questions, messages.
Dates in the file become the dates of publication and history."""
from datetime import date, datetime, time, timezone
from pathlib import Path

import yaml
from sqlalchemy import select

from .. import signals
from ..accounts.models import User
from ..extensions import db
from . import engagement, services, watches
from .models import Need, NeedEvent

# How a published need reaches each status (cancelled straight from planned).
_PATHS = {"planned": [], "market_dialogue": ["market_dialogue"], "announced": ["market_dialogue", "announced"],
          "awarded": ["market_dialogue", "announced", "awarded"], "cancelled": ["cancelled"]}


def steps(path: Path):
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    keys: dict[str, int] = {}
    result = [(f"watch {w['name']}", lambda w=w: _watch(w)) for w in data.get("watches", [])]
    result += [(f"planned need {n['key']}", lambda n=n: _need(n, keys)) for n in data.get("needs", [])]
    result += [(f"interest in {i['need']}", lambda i=i: _interest(i, keys)) for i in data.get("interests", [])]
    result += [(f"question about {q['need']}", lambda q=q: _question(q, keys)) for q in data.get("questions", [])]
    result += [(f"message about {m['need']}", lambda m=m: _message(m, keys)) for m in data.get("messages", [])]
    return result


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        raise ValueError(f"demo needs: no user {email}")
    return user


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=timezone.utc)


def _watch(data: dict) -> None:
    watches.create_watch(watches.WatchDraft(name=data["name"], cpv=data.get("cpv", []),
                                            counties=data.get("counties", []), words=data.get("words", ""),
                                            frequency=data.get("frequency", "immediate")), actor=_user(data["by"]))


def _need(data: dict, keys: dict) -> None:
    fields = {name: data[name] for name in services.NeedDraft.__dataclass_fields__ if name in data}
    draft = services.NeedDraft(**fields)
    actor = _user(data["by"])
    need = services.create_need(draft, actor=actor, network=data.get("network", ""),
                                publish=data.get("status", "planned") != "draft")
    keys[data["key"]] = need.id
    for status in _PATHS.get(data.get("status", "planned"), []):
        services.change_status(need, status, actor=actor, notice_reference=data.get("notice_reference", ""),
                               notice_url=data.get("notice_url", ""), reason=data.get("status_reason", ""))
    if data.get("published_on"):  # the demo's history happened on the dates in the file
        when = _noon(data["published_on"])
        need.published_at = need.created_at = need.updated_at = when
        for event in db.session.scalars(select(NeedEvent).where(NeedEvent.need_id == need.id)):
            event.at = when
        db.session.commit()
        signals.changed("need", need.id)  # the index holds the need as it is now


def _interest(data: dict, keys: dict) -> None:
    need = db.session.get(Need, keys[data["need"]])
    engagement.register_interest(need, engagement.InterestDraft(
        contact_name=data["contact_name"], contact_email=data["contact_email"], message=data.get("message", ""),
        contact_phone=data.get("contact_phone", ""), consortium=bool(data.get("consortium")),
        subcontractor=bool(data.get("subcontractor"))), actor=_user(data["by"]))


def _question(data: dict, keys: dict) -> None:
    need = db.session.get(Need, keys[data["need"]])
    question = engagement.ask(need, data["text"], actor=_user(data["by"]))
    if data.get("answer"):
        answerer = db.session.get(User, need.created_by_id)
        engagement.answer(question, need, data["answer"], data.get("public", True), actor=answerer)


def _message(data: dict, keys: dict) -> None:
    need = db.session.get(Need, keys[data["need"]])
    engagement.send_message(need, data["subject"], data["body"], actor=_user(data["by"]))
