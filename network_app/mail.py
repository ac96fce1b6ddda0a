"""The outbox: services queue e-mail here; `flask send-mail` delivers it over SMTP.

A mail server outage loses nothing: a failed message stays queued with its attempt count.
"""
import logging
import smtplib
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from .dbtypes import UTCDateTime, utcnow
from .extensions import db

log = logging.getLogger(__name__)


class OutboxMessage(db.Model):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(250))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))


def queue(recipient: str, subject, body, *, locale: str | None = None) -> OutboxMessage:
    """Add a message to the outbox in the caller's transaction (sent when that commits and send-mail runs).

    `subject` and `body` may be lazy strings: they are rendered here in the recipient's
    language (`locale`, default Swedish), not in the language of whoever caused the message.
    """
    with force_locale(locale or "sv"):
        subject, body = str(subject), str(body)
    message = OutboxMessage(recipient=recipient, subject=subject[:250], body=body)
    db.session.add(message)
    return message


def _smtp():
    cfg = current_app.config
    smtp = smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg["MAIL_TIMEOUT"])
    if cfg["MAIL_USE_TLS"]:
        smtp.starttls()
    if cfg["MAIL_USERNAME"]:
        smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
    return smtp


def send_outbox(limit: int = 500) -> tuple[int, int]:
    """Send queued messages; return (sent, failed). Failed ones stay queued with attempts + 1.

    Messages that have failed MAIL_MAX_ATTEMPTS times are left for a person to look at.
    """
    cfg = current_app.config
    pending = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < cfg["MAIL_MAX_ATTEMPTS"])
        .order_by(OutboxMessage.id).limit(limit)).all()
    if not pending:
        return 0, 0
    sent = failed = 0
    try:
        smtp = _smtp()
    except (OSError, smtplib.SMTPException) as err:
        for message in pending:
            _record_failure(message, err)
        db.session.commit()
        log.warning("mail server unreachable: %s", err)
        return 0, len(pending)
    with smtp:
        for message in pending:
            try:
                smtp.send_message(_as_email(message, cfg["MAIL_SENDER"]))
            except (OSError, smtplib.SMTPException) as err:
                _record_failure(message, err)
                failed += 1
            else:
                message.attempts += 1
                message.last_attempt_at = message.sent_at = utcnow()
                sent += 1
            db.session.commit()  # per message, so a crash half-way never re-sends what went out
    return sent, failed


def _as_email(message: OutboxMessage, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(domain="network-app.example")
    email.set_content(message.body)
    return email


def _record_failure(message: OutboxMessage, err: Exception) -> None:
    message.attempts += 1
    message.last_attempt_at = utcnow()
    message.last_error = f"{type(err).__name__}: {err}"[:500]
