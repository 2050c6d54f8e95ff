"""Plain factories for the workflow payloads the pure rules read."""

from __future__ import annotations

from decimal import Decimal

from models.domain import ApprovalStatus, QuoteStatus
from models.money import line_net_cents
from models.quote_payloads import Approval, ClientParty, FounderComponent, Line, QuoteState

FOUNDER = 1
SELLER = 2


def line(
    supplier_id: int,
    *,
    offer_id: int | None = None,
    quantity: str = "1",
    unit_price_cents: int = 10_000,
    discount: str = "0",
    founder_offer: int | None = None,
    position: int = 1,
) -> Line:
    component = (
        FounderComponent(founder_offer, "founder service", Decimal("1"), 1_000)
        if founder_offer is not None
        else None
    )
    return Line(
        position=position,
        offer_id=offer_id if offer_id is not None else 100 + supplier_id,
        offer_name=f"offer of {supplier_id}",
        unit="day",
        supplier_id=supplier_id,
        quantity=Decimal(quantity),
        unit_price_cents=unit_price_cents,
        discount=Decimal(discount),
        net_cents=line_net_cents(Decimal(quantity), unit_price_cents, Decimal(discount)),
        commission_rate=Decimal("10"),
        procurement="direct",
        founder_component=component,
    )


def approval(supplier_id: int, status: ApprovalStatus = ApprovalStatus.PENDING) -> Approval:
    return Approval(supplier_id, status.value)


def state(
    *approvals: Approval,
    status: QuoteStatus = QuoteStatus.PENDING_APPROVAL,
    revision: int = 1,
) -> QuoteState:
    return QuoteState(
        number="Q-2026-00001",
        status=status.value,
        revision=revision,
        cluster_id=1,
        currency="EUR",
        seller_id=SELLER,
        founder_id=FOUNDER,
        client=ClientParty(1, "Client SA", "Julie Petit", "julie@client.test"),
        lines=[],
        sales_team=[],
        note=None,
        total_cents=0,
        approvals=list(approvals),
    )
