"""The quote as the API shows it, built from the workflow's `state` query."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from api.fields import MoneyText, PercentText, QuantityText
from api.tax_views import TaxedTotals, tax_fields
from models.approvals import suppliers_on
from models.domain import ApprovalStatus, Procurement, QuoteStatus
from models.links import QuoteLink, sign_link
from models.money import format_cents, format_percent
from models.quote_payloads import Line, QuoteState
from store.tables import Quote


class MemberName(BaseModel):
    """A member as people know them, beside the id."""

    id: int
    name: str
    company: str


class LineRead(BaseModel):
    position: int
    offer_id: int
    offer_name: str
    unit: str
    supplier_id: int
    supplier: MemberName | None = None
    quantity: QuantityText
    unit_price: MoneyText
    discount: PercentText
    net: MoneyText
    tax_rate: PercentText = Field(description="The offer's tax rate, as quoted.")
    procurement: Procurement


class FounderComponentLine(BaseModel):
    position: int = Field(description="The line the founder's service is part of.")
    offer_id: int
    offer_name: str
    supplier_id: int = Field(description="The founder, who approves it.")
    quantity: QuantityText = Field(description="Per unit of the line.")
    founder_price: MoneyText
    line_quantity: QuantityText = Field(description="Units of the line it is part of.")
    owed_by: int = Field(description="The line's supplier, who owes the founder's part.")
    owed_by_member: MemberName | None = None


class ApprovalRead(BaseModel):
    supplier_id: int
    supplier: MemberName | None = None
    status: ApprovalStatus
    comment: str | None
    decided_at: datetime | None


class EventRead(BaseModel):
    at: datetime
    kind: str
    text: str
    actor_id: int | None


class QuoteClientRead(BaseModel):
    """The client as frozen on the quote (the client record may change later)."""

    id: int
    company: str
    contact_name: str
    email: str


class TeamShareRead(BaseModel):
    member_id: int
    member: MemberName | None = None
    share: PercentText = Field(description="Contribution in percent.")


class QuoteRead(TaxedTotals):
    number: str
    status: QuoteStatus
    revision: int
    seller_id: int
    seller: MemberName | None = None
    client: QuoteClientRead
    currency: str
    lines: list[LineRead]
    founder_components: list[FounderComponentLine]
    total: MoneyText | None = Field(
        description="Hidden from suppliers, who see their own lines only."
    )
    part: MoneyText | None = Field(
        None, description="A supplier's own part: the sum of its lines (seller, operator: null)."
    )
    sales_team: list[TeamShareRead]
    note: str | None
    approvals: list[ApprovalRead] = Field(description="A supplier sees its own approval only.")
    blocked_lines: list[int]
    valid_until: datetime | None
    viewed_at: datetime | None
    order_number: str | None
    end_reason: str | None
    events: list[EventRead]
    client_link: str | None = Field(None, description="The seller's copy, once sent.")


class QuoteSummary(BaseModel):
    """A quote in a list: its store row, without the workflow's live detail."""

    number: str
    status: QuoteStatus
    revision: int
    seller_id: int
    seller: MemberName | None = None
    client_id: int
    client_company: str | None = None
    total: MoneyText | None = Field(description="The seller's and operators'; null for a supplier.")
    part: MoneyText | None = Field(None, description="A supplier's own part: the sum of its lines.")
    valid_until: datetime | None
    updated_at: datetime


def quote_summary(quote: Quote) -> QuoteSummary:
    return QuoteSummary(
        number=quote.number,
        status=quote.status,
        revision=quote.revision,
        seller_id=quote.seller_id,
        client_id=quote.client_id,
        total=format_cents(quote.total_cents),
        part=None,
        valid_until=quote.valid_until,
        updated_at=quote.updated_at,
    )


def can_see(state: QuoteState, member_id: int | None) -> bool:
    """The seller, every supplier on it (the founder included) and operators (None)."""
    return (
        member_id is None
        or member_id == state.seller_id
        or member_id in suppliers_on(state.lines, state.founder_id)
    )


def names_of(state: QuoteState) -> dict[int, MemberName]:
    people = [*state.people, *([state.seller] if state.seller else [])]
    return {p.id: MemberName(id=p.id, name=p.name, company=p.company) for p in people}


def _line(line: Line, names: dict[int, MemberName]) -> LineRead:
    return LineRead(
        supplier=names.get(line.supplier_id),
        position=line.position,
        offer_id=line.offer_id,
        offer_name=line.offer_name,
        unit=line.unit,
        supplier_id=line.supplier_id,
        quantity=format_percent(line.quantity),
        unit_price=format_cents(line.unit_price_cents),
        discount=format_percent(line.discount),
        net=format_cents(line.net_cents),
        tax_rate=format_percent(line.tax_rate),
        procurement=Procurement(line.procurement),
    )


# What a supplier may read of the quote's history: its own decisions, and the quote's
# milestones. Left out: other suppliers' decisions, the signer's name ("accepted by …"), the
# commission invoices of others and the reminders' counts of suppliers.
SUPPLIER_EVENT_KINDS = frozenset(
    {"revised", "blocked", "sent", "ordered", "cancelled", "expired", "approval_expired"}
)


def visible_lines(state: QuoteState, viewer_id: int | None) -> list[Line]:
    """Everything for the seller and operators; a supplier (the founder too) its own lines."""
    if viewer_id is None or viewer_id == state.seller_id:
        return state.lines
    return [line for line in state.lines if line.supplier_id == viewer_id]


def _components(
    state: QuoteState, viewer_id: int | None, names: dict[int, MemberName]
) -> list[FounderComponentLine]:
    """The founder's services: under the viewer's lines, or every one for the founder."""
    if viewer_id == state.founder_id:
        hosts = [line for line in state.lines if line.founder_component is not None]
    else:
        hosts = visible_lines(state, viewer_id)
    return [
        FounderComponentLine(
            position=line.position,
            offer_id=line.founder_component.offer_id,
            offer_name=line.founder_component.offer_name,
            supplier_id=state.founder_id,
            quantity=format_percent(line.founder_component.quantity),
            founder_price=format_cents(line.founder_component.founder_price_cents),
            line_quantity=format_percent(line.quantity),
            owed_by=line.supplier_id,
            owed_by_member=names.get(line.supplier_id),
        )
        for line in hosts
        if line.founder_component is not None
    ]


def _events(state: QuoteState, viewer_id: int | None, full: bool) -> list[EventRead]:
    return [
        EventRead(**vars(e))
        for e in state.events
        if full or e.kind in SUPPLIER_EVENT_KINDS or e.actor_id == viewer_id
    ]


def quote_view(
    state: QuoteState, viewer_id: int | None, *, secret: str, base_url: str
) -> QuoteRead:
    """The seller and operators read all; a supplier its own lines, approval and part only."""
    full = viewer_id is None or viewer_id == state.seller_id
    lines = visible_lines(state, viewer_id)
    names = names_of(state)
    link = None
    if viewer_id == state.seller_id and state.sent_at and state.valid_until:
        token = sign_link(secret, QuoteLink(state.number, state.revision, state.valid_until))
        link = f"{base_url}/q/{token}"
    return QuoteRead(
        number=state.number,
        status=QuoteStatus(state.status),
        revision=state.revision,
        seller_id=state.seller_id,
        seller=names.get(state.seller_id),
        client=QuoteClientRead(**vars(state.client)),
        currency=state.currency,
        lines=[_line(line, names) for line in lines],
        founder_components=_components(state, viewer_id, names),
        total=format_cents(state.total_cents) if full else None,
        part=None if full else format_cents(sum(line.net_cents for line in lines)),
        sales_team=[
            TeamShareRead(
                member_id=s.member_id, member=names.get(s.member_id), share=format_percent(s.share)
            )
            for s in state.sales_team
            if full
        ],
        note=state.note,
        approvals=[
            ApprovalRead(**vars(a), supplier=names.get(a.supplier_id))
            for a in state.approvals
            if full or a.supplier_id == viewer_id
        ],
        blocked_lines=[
            p for p in state.blocked_positions if full or p in {x.position for x in lines}
        ],
        valid_until=state.valid_until,
        viewed_at=state.viewed_at,
        order_number=state.order_number,
        end_reason=state.end_reason if full else None,
        events=_events(state, viewer_id, full),
        client_link=link,
        **tax_fields(lines, state.total_cents if full else None),
    )
