"""Credit notes in the store: one cancels an invoice in full, once; others correct part of
it; the API reads them.

Functions take an open session and never commit: the caller's transaction does, the same one
that voids the invoice or reverses its postings, so neither lands without the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from models.credit_notes import Credited, check_correction, credit_note_key, split_credit
from models.domain import InvoiceStatus, NumberKind
from models.errors import NotFound
from models.status_history import DocumentKind, DocumentStatus
from store.db import next_number
from store.status_history import record_status
from store.tables import CommissionInvoice, CreditNote, Member

INVOICE, CANCELLED = DocumentKind.INVOICE, DocumentStatus.CANCELLED


def issue_credit_note(
    session: Session, invoice: CommissionInvoice, reason: str, issued_at: datetime
) -> CreditNote | None:
    """The credit note cancelling `invoice` (locked by the caller) in full: it credits what
    the invoice still has creditable, which is all of it unless corrections came first. A
    second call returns the first's, so its number is allocated once and the sequence keeps
    no gap; None when corrections had credited all of it already."""
    issued = credit_note_of(session, invoice.number)
    if issued is not None:
        return issued
    left = creditable(session, invoice)
    if left.total_cents <= 0:
        return None
    return _issue(session, invoice, left, reason or "order cancelled", issued_at, cancels=True)


def issue_correction(
    session: Session, invoice: CommissionInvoice, amount_cents: int, reason: str, at: datetime
) -> CreditNote:
    """A credit note for part of `invoice`, locked by the caller: the lock makes the
    remainder this reads the one it credits against, so parallel corrections never credit
    more than the invoice between them. One that credits all that is left cancels it."""
    left = correctable(session, invoice)
    check_correction(amount_cents, left)
    credited = split_credit(amount_cents, invoice.tax_rate, left)
    note = _issue(session, invoice, credited, reason, at, cancels=False)
    if credited == left:
        record_status(session, INVOICE, invoice.number, CANCELLED, at, reference=note.number)
    return note


def correctable(session: Session, invoice: CommissionInvoice) -> Credited:
    """What a correction may still credit (`left_to_credit`)."""
    return left_to_credit(invoice, credit_notes_of(session, invoice.number))


def left_to_credit(invoice: CommissionInvoice, notes: Sequence[CreditNote]) -> Credited:
    """What a correction may still credit, given the invoice's credit notes: nothing on a void
    invoice (cancelled, by a credit note or, before credit notes, voided alone), else its
    commission and VAT less what the notes credited."""
    return Credited(0, 0) if invoice.status == InvoiceStatus.VOID else _remaining(invoice, notes)


def _remaining(invoice: CommissionInvoice, notes: Sequence[CreditNote]) -> Credited:
    return Credited(
        invoice.amount_cents - sum(n.amount_cents for n in notes),
        invoice.tax_cents - sum(n.tax_cents for n in notes),
    )


def creditable(session: Session, invoice: CommissionInvoice) -> Credited:
    """The invoice's commission and VAT less what its credit notes credited already."""
    return _remaining(invoice, credit_notes_of(session, invoice.number))


def _issue(
    session: Session,
    invoice: CommissionInvoice,
    credited: Credited,
    reason: str,
    issued_at: datetime,
    *,
    cancels: bool,
) -> CreditNote:
    number = next_number(session, NumberKind.CREDIT_NOTE, issued_at.year)
    note = CreditNote(
        number=number,
        invoice_number=invoice.number,
        cancels_invoice=invoice.number if cancels else None,
        cluster_id=invoice.cluster_id,
        supplier_id=invoice.supplier_id,
        amount_cents=credited.amount_cents,
        tax_rate=invoice.tax_rate,
        tax_cents=credited.tax_cents,
        reason=reason,
        refund_due=invoice.paid_at is not None,
        issued_at=issued_at,
        document_key=credit_note_key(number),
    )
    session.add(note)
    session.flush()
    record_status(session, DocumentKind.CREDIT_NOTE, number, DocumentStatus.ISSUED, issued_at)
    if cancels:
        record_status(session, INVOICE, invoice.number, CANCELLED, issued_at, reference=number)
    return note


def credit_note_of(session: Session, invoice_number: str) -> CreditNote | None:
    """The credit note that cancels the invoice in full, if one does."""
    return session.scalars(
        select(CreditNote).where(CreditNote.cancels_invoice == invoice_number)
    ).first()


def credit_notes_of(session: Session, invoice_number: str) -> list[CreditNote]:
    """The credit notes of one invoice, by number: its corrections and its cancellation."""
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
