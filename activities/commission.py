"""The commission invoice workflow's side effects on the store (R14); each idempotent."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity

from documents.render import DocumentStore, render_invoice_pdf
from models.commission import (
    CommissionAct,
    InvoiceInput,
    IssueInvoices,
    PaymentRecord,
    check_payment,
)
from models.documents import (
    CommissionLineView,
    InvoicePdf,
    LegalIdentity,
    PartyView,
    PlatformIdentity,
    SellerTerms,
)
from models.domain import InvoiceStatus
from models.identity import postal_address
from models.status_history import DocumentKind, DocumentStatus
from settings import Settings
from store.db import transaction
from store.invoices import invoice_input, issue_invoices, lines_by_supplier, lock_invoice
from store.status_history import record_status
from store.tables import Cluster, CommissionInvoice, Member, Order

INVOICE = DocumentKind.INVOICE


class CommissionActivities:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        store: DocumentStore,
        settings: Settings | None = None,
    ) -> None:
        self.db = session_factory
        self.store = store
        self.settings = settings or Settings()

    @activity.defn(name=CommissionAct.FLAG_OVERDUE)
    def flag_commission_invoice_overdue(self, number: str) -> bool:
        """Flags an unpaid invoice past its due date; False when it was settled meanwhile."""
        with transaction(self.db) as session:
            invoice = lock_invoice(session, number)
            if invoice.status != InvoiceStatus.ISSUED:
                return False
            invoice.overdue = True
            return True

    @activity.defn(name=CommissionAct.RECORD_PAYMENT)
    def record_commission_payment(self, record: PaymentRecord) -> str:
        """Marks the invoice paid; the same payment recorded again changes nothing."""
        with transaction(self.db) as session:
            invoice = lock_invoice(session, record.number)
            if invoice.status == InvoiceStatus.ISSUED:
                check_payment(invoice.status, invoice.due_cents, record.amount_cents)
                invoice.status = InvoiceStatus.PAID
                invoice.paid_at = record.paid_at
                invoice.payment_reference = record.reference
                record_paid(session, record)
            return invoice.status.value


def record_paid(session: Session, record: PaymentRecord) -> None:
    """The invoice's "encaissée" (R25), in the payment's own transaction."""
    number, paid_at, reference = record.number, record.paid_at, record.reference
    record_status(session, INVOICE, number, DocumentStatus.ENCAISSEE, paid_at, reference)


def issue_and_render(
    db: sessionmaker[Session], store: DocumentStore, settings: Settings, request: IssueInvoices
) -> list[InvoiceInput]:
    """R14: the order's invoices, numbered gap-free, each with its PDF; a retry returns the
    same ones and renders only what is missing."""
    with transaction(db) as session:
        tax_rate = Decimal(settings.PLATFORM_TAX_RATE)
        invoices = issue_invoices(session, request.order_number, request.issued_at, tax_rate)
        inputs = [invoice_input(session, invoice) for invoice in invoices]
    # Rendered after the commit, so a slow PDF never holds the numbering lock; a crash in
    # between leaves the file missing, and the retry renders it.
    for invoice in inputs:
        if invoice.document_key and not store.exists(invoice.document_key):
            with db() as session:
                stored = session.get_one(CommissionInvoice, invoice.number)
                pdf = invoice_pdf(session, stored, platform_of(settings))
            store.put(invoice.document_key, render_invoice_pdf(pdf))
    return inputs


def platform_of(settings: Settings) -> PlatformIdentity:
    return PlatformIdentity(
        settings.PLATFORM_LEGAL_NAME,
        settings.PLATFORM_ADDRESS,
        settings.PLATFORM_REGISTRATION,
        settings.PLATFORM_VAT_ID,
        settings.PLATFORM_IBAN,
        settings.PLATFORM_BIC,
        settings.PLATFORM_SIREN,
        settings.PLATFORM_SIRET,
        postal_address(
            (settings.PLATFORM_ADDRESS_LINE1, settings.PLATFORM_ADDRESS_LINE2),
            settings.PLATFORM_POSTCODE,
            settings.PLATFORM_CITY,
            settings.PLATFORM_COUNTRY,
        ),
        SellerTerms(
            settings.PLATFORM_LEGAL_FORM,
            settings.PLATFORM_SHARE_CAPITAL,
            settings.PLATFORM_VAT_ON_DEBITS,
            settings.PLATFORM_LATE_PAYMENT_TERMS,
            settings.PLATFORM_EARLY_PAYMENT_TERMS,
        ),
    )


def member_identity(member: Member) -> LegalIdentity:
    """The member's legal identity as the store holds it; what it lacks prints as such."""
    return LegalIdentity(
        member.company,
        member.address or "",
        member.registration_number or "",
        member.vat_id or "",
        member.email,
        member.siren or "",
        member.siret or "",
        postal_address(
            (member.address_line1 or "", member.address_line2 or ""),
            member.postcode or "",
            member.city or "",
            member.country or "",
        ),
    )


def invoice_pdf(
    session: Session, invoice: CommissionInvoice, platform: PlatformIdentity | None = None
) -> InvoicePdf:
    order = session.get_one(Order, invoice.order_number)
    supplier = session.get_one(Member, invoice.supplier_id)
    lines = lines_by_supplier(session, order).get(invoice.supplier_id, [])
    return InvoicePdf(
        number=invoice.number,
        order_number=order.number,
        quote_number=order.quote_number,
        issued_on=invoice.issued_at.date(),
        due_on=invoice.due_at.date(),
        currency=session.get_one(Cluster, invoice.cluster_id).currency,
        supplier=PartyView(supplier.name, supplier.company, supplier.email),
        lines=tuple(
            CommissionLineView(
                line.offer_name,
                line.net_cents,
                line.commission_rate,
                Decimal(line.net_cents) * line.commission_rate / 100,
            )
            for line in lines
        ),
        amount_cents=invoice.amount_cents,
        tax_rate=invoice.tax_rate,
        tax_cents=invoice.tax_cents,
        platform=platform,
        supplier_identity=member_identity(supplier),
    )
