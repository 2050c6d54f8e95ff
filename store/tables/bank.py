"""Bank statements imported and their booked lines (R26): each line once, by its bank key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.bank import LineStatus
from store.tables.base import Base, UTCDateTime, str_enum, utcnow


class BankStatement(Base):
    """One camt.053 statement or camt.054 notification, once per account and id."""

    __tablename__ = "bank_statements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # kind | account | message id / statement id: a second import finds the first.
    statement_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    account: Mapped[str] = mapped_column(String(40))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BankLine(Base):
    """One booked transaction. Its key (the bank's reference within the account, a batch's
    transactions by position) is unique: a statement imported twice posts nothing twice."""

    __tablename__ = "bank_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    line_key: Mapped[str] = mapped_column(String(200), unique=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("bank_statements.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    credit: Mapped[bool] = mapped_column()
    reversal: Mapped[bool] = mapped_column(default=False)
    booked_on: Mapped[str] = mapped_column(String(10))
    payer: Mapped[str] = mapped_column(String(140), default="")
    remittance: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[LineStatus] = mapped_column(str_enum(LineStatus), index=True)
    invoice_number: Mapped[str | None] = mapped_column(
        ForeignKey("commission_invoices.number"), default=None, index=True
    )
    reason: Mapped[str] = mapped_column(Text, default="")
    refund_reason: Mapped[str | None] = mapped_column(Text, default=None)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
