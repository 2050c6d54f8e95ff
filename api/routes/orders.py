"""Orders: what was sold, and each supplier's procurement instruction."""

from __future__ import annotations

import asyncio
from functools import partial

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

from api.contract import pdf_answer
from api.deps import (
    BusinessNumber,
    OperatorDep,
    PrincipalDep,
    SessionDep,
    SettingsDep,
    release,
)
from api.engine import TemporalDep, cancel_order_invoices
from api.errors import refusals
from api.names import look_up
from api.order_views import OrderRead, name_orders, order_detail, order_summary
from api.pagination import Cursor, Limit, paginate
from api.schemas import CancelIn
from api.views import Page
from documents.render import DocumentStore
from models.domain import OrderStatus
from models.errors import Conflict, NotFound
from models.money import format_cents
from store.founder_parts import founder_parts_of, founder_purchase_order_key
from store.orders import (
    get_visible_order,
    mark_cancelled,
    procurement,
    visible_orders,
)
from store.parts import order_parts
from store.tables import Cluster, Order, utcnow

router = APIRouter(prefix="/orders", tags=["orders"])


@router.get("", response_model=Page[OrderRead])
def list_orders(
    session: SessionDep,
    principal: PrincipalDep,
    status: OrderStatus | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, object]:
    """Orders you sold or supply (operators: all)."""
    viewer = principal.member
    query = visible_orders(viewer)
    if status is not None:
        query = query.where(Order.status == status)
    page = paginate(
        session, query, Order.number, cursor, limit, partial(order_summary, viewer=viewer)
    )
    items: list[OrderRead] = page["items"]
    name_orders(items, look_up(session, [o.seller_id for o in items], [o.client_id for o in items]))
    if viewer is not None:
        supplied = [item for item in page["items"] if item.part is not None]
        parts = order_parts(session, viewer.id, [item.number for item in supplied])
        for item in supplied:
            item.part = format_cents(parts.get(item.number, 0))
    return page


@router.get("/{number}", response_model=OrderRead)
def read_order(number: BusinessNumber, session: SessionDep, principal: PrincipalDep) -> OrderRead:
    """An order with its lines and per-supplier procurement instructions."""
    return order_detail(
        session, get_visible_order(session, principal.member, number), principal.member
    )


@router.get(
    "/{number}/documents/{supplier_id}.pdf",
    response_class=Response,
    responses=pdf_answer("The purchase order as PDF."),
)
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


@router.get(
    "/{number}/founder-documents/{supplier_id}.pdf",
    response_class=Response,
    responses=pdf_answer("The purchase order of the founder's services, as PDF."),
)
def founder_purchase_order(
    number: BusinessNumber,
    supplier_id: int,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> FileResponse:
    """The purchase order in which a supplier buys from the founder the founder services
    under its lines (R23): for the founder, that supplier and operators."""
    order = get_visible_order(session, principal.member, number)
    viewer = principal.member
    founder_id = session.get_one(Cluster, order.cluster_id).founder_id
    owes = any(part.supplier_id == supplier_id for part in founder_parts_of(session, number))
    allowed = viewer is None or viewer.id in (founder_id, supplier_id)
    store = DocumentStore(settings.DOCUMENTS_DIR)
    key = founder_purchase_order_key(number, supplier_id)
    if not (owes and allowed and store.exists(key)):
        raise NotFound("purchase order")
    return FileResponse(
        store.path(key),
        media_type="application/pdf",
        filename=f"{number}-founder-po-{supplier_id}.pdf",
    )


@router.post("/{number}/cancel", response_model=OrderRead, responses=refusals(409))
async def cancel_order(
    number: BusinessNumber,
    payload: CancelIn,
    session: SessionDep,
    _: OperatorDep,
    client: TemporalDep,
    settings: SettingsDep,
) -> OrderRead:
    """Cancel an order (operators): unpaid commission invoices are voided, split ones clawed back."""
    # Off the event loop: a second cancellation waits here for the first one's row lock.
    try:
        order = await asyncio.to_thread(mark_cancelled, session, number, payload.reason, utcnow())
    except Conflict:
        # Cancelled already: a retry after the engine was away starts what was left.
        reason = get_visible_order(session, None, number).cancel_reason or payload.reason
        await cancel_order_invoices(client, settings, number, reason)
        raise
    release(session)  # the invoices are read after this commit, so no more can be issued
    await cancel_order_invoices(client, settings, number, payload.reason)
    return order_detail(session, order, None)
