"""Clusters, their settings, members, invitations and clients."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.domain import MemberStatus
from store.tables.base import Base, DecimalText, UTCDateTime, str_enum, utcnow


class StructuredIdentity:
    """A company's identifiers and postal address as structured e-invoices carry them (R25),
    apart from the registration text (RCS, trade register) printed beside them."""

    siren: Mapped[str | None] = mapped_column(String(9), default=None)
    siret: Mapped[str | None] = mapped_column(String(14), default=None)
    address_line1: Mapped[str | None] = mapped_column(String(200), default=None)
    address_line2: Mapped[str | None] = mapped_column(String(200), default=None)
    postcode: Mapped[str | None] = mapped_column(String(20), default=None)
    city: Mapped[str | None] = mapped_column(String(100), default=None)
    country: Mapped[str | None] = mapped_column(String(2), default=None)


class Cluster(Base):
    __tablename__ = "clusters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    # Set right after the founder's row is created, in the same transaction. No foreign key:
    # clusters and members would reference each other and block a plain table-by-table create.
    founder_id: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Durations in whole seconds, rates as exact percents.
    approval_timeout: Mapped[int] = mapped_column(Integer)
    reminder_interval: Mapped[int] = mapped_column(Integer)
    revision_timeout: Mapped[int] = mapped_column(Integer)
    validity: Mapped[int] = mapped_column(Integer)
    payment_terms: Mapped[int] = mapped_column(Integer)
    invitation_ttl: Mapped[int] = mapped_column(Integer)
    platform_fee_rate: Mapped[Decimal] = mapped_column(DecimalText)
    founder_rate: Mapped[Decimal] = mapped_column(DecimalText)
    affiliate_rates: Mapped[list[str]] = mapped_column(JSON)
    # The tax rate a new offer gets unless it names its own (R21).
    default_tax_rate: Mapped[Decimal] = mapped_column(DecimalText, server_default="20")
    # Payouts (R27): a credit is held this long after its invoice's payment, then available,
    # and paid out once the available balance reaches the threshold.
    payout_hold_days: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    payout_threshold_cents: Mapped[int] = mapped_column(
        BigInteger, default=5000, server_default="5000"
    )


class Member(StructuredIdentity, Base):
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    company: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), default=None)
    is_founder: Mapped[bool] = mapped_column(default=False)
    status: Mapped[MemberStatus] = mapped_column(
        str_enum(MemberStatus), default=MemberStatus.ACTIVE
    )
    # SHA-256 of the key: the key itself is shown once and never stored.
    api_key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Legal identity (R20), printed on documents when they are issued; null until given.
    address: Mapped[str | None] = mapped_column(Text, default=None)
    registration_number: Mapped[str | None] = mapped_column(String(100), default=None)
    vat_id: Mapped[str | None] = mapped_column(String(100), default=None)
    # Where payouts go (R27): validated when recorded, never printed in full.
    iban: Mapped[str | None] = mapped_column(String(34), default=None)
    bic: Mapped[str | None] = mapped_column(String(11), default=None)
    bank_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # The VAT regime of its self-billed invoices; null: French VAT, or reverse charge abroad.
    vat_regime: Mapped[str | None] = mapped_column(String(24), default=None)


class Invitation(Base):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id"), index=True)
    inviter_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    email: Mapped[str] = mapped_column(String(320))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), default=None)


class Client(StructuredIdentity, Base):
    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    company: Mapped[str] = mapped_column(String(200))
    contact_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    notes: Mapped[str | None] = mapped_column(Text, default=None)
    # Legal identity (R20), printed on documents when they are issued; null until given.
    address: Mapped[str | None] = mapped_column(Text, default=None)
    registration_number: Mapped[str | None] = mapped_column(String(100), default=None)
    vat_id: Mapped[str | None] = mapped_column(String(100), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
