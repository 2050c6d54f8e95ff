"""What the cancellation and removal workflows read from the store before they fan out."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity

from models.cancellations import CancellationAct, MemberQuotes
from models.commission import InvoiceInput
from models.domain import InvoiceStatus
from store.invoices import invoice_input, invoices_of
from store.removals import open_quotes_of


class CancellationActivities:
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self.db = session_factory

    @activity.defn(name=CancellationAct.ORDER_INVOICES)
    def invoices_of_cancelled_order(self, order_number: str) -> list[InvoiceInput]:
        """R15: the invoices still to void or claw back. Read after the cancellation's commit,
        so the list is final: issuing skips a cancelled order."""
        with self.db() as session:
            return [
                invoice_input(session, invoice)
                for invoice in invoices_of(session, order_number)
                if invoice.status != InvoiceStatus.VOID
            ]

    @activity.defn(name=CancellationAct.MEMBER_QUOTES)
    def open_quotes_of_removed_member(self, member_id: int) -> MemberQuotes:
        """R2: read after the removal's commit; the member can start no quote after it."""
        with self.db() as session:
            return open_quotes_of(session, member_id)
