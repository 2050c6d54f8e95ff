"""What one supplier's approval link shows (R16): its own lines or, for the founder, the
founder components it is asked to approve, its part, the deadline, the seller and the client.

Built from the supplier's slice of the quote only, so another supplier's lines and the deal
total cannot reach the page: confidential by construction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from api.fields import MoneyText, PercentText, QuantityText
from models.domain import ApprovalStatus, QuoteStatus
from models.links import ApprovalLink
from models.money import format_cents, format_percent
from models.money import founder_part_cents as founder_part
from models.quote_payloads import Approval, Line, QuoteState
from models.wording import quantity_of


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    company: str
    email: str


@dataclass(frozen=True, slots=True)
class PartRow:
    position: int
    offer_name: str
    quantity: QuantityText
    unit_price: MoneyText
    discount: PercentText
    net: MoneyText
    under: str | None = None  # for a founder component: the line it is part of
    tax_rate: PercentText | None = None  # the line's, or the founder service's own


@dataclass(frozen=True, slots=True)
class ApprovalPage:
    number: str
    revision: int
    currency: str
    client_company: str
    seller: Person
    supplier: Person
    deadline: datetime
    rows: list[PartRow] = field(default_factory=list)
    part: MoneyText = "0.00"
    decision: Approval | None = None
    quote_status: str = ""

    @property
    def can_decide(self) -> bool:
        return (
            self.quote_status == QuoteStatus.PENDING_APPROVAL
            and self.decision is not None
            and self.decision.status == ApprovalStatus.PENDING
        )


def founder_part_cents(line: Line) -> int:
    """R23: quantity × founder price × (1 − discount), once rounded, never above the line."""
    component = line.founder_component
    assert component is not None
    return founder_part(
        Decimal(line.quantity),
        Decimal(component.quantity),
        component.founder_price_cents,
        Decimal(line.discount),
        line.net_cents,
    )


def _own(line: Line) -> tuple[PartRow, int]:
    row = PartRow(
        line.position,
        line.offer_name,
        quantity_of(line.quantity, line.unit),
        format_cents(line.unit_price_cents),
        f"{format_percent(line.discount)} %",
        format_cents(line.net_cents),
        tax_rate=format_percent(line.tax_rate),
    )
    return row, line.net_cents


def _component(line: Line, tax_rates: Mapping[int, Decimal]) -> tuple[PartRow, int]:
    component = line.founder_component
    assert component is not None
    rate = tax_rates.get(component.offer_id)
    cents = founder_part_cents(line)
    quantity = Decimal(line.quantity) * Decimal(component.quantity)
    row = PartRow(
        line.position,
        component.offer_name,
        format_percent(quantity),
        format_cents(component.founder_price_cents),
        f"{format_percent(line.discount)} %",
        format_cents(cents),
        under=line.offer_name,
        tax_rate=None if rate is None else format_percent(rate),
    )
    return row, cents


def supplier_rows(
    state: QuoteState, supplier_id: int, tax_rates: Mapping[int, Decimal] | None = None
) -> tuple[list[PartRow], int]:
    """The supplier's rows and its part in cents; nothing of any other supplier's lines. The
    founder's services carry the tax rate of her service's offer (`tax_rates`, by offer id),
    the rate her purchase orders to the suppliers charge."""
    rows: list[tuple[PartRow, int]] = []
    for line in state.lines:
        if line.supplier_id == supplier_id:
            rows.append(_own(line))
        if supplier_id == state.founder_id and line.founder_component is not None:
            rows.append(_component(line, tax_rates or {}))
    return [row for row, _ in rows], sum(cents for _, cents in rows)


def approval_page(
    state: QuoteState,
    link: ApprovalLink,
    seller: Person,
    supplier: Person,
    tax_rates: Mapping[int, Decimal] | None = None,
) -> ApprovalPage:
    rows, part = supplier_rows(state, link.supplier_id, tax_rates)
    decision = next((a for a in state.approvals if a.supplier_id == link.supplier_id), None)
    return ApprovalPage(
        number=state.number,
        revision=state.revision,
        currency=state.currency,
        client_company=state.client.company,
        seller=seller,
        supplier=supplier,
        deadline=link.expires_at,
        rows=rows,
        part=format_cents(part),
        decision=decision,
        quote_status=state.status,
    )


def page_json(page: ApprovalPage) -> dict[str, Any]:
    decision = page.decision
    return {
        "number": page.number,
        "revision": page.revision,
        "status": page.quote_status,
        "currency": page.currency,
        "client": page.client_company,
        "seller": {
            "name": page.seller.name,
            "company": page.seller.company,
            "email": page.seller.email,
        },
        "supplier": {"name": page.supplier.name, "company": page.supplier.company},
        "deadline": page.deadline.isoformat(),
        "lines": [_row_json(row) for row in page.rows],
        "part": page.part,
        "decision": None
        if decision is None
        else {
            "status": decision.status,
            "comment": decision.comment,
            "decided_at": decision.decided_at.isoformat() if decision.decided_at else None,
        },
        "can_decide": page.can_decide,
    }


def _row_json(row: PartRow) -> dict[str, Any]:
    return {
        "position": row.position,
        "offer_name": row.offer_name,
        "quantity": row.quantity,
        "unit_price": row.unit_price,
        "discount": row.discount,
        "net": row.net,
        "founder_component_of": row.under,
        "tax_rate": row.tax_rate,
    }
