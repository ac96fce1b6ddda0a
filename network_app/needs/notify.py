"""Who hears of a change to a need, and what they are told. Everything goes through the outbox
(`flask send-mail` delivers it), in each recipient's language, after the change is committed: a
failure here is logged and never undoes the change."""
import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import mail, signals
from ..accounts.models import User
from ..extensions import db
from ..links import external_url
from .models import Interest, Need
from .watches import due_digests, record_matches

log = logging.getLogger(__name__)


def interested(need: Need) -> list[tuple[str, str | None]]:
    """(address, locale) of every active registration's contact, once each."""
    rows = db.session.execute(select(Interest.contact_email, User.locale).outerjoin(User, User.id == Interest.user_id)
                              .where(Interest.need_id == need.id, Interest.withdrawn_at.is_(None)))
    seen, found = set(), []
    for email, locale in rows:
        if email.lower() not in seen:
            seen.add(email.lower())
            found.append((email, locale))
    return found


def _safely(fn):
    def run(*args, **kwargs):
        try:
            fn(*args, **kwargs)
            db.session.commit()
        except Exception:  # noqa: BLE001 - the change itself is committed; notices must not undo it
            db.session.rollback()
            log.exception("notifying about a need failed")
    return run


def _status_text(status: str):
    from .services import status_label

    return status_label(status)


@_safely
def need_published(need: Need) -> None:
    _tell_watchers(need, "published")


@_safely
def status_changed(need: Need, before: str) -> None:
    _tell_watchers(need, need.status)
    link = external_url("needs.show", need_id=need.id)
    details = ""
    if need.status == "announced":
        details = str(_l("Notice: %(ref)s %(url)s", ref=need.notice_reference, url=need.notice_url))
    elif need.status_reason:
        details = need.status_reason
    for email, locale in interested(need):
        mail.queue(email, _l("%(title)s is now %(status)s", title=need.title, status=_status_text(need.status)),
                   _l("The planned procurement %(title)s from %(buyer)s has moved from %(before)s to %(after)s.\n\n"
                      "%(details)s\n\nRead more: %(link)s\n\nYou get this because your organisation registered "
                      "interest.", title=need.title, buyer=need.buyer_name, before=_status_text(before),
                      after=_status_text(need.status), details=details, link=link), locale=locale)


def _tell_watchers(need: Need, event: str) -> None:
    """Feed items for every matching watch; e-mail now to those wanting it at once."""
    link = external_url("needs.show", need_id=need.id)
    for watch in record_matches(need, event):
        user = watch.user
        if event == "published":
            subject = _l("New planned procurement: %(title)s", title=need.title)
        else:
            subject = _l("%(title)s is now %(status)s", title=need.title, status=_status_text(event))
        mail.queue(user.email, subject,
                   _l("%(title)s from %(buyer)s matches your watch “%(watch)s”.\n\nPlanned notice: %(date)s\n\n"
                      "Read more and register interest: %(link)s\n\nChange your watches: %(watches)s",
                      title=need.title, buyer=need.buyer_name, watch=watch.name,
                      date=need.planned_notice_date.isoformat(), link=link,
                      watches=external_url("needs.watches")), locale=user.locale)


@_safely
def message_sent(need: Need, subject: str, body: str, recipients: list[tuple[str, str | None]]) -> None:
    link = external_url("needs.show", need_id=need.id)
    for email, locale in recipients:
        mail.queue(email, f"{need.title}: {subject}",
                   _l("%(buyer)s writes to every supplier that registered interest in %(title)s:\n\n%(body)s\n\n"
                      "%(link)s", buyer=need.buyer_name, title=need.title, body=body, link=link), locale=locale)


@_safely
def answer_published(question) -> None:
    """A public answer: to everyone registered for the need, and to whoever asked."""
    if question.need_id is not None:
        need = db.session.get(Need, question.need_id)
        recipients = interested(need)
        title, link = need.title, external_url("needs.show", need_id=need.id, _anchor=f"q{question.id}")
    else:
        from ..specs.models import Spec

        spec = db.session.get(Spec, question.spec_id)
        recipients = []
        title = spec.title
        link = external_url("needs.spec_questions", network=spec.network.slug, slug=spec.slug)
    asker = question.user
    if asker is not None and asker.email.lower() not in {e.lower() for e, _ in recipients}:
        recipients.append((asker.email, asker.locale))
    for email, locale in recipients:
        mail.queue(email, _l("A question about %(title)s is answered", title=title),
                   _l("Question: %(question)s\n\nAnswer: %(answer)s\n\n%(link)s", question=question.text,
                      answer=question.answer, link=link), locale=locale)


@_safely
def private_answer(question) -> None:
    asker = question.user
    if asker is None:
        return
    mail.queue(asker.email, _l("Your question has been answered"),
               _l("Question: %(question)s\n\nAnswer (to you only): %(answer)s", question=question.text,
                  answer=question.answer), locale=asker.locale)


def _spec_adopted(_sender, *, spec_id: int, number: int) -> None:
    """A specification has a new adopted version: tell the suppliers registered for needs built on it."""
    from ..specs.models import SpecVersion

    try:
        version = db.session.get(SpecVersion, (spec_id, number))
        needs = db.session.scalars(select(Need).where(Need.spec_id == version.spec_id,
                                                      Need.status.in_(("planned", "market_dialogue", "announced"))))
        link_spec = external_url("specs.version", network=version.spec.network.slug, slug=version.spec.slug,
                                 number=version.number)
        for need in needs:
            for email, locale in interested(need):
                mail.queue(email, _l("%(spec)s has a new version %(version)s", spec=version.spec.title,
                                     version=version.label),
                           _l("The specification behind %(title)s has a new adopted version, %(version)s:\n%(link)s\n\n"
                              "The planned procurement: %(need)s", title=need.title, version=version.label,
                              link=link_spec, need=external_url("needs.show", need_id=need.id)), locale=locale)
        db.session.commit()
    except Exception:  # noqa: BLE001
        db.session.rollback()
        log.exception("notifying about a new specification version failed")


signals.version_adopted.connect(_spec_adopted, sender="spec")


def send_digests() -> int:
    """Mail each user the notices its daily watches collected; returns the number of digests queued."""
    from ..dbtypes import utcnow

    now = utcnow()
    count = 0
    for user_id, notices in due_digests().items():
        user = db.session.get(User, user_id)
        lines = []
        seen = set()
        for notice in notices:
            notice.mailed_at = now
            if notice.need_id in seen or not notice.need.is_published:
                continue
            seen.add(notice.need_id)
            lines.append(f"- {notice.need.title} ({notice.need.buyer_name}, "
                         f"{_status_text(notice.need.status)}): {external_url('needs.show', need_id=notice.need_id)}")
        if lines and user is not None:
            mail.queue(user.email, _l("Planned procurements matching your watches (%(n)d)", n=len(lines)),
                       _l("These planned procurements match your watches:\n\n%(items)s\n\nChange your watches: "
                          "%(watches)s", items="\n".join(lines), watches=external_url("needs.watches")),
                       locale=user.locale)
            count += 1
        db.session.commit()
    return count
