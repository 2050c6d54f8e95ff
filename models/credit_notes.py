"""The credit note as its PDF shows it: the invoice it cancels, in full, and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from models.commission import InvoiceInput
from models.documents import InvoicePdf
from models.money import amount_text
from models.quote_payloads import Notice

CREDIT_NOTE = "381"  # UNTDID 1001: credit note


def credit_note_key(number: str) -> str:
    """Where the credit note's PDF is stored."""
    return f"credit-notes/{number}.pdf"


@dataclass(frozen=True)
class CreditNotePdf:
    """`invoice` is the cancelled invoice as issued: its number and date are the credit note's
    preceding invoice reference (BT-25, BT-26), its amounts the credit note's."""

    number: str
    issued_on: date
    reason: str
    refund_due: bool  # the invoice was paid: the platform owes the amount back
    invoice: InvoicePdf

    @property
    def title(self) -> str:
        return f"Credit note {self.number}"


def credit_note_notice(invoice: InvoiceInput, number: str, reason: str, refund_due: bool) -> Notice:
    """The credit note emailed to the invoice's supplier with its PDF, once: keyed by the
    credit note and the supplier."""
    supplier = invoice.supplier
    due = amount_text(invoice.amount_cents, invoice.currency)
    net = amount_text(invoice.amount_cents - invoice.tax_cents, invoice.currency)
    total = f"{due} with VAT ({net} before VAT)"
    settlement = (
        f"Invoice {invoice.number} was paid: {total} is owed back to you."
        if refund_due
        else f"Nothing is left to pay on invoice {invoice.number}: please do not pay it."
    )
    return Notice(
        business_key=f"{number}/credit_note/member:{supplier.id}",
        kind="credit_note",
        to_email=supplier.email,
        to_name=supplier.name,
        context={
            "name": supplier.name,
            "cluster": invoice.cluster_name,
            "credit_note": number,
            "invoice": invoice.number,
            "order": invoice.order_number,
            "reason": reason,
            "amount": total,
            "settlement": settlement,
        },
        attachment_key=credit_note_key(number),
        attachment_name=f"{number}.pdf",
    )
