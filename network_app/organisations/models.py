"""Organisations: the legal bodies that users act for and that networks are made of."""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import UTCDateTime, utcnow
from ..extensions import db

BUYER_KINDS = ("municipality", "region", "state_agency", "housing_company", "purchasing_centre")
SUPPLIER_KINDS = ("company", "non_profit")
KINDS = BUYER_KINDS + SUPPLIER_KINDS
SIZE_CLASSES = ("micro", "small", "medium", "large")


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Normalised NNNNNN-NNNN, validated with python-stdnum's se.orgnr.
    orgnr: Mapped[str] = mapped_column(String(11), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    # EU SME size class; only for suppliers (companies and non-profits).
    size_class: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    counties: Mapped[list["OrganisationCounty"]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="OrganisationCounty.county_code")
    users: Mapped[list["User"]] = relationship(back_populates="organisation")  # noqa: F821

    @property
    def is_supplier(self) -> bool:
        return self.kind in SUPPLIER_KINDS

    @property
    def is_buyer(self) -> bool:
        return self.kind in BUYER_KINDS

    @property
    def county_codes(self) -> list[str]:
        return [c.county_code for c in self.counties]


class OrganisationCounty(db.Model):
    """A county (län) a supplier serves."""

    __tablename__ = "organisation_counties"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"),
                                                 primary_key=True)
    county_code: Mapped[str] = mapped_column(String(2), primary_key=True)

    organisation: Mapped[Organisation] = relationship(back_populates="counties")
