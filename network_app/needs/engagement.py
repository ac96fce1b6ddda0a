"""Suppliers and buyers around a need: registrations of interest, the buyer's message to everyone
registered, and questions with public or private answers (also about specifications in consultation)."""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from .. import permissions
from ..dbtypes import utcnow
from ..errors import AppError, InvalidInput, NotFound
from ..extensions import db
from ..organisations.models import Organisation, OrganisationCounty
from ..util import csv_text, has_forbidden_chars
from . import notify
from .models import Interest, Need, NeedMessage, Question
from .services import is_email, status_label



class InterestRefused(AppError):
    status, code = 409, "interest_refused"


@dataclass
class InterestDraft:
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    message: str = ""
    consortium: bool = False
    subcontractor: bool = False


def _check_line(value: str, limit: int) -> bool:
    return len(value) <= limit and not has_forbidden_chars(value) and "\n" not in value


def _validate_interest(draft: InterestDraft) -> dict:
    errors = {}
    draft.contact_name = (draft.contact_name or "").strip()
    draft.contact_email = (draft.contact_email or "").strip()
    draft.contact_phone = (draft.contact_phone or "").strip()
    draft.message = (draft.message or "").strip()
    if not draft.contact_name:
        errors["contact_name"] = _l("Enter who the buyer should contact.")
    elif not _check_line(draft.contact_name, 200):
        errors["contact_name"] = _l("Use at most 200 characters.")
    if not _check_line(draft.contact_email, 254) or not is_email(draft.contact_email):
        errors["contact_email"] = _l("Enter an e-mail address such as name@example.se.")
    if not _check_line(draft.contact_phone, 40):
        errors["contact_phone"] = _l("Use at most 40 characters.")
    if len(draft.message) > 4000 or has_forbidden_chars(draft.message):
        errors["message"] = _l("Use at most 4,000 characters.")
    return errors


def interest_of(need: Need, organisation) -> Interest | None:
    if organisation is None:
        return None
    return db.session.scalar(select(Interest).where(Interest.need_id == need.id,
                                                    Interest.organisation_id == organisation.id))


def register_interest(need: Need, draft: InterestDraft, *, actor) -> tuple[Interest, bool]:
    """Register (or change, or renew after a withdrawal) the actor's organisation's interest.
    Returns (interest, created). One registration per organisation and need."""
    if not permissions.may(actor, "need.register_interest", need):
        if not need.is_open:
            raise InterestRefused(_l("Interest can only be registered while a need is planned, in market "
                                     "dialogue or announced; this one is %(status)s.",
                                     status=str(status_label(need.status)).lower()))
        permissions.require(actor, "need.register_interest", need)
    errors = _validate_interest(draft)
    if errors:
        raise InvalidInput(errors)
    organisation = actor.approved_organisation
    interest = interest_of(need, organisation)
    created = interest is None or not interest.is_active
    if interest is None:
        interest = Interest(need_id=need.id, organisation_id=organisation.id)
        db.session.add(interest)
    interest.user_id = actor.id
    for name in ("contact_name", "contact_email", "contact_phone", "message", "consortium", "subcontractor"):
        setattr(interest, name, getattr(draft, name))
    now = utcnow()
    if created:  # a new registration, or a fresh one after a withdrawal: dated now
        interest.created_at = now
    interest.withdrawn_at, interest.updated_at = None, now
    db.session.commit()
    return interest, created


def withdraw_interest(need: Need, *, actor) -> None:
    interest = interest_of(need, actor.approved_organisation)
    if interest is None or not interest.is_active:
        raise NotFound()
    interest.withdrawn_at = interest.updated_at = utcnow()
    db.session.commit()


@dataclass
class RegistrationFilters:
    size_class: str = ""
    county: str = ""
    non_profit: bool = False

    @classmethod
    def from_args(cls, args) -> "RegistrationFilters":
        from ..organisations.models import SIZE_CLASSES
        from ..regions import counties

        size = args.get("size_class") or ""
        county = args.get("county") or ""
        return cls(size if size in SIZE_CLASSES else "", county if county in counties() else "",
                   (args.get("non_profit") or "") in ("1", "on", "true"))

    def args(self) -> dict:
        return {k: v for k, v in (("size_class", self.size_class), ("county", self.county),
                                  ("non_profit", "1" if self.non_profit else "")) if v}


def registrations(need: Need, filters: RegistrationFilters, *, actor) -> list[Interest]:
    """The active registrations, for the buyer: by size class, a county the supplier serves, non-profits."""
    permissions.require(actor, "need.edit", need)
    query = (select(Interest).join(Organisation, Organisation.id == Interest.organisation_id)
             .where(Interest.need_id == need.id, Interest.withdrawn_at.is_(None))
             .options(joinedload(Interest.organisation).selectinload(Organisation.counties))
             .order_by(Interest.created_at))
    if filters.size_class:
        query = query.where(Organisation.size_class == filters.size_class)
    if filters.non_profit:
        query = query.where(Organisation.kind == "non_profit")
    if filters.county:
        query = query.where(Organisation.id.in_(select(OrganisationCounty.organisation_id).where(
            OrganisationCounty.county_code == filters.county)))
    return list(db.session.scalars(query).unique())


def registrations_csv(need: Need, rows: list[Interest]) -> str:
    from ..labels import LABELS

    def label(group, code):
        return str(LABELS[group].get(code, code)) if code else ""

    header = [str(h) for h in (_l("Organisation"), _l("Organisation number"), _l("Kind"), _l("Size class"),
                                _l("Counties served"), _l("Contact person"), _l("E-mail"), _l("Telephone"),
                                _l("Consortium"), _l("Subcontractor"), _l("Message"), _l("Registered"))]
    yes, no = str(_l("yes")), str(_l("no"))
    return csv_text(header, [
        (i.organisation.name, i.organisation.orgnr, label("org_kind", i.organisation.kind),
         label("size_class", i.organisation.size_class), " ".join(i.organisation.county_codes), i.contact_name,
         i.contact_email, i.contact_phone, yes if i.consortium else no, yes if i.subcontractor else no,
         i.message, i.created_at.date().isoformat()) for i in rows])


def send_message(need: Need, subject: str, body: str, *, actor) -> NeedMessage:
    """One message to every supplier registered: e-mailed, and shown to them on the need's page."""
    permissions.require(actor, "need.edit", need)
    subject, body = (subject or "").strip(), (body or "").strip()
    errors = {}
    if not subject or not _check_line(subject, 200):
        errors["subject"] = _l("Enter a subject of at most 200 characters.")
    if not body or len(body) > 10_000 or has_forbidden_chars(body):
        errors["body"] = _l("Write the message (at most 10,000 characters).")
    recipients = notify.interested(need)
    if not errors and not recipients:
        errors["body"] = _l("No supplier has registered interest yet, so there is nobody to send to.")
    if errors:
        raise InvalidInput(errors)
    message = NeedMessage(need_id=need.id, subject=subject, body=body, recipients=len(recipients), author_id=actor.id,
                          author_name=actor.name)
    db.session.add(message)
    db.session.commit()
    notify.message_sent(need, subject, body, recipients)
    return message


def messages_for(need: Need, viewer) -> list[NeedMessage]:
    """The buyer's messages: to the buyer, and to suppliers with an active registration."""
    if not (permissions.may(viewer, "need.edit", need) or _registered(need, viewer)):
        return []
    return list(db.session.scalars(select(NeedMessage).where(NeedMessage.need_id == need.id)
                                   .order_by(NeedMessage.sent_at.desc())))


def _registered(need: Need, viewer) -> bool:
    org = permissions.Actor.of(viewer).organisation
    interest = interest_of(need, org)
    return interest is not None and interest.is_active


# --- questions and answers ----------------------------------------------------------------------------

def ask(target, text: str, *, actor) -> Question:
    """A question about a need or a specification in consultation; the asker is never shown publicly."""
    permissions.require(actor, "question.ask", target)
    text = (text or "").strip()
    if not text or len(text) > 4000 or has_forbidden_chars(text):
        raise InvalidInput({"text": _l("Write your question (at most 4,000 characters).")})
    question = Question(text=text, user_id=actor.id, organisation_id=actor.approved_organisation.id)
    if hasattr(target, "procedure"):
        question.need_id = target.id
    else:
        question.spec_id = target.id
    db.session.add(question)
    db.session.commit()
    return question


def answer(question: Question, target, text: str, public: bool, *, actor) -> Question:
    permissions.require(actor, "question.answer", target)
    text = (text or "").strip()
    if not text or len(text) > 10_000 or has_forbidden_chars(text):
        raise InvalidInput({"answer": _l("Write the answer (at most 10,000 characters).")})
    first = not question.is_answered
    question.answer, question.public = text, bool(public)
    question.answered_at, question.answered_by_id = utcnow(), actor.id
    db.session.commit()
    if question.public:
        notify.answer_published(question)
    elif first:
        notify.private_answer(question)
    return question


def questions_for(target, viewer) -> tuple[list[Question], list[Question]]:
    """(answered questions the viewer may read, unanswered ones the viewer may see): the public
    answers to everyone; private answers and open questions to the buyer and to whoever asked."""
    column = Question.need_id if hasattr(target, "procedure") else Question.spec_id
    query = select(Question).where(column == target.id).order_by(Question.asked_at)
    actor = permissions.Actor.of(viewer)
    if not permissions.may(viewer, "question.answer", target):
        mine = Question.organisation_id == actor.organisation.id if actor.organisation else False
        query = query.where(or_(Question.public.is_(True) & Question.answered_at.is_not(None), mine))
    found = list(db.session.scalars(query))
    return [q for q in found if q.is_answered], [q for q in found if not q.is_answered]


def get_question_or_404(question_id: int, target) -> Question:
    question = db.session.get(Question, question_id) if 0 < question_id < 2**31 else None
    column = "need_id" if hasattr(target, "procedure") else "spec_id"
    if question is None or getattr(question, column) != target.id:
        raise NotFound()
    return question
