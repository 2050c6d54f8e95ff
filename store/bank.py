"""Bank statement lines in the store (R26): imported once each, matched, kept in suspense.

Functions take an open session and never commit: the caller's transaction does, so a
statement's rows land all together or not at all.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from models.bank import (
    Decision,
    LineStatus,
    OpenInvoice,
    Statement,
    StatementLine,
    invoice_numbers_in,
    match_line,
)
from models.domain import InvoiceStatus
from store.db import claim, transaction
from store.tables import BankLine, BankStatement, Cluster, CommissionInvoice, Member, utcnow

# A losing parallel import runs again; a third loss in a row is a real fault.
ATTEMPTS = 3


@dataclass(frozen=True)
class Settlement:
    """A matched line whose payment is to be recorded on its invoice."""

    line_id: int
    invoice_number: str
    amount_cents: int
    reference: str


def store_statements(factory: sessionmaker[Session], statements: list[Statement]) -> Counter[str]:
    """The import in one transaction. A parallel import of the same lines makes this one fail
    on their unique keys (or, on SQLite, on its stale snapshot): it is then run again, and
    finds them known."""
    for attempt in range(ATTEMPTS):
        try:
            with transaction(factory) as session:
                return import_statements(session, statements)
        except (IntegrityError, OperationalError):
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def import_statements(session: Session, statements: list[Statement]) -> Counter[str]:
    """Stores every line not stored before and decides each; counts new, known and decisions."""
    counts: Counter[str] = Counter()
    for statement in statements:
        statement_id = _statement_row(session, statement)
        keys = [line.key for line in statement.lines]
        known = set(session.scalars(select(BankLine.line_key).where(BankLine.line_key.in_(keys))))
        new = [line for line in statement.lines if line.key not in known]
        counts["known"] += len(statement.lines) - len(new)
        counts["new"] += len(new)
        invoices = open_invoices(session, new)
        for line in new:
            decision = match_line(line, invoices)
            if decision.invoice_number is not None:  # one line pays an invoice, not two
                invoices[decision.invoice_number] = _claimed(invoices[decision.invoice_number])
            counts[decision.status.value] += 1
            session.add(_row(statement_id, line, decision))
        session.flush()  # a parallel import of the same lines fails here: all rolled back
    return counts


def _row(statement_id: int, line: StatementLine, decision: Decision) -> BankLine:
    return BankLine(
        line_key=line.key,
        statement_id=statement_id,
        amount_cents=line.amount_cents,
        currency=line.currency,
        credit=line.credit,
        reversal=line.reversal,
        booked_on=line.booked_on,
        payer=line.payer[:140],
        remittance="\n".join(line.references),
        status=decision.status,
        invoice_number=decision.invoice_number,
        reason=decision.reason,
    )


def _statement_row(session: Session, statement: Statement) -> int:
    key = f"{statement.kind}|{statement.account}|{statement.statement_id}"[:200]
    found = session.scalar(select(BankStatement.id).where(BankStatement.statement_key == key))
    if found is not None:
        return found
    row = BankStatement(statement_key=key, kind=statement.kind, account=statement.account[:40])
    session.add(row)
    session.flush()
    return row.id


def open_invoices(
    session: Session, lines: list[StatementLine], numbers: tuple[str, ...] = ()
) -> dict[str, OpenInvoice]:
    """The invoices the lines may pay (those they name, those of their amounts) and `numbers`."""
    named = [*numbers, *(n for line in lines for n in invoice_numbers_in(line.references))]
    amounts = {line.amount_cents for line in lines if line.credit}
    query = (
        select(CommissionInvoice, Member, Cluster.currency)
        .join(Member, Member.id == CommissionInvoice.supplier_id)
        .join(Cluster, Cluster.id == CommissionInvoice.cluster_id)
        .where(
            or_(
                CommissionInvoice.number.in_(named),
                (CommissionInvoice.amount_cents + CommissionInvoice.tax_cents).in_(amounts)
                & (CommissionInvoice.status == InvoiceStatus.ISSUED),
            )
        )
    )
    taken = _claimed_numbers(session)
    found = {}
    for invoice, supplier, currency in session.execute(query).all():
        open_invoice = OpenInvoice(
            invoice.number,
            invoice.due_cents,
            currency,
            invoice.status.value,
            (supplier.company, supplier.name),
        )
        found[invoice.number] = _claimed(open_invoice) if invoice.number in taken else open_invoice
    return found


def _claimed(invoice: OpenInvoice) -> OpenInvoice:
    """An invoice a bank line already pays reads as paid, even before its workflow says so."""
    return OpenInvoice(
        invoice.number,
        invoice.due_cents,
        invoice.currency,
        InvoiceStatus.PAID.value,
        invoice.payer_names,
    )


def _claimed_numbers(session: Session) -> set[str]:
    paying = BankLine.status.in_([LineStatus.MATCHED, LineStatus.POSTED])
    query = select(BankLine.invoice_number).where(paying, BankLine.invoice_number.is_not(None))
    return {n for n in session.scalars(query) if n is not None}


def to_settle(session: Session, keys: list[str] | None = None) -> list[Settlement]:
    """Matched lines whose payment is not yet confirmed by their invoice's workflow."""
    columns = (BankLine.id, BankLine.invoice_number, BankLine.amount_cents, BankLine.line_key)
    query = select(*columns).where(BankLine.status == LineStatus.MATCHED)
    if keys is not None:
        query = query.where(BankLine.line_key.in_(keys))
    rows = session.execute(query.order_by(BankLine.id)).all()
    return [Settlement(row[0], row[1] or "", row[2], row[3]) for row in rows]


def settled(session: Session, line_id: int, paid: bool, reason: str = "") -> bool:
    """The workflow's answer: posted, or (the invoice was paid otherwise) back to suspense."""
    values = (
        {"status": LineStatus.POSTED}
        if paid
        else {
            "status": LineStatus.SUSPENSE,
            "invoice_number": None,
            "reason": reason,
        }
    )
    change = update(BankLine).where(BankLine.id == line_id).values(**values)
    return claim(session, change, BankLine.status == LineStatus.MATCHED)


def decide_line(session: Session, line_id: int, **values: object) -> bool:
    """A suspense line assigned or marked to refund, once: False when it was decided already."""
    change = update(BankLine).where(BankLine.id == line_id).values(decided_at=utcnow(), **values)
    return claim(session, change, BankLine.status == LineStatus.SUSPENSE)
