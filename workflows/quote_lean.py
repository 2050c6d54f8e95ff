"""The quote workflow's lean shape: handlers only record, the run loop does every side effect,
one activity per phase (models/quote_phases.py).

Handlers validate, change the in-memory state and queue what the store and the emails must
learn (`todo`); they issue no command, so a decision answers after one workflow task, the
first as fast as the others, and the order in which the SDK runs a handler and the loop in
one task cannot change the commands. The loop hands the queue to its next activity: a phase's
(opening, sending, closing), or a step of its own — so decisions that arrive while an activity
runs are recorded together in the next one. Recorded messages are handled before a timer's
action is re-checked.
"""

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
        QuoteInput,
        QuoteState,
        Revision,
        RevisionInput,
        SupplierRemovedInput,
    )
    from models.quote_phases import Step
    from workflows.lean_notices import Notices
    from workflows.quote_lean_phases import LeanPhases
    from workflows.quote_lean_waits import LeanWaits


class LeanQuote(LeanPhases, LeanWaits):
    def _lean_setup(self) -> None:
        self.notices = Notices(self.input, self.people)
        self.todo = Step()
        self.revision_todo: Revision | None = None
        self.opened_revision = 0

    async def _lean_run(self, quote: QuoteInput) -> QuoteState:
        self.revision_todo = quote.revision  # opened in memory already (initial_state)
        while True:
            self._upsert_on_change()
            if self.revision_todo is not None:
                await self._open(self.revision_todo)
            elif self._removal_due():
                self._lean_block_removed()
            elif self.state.status == QuoteStatus.ACCEPTED:
                await self._close()
            elif self.state.status == QuoteStatus.PENDING_APPROVAL and self.ready_to_send:
                await self._send()
            elif self._step_due():
                await self._record(self._take())
            elif QuoteStatus(self.state.status).is_terminal:
                break
            else:
                await self._wait_or_act()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.state

    # Handlers: record, never act.

    def _lean_decide(self, decision: DecisionInput) -> QuoteState:
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

    async def _lean_revise(self, revision: RevisionInput) -> QuoteState:
        """Opened in memory now; the loop stores it and runs the founder check, and the answer
        waits for that, so it says whether the revision went out for approval or is blocked."""
        self.people.update({p.id: p for p in revision.people})
        self._open_in_memory(revision.revision, (self.state.lines, self.state.approvals))
        self._event("revised", f"revision {revision.revision.number}", self.state.seller_id)
        self.revision_todo = revision.revision
        number = revision.revision.number
        await workflow.wait_condition(lambda: self.opened_revision >= number)
        return self.state

    def _lean_answer(self, answer: ClientAnswerInput) -> QuoteState:
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

    def _lean_cancel(self, cancel: CancelInput) -> QuoteState:
        state = self.state
        state.end_reason = cancel.reason
        who = "the operator" if cancel.by_member_id is None else "the seller"
        self._event("cancelled", f"cancelled by {who}: {cancel.reason}", cancel.by_member_id)
        state.status = QuoteStatus.CANCELLED.value
        self._tell(self.notices.to_seller(state, "quote_cancelled", reason=cancel.reason))
        return state

    def _lean_client_viewed(self, view: ClientViewInput) -> None:
        state = self.state
        fresh = view.revision == state.revision and state.viewed_at is None
        if not fresh or state.status != QuoteStatus.SENT:
            return
        state.viewed_at = workflow.now()
        self._event("viewed", "viewed by client")
        self._tell(self.notices.to_seller(state, "quote_viewed"))

    def _lean_supplier_removed(self, removal: SupplierRemovedInput) -> None:
        if removal.member_id not in self.removed_suppliers:
            self.removed_suppliers.append(removal.member_id)
