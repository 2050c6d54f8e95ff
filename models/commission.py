"""What a commission invoice workflow carries and answers, and its pure rules (R14, R15).

Standard library only: the workflow sandbox imports this module. Money is integer cents;
every field after the first ones has a default, so fields can be added without breaking
histories already recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from models.domain import InvoiceStatus
from models.errors import Conflict, RuleViolation
from models.money import amount_text, format_cents
from models.quote_payloads import Notice, Party
from models.status_history import StatusEvent

# Reminders go out a week before the due date, or a quarter of the terms before it when the
# terms are shorter than four weeks (seconds-long terms in tests get a reminder too).
REMINDER_LEAD = timedelta(days=7)
# The account every share is paid out of (debited), and members' or the platform's credited.
CLEARING = "clearing:commission"
# The platform's tax on its commission (R22) is owed to the tax authority, not earned.
TAX_PAYABLE = "platform:tax_payable"
TAX_ROLE = "tax"


class CommissionAct:
    """Activity names: the workflow calls them by name, never importing SQLAlchemy."""

    ISSUE = "issue_commission_invoices"  # and emailed, once each
    FLAG_OVERDUE = "flag_commission_invoice_overdue"
    RECORD_PAYMENT = "record_commission_payment"
    VOID = "void_commission_invoice"
    SPLIT = "post_commission_split"
    REVERSE = "post_commission_reversal"
    # One step each: the payment with its split and receipt; the overdue flag with its email.
    SETTLE = "settle_commission_payment"
    MARK_OVERDUE = "mark_commission_invoice_overdue"


@dataclass
class IssueInvoices:
    order_number: str
    issued_at: datetime


@dataclass
class InvoiceInput:
    """One issued invoice: everything its workflow needs to email, remind and flag it."""

    number: str
    order_number: str
    cluster_id: int
    cluster_name: str
    currency: str
    supplier: Party
    amount_cents: int  # what is due: the commission plus the platform's tax on it
    issued_at: datetime
    due_at: datetime
    document_key: str | None = None
    # Set when its order's cancellation starts the workflow (the quote workflow had not yet):
    # the invoice is void from its first task and sends nothing.
    void_reason: str | None = None
    # Invoices issued before tax carry none: their amount is their commission.
    tax_cents: int = 0
    tax_rate: str = "0"
    # True when the issuing step emailed the invoice already, so its workflow does not.
    announced: bool = False


@dataclass
class PaymentInput:
    amount_cents: int
    reference: str


@dataclass
class PaymentRecord:
    number: str
    amount_cents: int
    reference: str
    paid_at: datetime


@dataclass
class VoidInput:
    reason: str


@dataclass
class Clawback:
    number: str
    reason: str


@dataclass
class ShareLine:
    member_id: int | None
    role: str
    amount_cents: int


@dataclass
class Shares:
    """What the payment's or the clawback's step answers: the shares it posted, and the
    invoice's status events it recorded (encaissée, cancelled by a credit note), so that the
    Temporal UI shows them on the step."""

    shares: list[ShareLine]
    events: list[StatusEvent] = field(default_factory=list)


@dataclass
class Voided:
    """What the void step answers: the invoice's status, and its cancellation by a credit
    note when the step issued one."""

    status: str
    events: list[StatusEvent] = field(default_factory=list)


@dataclass
class InvoiceState:
    number: str
    status: str
    amount_cents: int
    due_at: datetime
    overdue: bool = False
    paid_at: datetime | None = None
    payment_reference: str | None = None
    void_reason: str | None = None
    clawed_back: bool = False
    shares: list[ShareLine] = field(default_factory=list)
    # The e-reporting statuses the workflow's steps recorded (R25), oldest first.
    status_history: list[StatusEvent] = field(default_factory=list)


def reminder_at(issued_at: datetime, due_at: datetime) -> datetime:
    """When the supplier is reminded: min(7 days, a quarter of the terms) before the due date."""
    return due_at - min(REMINDER_LEAD, (due_at - issued_at) / 4)


def check_payment(status: str, amount_due: int, amount_paid: int) -> None:
    """Only an issued invoice is paid, and only in full: partial or excess payments are refused."""
    if status == InvoiceStatus.VOID:
        raise Conflict("the invoice is void (its order was cancelled): it takes no payment")
    if status != InvoiceStatus.ISSUED:
        raise Conflict(f"the invoice is already {status}: it takes no second payment")
    if amount_paid != amount_due:
        raise RuleViolation(
            f"must be exactly the invoice amount, {format_cents(amount_due)}, not "
            f"{format_cents(amount_paid)}: partial payments are refused",
            field="amount",
        )


def member_account(member_id: int | None) -> str:
    """The ledger account a share is credited to: a member's, or the platform's."""
    return "platform" if member_id is None else f"member:{member_id}"


def tax_posting_key(invoice_number: str) -> str:
    """One tax posting per invoice, whatever retries or crashes happen."""
    return f"{invoice_number}:platform:{TAX_ROLE}"


def posting_key(invoice_number: str, member_id: int | None, role: str) -> str:
    """invoice + member + role: one posting per share, whatever retries or crashes happen."""
    who = "platform" if member_id is None else str(member_id)
    return f"{invoice_number}:{who}:{role}"


def reversal_key(original_key: str) -> str:
    return f"{original_key}:reversal"


def invoice_summary(invoice: InvoiceInput) -> str:
    """The line an operator reads for an invoice's workflow in the Temporal UI."""
    return (
        f"Commission invoice {invoice.number} to {invoice.supplier.company} for order "
        f"{invoice.order_number}, {format_cents(invoice.amount_cents)} {invoice.currency}"
    )


def _amount_words(invoice: InvoiceInput) -> str:
    """What is due, saying it includes the platform's VAT: "129.60 EUR with VAT (108.00 EUR
    before VAT)", the invoice PDF's "Total due" and "Commission (before VAT)"."""
    due = amount_text(invoice.amount_cents, invoice.currency)
    net = amount_text(invoice.amount_cents - invoice.tax_cents, invoice.currency)
    return f"{due} with VAT ({net} before VAT)"


def invoice_notice(invoice: InvoiceInput, kind: str, *, attach: bool = False) -> Notice:
    """An email about the invoice to its supplier, keyed by invoice, kind and supplier so that
    it goes out once whichever step sends it and however often that step is retried."""
    supplier = invoice.supplier
    return Notice(
        business_key=f"{invoice.number}/{kind}/member:{supplier.id}",
        kind=kind,
        to_email=supplier.email,
        to_name=supplier.name,
        context={
            "name": supplier.name,
            "cluster": invoice.cluster_name,
            "invoice": invoice.number,
            "order": invoice.order_number,
            "amount": _amount_words(invoice),
            "due_date": f"{invoice.due_at:%Y-%m-%d}",
        },
        attachment_key=invoice.document_key if attach else None,
        attachment_name=f"{invoice.number}.pdf" if attach else None,
    )
