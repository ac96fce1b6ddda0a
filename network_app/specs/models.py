"""Specifications: workflow state and caches in the database; their texts live in git."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import UTCDateTime, utcnow
from ..extensions import db
from ..networks.models import Network

# Statuses: draft, consultation, adopted, archived, superseded (labels in labels.py).
PUBLIC_STATUSES = ("consultation", "adopted", "archived", "superseded")


class Spec(db.Model):
    __tablename__ = "specs"
    __table_args__ = (UniqueConstraint("network_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    # Cache of git (rebuildable): the latest commit that changed the text, and how many did.
    head_revision: Mapped[str | None] = mapped_column(String(40))
    revision_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    network: Mapped[Network] = relationship()
    cpv_codes: Mapped[list["SpecCpv"]] = relationship(back_populates="spec", cascade="all, delete-orphan",
                                                      order_by="SpecCpv.code")

    @property
    def path(self) -> str:
        """Where the text lives in the network's repository."""
        return f"specs/{self.slug}.md"

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES


class SpecCpv(db.Model):
    __tablename__ = "spec_cpv"

    spec_id: Mapped[int] = mapped_column(ForeignKey("specs.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(10), primary_key=True)  # e.g. 45331000-6

    spec: Mapped[Spec] = relationship(back_populates="cpv_codes")
