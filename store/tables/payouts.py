"""Payout runs, the payouts they make, the members' self-billing mandates and the gap-free
numbering of the self-billed invoices issued in each member's name (R27)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.tables.base import Base, UTCDateTime, utcnow


class SelfBillingMandate(Base):
    """A member's agreement that the platform issues invoices in its name (art. 289 CGI)."""

    __tablename__ = "self_billing_mandates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), unique=True)
    text_version: Mapped[str] = mapped_column(String(20))
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PayoutRun(Base):
    """One cluster's payout run for one period: previewed, approved, then paid by one file."""

    __tablename__ = "payout_runs"
    __table_args__ = (UniqueConstraint("cluster_id", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    workflow_id: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(24))
    as_of: Mapped[datetime] = mapped_column(UTCDateTime)  # the balances it pays were read then
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    decision_reason: Mapped[str | None] = mapped_column(Text, default=None)
    transfer_file_key: Mapped[str | None] = mapped_column(String(300), default=None)


class Payout(Base):
    """What one run pays one member, once per member and period, or why it holds it."""

    __tablename__ = "payouts"
    __table_args__ = (UniqueConstraint("member_id", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("payout_runs.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    amount_cents: Mapped[int] = mapped_column(BigInteger)  # the balance paid, before VAT
    vat_cents: Mapped[int] = mapped_column(BigInteger, default=0)  # per the member's regime
    status: Mapped[str] = mapped_column(String(16))
    hold_reason: Mapped[str | None] = mapped_column(Text, default=None)
    self_billed_number: Mapped[str | None] = mapped_column(String(40), default=None, unique=True)
    document_key: Mapped[str | None] = mapped_column(String(300), default=None)
    # The account the transfer went to, as recorded when it was paid.
    iban: Mapped[str | None] = mapped_column(String(34), default=None)
    bic: Mapped[str | None] = mapped_column(String(11), default=None)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class SelfBilledCounter(Base):
    """One row per member and year, bumped in the transaction that issues the number."""

    __tablename__ = "self_billed_counters"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)
