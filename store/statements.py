"""A member's statement (R24) read from the store: its earnings from the ledger, the commission
invoices billed to it, and the founder's parts it owes or is due, for a period.

Only the member's own rows are read: its ledger account, the invoices where it is the
supplier, the founder's parts where it is the supplier or the founder. Functions take an open
session and never commit.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from models.commission import member_account
from models.statements import (
    CreditNoteFacts,
    FounderPartFacts,
    InvoiceFacts,
    Movement,
    StatementKind,
    StatementSection,
    founder_part_movements,
    invoice_movements,
    section_for_period,
    share_words,
)
from store.ledger import balance, entries_between
from store.tables import (
    Cluster,
    CommissionInvoice,
    CreditNote,
    FounderPart,
    LedgerEntry,
    Member,
    Offer,
    Order,
)


def member_statement(
    session: Session, member: Member, since: datetime, until: datetime
) -> tuple[StatementSection, ...]:
    """Every kind of the member's statement, for since ≤ moment < until: the founder's parts
    owed for the other members, those due for the founder, either whenever it has any."""
    founder = _is_founder(session, member)
    owed = founder_parts(session, member.id, since, until, owed_by_member=True)
    due = founder_parts(session, member.id, since, until, owed_by_member=False)
    sections = [
        earnings(session, member.id, since, until),
        commission_invoices(session, member.id, since, until),
    ]
    sections += [s for s, shown in ((owed, not founder), (due, founder)) if shown or _used(s)]
    return tuple(sections)


def earnings(
    session: Session, member_id: int, since: datetime, until: datetime
) -> StatementSection:
    """The shares credited to the member's account and their clawbacks, as posted."""
    account = member_account(member_id)
    opening = balance(session, account, before=since)
    moves = [_earning(entry, account) for entry in entries_between(session, account, since, until)]
    return section_for_period(StatementKind.EARNINGS, moves, since, until, opening)


def _earning(entry: LedgerEntry, account: str) -> Movement:
    amount = entry.amount_cents if entry.credit_account == account else -entry.amount_cents
    if entry.invoice_number is None:  # a payout: its memo names the month and the invoice
        period, _, number = entry.memo.removeprefix("payout ").partition(", self-billed invoice ")
        return Movement(entry.posted_at, number, f"Paid out for {period}", amount)
    text = share_words(entry.role, clawback=entry.reverses_id is not None)
    return Movement(entry.posted_at, entry.invoice_number, text, amount)


def commission_invoices(
    session: Session, member_id: int, since: datetime, until: datetime
) -> StatementSection:
    rows = session.execute(
        select(CommissionInvoice, Order.cancelled_at)
        .join(Order, Order.number == CommissionInvoice.order_number)
        .where(CommissionInvoice.supplier_id == member_id, CommissionInvoice.issued_at < until)
        .order_by(CommissionInvoice.issued_at, CommissionInvoice.number)
    )
    notes = _credit_notes(session, member_id, until)
    moves = [
        move
        for invoice, cancelled_at in rows
        for move in invoice_movements(
            InvoiceFacts(
                invoice.number,
                invoice.order_number,
                invoice.amount_cents,
                invoice.tax_cents,
                invoice.status,
                invoice.issued_at,
                invoice.due_at,
                invoice.paid_at,
                invoice.payment_reference,
                cancelled_at,
                notes.get(invoice.number, ()),
            )
        )
    ]
    return section_for_period(StatementKind.COMMISSION_INVOICES, moves, since, until)


def _credit_notes(
    session: Session, member_id: int, until: datetime
) -> dict[str, tuple[CreditNoteFacts, ...]]:
    """The credit notes on the member's invoices issued before `until`, by invoice."""
    found: dict[str, list[CreditNoteFacts]] = defaultdict(list)
    query = (
        select(CreditNote)
        .where(CreditNote.supplier_id == member_id, CreditNote.issued_at < until)
        .order_by(CreditNote.issued_at, CreditNote.number)
    )
    for note in session.scalars(query):
        correction = note.cancels_invoice is None
        facts = CreditNoteFacts(
            note.number, note.issued_at, note.total_cents, note.reason, correction
        )
        found[note.invoice_number].append(facts)
    return {number: tuple(notes) for number, notes in found.items()}


def founder_parts(
    session: Session, member_id: int, since: datetime, until: datetime, *, owed_by_member: bool
) -> StatementSection:
    """The parts the member owes as a line's supplier, or is due as the founder."""
    other = aliased(Member)
    mine = FounderPart.supplier_id if owed_by_member else FounderPart.founder_id
    theirs = FounderPart.founder_id if owed_by_member else FounderPart.supplier_id
    rows = session.execute(
        select(FounderPart, Order.accepted_at, Order.cancelled_at, Offer.name, other.company)
        .join(Order, Order.number == FounderPart.order_number)
        .join(Offer, Offer.id == FounderPart.founder_offer_id)
        .join(other, other.id == theirs)
        .where(mine == member_id, Order.accepted_at < until)
        .order_by(Order.accepted_at, FounderPart.order_number, FounderPart.position)
    )
    moves = [
        move
        for part, opened_at, cancelled_at, service, company in rows
        for move in founder_part_movements(
            FounderPartFacts(
                part.order_number,
                part.position,
                service,
                company,
                part.amount_cents,
                opened_at,
                cancelled_at,
            ),
            owed_by_member=owed_by_member,
        )
    ]
    kind = StatementKind.FOUNDER_PARTS_OWED if owed_by_member else StatementKind.FOUNDER_PARTS_DUE
    return section_for_period(kind, moves, since, until)


def _is_founder(session: Session, member: Member) -> bool:
    return session.get_one(Cluster, member.cluster_id).founder_id == member.id


def _used(section: StatementSection) -> bool:
    return bool(section.rows) or section.opening_cents != 0
