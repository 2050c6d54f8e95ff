"""The credit note as its PDF shows it: the invoice it cancels, in full, and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from models.commission import InvoiceInput
from models.documents import InvoicePdf
from models.errors import Conflict, RuleViolation
from models.money import amount_text, as_fraction, format_cents, round_half_even
from models.quote_payloads import Notice

CREDIT_NOTE = "381"  # UNTDID 1001: credit note


class CreditNoteAct:
    """Activity names: the workflow calls them by name, never importing SQLAlchemy."""

    DELIVER = "deliver_credit_note"  # rendered, emailed and transmitted, once each


def credit_note_key(number: str) -> str:
    """Where the credit note's PDF is stored."""
    return f"credit-notes/{number}.pdf"


@dataclass(frozen=True)
class Credited:
    """What a credit note credits: the commission before VAT and the VAT on it, in cents."""

    amount_cents: int
    tax_cents: int

    @property
    def total_cents(self) -> int:
        return self.amount_cents + self.tax_cents


@dataclass(frozen=True)
class CreditNoteFacts:
    """A credit note as its email states it."""

    number: str
    reason: str
    refund_due: bool
    credited: Credited
    correction: bool = False


@dataclass(frozen=True)
class CreditNotePdf:
    """`invoice` is the credited invoice as issued: its number and date are the credit note's
    preceding invoice reference (BT-25, BT-26). `credited` is what the credit note credits:
    the whole invoice (or what was left of it) when it cancels it, part of it when it corrects
    it (`correction`)."""

    number: str
    issued_on: date
    reason: str
    refund_due: bool  # the invoice was paid: the platform owes the amount back
    invoice: InvoicePdf
    credited: Credited | None = None  # None: the invoice's own amounts
    correction: bool = False

    @property
    def amounts(self) -> Credited:
        invoice = self.invoice
        return self.credited or Credited(invoice.amount_cents, invoice.tax_cents)

    @property
    def title(self) -> str:
        return f"Credit note {self.number}"


def credit_note_notice(invoice: InvoiceInput, note: CreditNoteFacts) -> Notice:
    """The credit note emailed to the invoice's supplier with its PDF, once: keyed by the
    credit note and the supplier."""
    supplier = invoice.supplier
    credited = note.credited
    due = amount_text(credited.total_cents, invoice.currency)
    net = amount_text(credited.amount_cents, invoice.currency)
    total = f"{due} with VAT ({net} before VAT)"
    if note.refund_due:
        settlement = f"Invoice {invoice.number} was paid: {total} is owed back to you."
    elif note.correction:
        settlement = (
            f"Invoice {invoice.number} is still paid in full, as partial payments are refused; "
            f"{total} is then owed back to you."
        )
    else:
        settlement = f"Nothing is left to pay on invoice {invoice.number}: please do not pay it."
    kind = "credit_note_correction" if note.correction else "credit_note"
    return Notice(
        business_key=f"{note.number}/{kind}/member:{supplier.id}",
        kind=kind,
        to_email=supplier.email,
        to_name=supplier.name,
        context={
            "name": supplier.name,
            "cluster": invoice.cluster_name,
            "credit_note": note.number,
            "invoice": invoice.number,
            "order": invoice.order_number,
            "reason": note.reason,
            "amount": total,
            "settlement": settlement,
        },
        attachment_key=credit_note_key(note.number),
        attachment_name=f"{note.number}.pdf",
    )


def check_correction(amount_cents: int, creditable: Credited) -> None:
    """A correction credits more than nothing and at most what the invoice still has: its
    total less the credit notes already issued on it."""
    if creditable.total_cents <= 0:
        raise Conflict("the invoice is already cancelled in full: nothing is left to credit")
    if amount_cents <= 0:
        raise RuleViolation("must be greater than 0", field="amount")
    if amount_cents > creditable.total_cents:
        raise RuleViolation(
            f"must be at most {format_cents(creditable.total_cents)}, what remains creditable "
            "on the invoice (its amount with VAT less the credit notes already issued)",
            field="amount",
        )


def split_credit(amount_cents: int, tax_rate: Decimal, creditable: Credited) -> Credited:
    """A credit of `amount_cents` with VAT, split as the invoice charged it: the commission is
    amount × 100 / (100 + rate), rounded once, half-even, the VAT the rest, so both add up to
    the amount to the cent. Crediting all that is left takes exactly what is left of each,
    so an invoice's credit notes sum to its commission and its VAT; none takes more of
    either than is left."""
    if amount_cents == creditable.total_cents:
        return creditable
    rate = as_fraction(tax_rate, "tax_rate")
    net = min(round_half_even(Fraction(amount_cents) * 100 / (100 + rate)), creditable.amount_cents)
    tax = min(amount_cents - net, creditable.tax_cents)
    return Credited(amount_cents - tax, tax)


def credit_note_workflow_id(number: str) -> str:
    """credit-note-CN-2026-00001: one delivery per credit note, ever."""
    return f"credit-note-{number}"
