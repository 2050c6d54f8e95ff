"""Payloads of the two fan-outs that follow a decision taken in the store: an order's
cancellation (R15, its commission invoices) and a member's removal (R2, its open quotes)."""

from __future__ import annotations

from dataclasses import dataclass, field


class CancellationAct:
    """Activity names: the workflows call them by name, never importing SQLAlchemy."""

    ORDER_INVOICES = "invoices_of_cancelled_order"
    MEMBER_QUOTES = "open_quotes_of_removed_member"


@dataclass
class OrderCancellation:
    order_number: str
    reason: str


@dataclass
class MemberRemoval:
    member_id: int


@dataclass
class MemberQuotes:
    """The removed member's open quotes: those it sells, and other sellers' it supplies."""

    sold: list[str] = field(default_factory=list)
    supplied: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.sold or self.supplied)


def order_cancellation_workflow_id(number: str) -> str:
    """order-cancel-O-2026-00001: one cancellation per order, ever."""
    return f"order-cancel-{number}"


def member_removal_workflow_id(member_id: int) -> str:
    return f"member-removal-{member_id}"
