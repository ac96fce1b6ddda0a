"""Planned needs (förhandsinformation): what buyers plan to buy, published early; suppliers'
registrations of interest, questions and answers, messages to the interested, and watches."""
from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import UTCDateTime, utcnow
from ..extensions import db

PROCEDURES = ("direct_award", "below_threshold", "open", "restricted", "negotiated",
              "innovation_partnership", "framework_call_off", "iop")
# draft is unpublished; the rest are public. A need moves forward only; awarded and cancelled end it.
STATUSES = ("draft", "planned", "market_dialogue", "announced", "awarded", "cancelled")
PUBLIC_STATUSES = STATUSES[1:]
OPEN_STATUSES = ("planned", "market_dialogue", "announced")  # suppliers may still register interest
NEXT_STATUSES = {
    "planned": ("market_dialogue", "announced", "cancelled"),
    "market_dialogue": ("announced", "cancelled"),
    "announced": ("awarded", "cancelled"),
}


class Need(db.Model):
    __tablename__ = "needs"
    __table_args__ = (
        Index("ix_needs_public_notice", "status", "planned_notice_date"),
        Index("ix_needs_published_at", "published_at"),
        Index("ix_needs_updated_at", "updated_at"),  # the list's cache asks for the latest change
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The buying organisation; when a network publishes on behalf of its members, network_id is set
    # and the organisation is the one that did it (shown as "published by the network").
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    network_id: Mapped[int | None] = mapped_column(ForeignKey("networks.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    procedure: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    value_min: Mapped[int | None] = mapped_column(BigInteger)  # SEK, without VAT
    value_max: Mapped[int | None] = mapped_column(BigInteger)
    quantity: Mapped[str] = mapped_column(String(200), default="")  # "about 400 flats"
    planned_notice_date: Mapped[date] = mapped_column(Date)
    planned_contract_start: Mapped[date] = mapped_column(Date)
    reserved_for_non_profits: Mapped[bool] = mapped_column(Boolean, default=False)
    critical_supply: Mapped[bool] = mapped_column(Boolean, default=False)
    preparedness_note: Mapped[str] = mapped_column(Text, default="")
    spec_id: Mapped[int | None] = mapped_column(ForeignKey("specs.id", ondelete="SET NULL"), index=True)
    spec_version: Mapped[int | None]  # the N of the adopted version vN it builds on
    intent_id: Mapped[int | None] = mapped_column(ForeignKey("intents.id", ondelete="SET NULL"), index=True)
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    notice_reference: Mapped[str] = mapped_column(String(100), default="")
    notice_url: Mapped[str] = mapped_column(String(500), default="")
    status_reason: Mapped[str] = mapped_column(Text, default="")  # why cancelled, or who won
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped["Organisation"] = relationship()  # noqa: F821
    network: Mapped["Network | None"] = relationship()  # noqa: F821
    spec: Mapped["Spec | None"] = relationship()  # noqa: F821
    intent: Mapped["Intent | None"] = relationship()  # noqa: F821
    cpv_codes: Mapped[list["NeedCpv"]] = relationship(cascade="all, delete-orphan", order_by="NeedCpv.code")
    counties: Mapped[list["NeedCounty"]] = relationship(cascade="all, delete-orphan",
                                                        order_by="NeedCounty.county_code")
    municipalities: Mapped[list["NeedMunicipality"]] = relationship(cascade="all, delete-orphan",
                                                                    order_by="NeedMunicipality.code")

    @property
    def is_published(self) -> bool:
        return self.status != "draft"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def cpv(self) -> list[str]:
        return [c.code for c in self.cpv_codes]

    @property
    def county_codes(self) -> list[str]:
        return [c.county_code for c in self.counties]

    @property
    def municipality_codes(self) -> list[str]:
        return [m.code for m in self.municipalities]

    @property
    def buyer_name(self) -> str:
        return self.network.name if self.network_id else self.organisation.name


class NeedCpv(db.Model):
    __tablename__ = "need_cpv"
    # Covering: a CPV prefix filter reads the needs' ids from the index alone.
    __table_args__ = (Index("ix_need_cpv_code_need", "code", "need_id"),)

    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(10), primary_key=True)  # "45331000-6"


class NeedCounty(db.Model):
    __tablename__ = "need_counties"
    __table_args__ = (Index("ix_need_counties_county_need", "county_code", "need_id"),)

    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), primary_key=True)
    county_code: Mapped[str] = mapped_column(String(2), primary_key=True)


class NeedMunicipality(db.Model):
    __tablename__ = "need_municipalities"

    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(4), primary_key=True)


class NeedEvent(db.Model):
    """The history of a need: publication, each change (field -> [before, after]), each status move.
    Written once, never changed."""

    __tablename__ = "need_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # created, published, edited, status
    status: Mapped[str] = mapped_column(String(20))  # the need's status after the event
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Interest(db.Model):
    """A supplier organisation's registration of interest (intresseanmälan): one per organisation and need."""

    __tablename__ = "interests"
    __table_args__ = (UniqueConstraint("need_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    contact_name: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str] = mapped_column(String(254))
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    consortium: Mapped[bool] = mapped_column(Boolean, default=False)
    subcontractor: Mapped[bool] = mapped_column(Boolean, default=False)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    need: Mapped[Need] = relationship()
    organisation: Mapped["Organisation"] = relationship()  # noqa: F821

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class NeedMessage(db.Model):
    """A buyer's message to every supplier registered for a need (mailed, and shown to them on the page)."""

    __tablename__ = "need_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    recipients: Mapped[int] = mapped_column(default=0)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(200), default="")
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Question(db.Model):
    """A question about a need or a specification in consultation, and the buyer's answer. Public
    answers are shown without the asker's name; private ones go to the asker alone."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    spec_id: Mapped[int | None] = mapped_column(ForeignKey("specs.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answer: Mapped[str] = mapped_column(Text, default="")
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped["User | None"] = relationship(foreign_keys=[user_id])  # noqa: F821

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class Watch(db.Model):
    """A standing filter (bevakning): CPV prefixes, counties and words; any empty part matches all."""

    __tablename__ = "watches"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    words: Mapped[str] = mapped_column(String(300), default="")
    frequency: Mapped[str] = mapped_column(String(10), default="immediate")  # immediate, daily
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped["User"] = relationship()  # noqa: F821
    cpv_prefixes: Mapped[list["WatchCpv"]] = relationship(cascade="all, delete-orphan", order_by="WatchCpv.prefix")
    counties: Mapped[list["WatchCounty"]] = relationship(cascade="all, delete-orphan",
                                                         order_by="WatchCounty.county_code")

    @property
    def prefixes(self) -> list[str]:
        return [c.prefix for c in self.cpv_prefixes]

    @property
    def county_codes(self) -> list[str]:
        return [c.county_code for c in self.counties]


class WatchCpv(db.Model):
    __tablename__ = "watch_cpv"

    watch_id: Mapped[int] = mapped_column(ForeignKey("watches.id", ondelete="CASCADE"), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(8), primary_key=True, index=True)  # "45", "4521"


class WatchCounty(db.Model):
    __tablename__ = "watch_counties"

    watch_id: Mapped[int] = mapped_column(ForeignKey("watches.id", ondelete="CASCADE"), primary_key=True)
    county_code: Mapped[str] = mapped_column(String(2), primary_key=True, index=True)


class WatchNotice(db.Model):
    """A need that matched a watch, at publication or a status change: an item of the user's feed,
    mailed at once or in the daily digest."""

    __tablename__ = "watch_notices"
    __table_args__ = (Index("ix_watch_notices_user", "user_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    watch_id: Mapped[int] = mapped_column(ForeignKey("watches.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(20))  # published, or the new status
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    need: Mapped[Need] = relationship()
    watch: Mapped[Watch] = relationship()


class WatchFeed(db.Model):
    """The secret of a user's personal Atom feed. The URL carries an HMAC of (user, nonce) with the
    portal's secret key; renewing the nonce kills every old URL."""

    __tablename__ = "watch_feeds"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(32))
    renewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
