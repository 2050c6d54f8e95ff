"""Cancelling a commission invoice (R15): by a credit note, never by voiding it alone.

Each step issues the credit note in the same transaction as the invoice's change (void, or the
reversing postings of a split one), then renders its PDF and emails it once: a retry after a
crash at any point finds the credit note by its invoice (a UNIQUE key), the file by its key
and the email by its business key, and repeats nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity

from activities.commission import invoice_pdf, platform_of
from activities.ledger import share_lines
from activities.mail import MailActivities
from documents.credit_note import render_credit_note_pdf
from documents.render import DocumentStore
from models.commission import Clawback, CommissionAct, ShareLine
from models.credit_notes import CreditNotePdf, credit_note_notice
from models.domain import InvoiceStatus
from settings import Settings
from store.credit_notes import credit_note_of, issue_credit_note
from store.db import transaction
from store.invoices import invoice_input, lock_invoice
from store.ledger import post_reversal
from store.tables import CommissionInvoice, CreditNote, Order


class CreditNoteActivities:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        store: DocumentStore,
        settings: Settings,
        mail: MailActivities,
    ) -> None:
        self.db = session_factory
        self.store = store
        self.settings = settings
        self.mail = mail

    @activity.defn(name=CommissionAct.VOID)
    def void_commission_invoice(self, number: str) -> str:
        """Cancels an unpaid invoice (its order was cancelled) by a credit note, emailed to
        its supplier; a paid one stays as it is, for the clawback."""
        with transaction(self.db) as session:
            invoice = lock_invoice(session, number)
            if invoice.status == InvoiceStatus.ISSUED:
                invoice.status = InvoiceStatus.VOID
                order = session.get_one(Order, invoice.order_number)
                issue_credit_note(session, invoice, order.cancel_reason or "", _now())
            status = invoice.status.value
        self.deliver(number)
        return status

    @activity.defn(name=CommissionAct.REVERSE)
    def post_commission_reversal(self, clawback: Clawback) -> list[ShareLine]:
        """R15: reverses every share of a split invoice, exactly once each, and cancels the
        invoice by a credit note in the same transaction."""
        with transaction(self.db) as session:
            shares = share_lines(post_reversal(session, clawback.number, clawback.reason))
            invoice = session.get_one(CommissionInvoice, clawback.number)
            issue_credit_note(session, invoice, clawback.reason, _now())
        self.deliver(clawback.number)
        return shares

    def deliver(self, invoice_number: str) -> None:
        """The invoice's credit note rendered (unless stored) and emailed (unless sent)."""
        with self.db() as session:
            note = credit_note_of(session, invoice_number)
            if note is None:
                return
            invoice = session.get_one(CommissionInvoice, invoice_number)
            if not self.store.exists(note.document_key):
                pdf = credit_note_pdf(session, note, invoice, self.settings)
                self.store.put(note.document_key, render_credit_note_pdf(pdf))
            notice = credit_note_notice(
                invoice_input(session, invoice), note.number, note.reason, note.refund_due
            )
        self.mail.send_notice(notice)


def credit_note_pdf(
    session: Session, note: CreditNote, invoice: CommissionInvoice, settings: Settings
) -> CreditNotePdf:
    return CreditNotePdf(
        number=note.number,
        issued_on=note.issued_at.date(),
        reason=note.reason,
        refund_due=note.refund_due,
        invoice=invoice_pdf(session, invoice, platform_of(settings)),
    )


def _now() -> datetime:
    return datetime.now(UTC)
