"""Quotes, their lines and decisions, orders and procurement documents, numbering counters.

These rows are written by activities and read by the API's lists; the live state of a
quote is its workflow's.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.domain import ApprovalStatus, OrderStatus, QuoteStatus
from store.tables.base import Base, DecimalText, UTCDateTime, str_enum, utcnow


class NumberCounter(Base):
    """One row per kind and year, bumped in the transaction that uses the number: no gaps."""

    __tablename__ = "number_counters"

    kind: Mapped[str] = mapped_column(String(2), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Quote(Base):
    __tablename__ = "quotes"
    __table_args__ = (UniqueConstraint("seller_id", "idempotency_key"),)

    number: Mapped[str] = mapped_column(String(16), primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id"), index=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"))
    status: Mapped[QuoteStatus] = mapped_column(str_enum(QuoteStatus), index=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    total_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    sales_team: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    viewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), default=None)
    request_fingerprint: Mapped[str | None] = mapped_column(String(64), default=None)
    start_input: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class QuoteLine(Base):
    """A line of one revision, priced and with its commission rate as quoted."""

    __tablename__ = "quote_lines"
    __table_args__ = (UniqueConstraint("quote_number", "revision", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quote_number: Mapped[str] = mapped_column(ForeignKey("quotes.number"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"))
    supplier_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    offer_name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(50))
    quantity: Mapped[Decimal] = mapped_column(DecimalText)
    unit_price_cents: Mapped[int] = mapped_column(BigInteger)
    discount: Mapped[Decimal] = mapped_column(DecimalText)
    net_cents: Mapped[int] = mapped_column(BigInteger)
    commission_rate: Mapped[Decimal] = mapped_column(DecimalText)
    # The offer's tax rate as quoted; lines quoted before tax was recorded read 0, unrecorded.
    tax_rate: Mapped[Decimal] = mapped_column(DecimalText, server_default="0")
    tax_recorded: Mapped[bool] = mapped_column(Boolean, server_default=false())
    procurement: Mapped[str] = mapped_column(String(16))
    founder_offer_id: Mapped[int | None] = mapped_column(ForeignKey("offers.id"), default=None)
    founder_quantity: Mapped[Decimal | None] = mapped_column(DecimalText, default=None)
    founder_price_cents: Mapped[int | None] = mapped_column(BigInteger, default=None)


class Decision(Base):
    """A supplier's answer on its lines of one revision (auto-approvals included)."""

    __tablename__ = "decisions"
    __table_args__ = (UniqueConstraint("quote_number", "revision", "supplier_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quote_number: Mapped[str] = mapped_column(ForeignKey("quotes.number"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    status: Mapped[ApprovalStatus] = mapped_column(str_enum(ApprovalStatus))
    comment: Mapped[str | None] = mapped_column(Text, default=None)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Order(Base):
    __tablename__ = "orders"

    number: Mapped[str] = mapped_column(String(16), primary_key=True)
    quote_number: Mapped[str] = mapped_column(ForeignKey("quotes.number"), unique=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id"), index=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"))
    revision: Mapped[int] = mapped_column(Integer)
    status: Mapped[OrderStatus] = mapped_column(str_enum(OrderStatus), default=OrderStatus.CLOSED)
    total_cents: Mapped[int] = mapped_column(BigInteger)
    signer_name: Mapped[str] = mapped_column(String(200))
    po_reference: Mapped[str | None] = mapped_column(String(200), default=None)
    # Split settings and sales team as they stood at acceptance: later changes never reprice.
    frozen_terms: Mapped[dict[str, Any]] = mapped_column(JSON)
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    cancel_reason: Mapped[str | None] = mapped_column(Text, default=None)


class ProcurementDocument(Base):
    """Per supplier of an order: a notice to invoice the client, or the seller's purchase order."""

    __tablename__ = "procurement_documents"
    __table_args__ = (UniqueConstraint("order_number", "supplier_id", "mode"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_number: Mapped[str] = mapped_column(ForeignKey("orders.number"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    mode: Mapped[str] = mapped_column(String(16))
    document_key: Mapped[str | None] = mapped_column(String(300), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FounderPart(Base):
    """R23: what a line's supplier owes the founder for the founder service under the line,
    computed once when the order opens, so later price changes never alter it."""

    __tablename__ = "founder_parts"
    __table_args__ = (UniqueConstraint("order_number", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_number: Mapped[str] = mapped_column(ForeignKey("orders.number"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    founder_offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"))
    supplier_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    founder_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
