"""A member's statement for a period (R24): per kind of money, the opening balance, the period's
movements each with its running balance, and the closing balance. Pure and exact (cents).

Each kind counts its balance in the direction a member reads it: earnings are what the platform
owes the member; commission invoices what the member owes the platform; founder's parts owed
what the member owes the founder; founder's parts due what the suppliers owe the member (the
founder). A movement raises its section's balance when positive and lowers it when negative.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from models.domain import InvoiceStatus


class StatementKind(StrEnum):
    EARNINGS = "earnings"
    COMMISSION_INVOICES = "commission_invoices"
    FOUNDER_PARTS_OWED = "founder_parts_owed"
    FOUNDER_PARTS_DUE = "founder_parts_due"


# What each section is called and what its balance counts, in the words of a statement.
SECTION_TITLES = {
    StatementKind.EARNINGS: "Earnings",
    StatementKind.COMMISSION_INVOICES: "Commission invoices you owe the platform",
    StatementKind.FOUNDER_PARTS_OWED: "Founder's parts you owe",
    StatementKind.FOUNDER_PARTS_DUE: "Founder's parts due to you",
}
SECTION_MEANINGS = {
    StatementKind.EARNINGS: "What the platform owes you: your shares of paid commission "
    "invoices, less any clawback of a cancelled order.",
    StatementKind.COMMISSION_INVOICES: "What you owe the platform as a supplier: each "
    "commission invoice with its tax, less your payments and the credit notes issued on your "
    "invoices; below zero, what the platform owes you back.",
    StatementKind.FOUNDER_PARTS_OWED: "What you owe the founder for the founder's services "
    "under your lines, from each order's opening. Settled directly between members: no "
    "payment is recorded on the platform.",
    StatementKind.FOUNDER_PARTS_DUE: "What suppliers owe you for your services under their "
    "lines, from each order's opening. Settled directly between members: no payment is "
    "recorded on the platform.",
}


@dataclass(frozen=True)
class Movement:
    at: datetime
    reference: str  # the business number an accountant looks up: invoice, credit note or order
    description: str
    amount_cents: int
    invoice: str | None = None  # a credit note's row: the invoice it credits


@dataclass(frozen=True)
class StatementRow:
    movement: Movement
    balance_cents: int  # the section's balance after this movement


@dataclass(frozen=True)
class StatementSection:
    kind: StatementKind
    opening_cents: int
    rows: tuple[StatementRow, ...]
    closing_cents: int


def section_for_period(
    kind: StatementKind,
    movements: Iterable[Movement],
    since: datetime,
    until: datetime,
    carried_cents: int = 0,
) -> StatementSection:
    """Movements before `since` make the opening (with `carried_cents`, a sum already taken);
    those with since ≤ at < until are the rows, oldest first (ties keep their given order);
    later ones are left out. The closing is the last row's balance, or the opening."""
    ordered = sorted(movements, key=lambda m: m.at)
    opening = carried_cents + sum(m.amount_cents for m in ordered if m.at < since)
    rows: list[StatementRow] = []
    balance = opening
    for movement in ordered:
        if since <= movement.at < until:
            balance += movement.amount_cents
            rows.append(StatementRow(movement, balance))
    return StatementSection(kind, opening, tuple(rows), balance)


def grouped(cents: int) -> str:
    """Money as the statement's tables print it: 123456789 -> "1 234 567.89"."""
    units, rest = divmod(abs(cents), 100)
    return f"{'-' if cents < 0 else ''}{units:,}.{rest:02d}".replace(",", " ")


def share_words(role: str, *, clawback: bool) -> str:
    """A ledger role as a statement reads it: "affiliate_l2" is an affiliate share, level 2."""
    level = role.removeprefix("affiliate_l")
    what = f"affiliate share, level {level}" if level != role else f"{role} share"
    return f"Clawback of your {what} (order cancelled)" if clawback else f"Your {what}"


@dataclass(frozen=True)
class CreditNoteFacts:
    """A credit note on one of the member's invoices: it cancels it, or corrects part of it."""

    number: str
    issued_at: datetime
    total_cents: int  # the commission and the VAT it credits
    reason: str
    correction: bool


@dataclass(frozen=True)
class InvoiceFacts:
    """A commission invoice billed to the member, as the store holds it."""

    number: str
    order_number: str
    commission_cents: int
    tax_cents: int
    status: InvoiceStatus
    issued_at: datetime
    due_at: datetime
    paid_at: datetime | None
    payment_reference: str | None
    order_cancelled_at: datetime | None
    credit_notes: tuple[CreditNoteFacts, ...] = ()


def invoice_movements(invoice: InvoiceFacts) -> list[Movement]:
    """Issued: the commission and its tax are owed. Paid: the payment settles all of it (a
    partial payment is refused, so there is no other). Each credit note on it lowers what is
    owed by what it credits, from its date: the one cancelling the invoice of a cancelled
    order, and any correcting part of it; on a paid invoice that is owed back to the member.
    An invoice voided before credit notes were issued is no longer owed from the
    cancellation."""
    due = invoice.commission_cents + invoice.tax_cents
    issued = Movement(
        invoice.issued_at,
        invoice.number,
        f"Invoice for order {invoice.order_number}, due {invoice.due_at:%Y-%m-%d}: commission "
        f"{grouped(invoice.commission_cents)} + tax {grouped(invoice.tax_cents)}",
        due,
    )
    moves = [issued]
    if invoice.paid_at is not None:
        reference = f", reference {invoice.payment_reference}" if invoice.payment_reference else ""
        moves.append(
            Movement(invoice.paid_at, invoice.number, f"Payment received{reference}", -due)
        )
    moves += [_credit_movement(invoice.number, note) for note in invoice.credit_notes]
    if invoice.status == InvoiceStatus.VOID and not invoice.credit_notes:
        # The invoice is voided as its order is cancelled; never before it was issued.
        at = max(invoice.order_cancelled_at or invoice.issued_at, invoice.issued_at)
        text = f"Invoice void: order {invoice.order_number} cancelled, nothing to pay"
        moves.append(Movement(at, invoice.number, text, -due))
    return moves


def _credit_movement(invoice_number: str, note: CreditNoteFacts) -> Movement:
    what = "correcting" if note.correction else "cancelling"
    text = f"Credit note {what} invoice {invoice_number}: {note.reason}"
    return Movement(note.issued_at, note.number, text, -note.total_cents, invoice_number)


@dataclass(frozen=True)
class FounderPartFacts:
    """One founder's part (R23) of an order, with the other party's company."""

    order_number: str
    position: int
    service: str
    counterparty: str  # the founder for the supplier, the supplier for the founder
    amount_cents: int
    order_opened_at: datetime
    order_cancelled_at: datetime | None


def founder_part_movements(part: FounderPartFacts, *, owed_by_member: bool) -> list[Movement]:
    """Owed from the order's opening; the product records no payment of it (the members settle
    it directly). A cancelled order's part is released at the cancellation: its service is no
    longer delivered under that order."""
    service = f"Founder's service “{part.service}” (line {part.position})"
    who = "to" if owed_by_member else "by"
    what = f"{service}, owed {who} {part.counterparty}"
    moves = [Movement(part.order_opened_at, part.order_number, what, part.amount_cents)]
    if part.order_cancelled_at is not None and part.amount_cents:
        text = f"Order cancelled: line {part.position} no longer owed"
        moves.append(Movement(part.order_cancelled_at, part.order_number, text, -part.amount_cents))
    return moves
