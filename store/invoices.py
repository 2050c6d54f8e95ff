"""Commission invoices in the store (R14): issued per supplier of an order, read by the API.

Functions take an open session and never commit: the caller's transaction does.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from models.commission import InvoiceInput
from models.domain import InvoiceStatus, NumberKind, OrderStatus
from models.errors import NotFound
from models.money import commission_cents, format_percent, tax_cents
from models.quote_payloads import Party
from models.status_history import DocumentKind, DocumentStatus
from store.db import next_number
from store.orders import order_lines
from store.status_history import record_status
from store.tables import Cluster, CommissionInvoice, Member, Order, QuoteLine

INVOICE = DocumentKind.INVOICE


def lock_order(session: Session, number: str) -> Order:
    """The order, locked until the end of the transaction.

    A no-op write rather than FOR UPDATE: it takes the row lock on PostgreSQL and the
    database's write lock on SQLite (which ignores FOR UPDATE), so issuing invoices and
    cancelling the order never interleave on either.
    """
    session.execute(update(Order).where(Order.number == number).values(revision=Order.revision))
    order = session.get(Order, number)
    if order is None:
        raise NotFound("order")
    return order


def invoices_of(session: Session, order_number: str) -> list[CommissionInvoice]:
    return list(
        session.scalars(
            select(CommissionInvoice)
            .where(CommissionInvoice.order_number == order_number)
            .order_by(CommissionInvoice.number)
        )
    )


def lines_by_supplier(session: Session, order: Order) -> dict[int, list[QuoteLine]]:
    """The order's lines per supplier of the offer (a founder component stays in its line)."""
    grouped: dict[int, list[QuoteLine]] = defaultdict(list)
    for line in order_lines(session, order):
        grouped[line.supplier_id].append(line)
    return dict(sorted(grouped.items()))


def issue_invoices(
    session: Session, order_number: str, issued_at: datetime, tax_rate: Decimal
) -> list[CommissionInvoice]:
    """One invoice per supplier with a non-zero commission; a second call returns the first's.

    Commission is Σ line net × that line's commission rate, rounded once (R14). The founder
    component is part of its line's net and priced by the line's offer, so it is invoiced to
    the line's supplier at the offer's rate; the founder is invoiced for its own offers only.
    The platform's tax rate is frozen on each invoice as it is issued (R22).
    """
    order = lock_order(session, order_number)
    existing = invoices_of(session, order_number)
    if existing or order.status == OrderStatus.CANCELLED:
        return existing
    terms = timedelta(seconds=int(order.frozen_terms["payment_terms"]))
    for supplier_id, lines in lines_by_supplier(session, order).items():
        amount = commission_cents((line.net_cents, line.commission_rate) for line in lines)
        if amount > 0:
            number = next_number(session, NumberKind.INVOICE, issued_at.year)
            invoice = _invoice(number, order, supplier_id, amount, issued_at, issued_at + terms)
            invoice.tax_rate, invoice.tax_cents = tax_rate, tax_cents(amount, tax_rate)
            session.add(invoice)
            record_status(session, INVOICE, number, DocumentStatus.ISSUED, issued_at)
    session.flush()
    return invoices_of(session, order_number)


def _invoice(
    number: str, order: Order, supplier_id: int, amount: int, issued_at: datetime, due_at: datetime
) -> CommissionInvoice:
    return CommissionInvoice(
        number=number,
        order_number=order.number,
        cluster_id=order.cluster_id,
        supplier_id=supplier_id,
        amount_cents=amount,
        status=InvoiceStatus.ISSUED,
        issued_at=issued_at,
        due_at=due_at,
        overdue=False,
        document_key=f"invoices/{number}.pdf",
    )


def invoice_input(session: Session, invoice: CommissionInvoice) -> InvoiceInput:
    cluster = session.get_one(Cluster, invoice.cluster_id)
    supplier = session.get_one(Member, invoice.supplier_id)
    return InvoiceInput(
        number=invoice.number,
        order_number=invoice.order_number,
        cluster_id=cluster.id,
        cluster_name=cluster.name,
        currency=cluster.currency,
        supplier=Party(supplier.id, supplier.name, supplier.company, supplier.email),
        amount_cents=invoice.due_cents,
        issued_at=invoice.issued_at,
        due_at=invoice.due_at,
        document_key=invoice.document_key,
        tax_cents=invoice.tax_cents,
        tax_rate=format_percent(invoice.tax_rate),
    )


def visible_invoices(viewer: Member | None) -> Select[CommissionInvoice]:
    """Operators see every invoice; a member only those billed to it."""
    query = select(CommissionInvoice)
    if viewer is None:
        return query
    return query.where(
        CommissionInvoice.cluster_id == viewer.cluster_id,
        CommissionInvoice.supplier_id == viewer.id,
    )


def get_visible_invoice(session: Session, viewer: Member | None, number: str) -> CommissionInvoice:
    """Another member's or cluster's invoice answers exactly like a missing one."""
    invoice = session.scalars(
        visible_invoices(viewer).where(CommissionInvoice.number == number)
    ).first()
    if invoice is None:
        raise NotFound("commission invoice")
    return invoice


def lock_invoice(session: Session, number: str) -> CommissionInvoice:
    session.execute(
        update(CommissionInvoice)
        .where(CommissionInvoice.number == number)
        .values(overdue=CommissionInvoice.overdue)
    )
    invoice = session.get(CommissionInvoice, number)
    if invoice is None:
        raise NotFound("commission invoice")
    return invoice
