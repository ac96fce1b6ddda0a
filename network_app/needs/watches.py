"""Watches (bevakningar): a supplier's standing filters, matched against needs when they are
published or change status; the matches become feed items and e-mail (at once or daily)."""
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import permissions, regions
from ..dbtypes import utcnow
from ..errors import InvalidInput, NotFound
from ..extensions import db
from ..search.analysis import swedish_analyzer
from ..util import has_forbidden_chars
from .models import Need, Watch, WatchCounty, WatchCpv, WatchFeed, WatchNotice
from .services import cpv_prefix

FREQUENCIES = ("immediate", "daily")
MAX_WATCHES = 50  # per user
FEED_ITEMS = 50


@dataclass
class WatchDraft:
    name: str = ""
    cpv: list[str] = field(default_factory=list)
    counties: list[str] = field(default_factory=list)
    words: str = ""
    frequency: str = "immediate"


def _validate(draft: WatchDraft) -> dict:
    errors = {}
    draft.name = (draft.name or "").strip()
    if not draft.name:
        errors["name"] = _l("Give the watch a name, for example Heat pumps in Småland.")
    elif len(draft.name) > 100 or has_forbidden_chars(draft.name):
        errors["name"] = _l("Use a name of at most 100 characters.")
    raw = [c.strip() for c in draft.cpv if c.strip()]
    prefixes = [cpv_prefix(c) for c in raw]
    if None in prefixes:
        errors["cpv"] = _l("Unknown CPV code: %(codes)s.", codes=", ".join(c for c, p in zip(raw, prefixes) if not p))
    draft.cpv = sorted(set(filter(None, prefixes)))
    draft.counties = sorted({c.strip() for c in draft.counties if c.strip()})
    unknown = [c for c in draft.counties if c not in regions.counties()]
    if unknown:
        errors["counties"] = _l("Unknown county code: %(codes)s.", codes=", ".join(unknown))
    draft.words = " ".join((draft.words or "").split())
    if len(draft.words) > 300 or has_forbidden_chars(draft.words):
        errors["words"] = _l("Use at most 300 characters.")
    if draft.frequency not in FREQUENCIES:
        errors["frequency"] = _l("Choose how often you want e-mail.")
    if not (draft.cpv or draft.counties or draft.words) and not errors:
        errors["cpv"] = _l("Choose at least one CPV code, county or word, or the watch would match every need.")
    return errors


def _apply(watch: Watch, draft: WatchDraft) -> None:
    watch.name, watch.words, watch.frequency = draft.name, draft.words, draft.frequency
    if watch.prefixes != draft.cpv:
        watch.cpv_prefixes = [WatchCpv(prefix=p) for p in draft.cpv]
    if watch.county_codes != draft.counties:
        watch.counties = [WatchCounty(county_code=c) for c in draft.counties]


def create_watch(draft: WatchDraft, *, actor) -> Watch:
    permissions.require(actor, "watch.create")
    errors = _validate(draft)
    if not errors and len(watches_of(actor)) >= MAX_WATCHES:
        errors["name"] = _l("You have %(n)d watches, the most one person can have. Remove one first.", n=MAX_WATCHES)
    if errors:
        raise InvalidInput(errors)
    watch = Watch(user_id=actor.id)
    _apply(watch, draft)
    db.session.add(watch)
    db.session.commit()
    return watch


def update_watch(watch: Watch, draft: WatchDraft) -> Watch:
    errors = _validate(draft)
    if errors:
        raise InvalidInput(errors)
    _apply(watch, draft)
    db.session.commit()
    return watch


def delete_watch(watch: Watch) -> None:
    db.session.delete(watch)
    db.session.commit()


def watches_of(user) -> list[Watch]:
    return list(db.session.scalars(select(Watch).where(Watch.user_id == user.id).order_by(Watch.name)
                                   .options(selectinload(Watch.cpv_prefixes), selectinload(Watch.counties))))


def get_watch_or_404(watch_id: int, *, owner) -> Watch:
    watch = db.session.get(Watch, watch_id) if 0 < watch_id < 2**31 else None
    if watch is None or watch.user_id != owner.id:
        raise NotFound()
    return watch


# --- matching -------------------------------------------------------------------------------------

def _stems(text: str) -> set[str]:
    return {t.text for t in swedish_analyzer()(text or "")}


def _prefixes_of(codes: list[str]) -> set[str]:
    """Every prefix a watch could hold that covers one of the codes ('45331000-6' -> 45, 453, …)."""
    return {code[:n] for code in codes for n in range(2, 9)}


def matching_watches(need: Need) -> list[Watch]:
    """The watches that `need` matches: each part a watch has (CPV prefixes, counties, words) must
    match; words all match the need's title and description, in any inflection."""
    prefixes, counties = _prefixes_of(need.cpv), set(need.county_codes)
    with_cpv = select(WatchCpv.watch_id)
    with_county = select(WatchCounty.watch_id)
    cpv_ok = select(WatchCpv.watch_id).where(WatchCpv.prefix.in_(prefixes))
    county_ok = select(WatchCounty.watch_id).where(WatchCounty.county_code.in_(counties))
    query = select(Watch.id, Watch.user_id, Watch.words, Watch.frequency).where(
        (Watch.id.in_(cpv_ok) | Watch.id.not_in(with_cpv)),
        (Watch.id.in_(county_ok) | Watch.id.not_in(with_county)))
    stems = None
    matched = []
    for row in db.session.execute(query):
        if row.words:
            if stems is None:
                stems = _stems(f"{need.title}\n{need.description}")
            if not _stems(row.words) <= stems:
                continue
        matched.append(row.id)
    if not matched:
        return []
    return list(db.session.scalars(select(Watch).where(Watch.id.in_(matched)).order_by(Watch.id)))


def record_matches(need: Need, event: str) -> list[Watch]:
    """Add a feed item for each watch `need` matches (in the caller's transaction); the watches
    wanting e-mail at once are returned, one per user."""
    watches = matching_watches(need)
    now = utcnow()
    immediate: dict[int, Watch] = {}
    for watch in watches:
        mailed = now if watch.frequency == "immediate" else None
        db.session.add(WatchNotice(watch_id=watch.id, user_id=watch.user_id, need_id=need.id, event=event,
                                   created_at=now, mailed_at=mailed))
        if mailed:
            immediate.setdefault(watch.user_id, watch)
    return list(immediate.values())


def due_digests(now=None) -> dict[int, list[WatchNotice]]:
    """user id -> the notices of daily watches not mailed yet (collected for the digest)."""
    notices = db.session.scalars(select(WatchNotice).where(WatchNotice.mailed_at.is_(None))
                                 .order_by(WatchNotice.user_id, WatchNotice.id)
                                 .options(selectinload(WatchNotice.need), selectinload(WatchNotice.watch)))
    found: dict[int, list[WatchNotice]] = {}
    for notice in notices:
        found.setdefault(notice.user_id, []).append(notice)
    return found


def feed_items(user_id: int) -> list[WatchNotice]:
    """The newest items of a user's feed (one per need and event)."""
    notices = db.session.scalars(select(WatchNotice).where(WatchNotice.user_id == user_id)
                                 .order_by(WatchNotice.id.desc()).limit(FEED_ITEMS * 3)
                                 .options(selectinload(WatchNotice.need).selectinload(Need.cpv_codes),
                                          selectinload(WatchNotice.watch)))
    seen, items = set(), []
    for notice in notices:
        if (notice.need_id, notice.event) not in seen and notice.need.is_published:
            seen.add((notice.need_id, notice.event))
            items.append(notice)
    return items[:FEED_ITEMS]


# --- the personal feed's secret URL -------------------------------------------------------------------

def _signature(user_id: int, nonce: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"watch-feed:{user_id}:{nonce}".encode(), hashlib.sha256).hexdigest()[:40]


def feed_token(user, *, renew: bool = False) -> str:
    """The secret in the user's feed URL; renewing makes every earlier URL stop working."""
    feed = db.session.get(WatchFeed, user.id)
    if feed is None:
        feed = WatchFeed(user_id=user.id, nonce=secrets.token_hex(16))
        db.session.add(feed)
        db.session.commit()
    elif renew:
        feed.nonce, feed.renewed_at = secrets.token_hex(16), utcnow()
        db.session.commit()
    return f"{user.id}-{_signature(user.id, feed.nonce)}"


def user_of_token(token: str):
    """The user whose feed the token opens, or None."""
    from ..accounts.models import User

    match = re.fullmatch(r"(\d{1,10})-([0-9a-f]{40})", token or "")
    if not match:
        return None
    user_id = int(match.group(1))
    feed = db.session.get(WatchFeed, user_id) if user_id < 2**31 else None
    if feed is None or not hmac.compare_digest(match.group(2), _signature(user_id, feed.nonce)):
        return None
    user = db.session.get(User, user_id)
    return user if user is not None and user.is_active else None
