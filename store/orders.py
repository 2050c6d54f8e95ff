"""Orders as their participants see them (R13), and the operator's cancellation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, exists, or_, select, update
from sqlalchemy.orm import Session

from models.domain import OrderStatus
from models.errors import Conflict, NotFound
from store.db import claim
from store.tables import Member, Order, ProcurementDocument, QuoteLine


def visible_orders(viewer: Member | None) -> Select[Order]:
    """Operators see all; a member the orders it sold or supplies (the founder: every one
    with a founder component)."""
    query = select(Order)
    if viewer is None:
        return query
    supplies = exists().where(
        ProcurementDocument.order_number == Order.number,
        ProcurementDocument.supplier_id == viewer.id,
    )
    return query.where(
        Order.cluster_id == viewer.cluster_id, or_(Order.seller_id == viewer.id, supplies)
    )


def get_visible_order(session: Session, viewer: Member | None, number: str) -> Order:
    order = session.scalars(visible_orders(viewer).where(Order.number == number)).first()
    if order is None:
        raise NotFound("order")
    return order


def order_lines(session: Session, order: Order) -> list[QuoteLine]:
    return list(
        session.scalars(
            select(QuoteLine)
            .where(
                QuoteLine.quote_number == order.quote_number, QuoteLine.revision == order.revision
            )
            .order_by(QuoteLine.position)
        )
    )


def procurement(session: Session, order: Order) -> list[ProcurementDocument]:
    return list(
        session.scalars(
            select(ProcurementDocument)
            .where(ProcurementDocument.order_number == order.number)
            .order_by(ProcurementDocument.supplier_id, ProcurementDocument.mode)
        )
    )


def mark_cancelled(session: Session, number: str, reason: str, now: datetime) -> Order:
    """Cancels the order once: of cancellations racing, one wins, the others get the 409 a
    later second cancellation gets."""
    order = session.get(Order, number)
    if order is None:
        raise NotFound("order")
    cancellation = (
        update(Order)
        .where(Order.number == number)
        .values(status=OrderStatus.CANCELLED, cancelled_at=now, cancel_reason=reason)
    )
    won = claim(session, cancellation, Order.status != OrderStatus.CANCELLED)
    session.refresh(order)
    if not won:
        raise Conflict("the order is already cancelled")
    return order
