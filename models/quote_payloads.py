"""What a quote workflow carries and answers: plain dataclasses, fit for workflow payloads.

Standard library only: the workflow sandbox imports this module. Money is integer cents;
quantities, discounts and rates are exact Decimals; every field has a default or comes first,
so fields can be added without breaking histories already recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass
class Party:
    id: int
    name: str
    company: str
    email: str


@dataclass
class ClientParty:
    id: int
    company: str
    contact_name: str
    email: str


@dataclass
class FounderComponent:
    offer_id: int
    offer_name: str
    quantity: Decimal
    founder_price_cents: int


@dataclass
class Line:
    position: int
    offer_id: int
    offer_name: str
    unit: str
    supplier_id: int
    quantity: Decimal
    unit_price_cents: int
    discount: Decimal
    net_cents: int
    commission_rate: Decimal
    procurement: str
    founder_component: FounderComponent | None = None
    # The offer's tax rate, frozen like the price (R21). Lines of histories recorded before
    # rates were carry 0 and tax_recorded False, and the views say so.
    tax_rate: Decimal = Decimal(0)
    tax_recorded: bool = False


@dataclass
class TeamShare:
    member_id: int
    share: Decimal


@dataclass
class Revision:
    number: int
    lines: list[Line]
    sales_team: list[TeamShare]
    note: str | None = None
    total_cents: int = 0
    # Positions whose founder component points at a founder offer no longer validated (R8).
    blocked_positions: list[int] = field(default_factory=list)


@dataclass
class Timing:
    """Cluster durations in seconds, passed in so tests can use seconds."""

    reminder_interval: int
    approval_timeout: int
    revision_timeout: int
    validity: int


@dataclass
class QuoteInput:
    number: str
    cluster_id: int
    cluster_name: str
    currency: str
    seller: Party
    founder: Party
    client: ClientParty
    timing: Timing
    revision: Revision
    # Everyone who may be asked to approve, by id: the suppliers on the quote and the founder.
    people: list[Party] = field(default_factory=list)


@dataclass
class Approval:
    supplier_id: int
    status: str
    comment: str | None = None
    decided_at: datetime | None = None


@dataclass
class Event:
    at: datetime
    kind: str
    text: str
    actor_id: int | None = None


@dataclass
class QuoteState:
    number: str
    status: str
    revision: int
    cluster_id: int
    currency: str
    seller_id: int
    founder_id: int
    client: ClientParty
    lines: list[Line]
    sales_team: list[TeamShare]
    note: str | None
    total_cents: int
    approvals: list[Approval]
    blocked_positions: list[int] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    sent_at: datetime | None = None
    valid_until: datetime | None = None
    viewed_at: datetime | None = None
    accepted_by: str | None = None
    po_reference: str | None = None
    order_number: str | None = None
    end_reason: str | None = None
    document_key: str | None = None
    # The seller as frozen on the quote, so the client's page and emails name them (R17).
    seller: Party | None = None
    # The quote PDF with its acceptance block, rendered when the order opens (R17).
    signed_document_key: str | None = None
    # Everyone the quote names (seller, suppliers, founder), as the `state` query answers it.
    people: list[Party] = field(default_factory=list)


# Messages sent to the workflow (updates and signals).


@dataclass
class DecisionInput:
    supplier_id: int
    revision: int
    decision: str  # "approve" | "reject"
    comment: str | None = None


@dataclass
class RevisionInput:
    seller_id: int
    revision: Revision
    people: list[Party] = field(default_factory=list)


@dataclass
class WaitInput:
    """A long read: answer once the quote has `status` or has ended, or after `seconds`."""

    status: str
    seconds: float


@dataclass
class CancelInput:
    reason: str
    by_member_id: int | None = None  # None: an operator


@dataclass
class ClientAnswerInput:
    revision: int
    accept: bool
    signer_name: str | None = None
    po_reference: str | None = None
    reason: str | None = None


@dataclass
class ClientViewInput:
    revision: int


@dataclass
class SupplierRemovedInput:
    """A supplier was removed from the cluster: the lines it supplies can no longer be sold."""

    member_id: int


# Activity payloads. The workflow calls activities by these names, so workflow code never
# imports the modules that hold SQLAlchemy or reportlab.


class Act:
    CHECK_FOUNDER_INCLUSION = "check_founder_inclusion"
    SAVE_QUOTE_REVISION = "save_quote_revision"
    RECORD_QUOTE_STATUS = "record_quote_status"
    RECORD_DECISION = "record_decision"
    RENDER_QUOTE_PDF = "render_quote_pdf"
    OPEN_ORDER = "open_order"
    SEND_NOTICE = "send_notice"
    SEND_NOTICES = "send_notices"


@dataclass
class FounderCheck:
    cluster_id: int
    # (line position, founder offer id) for every line that embeds a founder component.
    components: list[tuple[int, int]]
    # Lines of the founder's own offers: (position, offer id); they must still be validated.
    founder_lines: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class SaveRevision:
    number: str
    revision: Revision


@dataclass
class StatusRecord:
    number: str
    status: str
    revision: int
    at: datetime
    valid_until: datetime | None = None
    viewed_at: datetime | None = None


@dataclass
class DecisionRecord:
    number: str
    revision: int
    supplier_id: int
    status: str
    decided_at: datetime
    comment: str | None = None


@dataclass
class RenderQuote:
    number: str
    revision: int
    valid_until: datetime | None = None


@dataclass
class OpenOrder:
    quote_number: str
    revision: int
    signer_name: str
    accepted_at: datetime
    po_reference: str | None = None


@dataclass
class ProcurementDoc:
    supplier_id: int
    mode: str
    document_key: str | None = None
    # The founder's entry (R23): her notice's lines, and the suppliers' purchase orders to her.
    summary: str = ""
    attachments: list[str] = field(default_factory=list)


@dataclass
class OrderOpened:
    number: str
    documents: list[ProcurementDoc]
    signed_document_key: str | None = None  # the client's signed copy


@dataclass
class QuoteLinkSpec:
    """The client link to sign; the activity signs it, so no token enters a history."""

    number: str
    revision: int
    expires_at: datetime


@dataclass
class ApprovalLinkSpec:
    """One supplier's approval link to sign; the activity signs it, as for the client's."""

    number: str
    revision: int
    supplier_id: int
    expires_at: datetime


@dataclass
class Notice:
    """One email, sent at most once per business key (quote/revision/kind/recipient…)."""

    business_key: str
    kind: str
    to_email: str
    to_name: str
    context: dict[str, str]
    attachment_key: str | None = None
    attachment_name: str | None = None
    link: QuoteLinkSpec | None = None
    approval_link: ApprovalLinkSpec | None = None
    reply_to: str | None = None  # the address that can answer the email (the seller)
    more_attachment_keys: list[str] = field(default_factory=list)
    reply_name: str | None = None  # whose address `reply_to` is; the seller when None
