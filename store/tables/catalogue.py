"""Offers, each with the founder component it embeds."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.domain import OfferStatus, Procurement, Segment
from store.tables.base import Base, DecimalText, UTCDateTime, str_enum, utcnow


class Offer(Base):
    __tablename__ = "offers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(50))
    unit_price_cents: Mapped[int] = mapped_column(BigInteger)
    segment: Mapped[Segment] = mapped_column(str_enum(Segment))
    commission_rate: Mapped[Decimal] = mapped_column(DecimalText)
    procurement: Mapped[Procurement] = mapped_column(str_enum(Procurement))
    max_discount: Mapped[Decimal] = mapped_column(DecimalText)
    tax_rate: Mapped[Decimal] = mapped_column(DecimalText, server_default="20")
    playbook: Mapped[str] = mapped_column(Text)
    # The founder's own offers embed nothing; every other offer embeds one of them.
    founder_offer_id: Mapped[int | None] = mapped_column(ForeignKey("offers.id"), default=None)
    founder_quantity: Mapped[Decimal | None] = mapped_column(DecimalText, default=None)
    founder_price_cents: Mapped[int | None] = mapped_column(BigInteger, default=None)
    status: Mapped[OfferStatus] = mapped_column(str_enum(OfferStatus), default=OfferStatus.PENDING)
    refusal_reason: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Set when the platform withdrew it (its owner removed from the cluster); null when the
    # owner withdrew it.
    withdrawal_reason: Mapped[str | None] = mapped_column(Text, default=None)
