"""The quote workflow's state, the messages' rules (the update validators' checks) and small
helpers. See workflows/quote.py for the workflow itself."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models import approvals
    from models.domain import QuoteStatus
    from models.errors import Conflict
    from models.quote_payloads import (
        Approval,
        CancelInput,
        ClientAnswerInput,
        DecisionInput,
        Event,
        Line,
        QuoteInput,
        Revision,
        RevisionInput,
    )
    from models.quote_phases import Step
    from workflows import calls
    from workflows.approval_notices import ApprovalAsk
    from workflows.notices import Notices


class QuoteBase:
    """The quote's state as the `state` query answers it, and what every handler checks."""

    def _setup(self, quote: QuoteInput) -> None:
        self.input = quote
        self.people = {p.id: p for p in [*quote.people, quote.seller, quote.founder]}
        self.state = approvals.initial_state(quote)
        self.notices = Notices(quote, self.people)
        self.ready_to_send = False
        # What handlers recorded for the run loop's next activity, and the revision to open.
        self.todo = Step()
        self.revision_todo: Revision | None = None
        self.opened_revision = 0
        # Suppliers removed from the cluster while the quote is open, in arrival order.
        self.removed_suppliers: list[int] = []
        # What the approval emails of the current revision say: the revision before, the round.
        self.previous: tuple[list[Line], list[Approval]] | None = None
        self.ask: ApprovalAsk | None = None

    def _check_decide(self, decision: DecisionInput) -> None:
        calls.refuse(
            approvals.check_decision,
            self.state,
            decision.supplier_id,
            decision.revision,
            decision.decision,
        )

    def _check_revise(self, revision: RevisionInput) -> None:
        calls.refuse(approvals.check_revisable, self.state, revision.seller_id)
        if revision.revision.number != self.state.revision + 1:
            raise calls.refusal(Conflict(f"expected {self.state.revision + 1}", field="revision"))

    def _check_answer(self, answer: ClientAnswerInput) -> None:
        calls.refuse(approvals.check_client_answer, self.state, answer.revision)

    def _check_cancel(self, cancel: CancelInput) -> None:
        calls.refuse(approvals.check_cancellable, self.state, cancel.by_member_id)

    def _reached(self, status: str) -> bool:
        """What a long read waits for: the status, or the quote's end."""
        return self.state.status == status or QuoteStatus(self.state.status).is_terminal

    def _removal_due(self) -> dict[int, list[int]]:
        return approvals.removed_supplier_lines(self.state, self.removed_suppliers)

    def _event(self, kind: str, text: str, actor_id: int | None = None) -> None:
        self.state.events.append(Event(workflow.now(), kind, text, actor_id))

    def _validity(self) -> timedelta:
        return timedelta(seconds=self.input.timing.validity)
