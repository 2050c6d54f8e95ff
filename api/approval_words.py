"""What the approval page says about a decision or a quote that can no longer be decided on:
plain statements of what happened, never an error."""

from __future__ import annotations

from api.approval_page import ApprovalPage
from models.domain import ApprovalStatus, QuoteStatus
from models.links import ApprovalLink
from models.quote_payloads import QuoteState

CLOSED = {
    QuoteStatus.CHANGES_REQUESTED: "The seller is revising this quote. If your part changes, "
    "you will receive a new approval request.",
    QuoteStatus.BLOCKED: "The seller is revising this quote. If your part changes, you will "
    "receive a new approval request.",
    QuoteStatus.SENT: "Every supplier approved: the quote has been sent to the client.",
    QuoteStatus.ACCEPTED: "Every supplier approved, and the client accepted the quote.",
    QuoteStatus.ORDERED: "Every supplier approved, and the client accepted: the order is open.",
    QuoteStatus.DECLINED: "The client declined this quote.",
    QuoteStatus.EXPIRED: "This quote has expired.",
    QuoteStatus.APPROVAL_EXPIRED: "The approval deadline passed before every supplier "
    "decided, so the quote was closed.",
    QuoteStatus.CANCELLED: "The seller withdrew this quote.",
}


def revised_words(link: ApprovalLink, state: QuoteState) -> str:
    """An older revision's link: the quote moved on, and what that means for this supplier."""
    said = f"Quote {state.number} was revised: this link is for revision {link.revision}, "
    said += f"the quote is now at revision {state.revision}. "
    mine = next((a for a in state.approvals if a.supplier_id == link.supplier_id), None)
    if mine is None:
        return said + "Your lines are no longer part of it: there is nothing for you to decide."
    if mine.status == ApprovalStatus.PENDING and state.status == QuoteStatus.PENDING_APPROVAL:
        return said + (
            f"A new approval request for revision {state.revision} was emailed to you: "
            "please decide from the link in that email."
        )
    if mine.status == ApprovalStatus.APPROVED:
        return said + "Your part did not change, so your approval carries over."
    return said + (CLOSED.get(QuoteStatus(state.status)) or "")


def decision_words(page: ApprovalPage) -> str | None:
    """What the supplier decided on this revision, once it has."""
    decision = page.decision
    if decision is None or decision.status == ApprovalStatus.PENDING:
        return None
    when = f" on {decision.decided_at:%d %B %Y, %H:%M} UTC" if decision.decided_at else ""
    if decision.status == ApprovalStatus.AUTO_APPROVED:
        return f"Your lines of revision {page.revision} were approved automatically: you sell it."
    if decision.status == ApprovalStatus.REJECTED:
        return f"Thank you. You rejected revision {page.revision}{when}; the seller was told."
    return f"Thank you. You approved revision {page.revision}{when}."


def status_words(page: ApprovalPage) -> str:
    status = QuoteStatus(page.quote_status)
    return CLOSED.get(status) or f"Quote {page.number} is {status.value}: decisions are closed."


def words(page: ApprovalPage) -> str:
    """The decision taken, then where the quote stands when decisions are closed."""
    said = [decision_words(page)]
    if page.quote_status != QuoteStatus.PENDING_APPROVAL or said[0] is None:
        said.append(status_words(page))
    return " ".join(s for s in said if s)
