"""A supplier's own part of its quotes and orders: the sum of its lines, never the deal's total.

Functions take an open session and never commit.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.tables import Order, Quote, QuoteLine


def quote_parts(session: Session, supplier_id: int, numbers: Collection[str]) -> dict[str, int]:
    """Cents the supplier's lines come to on the current revision of each quote."""
    if not numbers:
        return {}
    rows = session.execute(
        select(QuoteLine.quote_number, func.sum(QuoteLine.net_cents))
        .join(
            Quote,
            (Quote.number == QuoteLine.quote_number) & (Quote.revision == QuoteLine.revision),
        )
        .where(QuoteLine.supplier_id == supplier_id, QuoteLine.quote_number.in_(numbers))
        .group_by(QuoteLine.quote_number)
    ).all()
    return {number: int(cents or 0) for number, cents in rows}


def order_parts(session: Session, supplier_id: int, numbers: Collection[str]) -> dict[str, int]:
    """Cents the supplier's lines come to on each order (the accepted revision)."""
    if not numbers:
        return {}
    rows = session.execute(
        select(Order.number, func.sum(QuoteLine.net_cents))
        .join(
            QuoteLine,
            (QuoteLine.quote_number == Order.quote_number) & (QuoteLine.revision == Order.revision),
        )
        .where(QuoteLine.supplier_id == supplier_id, Order.number.in_(numbers))
        .group_by(Order.number)
    ).all()
    return {number: int(cents or 0) for number, cents in rows}
