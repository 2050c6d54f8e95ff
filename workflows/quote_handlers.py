"""What the quote workflow's handlers do: record, never act. Each changes the in-memory state
and queues what the store and the emails must learn; the run loop (workflows/quote.py) does
every side effect."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models import approvals
    from models.domain import ApprovalStatus, QuoteStatus
    from models.quote_payloads import (
        CancelInput,
        ClientAnswerInput,
        ClientViewInput,
        DecisionInput,
        DecisionRecord,
        QuoteState,
        RevisionInput,
    )
    from workflows.quote_phases import QuotePhases
    from workflows.quote_waits import QuoteWaits


class QuoteHandlers(QuotePhases, QuoteWaits):
    def _record_decision(self, decision: DecisionInput) -> QuoteState:
        state = self.state
        approval = next(a for a in state.approvals if a.supplier_id == decision.supplier_id)
        approved = decision.decision == "approve"
        approval.status = (ApprovalStatus.APPROVED if approved else ApprovalStatus.REJECTED).value
        approval.comment = decision.comment
        approval.decided_at = workflow.now()
        who = self.people[decision.supplier_id].name
        self._event(
            approval.status,
            f"{who} {approval.status} revision {state.revision}",
            decision.supplier_id,
        )
        self.todo.decisions.append(
            DecisionRecord(
                state.number,
                state.revision,
                decision.supplier_id,
                approval.status,
                approval.decided_at,
                decision.comment,
            )
        )
        outcome = approvals.approval_outcome(state.approvals)
        if outcome is QuoteStatus.CHANGES_REQUESTED:
            state.status = QuoteStatus.CHANGES_REQUESTED.value
            comment = decision.comment or "-"
            rejecter = self.people[decision.supplier_id]
            supplier = f"{rejecter.name} ({rejecter.company})"
            notice = self.notices.to_seller(
                state, "changes_requested", rejecter, supplier=supplier, comment=comment
            )
            self._tell(notice)
        elif outcome is QuoteStatus.SENT:
            self.ready_to_send = True
        return state

    def _record_revision(self, revision: RevisionInput) -> None:
        self.people.update({p.id: p for p in revision.people})
        self._open_in_memory(revision.revision, (self.state.lines, self.state.approvals))
        self._event("revised", f"revision {revision.revision.number}", self.state.seller_id)
        self.revision_todo = revision.revision

    def _record_answer(self, answer: ClientAnswerInput) -> QuoteState:
        state = self.state
        if answer.accept:
            state.accepted_by = answer.signer_name
            state.po_reference = answer.po_reference
            self._event("accepted", f"accepted by {answer.signer_name}")
            state.status = QuoteStatus.ACCEPTED.value
            return state
        state.end_reason = answer.reason
        self._event("declined", f"declined by the client: {answer.reason}")
        state.status = QuoteStatus.DECLINED.value
        self._tell(self.notices.to_seller(state, "quote_declined", reason=answer.reason or "-"))
        self._tell(self.notices.to_client(state, "quote_decline_received"))
        return state

    def _record_cancel(self, cancel: CancelInput) -> QuoteState:
        state = self.state
        state.end_reason = cancel.reason
        who = "the operator" if cancel.by_member_id is None else "the seller"
        self._event("cancelled", f"cancelled by {who}: {cancel.reason}", cancel.by_member_id)
        state.status = QuoteStatus.CANCELLED.value
        self._tell(self.notices.to_seller(state, "quote_cancelled", reason=cancel.reason))
        return state

    def _record_view(self, view: ClientViewInput) -> None:
        state = self.state
        fresh = view.revision == state.revision and state.viewed_at is None
        if not fresh or state.status != QuoteStatus.SENT:
            return
        state.viewed_at = workflow.now()
        self._event("viewed", "viewed by client")
        self._tell(self.notices.to_seller(state, "quote_viewed"))
