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
from activities.transmission import transmit_once, transmitter_for
from documents.credit_note import render_credit_note_pdf
from documents.render import DocumentStore
from models.commission import Clawback, CommissionAct, Shares, Voided
from models.credit_notes import (
    Credited,
    CreditNoteAct,
    CreditNoteFacts,
    CreditNotePdf,
    credit_note_notice,
)
from models.domain import InvoiceStatus
from models.errors import NotFound
from models.status_history import DocumentKind, DocumentStatus, StatusEvent
from settings import Settings
from store.credit_notes import credit_note_of, issue_credit_note
from store.db import transaction
from store.invoices import invoice_input, lock_invoice
from store.ledger import post_reversal
from store.status_history import event_of, status_history
from store.tables import CommissionInvoice, CreditNote, Order

CREDIT = DocumentKind.CREDIT_NOTE


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
        self.transmitter = transmitter_for(settings)

    @activity.defn(name=CommissionAct.VOID)
    def void_commission_invoice(self, number: str) -> Voided:
        """Cancels an unpaid invoice (its order was cancelled) by a credit note, emailed to
        its supplier and transmitted; a paid one stays as it is, for the clawback. Answers
        the status, and the invoice's "cancelled" event once it has one."""
        with transaction(self.db) as session:
            invoice = lock_invoice(session, number)
            if invoice.status == InvoiceStatus.ISSUED:
                invoice.status = InvoiceStatus.VOID
                order = session.get_one(Order, invoice.order_number)
                issue_credit_note(session, invoice, order.cancel_reason or "", _now())
            status = invoice.status.value
        self.deliver(number)
        return Voided(status, self._cancelled(number))

    @activity.defn(name=CommissionAct.REVERSE)
    def post_commission_reversal(self, clawback: Clawback) -> Shares:
        """R15: reverses every share of a split invoice, exactly once each, and cancels the
        invoice by a credit note in the same transaction."""
        with transaction(self.db) as session:
            shares = share_lines(post_reversal(session, clawback.number, clawback.reason))
            invoice = lock_invoice(session, clawback.number)
            issue_credit_note(session, invoice, clawback.reason, _now())
        self.deliver(clawback.number)
        return Shares(shares, self._cancelled(clawback.number))

    @activity.defn(name=CreditNoteAct.DELIVER)
    def deliver_credit_note(self, number: str) -> list[StatusEvent]:
        """A credit note rendered (unless stored), emailed (unless sent) and transmitted
        (unless delivered): its status history."""
        with self.db() as session:
            note = session.get(CreditNote, number)
            if note is None:
                raise NotFound("credit note")
        self.send(note)
        with self.db() as session:
            return status_history(session, number)

    def deliver(self, invoice_number: str) -> None:
        """The credit note cancelling the invoice, if it has one, delivered."""
        with self.db() as session:
            note = credit_note_of(session, invoice_number)
        if note is not None:
            self.send(note)

    def send(self, note: CreditNote) -> None:
        with self.db() as session:
            invoice = session.get_one(CommissionInvoice, note.invoice_number)
            if not self.store.exists(note.document_key):
                pdf = credit_note_pdf(session, note, invoice, self.settings)
                self.store.put(note.document_key, render_credit_note_pdf(pdf))
            notice = credit_note_notice(invoice_input(session, invoice), credit_note_facts(note))
        self.mail.send_notice(notice)
        transmit_once(self.db, self.store, self.transmitter, CREDIT, note.number, note.document_key)

    def _cancelled(self, invoice_number: str) -> list[StatusEvent]:
        with self.db() as session:
            event = event_of(session, invoice_number, DocumentStatus.CANCELLED)
        return [event] if event else []


def credit_note_facts(note: CreditNote) -> CreditNoteFacts:
    credited = Credited(note.amount_cents, note.tax_cents)
    correction = note.cancels_invoice is None
    return CreditNoteFacts(note.number, note.reason, note.refund_due, credited, correction)


def credit_note_pdf(
    session: Session, note: CreditNote, invoice: CommissionInvoice, settings: Settings
) -> CreditNotePdf:
    return CreditNotePdf(
        number=note.number,
        issued_on=note.issued_at.date(),
        reason=note.reason,
        refund_due=note.refund_due,
        invoice=invoice_pdf(session, invoice, platform_of(settings)),
        credited=credit_note_facts(note).credited,
        correction=note.cancels_invoice is None,
    )


def _now() -> datetime:
    return datetime.now(UTC)
