"""Credit notes in the store: issued once per cancelled invoice, read by the API.

Functions take an open session and never commit: the caller's transaction does, the same one
that voids the invoice or reverses its postings, so neither lands without the other.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from models.credit_notes import credit_note_key
from models.domain import NumberKind
from models.errors import NotFound
from store.db import next_number
from store.tables import CommissionInvoice, CreditNote, Member


def issue_credit_note(
    session: Session, invoice: CommissionInvoice, reason: str, issued_at: datetime
) -> CreditNote:
    """The credit note cancelling `invoice` (locked by the caller); a second call returns the
    first's, so its number is allocated once and the sequence keeps no gap."""
    issued = credit_note_of(session, invoice.number)
    if issued is not None:
        return issued
    number = next_number(session, NumberKind.CREDIT_NOTE, issued_at.year)
    note = CreditNote(
        number=number,
        invoice_number=invoice.number,
        cluster_id=invoice.cluster_id,
        supplier_id=invoice.supplier_id,
        amount_cents=invoice.amount_cents,
        tax_rate=invoice.tax_rate,
        tax_cents=invoice.tax_cents,
        reason=reason or "order cancelled",
        refund_due=invoice.paid_at is not None,
        issued_at=issued_at,
        document_key=credit_note_key(number),
    )
    session.add(note)
    session.flush()
    return note


def credit_note_of(session: Session, invoice_number: str) -> CreditNote | None:
    return session.scalars(
        select(CreditNote).where(CreditNote.invoice_number == invoice_number)
    ).first()


def credit_notes_of(session: Session, invoice_number: str) -> list[CreditNote]:
    """The credit notes of one invoice, by number (one today: each cancels it in full)."""
    query = select(CreditNote).where(CreditNote.invoice_number == invoice_number)
    return list(session.scalars(query.order_by(CreditNote.number)))


def visible_credit_notes(viewer: Member | None) -> Select[CreditNote]:
    """Operators see every credit note; a member those of the invoices billed to it."""
    query = select(CreditNote)
    if viewer is None:
        return query
    return query.where(
        CreditNote.cluster_id == viewer.cluster_id, CreditNote.supplier_id == viewer.id
    )


def get_visible_credit_note(session: Session, viewer: Member | None, number: str) -> CreditNote:
    """Another member's or cluster's credit note answers exactly like a missing one."""
    note = session.scalars(visible_credit_notes(viewer).where(CreditNote.number == number)).first()
    if note is None:
        raise NotFound("credit note")
    return note
