"""The quote as the API shows it, built from the workflow's `state` query."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from models.approvals import suppliers_on
from models.fields import MoneyText, PercentText, QuantityText
from models.links import QuoteLink, sign_link
from models.money import format_cents, format_percent
from models.quoting import Line, QuoteState


class LineRead(BaseModel):
    position: int
    offer_id: int
    offer_name: str
    unit: str
    supplier_id: int
    quantity: QuantityText
    unit_price: MoneyText
    discount: PercentText
    net: MoneyText
    procurement: str


class FounderComponentLine(BaseModel):
    position: int = Field(description="The line the founder's service is part of.")
    offer_id: int
    offer_name: str
    supplier_id: int = Field(description="The founder, who approves it.")
    quantity: QuantityText
    founder_price: MoneyText


class ApprovalRead(BaseModel):
    supplier_id: int
    status: str
    comment: str | None
    decided_at: datetime | None


class EventRead(BaseModel):
    at: datetime
    kind: str
    text: str
    actor_id: int | None


class ClientRead(BaseModel):
    id: int
    company: str
    contact_name: str
    email: str


class QuoteRead(BaseModel):
    number: str
    status: str
    revision: int
    seller_id: int
    client: ClientRead
    currency: str
    lines: list[LineRead]
    founder_components: list[FounderComponentLine]
    total: MoneyText | None = Field(
        description="Hidden from suppliers, who see their own lines only."
    )
    sales_team: list[dict[str, str | int]]
    note: str | None
    approvals: list[ApprovalRead]
    blocked_lines: list[int]
    valid_until: datetime | None
    viewed_at: datetime | None
    order_number: str | None
    end_reason: str | None
    events: list[EventRead]
    client_link: str | None = Field(None, description="The seller's copy, once sent.")


def can_see(state: QuoteState, member_id: int | None) -> bool:
    """The seller, every supplier on it (the founder included) and operators (None)."""
    return (
        member_id is None
        or member_id == state.seller_id
        or member_id in suppliers_on(state.lines, state.founder_id)
    )


def _line(line: Line) -> LineRead:
    return LineRead(
        position=line.position,
        offer_id=line.offer_id,
        offer_name=line.offer_name,
        unit=line.unit,
        supplier_id=line.supplier_id,
        quantity=format_percent(line.quantity),
        unit_price=format_cents(line.unit_price_cents),
        discount=format_percent(line.discount),
        net=format_cents(line.net_cents),
        procurement=line.procurement,
    )


def quote_view(
    state: QuoteState, viewer_id: int | None, *, secret: str, base_url: str
) -> QuoteRead:
    full = viewer_id is None or viewer_id == state.seller_id
    founder = viewer_id == state.founder_id
    lines = [
        line
        for line in state.lines
        if full or line.supplier_id == viewer_id or (founder and line.founder_component)
    ]
    components = [
        FounderComponentLine(
            position=line.position,
            offer_id=line.founder_component.offer_id,
            offer_name=line.founder_component.offer_name,
            supplier_id=state.founder_id,
            quantity=format_percent(line.founder_component.quantity),
            founder_price=format_cents(line.founder_component.founder_price_cents),
        )
        for line in lines
        if line.founder_component is not None
    ]
    link = None
    if viewer_id == state.seller_id and state.sent_at and state.valid_until:
        token = sign_link(secret, QuoteLink(state.number, state.revision, state.valid_until))
        link = f"{base_url}/q/{token}"
    return QuoteRead(
        number=state.number,
        status=state.status,
        revision=state.revision,
        seller_id=state.seller_id,
        client=ClientRead(**vars(state.client)),
        currency=state.currency,
        lines=[_line(line) for line in lines],
        founder_components=components,
        total=format_cents(state.total_cents) if full else None,
        sales_team=[
            {"member_id": s.member_id, "share": format_percent(s.share)} for s in state.sales_team
        ],
        note=state.note,
        approvals=[ApprovalRead(**vars(a)) for a in state.approvals],
        blocked_lines=state.blocked_positions,
        valid_until=state.valid_until,
        viewed_at=state.viewed_at,
        order_number=state.order_number,
        end_reason=state.end_reason if full else None,
        events=[EventRead(**vars(e)) for e in state.events] if full else [],
        client_link=link,
    )
