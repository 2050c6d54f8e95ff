"""Status words and small value types shared by every layer (standard library only)."""

from __future__ import annotations

from enum import StrEnum


class MemberStatus(StrEnum):
    ACTIVE = "active"
    REMOVED = "removed"


class OfferStatus(StrEnum):
    PENDING = "pending"
    VALIDATED = "validated"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class Segment(StrEnum):
    B2B = "B2B"
    B2C = "B2C"


class Procurement(StrEnum):
    DIRECT = "direct"
    RESELL = "resell"


class ApprovalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    AUTO_APPROVED = "auto_approved"


class QuoteStatus(StrEnum):
    PENDING_APPROVAL = "pending_approval"
    CHANGES_REQUESTED = "changes_requested"
    BLOCKED = "blocked"
    SENT = "sent"
    ACCEPTED = "accepted"
    ORDERED = "ordered"
    DECLINED = "declined"
    EXPIRED = "expired"
    APPROVAL_EXPIRED = "approval_expired"
    CANCELLED = "cancelled"

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL_QUOTE_STATUSES


TERMINAL_QUOTE_STATUSES = frozenset(
    {
        QuoteStatus.ORDERED,
        QuoteStatus.DECLINED,
        QuoteStatus.EXPIRED,
        QuoteStatus.APPROVAL_EXPIRED,
        QuoteStatus.CANCELLED,
    }
)


class OrderStatus(StrEnum):
    CLOSED = "closed"
    CANCELLED = "cancelled"


class InvoiceStatus(StrEnum):
    ISSUED = "issued"
    PAID = "paid"
    SPLIT = "split"
    VOID = "void"


class NumberKind(StrEnum):
    """Prefixes of the gap-free business numbers (Q-2026-00001)."""

    QUOTE = "Q"
    ORDER = "O"
    INVOICE = "C"
    CREDIT_NOTE = "CN"


def format_number(kind: NumberKind, year: int, seq: int) -> str:
    return f"{kind.value}-{year:04d}-{seq:05d}"


def quote_workflow_id(number: str) -> str:
    """quote-Q-2026-00001: one workflow per quote, found from its number."""
    return f"quote-{number}"


def invoice_workflow_id(number: str) -> str:
    return f"commission-{number}"
