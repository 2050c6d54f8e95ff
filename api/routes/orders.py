"""Orders: what was sold, and each supplier's procurement instruction."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from fastapi.responses import FileResponse
from pydantic import BaseModel

from activities.documents import DocumentStore
from api.deps import BusinessNumber, OperatorDep, PrincipalDep, SessionDep, SettingsDep, TemporalDep
from api.pagination import Cursor, Limit, paginate
from api.routes.commission import void_order_invoices
from api.views import Page
from models.domain import OrderStatus
from models.errors import NotFound
from models.fields import MoneyText
from models.money import format_cents, format_percent
from models.orders import (
    get_visible_order,
    mark_cancelled,
    order_lines,
    procurement,
    visible_orders,
)
from models.schemas import CancelIn
from models.tables import Order, utcnow

router = APIRouter(prefix="/orders", tags=["orders"])


class ProcurementRead(BaseModel):
    supplier_id: int
    mode: str
    instruction: str
    document: str | None


class OrderRead(BaseModel):
    number: str
    quote_number: str
    status: str
    seller_id: int
    client_id: int
    total: MoneyText
    signer_name: str
    po_reference: str | None
    accepted_at: datetime
    cancelled_at: datetime | None
    lines: list[dict[str, str | int]]
    procurement: list[ProcurementRead]


INSTRUCTIONS = {
    "direct": "invoice the client directly for these lines",
    "resell": "deliver against the seller's purchase order; the seller resells to the client",
}


def _summary(order: Order) -> OrderRead:
    return OrderRead(
        number=order.number,
        quote_number=order.quote_number,
        status=order.status.value,
        seller_id=order.seller_id,
        client_id=order.client_id,
        total=format_cents(order.total_cents),
        signer_name=order.signer_name,
        po_reference=order.po_reference,
        accepted_at=order.accepted_at,
        cancelled_at=order.cancelled_at,
        lines=[],
        procurement=[],
    )


def _detail(session: SessionDep, order: Order) -> OrderRead:
    view = _summary(order)
    view.lines = [
        {
            "position": line.position,
            "offer_id": line.offer_id,
            "offer_name": line.offer_name,
            "supplier_id": line.supplier_id,
            "quantity": format_percent(line.quantity),
            "net": format_cents(line.net_cents),
            "procurement": line.procurement,
        }
        for line in order_lines(session, order)
    ]
    view.procurement = [
        ProcurementRead(
            supplier_id=doc.supplier_id,
            mode=doc.mode,
            instruction=INSTRUCTIONS[doc.mode],
            document=f"/orders/{order.number}/documents/{doc.supplier_id}.pdf"
            if doc.document_key
            else None,
        )
        for doc in procurement(session, order)
    ]
    return view


@router.get("", response_model=Page[OrderRead])
def list_orders(
    session: SessionDep,
    principal: PrincipalDep,
    status: OrderStatus | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, object]:
    """Orders you sold or supply (operators: all)."""
    query = visible_orders(principal.member)
    if status is not None:
        query = query.where(Order.status == status)
    return paginate(session, query, Order.number, cursor, limit, _summary)


@router.get("/{number}", response_model=OrderRead)
def read_order(number: BusinessNumber, session: SessionDep, principal: PrincipalDep) -> OrderRead:
    """An order with its lines and per-supplier procurement instructions."""
    return _detail(session, get_visible_order(session, principal.member, number))


@router.get("/{number}/documents/{supplier_id}.pdf", response_class=FileResponse)
def purchase_order(
    number: BusinessNumber,
    supplier_id: int,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> FileResponse:
    """The seller's purchase order to one supplier (resell lines)."""
    order = get_visible_order(session, principal.member, number)
    viewer = principal.member
    doc = next(
        (d for d in procurement(session, order) if d.supplier_id == supplier_id and d.document_key),
        None,
    )
    allowed = viewer is None or viewer.id in (order.seller_id, supplier_id)
    if doc is None or doc.document_key is None or not allowed:
        raise NotFound("purchase order")
    path = DocumentStore(settings.DOCUMENTS_DIR).path(doc.document_key)
    return FileResponse(
        path, media_type="application/pdf", filename=f"{number}-po-{supplier_id}.pdf"
    )


@router.post("/{number}/cancel", response_model=OrderRead)
async def cancel_order(
    number: BusinessNumber,
    payload: CancelIn,
    session: SessionDep,
    _: OperatorDep,
    client: TemporalDep,
    settings: SettingsDep,
) -> OrderRead:
    """Cancel an order (operators): unpaid commission invoices are voided, split ones clawed back."""
    order = mark_cancelled(session, number, payload.reason, utcnow())
    await void_order_invoices(session, client, settings, number, payload.reason)
    return _detail(session, order)
