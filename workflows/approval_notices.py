"""What every approval request and reminder carries for its supplier (R16, R18): the approval
link to sign, the deadline, the seller to reply to and, on a revision, what changed."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.approval_changes import revision_note
    from models.quote_payloads import (
        Approval,
        ApprovalLinkSpec,
        Line,
        Notice,
        Party,
        QuoteState,
    )


@dataclass(frozen=True)
class ApprovalAsk:
    """One round of approval emails: until when, on whose behalf, after which revision."""

    deadline: datetime
    seller: Party
    previous: tuple[list[Line], list[Approval]] | None = None

    def reminder(self) -> ApprovalAsk:
        return replace(self, previous=None)

    def _deadline(self) -> str:
        return f"{self.deadline:%Y-%m-%d %H:%M} UTC"

    def escalation(self, notice: Notice) -> Notice:
        context = {**notice.context, "deadline": self._deadline()}
        return replace(notice, context=context, reply_to=self.seller.email)

    def attach(self, notice: Notice, supplier_id: int, state: QuoteState) -> Notice:
        context = {
            **notice.context,
            "deadline": self._deadline(),
            "seller_company": self.seller.company,
            "seller_email": self.seller.email,
        }
        if self.previous is not None:
            context["changes"] = revision_note(
                self.previous, state.lines, state.revision, supplier_id, state.founder_id
            )
        link = ApprovalLinkSpec(state.number, state.revision, supplier_id, self.deadline)
        return replace(notice, context=context, approval_link=link, reply_to=self.seller.email)


def still_pending(people: dict[int, Party], pending: list[int], founder_id: int) -> str:
    """The escalation's list: the other suppliers by name and company; the founder as "you"."""
    names = [f"{people[s].name} ({people[s].company})" for s in pending if s != founder_id]
    if founder_id in pending:
        names.append("you (the founder components)")
    return ", ".join(names)
