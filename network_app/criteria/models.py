"""Criteria: metadata and workflow state here; their texts live in git (the shared library in
repos/criteria.git, a network's own criteria in that network's repository)."""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import RevisionColumns, UTCDateTime, utcnow
from ..extensions import db
from ..networks.models import Network

LIBRARY_REPOSITORY = "criteria"
TYPES = ("qualification", "technical", "award", "contract")
LEVELS = ("basic", "advanced", "spearhead")
AREAS = ("environment", "social", "innovation", "preparedness", "serious_suppliers", "accessibility")
STATUSES = ("active", "revised", "retired")


class Criterion(db.Model):
    __tablename__ = "criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)  # K-0042: stable, never reused
    network_id: Mapped[int | None] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="active")
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("criteria.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(300), default="")
    # Cache of git (rebuildable), as for specifications.
    head_revision: Mapped[str | None] = mapped_column(String(40))
    revision_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    network: Mapped[Network | None] = relationship()
    successor: Mapped["Criterion | None"] = relationship(remote_side=[id])
    areas: Mapped[list["CriterionArea"]] = relationship(cascade="all, delete-orphan", order_by="CriterionArea.area")
    cpv_codes: Mapped[list["CriterionCpv"]] = relationship(cascade="all, delete-orphan",
                                                           order_by="CriterionCpv.code")
    categories: Mapped[list["CriterionCategory"]] = relationship(cascade="all, delete-orphan",
                                                                 order_by="CriterionCategory.name")

    @property
    def repository(self) -> str:
        return self.network.slug if self.network_id else LIBRARY_REPOSITORY

    @property
    def path(self) -> str:
        return f"criteria/{self.code.lower()}.md"

    @property
    def is_shared(self) -> bool:
        return self.network_id is None


class CriterionArea(db.Model):
    __tablename__ = "criterion_areas"

    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id", ondelete="CASCADE"), primary_key=True)
    area: Mapped[str] = mapped_column(String(24), primary_key=True, index=True)


class CriterionCpv(db.Model):
    __tablename__ = "criterion_cpv"

    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(10), primary_key=True)


class CriterionCategory(db.Model):
    __tablename__ = "criterion_categories"

    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(60), primary_key=True)


class CriterionRevision(RevisionColumns, db.Model):
    """Cache of git: the criterion's revisions r1, r2, … (see revcache)."""

    __tablename__ = "criterion_revisions"
    OWNER = "criterion_id"
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id", ondelete="CASCADE"), primary_key=True)


class SpecCriterion(db.Model):
    """A criterion referenced in the latest text of a specification ([[K-0042@r3]]: pinned to r3;
    [[K-0042]]: follows the latest). Derived from the text on every save."""

    __tablename__ = "spec_criteria"

    spec_id: Mapped[int] = mapped_column(ForeignKey("specs.id", ondelete="CASCADE"), primary_key=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id", ondelete="CASCADE"), primary_key=True,
                                              index=True)
    pinned_number: Mapped[int | None]
