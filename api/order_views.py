"""The order as its participants read it: the seller and operators the whole deal, a supplier
its own lines, its own part and its own procurement entry (never the total or the signer)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from api.fields import MoneyText, PercentText, QuantityText
from api.names import Named, look_up
from api.quote_views import MemberName
from api.tax_views import TaxedTotals, tax_fields
from models.domain import OrderStatus, Procurement
from models.money import format_cents, format_percent
from store.founder_parts import FOUNDER_MODE, founder_parts_of
from store.orders import order_lines, procurement
from store.tables import Cluster, Member, Order, QuoteLine


class ProcurementRead(BaseModel):
    supplier_id: int
    supplier: MemberName | None = None
    mode: Procurement
    instruction: str
    document: str | None


class OrderLineRead(BaseModel):
    position: int
    offer_id: int
    offer_name: str
    supplier_id: int
    supplier: MemberName | None = None
    quantity: QuantityText
    net: MoneyText
    tax_rate: PercentText = Field(description="The offer's tax rate, as quoted.")
    procurement: Procurement


class OrderFounderComponentRead(BaseModel):
    """A founder service sitting under a line: what the founder provides, and who owes it."""

    position: int
    offer_id: int
    supplier_id: int = Field(description="The founder, who provides it.")
    supplier: MemberName | None = None
    quantity: QuantityText
    founder_price: MoneyText
    line_quantity: QuantityText
    owed_by: int = Field(description="The supplier of the line it sits under.")
    founder_part: MoneyText | None = Field(
        None,
        description="What owed_by owes the founder for it: quantity × founder price × (1 − "
        "discount), never more than the line's net; null on the founder's own lines.",
    )
    owed_by_member: MemberName | None = None
    purchase_order: str | None = Field(
        None,
        description="The purchase order in which owed_by buys it from the founder, as PDF; "
        "null on the founder's own lines.",
    )


class OrderRead(TaxedTotals):
    number: str
    quote_number: str
    status: OrderStatus
    seller_id: int
    seller: MemberName | None = None
    client_id: int
    client_company: str | None = None
    total: MoneyText | None = Field(description="The seller's and operators'; null for a supplier.")
    part: MoneyText | None = Field(None, description="A supplier's own part: the sum of its lines.")
    signer_name: str | None = Field(description="The client's signer; null for a supplier.")
    po_reference: str | None
    accepted_at: datetime
    cancelled_at: datetime | None
    lines: list[OrderLineRead] = Field(description="Empty in lists: read the order for them.")
    founder_components: list[OrderFounderComponentRead] = Field(default_factory=list)
    procurement: list[ProcurementRead]


INSTRUCTIONS = {
    "direct": "invoice the client directly for these lines",
    "resell": "deliver against the seller's purchase order; the seller resells to the client",
}


def _full(order: Order, viewer: Member | None) -> bool:
    """The seller and operators read the whole deal; a supplier its own part only."""
    return viewer is None or viewer.id == order.seller_id


def order_summary(order: Order, viewer: Member | None, part_cents: int = 0) -> OrderRead:
    full = _full(order, viewer)
    return OrderRead(
        number=order.number,
        quote_number=order.quote_number,
        status=order.status,
        seller_id=order.seller_id,
        client_id=order.client_id,
        total=format_cents(order.total_cents) if full else None,
        part=None if full else format_cents(part_cents),
        signer_name=order.signer_name if full else None,
        po_reference=order.po_reference if full else None,
        accepted_at=order.accepted_at,
        cancelled_at=order.cancelled_at,
        lines=[],
        procurement=[],
        taxes=[],
        total_with_tax=None,
        tax_recorded=True,
        tax_note=None,
    )


def _component(
    order_number: str, line: QuoteLine, founder_id: int, parts: dict[int, int], names: Named
) -> OrderFounderComponentRead:
    part = parts.get(line.position)
    return OrderFounderComponentRead(
        position=line.position,
        offer_id=line.founder_offer_id or 0,
        supplier_id=founder_id,
        supplier=names.member(founder_id),
        quantity=format_percent(line.founder_quantity or 0),
        founder_price=format_cents(line.founder_price_cents or 0),
        line_quantity=format_percent(line.quantity),
        owed_by=line.supplier_id,
        founder_part=None if part is None else format_cents(part),
        owed_by_member=names.member(line.supplier_id),
        purchase_order=None
        if part is None
        else f"/orders/{order_number}/founder-documents/{line.supplier_id}.pdf",
    )


def name_orders(views: list[OrderRead], names: Named) -> None:
    """Puts the seller's name and the client's company beside their ids."""
    for view in views:
        view.seller = names.member(view.seller_id)
        view.client_company = names.clients.get(view.client_id)


def order_detail(session: Session, order: Order, viewer: Member | None) -> OrderRead:
    full = _full(order, viewer)
    lines = order_lines(session, order)
    own = [line for line in lines if full or line.supplier_id == viewer_id(viewer)]
    founder_id = session.get_one(Cluster, order.cluster_id).founder_id or 0
    hosts = [
        line
        for line in (lines if viewer_id(viewer) == founder_id else own)
        if line.founder_offer_id is not None
    ]
    documents = [
        doc for doc in procurement(session, order) if full or doc.supplier_id == viewer_id(viewer)
    ]
    # Only ids this viewer reads anyway: a supplier never learns another supplier's name.
    shown = [order.seller_id, *(ln.supplier_id for ln in [*own, *hosts])]
    names = look_up(session, [*shown, founder_id if hosts else None], [order.client_id])
    view = order_summary(order, viewer, sum(line.net_cents for line in own))
    name_orders([view], names)
    view.lines = [_line(line, names) for line in own]
    for name, value in tax_fields(own, order.total_cents if full else None).items():
        setattr(view, name, value)
    parts = {p.position: p.amount_cents for p in founder_parts_of(session, order.number)}
    view.founder_components = [
        _component(order.number, line, founder_id, parts, names) for line in hosts
    ]
    view.procurement = [
        ProcurementRead(
            supplier_id=doc.supplier_id,
            supplier=names.member(doc.supplier_id),
            mode=Procurement(doc.mode),
            instruction=INSTRUCTIONS[doc.mode],
            document=f"/orders/{order.number}/documents/{doc.supplier_id}.pdf"
            if doc.document_key
            else None,
        )
        for doc in documents
        # The founder's entry is read in founder_components: what each supplier owes her.
        if doc.mode != FOUNDER_MODE
    ]
    return view


def viewer_id(viewer: Member | None) -> int | None:
    return None if viewer is None else viewer.id


def _line(line: QuoteLine, names: Named) -> OrderLineRead:
    return OrderLineRead(
        supplier=names.member(line.supplier_id),
        position=line.position,
        offer_id=line.offer_id,
        offer_name=line.offer_name,
        supplier_id=line.supplier_id,
        quantity=format_percent(line.quantity),
        net=format_cents(line.net_cents),
        tax_rate=format_percent(line.tax_rate),
        procurement=Procurement(line.procurement),
    )
