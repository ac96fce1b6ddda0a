"""Specifications: workflow state and caches in the database; their texts live in git."""
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import RevisionColumns, UTCDateTime, utcnow
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
    category: Mapped[str] = mapped_column(String(80), default="")
    # What people outside the network may read: revisions up to and including this one
    # (set when consultation opens and on adoption). None while the specification is a draft.
    public_revision: Mapped[str | None] = mapped_column(String(40))
    consultation_closes: Mapped[date | None] = mapped_column(Date)
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("specs.id", ondelete="SET NULL"))
    # Cache of git (rebuildable): the latest commit that changed the text, and how many did.
    head_revision: Mapped[str | None] = mapped_column(String(40))
    revision_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    network: Mapped[Network] = relationship()
    successor: Mapped["Spec | None"] = relationship(remote_side=[id])
    cpv_codes: Mapped[list["SpecCpv"]] = relationship(back_populates="spec", cascade="all, delete-orphan",
                                                      order_by="SpecCpv.code")
    tags: Mapped[list["SpecTag"]] = relationship(cascade="all, delete-orphan", order_by="SpecTag.tag")
    versions: Mapped[list["SpecVersion"]] = relationship(back_populates="spec", cascade="all, delete-orphan",
                                                         order_by="SpecVersion.number")

    @property
    def repository(self) -> str:
        return self.network.slug

    @property
    def path(self) -> str:
        """Where the text lives in the network's repository."""
        return f"specs/{self.slug}.md"

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    @property
    def latest_version(self) -> "SpecVersion | None":
        return self.versions[-1] if self.versions else None


class SpecCpv(db.Model):
    __tablename__ = "spec_cpv"

    spec_id: Mapped[int] = mapped_column(ForeignKey("specs.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(10), primary_key=True)  # e.g. 45331000-6

    spec: Mapped[Spec] = relationship(back_populates="cpv_codes")


class SpecTag(db.Model):
    __tablename__ = "spec_tags"

    spec_id: Mapped[int] = mapped_column(ForeignKey("specs.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(40), primary_key=True)


class SpecRevision(RevisionColumns, db.Model):
    """Cache of git (rebuildable): one row per commit that changed the text, numbered r1, r2, …

    History pages and r-numbers read from here, so they cost the same at 5 or 5,000 revisions
    and however many other documents share the repository.
    """

    __tablename__ = "spec_revisions"
    __table_args__ = (Index("ix_spec_revisions_commit", "spec_id", "commit_id", unique=True),)

    OWNER = "spec_id"
    spec_id: Mapped[int] = mapped_column(ForeignKey("specs.id", ondelete="CASCADE"), primary_key=True)


class SpecVersion(db.Model):
    """An adopted version (fastställd): the immutable git tag <slug>/vN and the decision behind it."""

    __tablename__ = "spec_versions"

    spec_id: Mapped[int] = mapped_column(ForeignKey("specs.id", ondelete="CASCADE"), primary_key=True)
    number: Mapped[int] = mapped_column(primary_key=True)  # the N of vN
    commit_id: Mapped[str] = mapped_column(String(40))
    revision_number: Mapped[int]
    decided_on: Mapped[date] = mapped_column(Date)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_by_name: Mapped[str] = mapped_column(String(200))  # kept if the account goes
    organisation_name: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    spec: Mapped[Spec] = relationship(back_populates="versions")

    @property
    def label(self) -> str:
        return f"v{self.number}"
