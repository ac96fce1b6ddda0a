"""Networks (buyer networks and purchasing centres), their member organisations,
invitations and join requests."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import UTCDateTime, utcnow
from ..extensions import db
from ..organisations.models import Organisation

KINDS = ("buyer_network", "purchasing_centre")
ROLES = ("coordinator", "member", "observer")


class Network(db.Model):
    __tablename__ = "networks"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="network", cascade="all, delete-orphan")


class Membership(db.Model):
    """An organisation's place in a network. Every approved user of the organisation acts in this role."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("network_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    network: Mapped[Network] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship()


class Invitation(db.Model):
    """A coordinator's invitation, to a registered organisation or by e-mail link to anyone."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    # Set when inviting by organisation number; an e-mail invitation binds on acceptance.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(16))
    # SHA-256 of the secret in the e-mailed link; None for invitations by organisation number.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, accepted, declined, revoked
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    network: Mapped[Network] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    invited_by: Mapped["User"] = relationship()  # noqa: F821

    @property
    def is_pending(self) -> bool:
        return self.status == "pending" and self.expires_at > utcnow()


class JoinRequest(db.Model):
    """An organisation asking to join a network; a coordinator accepts or declines."""

    __tablename__ = "join_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, accepted, declined
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    network: Mapped[Network] = relationship()
    organisation: Mapped[Organisation] = relationship()
    requested_by: Mapped["User"] = relationship()  # noqa: F821
