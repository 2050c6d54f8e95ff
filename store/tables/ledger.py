"""Commission invoices, the double-entry ledger and the record of sent email."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.domain import InvoiceStatus
from store.tables.base import Base, DecimalText, UTCDateTime, str_enum, utcnow


class CommissionInvoice(Base):
    __tablename__ = "commission_invoices"
    __table_args__ = (UniqueConstraint("order_number", "supplier_id"),)

    number: Mapped[str] = mapped_column(String(16), primary_key=True)
    order_number: Mapped[str] = mapped_column(ForeignKey("orders.number"), index=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    # The net commission (R14); the platform's tax on it (R22) is what comes on top.
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    tax_rate: Mapped[Decimal] = mapped_column(DecimalText, default=Decimal(0), server_default="0")
    tax_cents: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    status: Mapped[InvoiceStatus] = mapped_column(
        str_enum(InvoiceStatus), default=InvoiceStatus.ISSUED
    )
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    overdue: Mapped[bool] = mapped_column(default=False)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    payment_reference: Mapped[str | None] = mapped_column(String(200), default=None)
    document_key: Mapped[str | None] = mapped_column(String(300), default=None)

    @property
    def due_cents(self) -> int:
        """What the supplier pays: the commission plus the tax on it."""
        return self.amount_cents + self.tax_cents


class LedgerEntry(Base):
    """One balanced posting: debit one account, credit another, by the same amount.

    Rows are never updated or deleted; a correction is a reversing posting. The unique
    idempotency key (invoice + member + role, or its reversal) makes a retried write a no-op.
    """

    __tablename__ = "ledger_entries"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="positive_amount"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id"), index=True)
    # null for a payout, which pays the member's balance, not one invoice.
    invoice_number: Mapped[str | None] = mapped_column(
        ForeignKey("commission_invoices.number"), default=None
    )
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    debit_account: Mapped[str] = mapped_column(String(40))
    credit_account: Mapped[str] = mapped_column(String(40))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"), default=None)
    memo: Mapped[str] = mapped_column(Text, default="")
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SentEmail(Base):
    """Every email goes out once per business key (quote + revision + kind + recipient…).

    The row is written `sent` in the transaction that delivers the message and commits after
    it; a retry finding `sent` does nothing. The Message-ID derives from the key, so the rare
    resend after a crash between delivery and commit is recognisable as the same message.
    `sending` remains only on rows claimed before that, when claim and mark were two steps.
    """

    __tablename__ = "sent_emails"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    business_key: Mapped[str] = mapped_column(String(300), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    message_id: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(16), default="sending")
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
