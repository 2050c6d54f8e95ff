"""The quote as its client sees it through the signed link: the seller to answer to, but no
supplier or commission."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from api.fields import MoneyText, PercentText, QuantityText
from api.schemas import AcceptIn, ApproveIn, DeclineIn, RejectIn
from api.tax_views import TaxedTotals, tax_fields
from models.domain import Procurement, QuoteStatus
from models.money import format_cents, format_percent
from models.quote_payloads import Line, Party, QuoteState

# Bodies the answer routes read themselves, listed among the OpenAPI's components.
# Bodies declared by hand on routes that also read a form: listed so the OpenAPI defines them.
ANSWER_BODIES = (AcceptIn, DeclineIn, ApproveIn, RejectIn)


class ClientLineRead(BaseModel):
    position: int
    offer_name: str
    quantity: QuantityText
    unit: str
    unit_price: MoneyText
    discount: PercentText
    net: MoneyText
    tax_rate: PercentText
    procurement: Procurement
    founder_component: str | None = Field(description="The founder's service the line includes.")


class SellerContact(BaseModel):
    """Who sold the quote, for the client to write to."""

    name: str
    company: str
    email: str


class ClientQuoteRead(TaxedTotals):
    number: str
    revision: int
    status: QuoteStatus
    currency: str
    client: str = Field(description="The client's company.")
    seller: SellerContact | None = Field(
        None, description="null on quotes started before the seller was kept with them."
    )
    valid_until: datetime | None
    total: MoneyText
    lines: list[ClientLineRead]


def _client_line(line: Line) -> ClientLineRead:
    component = line.founder_component
    return ClientLineRead(
        position=line.position,
        offer_name=line.offer_name,
        quantity=format_percent(line.quantity),
        unit=line.unit,
        unit_price=format_cents(line.unit_price_cents),
        discount=format_percent(line.discount),
        net=format_cents(line.net_cents),
        tax_rate=format_percent(line.tax_rate),
        procurement=Procurement(line.procurement),
        founder_component=component.offer_name if component else None,
    )


def _seller(seller: Party | None) -> SellerContact | None:
    if seller is None:
        return None
    return SellerContact(name=seller.name, company=seller.company, email=seller.email)


def client_quote_view(state: QuoteState) -> ClientQuoteRead:
    return ClientQuoteRead(
        number=state.number,
        revision=state.revision,
        status=QuoteStatus(state.status),
        currency=state.currency,
        client=state.client.company,
        seller=_seller(state.seller),
        valid_until=state.valid_until,
        total=format_cents(state.total_cents),
        lines=[_client_line(line) for line in state.lines],
        **tax_fields(state.lines, state.total_cents),
    )
