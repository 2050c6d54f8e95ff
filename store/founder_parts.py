"""The founder's parts of an order (R23): written once when the order opens, read by its views,
notices, purchase orders and statements.

Functions take an open session and never commit: the caller's transaction does.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.money import founder_part_cents
from store.tables import FounderPart, Order, QuoteLine

# The procurement entry of the founder for the services she delivers under other lines.
FOUNDER_MODE = "founder"


def write_founder_parts(
    session: Session, order: Order, lines: list[QuoteLine], founder_id: int
) -> None:
    """One row per line that embeds a founder service supplied by someone else: the line's
    supplier owes the founder quantity × founder price × (1 − discount), rounded once."""
    for line in lines:
        if line.founder_offer_id is None or line.supplier_id == founder_id:
            continue
        amount = founder_part_cents(
            line.quantity,
            line.founder_quantity or Decimal(0),
            line.founder_price_cents or 0,
            line.discount,
            line.net_cents,
        )
        session.add(
            FounderPart(
                order_number=order.number,
                position=line.position,
                founder_offer_id=line.founder_offer_id,
                supplier_id=line.supplier_id,
                founder_id=founder_id,
                amount_cents=amount,
            )
        )


def founder_parts_of(session: Session, order_number: str) -> list[FounderPart]:
    return list(
        session.scalars(
            select(FounderPart)
            .where(FounderPart.order_number == order_number)
            .order_by(FounderPart.position)
        )
    )


def founder_purchase_order_key(order_number: str, supplier_id: int) -> str:
    """The purchase order in which a supplier buys its founder services from the founder."""
    return f"orders/{order_number}-founder-po-{supplier_id}.pdf"
