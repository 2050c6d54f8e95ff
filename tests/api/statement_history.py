"""A member's history of deals spread over days, written through the store and the activities
the workflows call: orders opened, invoices issued, paid and split, orders cancelled (voids and
clawbacks), each dated as if it had happened that day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from activities.commission import CommissionActivities
from activities.ledger import LedgerActivities
from documents.render import DocumentStore
from models.commission import Clawback, PaymentRecord
from models.domain import InvoiceStatus
from store.credit_notes import issue_correction
from store.db import transaction
from store.invoices import invoices_of, lock_invoice
from store.orders import mark_cancelled
from store.tables import CommissionInvoice, CreditNote, LedgerEntry, Order
from tests.factories import Actor, World
from tests.ledger_seed import cancellation_steps, issue, seed_order


def noon(days_from_today: int) -> datetime:
    today = datetime.now(UTC).date()
    return datetime.combine(today + timedelta(days=days_from_today), time(12), UTC)


def day(days_from_today: int) -> date:
    return noon(days_from_today).date()


@dataclass
class Deals:
    db: sessionmaker[Session]
    documents: Path
    world: World

    def open(
        self, day_: int, seller: Actor, client_id: int, lines: list[tuple[str, str]]
    ) -> tuple[str, dict[int, str]]:
        """An order opened that day, its invoices issued with it; returns them by supplier."""
        order = seed_order(self.db, self.documents, self.world, seller, client_id, lines)
        invoices = issue(self.db, self.documents, order)
        with transaction(self.db) as session:
            session.execute(
                update(Order).where(Order.number == order).values(accepted_at=noon(day_))
            )
            session.execute(
                update(CommissionInvoice)
                .where(CommissionInvoice.order_number == order)
                .values(issued_at=noon(day_), due_at=noon(day_ + 30))
            )
        return order, {i.supplier.id: i.number for i in invoices}

    def pay(self, day_: int, number: str, reference: str) -> None:
        """Paid in full that day, and split."""
        with self.db() as session:
            due = session.get_one(CommissionInvoice, number).due_cents
        commission = CommissionActivities(self.db, DocumentStore(self.documents))
        commission.record_commission_payment(PaymentRecord(number, due, reference, noon(day_)))
        LedgerActivities(self.db).post_commission_split(number)
        self._date_postings(number, day_, reversals=False)

    def cancel(self, day_: int, order: str) -> None:
        """Cancelled that day: unpaid invoices void, split ones clawed back."""
        with transaction(self.db) as session:
            mark_cancelled(session, order, "client withdrew", noon(day_))
            numbers = [i.number for i in invoices_of(session, order)]
        steps = cancellation_steps(self.db, Path(self.documents))
        for number in numbers:
            if steps.void_commission_invoice(number).status == InvoiceStatus.SPLIT:
                steps.post_commission_reversal(Clawback(number, "withdrawn"))
                self._date_postings(number, day_, reversals=True)
            self._date_credit_notes(number, day_)

    def correct(self, day_: int, number: str, amount_cents: int) -> str:
        """A correction of part of the invoice that day; its credit note's number."""
        with transaction(self.db) as session:
            invoice = lock_invoice(session, number)
            note = issue_correction(session, invoice, amount_cents, "rate error", noon(day_))
            return note.number

    def _date_credit_notes(self, number: str, day_: int) -> None:
        with transaction(self.db) as session:
            session.execute(
                update(CreditNote)
                .where(CreditNote.invoice_number == number)
                .values(issued_at=noon(day_))
            )

    def _date_postings(self, number: str, day_: int, *, reversals: bool) -> None:
        reversal = LedgerEntry.reverses_id.is_not(None)
        with transaction(self.db) as session:
            session.execute(
                update(LedgerEntry)
                .where(LedgerEntry.invoice_number == number, reversal if reversals else ~reversal)
                .values(posted_at=noon(day_))
            )
