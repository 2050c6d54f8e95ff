"""The quote's phase activities in the lean shape: what each is asked to do, what it answers.

One activity per phase, each idempotent by business keys inside: a decision by quote +
revision + supplier, a status by its time (never an older over a newer one), an email by its
business key, the order by its quote, invoices by their order. A retry after a crash midway
does the rest and repeats nothing. Standard library only: the workflow sandbox imports it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from models.commission import InvoiceInput
from models.quote_payloads import (
    DecisionRecord,
    FounderCheck,
    Notice,
    OpenOrder,
    OrderOpened,
    RenderQuote,
    SaveRevision,
    StatusRecord,
)
from models.wording import named_lines


class PhaseAct:
    RECORD_STEP = "record_quote_step"
    OPEN_REVISION = "open_quote_revision"
    SEND_QUOTE = "send_quote"
    CLOSE_QUOTE = "close_quote"


@dataclass
class Step:
    """What the run loop records since its last activity: the decisions taken, the status
    (when it changed) and the emails those changes send."""

    decisions: list[DecisionRecord] = field(default_factory=list)
    status: StatusRecord | None = None
    notices: list[Notice] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.decisions and self.status is None and not self.notices


@dataclass
class Blocked:
    """What a founder check that refuses records: the blocked status and the seller's email,
    whose `lines` the activity fills with the positions it found (R8)."""

    status: StatusRecord
    notice: Notice
    # Each line's offer, so the seller reads the blocked lines by name (older phases: none).
    offer_names: dict[int, str] = field(default_factory=dict)


@dataclass
class OpenRevision:
    """Store the revision, check the founder's offers, then either the blocked step or the
    opened one (carried-over decisions, the status, the approval requests)."""

    before: Step
    save: SaveRevision
    check: FounderCheck
    opened: Step
    blocked: Blocked


@dataclass
class SendQuote:
    """Check the founder's offers again, render the PDF, email the client (the notice gets the
    PDF attached here) and record the sent status (R11) — or the blocked step."""

    before: Step
    check: FounderCheck
    render: RenderQuote
    sent: Step
    blocked: Blocked


@dataclass
class Checked:
    blocked_positions: list[int] = field(default_factory=list)
    document_key: str | None = None


@dataclass
class OrderNoticeSpec:
    """One member's order notice before the order has a number: its recipient and context,
    and the lines it lists per procurement mode."""

    supplier_id: int
    to_email: str
    to_name: str
    context: dict[str, str]
    lines: dict[str, str] = field(default_factory=dict)


@dataclass
class CloseQuote:
    """The order and its documents (R13), its notices, the commission invoices (R14), then
    the ordered status with the seller's and the client's confirmations (`after`, whose
    notices get the order's number here)."""

    before: Step
    order: OpenOrder
    notices: list[OrderNoticeSpec]
    after: Step


@dataclass
class Closed:
    order: OrderOpened
    # Each started by the workflow as the invoice's own child workflow.
    invoices: list[InvoiceInput] = field(default_factory=list)


def blocked_step(blocked: Blocked, positions: list[int]) -> Step:
    lines = named_lines(positions, blocked.offer_names)
    notice = replace(blocked.notice, context={**blocked.notice.context, "lines": lines})
    return Step(status=blocked.status, notices=[notice])


def order_notices(specs: list[OrderNoticeSpec], order: OrderOpened) -> list[Notice]:
    """One notice per procurement document, each with its purchase order attached."""
    by_member = {spec.supplier_id: spec for spec in specs}
    notices = []
    for doc in order.documents:
        spec = by_member[doc.supplier_id]
        key = f"{order.number}/order_notice_{doc.mode}/member:{doc.supplier_id}"
        context = {**spec.context, "order": order.number}
        context["lines"] = doc.summary or spec.lines.get(doc.mode, "")
        pdf_name = f"{order.number}-purchase-order.pdf" if doc.document_key else None
        notices.append(
            Notice(
                key, f"order_notice_{doc.mode}", spec.to_email, spec.to_name, context,
                attachment_key=doc.document_key, attachment_name=pdf_name,
                more_attachment_keys=list(doc.attachments),
                reply_to=context.get("seller_email"), reply_name=context.get("seller"),
            )
        )  # fmt: skip
    return notices


def confirmed(notice: Notice, order: OrderOpened) -> Notice:
    """A confirmation with the order's number; the client's with its signed copy (R17)."""
    context = {**notice.context, "order": order.number}
    if notice.kind != "quote_confirmation":
        return replace(notice, context=context)
    name = f"{context['number']}-signed.pdf" if order.signed_document_key else None
    return replace(
        notice,
        context=context,
        attachment_key=order.signed_document_key,
        attachment_name=name,
    )
