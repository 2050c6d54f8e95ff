"""A commission invoice's phases as one step each (R14, R15): issued and emailed, paid with its
split and receipt, flagged overdue with its email.

Each step is idempotent by business keys alone, so a retry after a crash at any point finishes
what is left and repeats nothing: the invoice's status row is changed at most once (a claim),
every posting is inserted once by its key, and every email once by its key.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity

from activities.commission import issue_and_render, record_paid
from activities.ledger import crash_once_after_commit, share_lines
from activities.mail import MailActivities
from activities.transmission import transmit_once, transmitter_for
from documents.render import DocumentStore
from models.commission import (
    CommissionAct,
    InvoiceInput,
    IssueInvoices,
    PaymentRecord,
    Shares,
    check_payment,
    invoice_notice,
)
from models.domain import InvoiceStatus
from models.errors import NotFound
from models.status_history import DocumentKind, DocumentStatus
from settings import Settings
from store.db import claim, transaction
from store.invoices import invoice_input
from store.ledger import post_split
from store.status_history import event_of
from store.tables import CommissionInvoice

PAID, ISSUED = InvoiceStatus.PAID, InvoiceStatus.ISSUED
INVOICE = DocumentKind.INVOICE


class SettlementActivities:
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

    @activity.defn(name=CommissionAct.ISSUE)
    def issue_commission_invoices(self, request: IssueInvoices) -> list[InvoiceInput]:
        """The order's invoices issued, rendered and emailed to their suppliers, each once;
        they come back `announced`, so their workflows do not email them again."""
        return issue_and_announce(self.db, self.store, self.settings, self.mail, request)

    @activity.defn(name=CommissionAct.SETTLE)
    def settle_commission_payment(self, record: PaymentRecord) -> Shares:
        """The payment recorded, with its "encaissée" status, and split into the ledger in
        one transaction, then the receipt emailed; the shares posted and the status."""
        with transaction(self.db) as session:
            _record_payment(session, record)
            shares = share_lines(post_split(session, record.number))
            invoice = invoice_input(session, session.get_one(CommissionInvoice, record.number))
            paid = event_of(session, record.number, DocumentStatus.ENCAISSEE)
        crash_once_after_commit()
        self.mail.send_notice(invoice_notice(invoice, "commission_receipt"))
        return Shares(shares, [paid] if paid else [])

    @activity.defn(name=CommissionAct.MARK_OVERDUE)
    def mark_commission_invoice_overdue(self, number: str) -> bool:
        """Flags an unpaid invoice past its due date and emails its supplier; False when it
        was settled meanwhile (nothing is sent)."""
        with transaction(self.db) as session:
            flag = update(CommissionInvoice).where(CommissionInvoice.number == number)
            flagged = claim(session, flag.values(overdue=True), CommissionInvoice.status == ISSUED)
            unpaid = invoice_input(session, _invoice(session, number))
        if not flagged:
            return False
        self.mail.send_notice(invoice_notice(unpaid, "commission_overdue"))
        return True


def issue_and_announce(
    db: sessionmaker[Session],
    store: DocumentStore,
    settings: Settings,
    mail: MailActivities,
    request: IssueInvoices,
) -> list[InvoiceInput]:
    """What closing an order does for its commission (R14), in one step any activity can run:
    the invoices issued once, their PDFs rendered once, each still unpaid one emailed once,
    each transmitted to the e-invoicing platform once."""
    invoices = issue_and_render(db, store, settings, request)
    with db() as session:
        numbers = [invoice.number for invoice in invoices]
        issued = set(
            session.scalars(
                select(CommissionInvoice.number).where(
                    CommissionInvoice.number.in_(numbers), CommissionInvoice.status == ISSUED
                )
            )
        )
    transmitter = transmitter_for(settings)
    for invoice in invoices:
        if invoice.number in issued:
            mail.send_notice(invoice_notice(invoice, "commission_invoice", attach=True))
        if invoice.document_key:
            transmit_once(db, store, transmitter, INVOICE, invoice.number, invoice.document_key)
        invoice.announced = True
    return invoices


def _record_payment(session: Session, record: PaymentRecord) -> None:
    """Marks the invoice paid once (a claim on its status row); a retry finds it paid or
    split and leaves it; any other status is a refusal."""
    pay = update(CommissionInvoice).where(CommissionInvoice.number == record.number)
    pay = pay.values(status=PAID, paid_at=record.paid_at, payment_reference=record.reference)
    due = CommissionInvoice.amount_cents + CommissionInvoice.tax_cents
    claimed = claim(
        session, pay, (CommissionInvoice.status == ISSUED) & (due == record.amount_cents)
    )
    invoice = _invoice(session, record.number)
    if not claimed and (invoice.status == ISSUED or invoice.payment_reference != record.reference):
        check_payment(invoice.status, invoice.due_cents, record.amount_cents)
    if claimed:
        record_paid(session, record)


def _invoice(session: Session, number: str) -> CommissionInvoice:
    """The invoice as the transaction's last write left it."""
    invoice = session.get(CommissionInvoice, number, populate_existing=True)
    if invoice is None:
        raise NotFound("commission invoice")
    return invoice
