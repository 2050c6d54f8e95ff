"""Credit notes: an issued commission invoice is never voided in place, it is cancelled by one."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from store.tables.base import Base, DecimalText, UTCDateTime


class CreditNote(Base):
    """A credit note (UNTDID 1001 type 381) on one invoice: its own gap-free number
    (CN-2026-00001), the amounts it credits, the reason, its Factur-X PDF. It cancels the
    invoice in full (what the invoice still had creditable), or corrects part of it."""

    __tablename__ = "credit_notes"

    number: Mapped[str] = mapped_column(String(16), primary_key=True)
    invoice_number: Mapped[str] = mapped_column(
        ForeignKey("commission_invoices.number"), index=True
    )
    # Set on the one credit note that cancels the invoice (NULL on partial corrections);
    # unique, so cancelling an invoice again finds the credit note already issued.
    cancels_invoice: Mapped[str | None] = mapped_column(String(16), unique=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    tax_rate: Mapped[Decimal] = mapped_column(DecimalText)
    tax_cents: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    # Whether the invoice had been paid: then the platform owes the supplier the amount back.
    refund_due: Mapped[bool] = mapped_column(default=False)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    document_key: Mapped[str] = mapped_column(String(300))

    @property
    def total_cents(self) -> int:
        """What the credit note credits: its commission plus its tax."""
        return self.amount_cents + self.tax_cents
