"""People, their login sessions, password resets and API tokens."""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import UTCDateTime, utcnow
from ..extensions import db


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    # The first user of an organisation administers it and approves the others.
    is_org_admin: Mapped[bool] = mapped_column(default=False)
    # False until an administrator of the organisation approves the account.
    is_org_approved: Mapped[bool] = mapped_column(default=False)
    is_portal_admin: Mapped[bool] = mapped_column(default=False)
    # Appointed by a portal admin to maintain the shared criteria library.
    is_library_editor: Mapped[bool] = mapped_column(default=False, server_default="0")
    # Granted by the organisation's administrator: may sign letters of intent on its behalf.
    may_sign_intents: Mapped[bool] = mapped_column(default=False, server_default="0")
    locale: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped["Organisation | None"] = relationship(back_populates="users")  # noqa: F821

    # Flask-Login protocol. The session holds a LoginSession token, not the user id,
    # so that logging out or changing the password can end sessions on the server.
    is_active = True
    is_authenticated = True
    is_anonymous = False
    login_session = None  # the LoginSession of the current request, set by accounts.services

    def get_id(self) -> str | None:
        return self.login_session.token if self.login_session else None

    @property
    def approved_organisation(self):
        """The organisation this user may act for, or None while unapproved."""
        return self.organisation if self.is_org_approved else None


class LoginSession(db.Model):
    """One signed-in browser. Deleting the row ends that session on its next request."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # A random URL-safe token kept in the signed session cookie; only its SHA-256 is stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_agent: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship()
    token = None  # the plain token, known only in the request that created or loaded it


class PasswordReset(db.Model):
    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the token, shown so a person can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
