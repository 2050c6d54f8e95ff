"""Approval bookkeeping of R8–R10 as pure functions: who approves what, smart re-approval,
what a decision does, and when to remind, escalate or give up."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from models.domain import ApprovalStatus, QuoteStatus
from models.errors import Conflict, Forbidden, RuleViolation
from models.quote_payloads import Approval, Line, QuoteInput, QuoteState

DECIDED_OK = (ApprovalStatus.APPROVED, ApprovalStatus.AUTO_APPROVED)


def suppliers_on(lines: Iterable[Line], founder_id: int) -> list[int]:
    """Every distinct supplier on the lines, the founder included for founder components."""
    ids: set[int] = set()
    for line in lines:
        ids.add(line.supplier_id)
        if line.founder_component is not None:
            ids.add(founder_id)
    return sorted(ids)


def supplier_part(lines: Iterable[Line], supplier_id: int, founder_id: int) -> tuple[object, ...]:
    """What a supplier approves, as a comparable value: its own lines and, for the founder,
    every founder component with the line it sits under."""
    part: list[object] = []
    for line in lines:
        if line.supplier_id == supplier_id:
            part.append(
                ("line", line.offer_id, line.quantity, line.unit_price_cents, line.discount)
            )
        component = line.founder_component
        if supplier_id == founder_id and component is not None:
            part.append(
                ("founder", line.offer_id, line.quantity, component.offer_id, component.quantity)
            )
    return tuple(sorted(part, key=repr))


def open_approvals(
    lines: list[Line],
    *,
    seller_id: int,
    founder_id: int,
    previous_lines: list[Line] | None = None,
    previous: list[Approval] | None = None,
) -> list[Approval]:
    """The approvals a revision starts with (R9, R10).

    The seller's own lines are approved automatically. On a revision, a supplier whose part
    did not change keeps its approval; everyone else is asked (again).
    """
    kept = {a.supplier_id: a for a in previous or [] if a.status in DECIDED_OK}
    approvals = []
    for supplier in suppliers_on(lines, founder_id):
        if supplier == seller_id:
            approvals.append(Approval(supplier, ApprovalStatus.AUTO_APPROVED.value))
            continue
        before = kept.get(supplier)
        unchanged = previous_lines is not None and supplier_part(
            previous_lines, supplier, founder_id
        ) == supplier_part(lines, supplier, founder_id)
        if before is not None and unchanged:
            approvals.append(before)
        else:
            approvals.append(Approval(supplier, ApprovalStatus.PENDING.value))
    return approvals


# Where a removed supplier's lines stop the quote: before the client has accepted.
BLOCKABLE_BY_REMOVAL = (
    QuoteStatus.PENDING_APPROVAL,
    QuoteStatus.CHANGES_REQUESTED,
    QuoteStatus.BLOCKED,
    QuoteStatus.SENT,
)


def removed_supplier_lines(state: QuoteState, removed: Iterable[int]) -> dict[int, list[int]]:
    """Per removed supplier, the positions of its lines not yet blocked, while the quote can
    still be revised; empty once every such line is blocked or the deal is closed."""
    if state.status not in BLOCKABLE_BY_REMOVAL:
        return {}
    found: dict[int, list[int]] = {}
    for supplier in removed:
        positions = [
            line.position
            for line in state.lines
            if line.supplier_id == supplier and line.position not in state.blocked_positions
        ]
        if positions:
            found[supplier] = positions
    return found


def pending_suppliers(approvals: Iterable[Approval]) -> list[int]:
    return [a.supplier_id for a in approvals if a.status == ApprovalStatus.PENDING]


def approval_outcome(approvals: Iterable[Approval]) -> QuoteStatus | None:
    """changes_requested on any rejection, sent once all approved, None while waiting."""
    statuses = [a.status for a in approvals]
    if ApprovalStatus.REJECTED in statuses:
        return QuoteStatus.CHANGES_REQUESTED
    if all(s in DECIDED_OK for s in statuses):
        return QuoteStatus.SENT
    return None


def check_decision(state: QuoteState, supplier_id: int, revision: int, decision: str) -> None:
    """R9: only a pending supplier of the current revision decides, during the decision phase."""
    if decision not in ("approve", "reject"):
        raise RuleViolation('must be "approve" or "reject"', field="decision")
    mine = next((a for a in state.approvals if a.supplier_id == supplier_id), None)
    if mine is None:
        raise Forbidden("you supply no line of this quote, so you have nothing to decide")
    if revision != state.revision:
        raise Conflict(
            f"revision {revision} is not the current one ({state.revision}); decide on the current",
            field="revision",
        )
    if state.status != QuoteStatus.PENDING_APPROVAL:
        raise Conflict(f"the quote is {state.status}: decisions are closed")
    if mine.status != ApprovalStatus.PENDING:
        raise Conflict(f"you already decided on revision {revision}: {mine.status}")


def check_revisable(state: QuoteState, seller_id: int) -> None:
    """R10: the seller revises a quote that needs changes (or is blocked)."""
    if seller_id != state.seller_id:
        raise Forbidden("only the quote's seller can revise it")
    if state.status not in (QuoteStatus.CHANGES_REQUESTED, QuoteStatus.BLOCKED):
        raise Conflict(
            f"the quote is {state.status}: only a quote with changes requested, or blocked, is revised"
        )


def check_cancellable(state: QuoteState, by_member_id: int | None) -> None:
    if by_member_id is not None and by_member_id != state.seller_id:
        raise Forbidden("only the quote's seller or an operator can cancel it")
    if QuoteStatus(state.status).is_terminal or state.status == QuoteStatus.ACCEPTED:
        raise Conflict(f"the quote is {state.status}: it can no longer be cancelled")


# What the client reads when its link can no longer be answered, by the quote's status.
CLIENT_STATUS_WORDS = {
    "accepted": "You accepted this quote. The order is being prepared.",
    "ordered": "You accepted this quote; the order is open.",
    "declined": "You declined this quote.",
    "expired": "This quote has expired.",
    "cancelled": "The seller withdrew this quote.",
}


def client_status_words(status: str) -> str:
    return CLIENT_STATUS_WORDS.get(status, f"This quote is {status}.")


def check_client_answer(state: QuoteState, revision: int) -> None:
    """R12: one answer, on the current revision, while the quote is out with the client; the
    refusal speaks to the client, who reads it on the link's page."""
    if revision != state.revision:
        raise Conflict("this link is for an older revision of the quote; use the newest email")
    if state.status != QuoteStatus.SENT:
        raise Conflict(client_status_words(state.status))


@dataclass(frozen=True, slots=True)
class ReminderPlan:
    """When the approval phase next wakes, and why."""

    wait_seconds: float
    reminder_due: bool


def next_wakeup(
    elapsed: float, reminders_sent: int, reminder_interval: int, approval_timeout: int
) -> ReminderPlan:
    """The next reminder (every reminder_interval) or the deadline, whichever comes first."""
    next_reminder = (reminders_sent + 1) * reminder_interval
    if next_reminder < approval_timeout:
        return ReminderPlan(max(next_reminder - elapsed, 0.0), True)
    return ReminderPlan(max(approval_timeout - elapsed, 0.0), False)


ESCALATE_AFTER_REMINDERS = 2


def initial_state(quote: QuoteInput) -> QuoteState:
    """The state a quote starts in, before its first activity has run."""
    revision = quote.revision
    return QuoteState(
        number=quote.number,
        status=QuoteStatus.PENDING_APPROVAL.value,
        revision=revision.number,
        cluster_id=quote.cluster_id,
        currency=quote.currency,
        seller_id=quote.seller.id,
        founder_id=quote.founder.id,
        client=quote.client,
        seller=quote.seller,
        lines=revision.lines,
        sales_team=revision.sales_team,
        note=revision.note,
        total_cents=revision.total_cents,
        approvals=open_approvals(
            revision.lines, seller_id=quote.seller.id, founder_id=quote.founder.id
        ),
        people=[*quote.people, quote.founder],
    )
