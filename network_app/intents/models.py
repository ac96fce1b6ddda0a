"""Letters of intent: workflow state, signatures and the audit log in the database; texts in git."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import RevisionColumns, UTCDateTime, utcnow
from ..extensions import db
from ..networks.models import Network
from ..organisations.models import Organisation
from ..specs.models import Spec

# Statuses: draft (only the network sees it), open (public; signable between opens_on and
# closes_on), closed (public, no more signatures).
STATUSES = ("draft", "open", "closed")
# Organisation kinds that are public bodies: always named on the public page.
PUBLIC_BODY_KINDS = ("municipality", "region", "state_agency", "purchasing_centre")


class Intent(db.Model):
    __tablename__ = "intents"
    __table_args__ = (UniqueConstraint("network_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    # The adopted specification version the letter currently refers to (also written in the
    # letter's text in git, so each commit of the letter names its version).
    spec_id: Mapped[int] = mapped_column(ForeignKey("specs.id"), index=True)
    spec_version: Mapped[int]  # the N of vN
    # True: a binding commitment; False: a non-binding declaration of intent.
    is_binding: Mapped[bool] = mapped_column(default=False)
    # What signers are asked for. The unit suggests how quantities are counted (st, kW, m²).
    quantity_unit: Mapped[str] = mapped_column(String(40), default="")
    asks_quantity: Mapped[bool] = mapped_column(default=True)
    asks_value: Mapped[bool] = mapped_column(default=True)
    asks_window: Mapped[bool] = mapped_column(default=True)
    asks_counties: Mapped[bool] = mapped_column(default=True)
    opens_on: Mapped[date | None] = mapped_column(Date)
    closes_on: Mapped[date | None] = mapped_column(Date)
    # Cache of git (rebuildable): the latest commit that changed the text, and how many did.
    head_revision: Mapped[str | None] = mapped_column(String(40))
    revision_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    network: Mapped[Network] = relationship()
    spec: Mapped[Spec] = relationship()
    signatures: Mapped[list["Signature"]] = relationship(back_populates="intent", order_by="Signature.id")

    @property
    def repository(self) -> str:
        return self.network.slug

    @property
    def path(self) -> str:
        """Where the text lives in the network's repository."""
        return f"intents/{self.slug}.md"

    @property
    def is_public(self) -> bool:
        return self.status in ("open", "closed")

    @property
    def version_label(self) -> str:
        return f"v{self.spec_version}"

    def is_signable_on(self, day: date) -> bool:
        return (self.status == "open" and (self.opens_on is None or self.opens_on <= day)
                and (self.closes_on is None or day <= self.closes_on))

    @property
    def active_signatures(self) -> list["Signature"]:
        return [s for s in self.signatures if s.status == "active"]


class IntentRevision(RevisionColumns, db.Model):
    """Cache of git (rebuildable): one row per commit that changed the letter's text (see revcache)."""

    __tablename__ = "intent_revisions"
    __table_args__ = (Index("ix_intent_revisions_commit", "intent_id", "commit_id", unique=True),)

    OWNER = "intent_id"
    intent_id: Mapped[int] = mapped_column(ForeignKey("intents.id", ondelete="CASCADE"), primary_key=True)


class Signature(db.Model):
    """An organisation's signature, pinned to the exact commits it agreed to.

    At most one active signature per organisation: `active_organisation_id` holds the
    organisation while the signature is active and NULL afterwards, under a unique constraint
    (NULLs never collide, on SQLite as on PostgreSQL). Withdrawn and replaced signatures stay.
    """

    __tablename__ = "intent_signatures"
    __table_args__ = (UniqueConstraint("intent_id", "active_organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    intent_id: Mapped[int] = mapped_column(ForeignKey("intents.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    active_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    # active, withdrawn, or replaced (by a re-confirmation on a newer version: replaced_by_id)
    status: Mapped[str] = mapped_column(String(16), default="active")
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("intent_signatures.id"))
    # Who signed (kept if the account goes) and what they gave.
    signer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    signer_name: Mapped[str] = mapped_column(String(200))
    signer_title: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    quantity_unit: Mapped[str] = mapped_column(String(40), default="")
    value_sek: Mapped[int | None]  # estimated value in whole kronor, excluding VAT
    window_start: Mapped[date | None] = mapped_column(Date)
    window_end: Mapped[date | None] = mapped_column(Date)
    counties: Mapped[str] = mapped_column(String(200), default="")  # county codes, comma-separated
    sites: Mapped[str] = mapped_column(Text, default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    # Companies may choose not to be named on the public page; public bodies are always named.
    is_named: Mapped[bool] = mapped_column(default=True)
    # The exact texts agreed to: the letter's commit, the specification's tag and its commit.
    intent_revision: Mapped[str] = mapped_column(String(40))
    intent_revision_number: Mapped[int]
    spec_version: Mapped[int]
    spec_tag: Mapped[str] = mapped_column(String(120))
    spec_revision: Mapped[str] = mapped_column(String(40))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_name: Mapped[str] = mapped_column(String(200), default="")
    withdrawal_reason: Mapped[str] = mapped_column(Text, default="")
    # Set when the letter moved to a newer version and the signer was asked to confirm.
    confirmation_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    intent: Mapped[Intent] = relationship(back_populates="signatures")
    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id])

    @property
    def county_codes(self) -> list[str]:
        return [c for c in self.counties.split(",") if c]

    @property
    def version_label(self) -> str:
        return f"v{self.spec_version}"

    @property
    def is_public_body(self) -> bool:
        return self.organisation.kind in PUBLIC_BODY_KINDS

    @property
    def shows_name(self) -> bool:
        return self.is_named or self.is_public_body

    @property
    def needs_confirmation(self) -> bool:
        return self.status == "active" and self.spec_version != self.intent.spec_version


class IntentEvent(db.Model):
    """The audit log: who did what to a letter and when. Rows are only ever added."""

    __tablename__ = "intent_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    intent_id: Mapped[int] = mapped_column(ForeignKey("intents.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # created, edited, details, opened, closed, moved, signed, confirmed, withdrawn
    action: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(200))  # kept if the account goes
    organisation_name: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[str] = mapped_column(Text, default="")


class AuditLogIsAppendOnly(RuntimeError):
    pass


@event.listens_for(IntentEvent, "before_update")
def _refuse_update(_mapper, _connection, target) -> None:
    raise AuditLogIsAppendOnly(f"audit row {target.id} cannot be changed")


@event.listens_for(IntentEvent, "before_delete")
def _refuse_delete(_mapper, _connection, target) -> None:
    raise AuditLogIsAppendOnly(f"audit row {target.id} cannot be deleted")
