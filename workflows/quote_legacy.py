"""The quote workflow as it ran before the lean shape: update handlers that run activities
themselves, one activity per store write and email. Quotes started before the `lean-phases`
patch (and every committed history of them) keep running and replaying through this code,
which must stay as it was recorded. Its phases: workflows/quote_legacy_phases.py."""

from __future__ import annotations

import contextlib

from temporalio import workflow
from temporalio.exceptions import ApplicationError

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
        RevisionInput,
        SupplierRemovedInput,
    )
    from workflows import calls
    from workflows.client_notices import CLIENT_ACKNOWLEDGEMENTS
    from workflows.quote_legacy_phases import LegacyPhases
    from workflows.quote_steps import upsert_search

SUPPLIER_REMOVAL = "supplier-removal"
SELLER_REMOVAL = "seller-removal-signal"


class LegacyQuote(LegacyPhases):
    """Handlers and the run loop of quotes started before the lean shape."""

    async def _legacy_run(self, quote: QuoteInput) -> QuoteState:
        async with self.lock:
            await self._open_revision(quote.revision, previous=None)
        self.opened = True
        phases = {
            QuoteStatus.PENDING_APPROVAL: self._await_approvals,
            QuoteStatus.CHANGES_REQUESTED: self._await_revision,
            QuoteStatus.BLOCKED: self._await_revision,
            QuoteStatus.SENT: self._await_client,
            QuoteStatus.ACCEPTED: self._close_deal,
        }
        while not QuoteStatus(self.state.status).is_terminal:
            if self._removal_due():
                async with self.lock:
                    await self._block_removed_suppliers()
                continue
            await phases[QuoteStatus(self.state.status)]()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.state

    # Messages

    async def _legacy_decide(self, decision: DecisionInput) -> QuoteState:
        await self._after_opening()
        async with self.lock:
            self._check_decide(decision)  # the state may have moved while we waited
            approval = next(
                a for a in self.state.approvals if a.supplier_id == decision.supplier_id
            )
            approved = decision.decision == "approve"
            approval.status = (
                ApprovalStatus.APPROVED if approved else ApprovalStatus.REJECTED
            ).value
            approval.comment = decision.comment
            approval.decided_at = workflow.now()
            who = self.people[decision.supplier_id].name
            self._event(
                approval.status,
                f"{who} {approval.status} revision {self.state.revision}",
                decision.supplier_id,
            )
            await calls.record_decision(
                DecisionRecord(
                    self.state.number,
                    self.state.revision,
                    decision.supplier_id,
                    approval.status,
                    approval.decided_at,
                    decision.comment,
                )
            )
            outcome = approvals.approval_outcome(self.state.approvals)
            if outcome is QuoteStatus.CHANGES_REQUESTED:
                await self._set_status(QuoteStatus.CHANGES_REQUESTED)
                await self.notify.seller(
                    self.state, "changes_requested", supplier=who, comment=decision.comment or "-"
                )
            elif outcome is QuoteStatus.SENT:
                self.ready_to_send = True
            else:
                await upsert_search(self.state)
        return self.state

    async def _legacy_revise(self, revision: RevisionInput) -> QuoteState:
        async with self.lock:
            self._check_revise(revision)
            self.people.update({p.id: p for p in revision.people})
            previous = (self.state.lines, self.state.approvals)
            await self._open_revision(revision.revision, previous=previous)
        return self.state

    async def _legacy_answer(self, answer: ClientAnswerInput) -> QuoteState:
        async with self.lock:
            self._check_answer(answer)
            if answer.accept:
                self.state.accepted_by = answer.signer_name
                self.state.po_reference = answer.po_reference
                self._event("accepted", f"accepted by {answer.signer_name}")
                await self._set_status(QuoteStatus.ACCEPTED)
            else:
                self.state.end_reason = answer.reason
                self._event("declined", f"declined by the client: {answer.reason}")
                await self._set_status(QuoteStatus.DECLINED)
                await self.notify.seller(self.state, "quote_declined", reason=answer.reason or "-")
                if workflow.patched(CLIENT_ACKNOWLEDGEMENTS):
                    await self.notify.client(self.state, "quote_decline_received")
        return self.state

    async def _cancel(self, cancel: CancelInput) -> QuoteState:
        await self._after_opening()
        async with self.lock:
            self._check_cancel(cancel)
            self.state.end_reason = cancel.reason
            who = "the operator" if cancel.by_member_id is None else "the seller"
            self._event("cancelled", f"cancelled by {who}: {cancel.reason}", cancel.by_member_id)
            await self._set_status(QuoteStatus.CANCELLED)
            await self.notify.seller(self.state, "quote_cancelled", reason=cancel.reason)
        return self.state

    async def _legacy_client_viewed(self, view: ClientViewInput) -> None:
        async with self.lock:
            fresh = view.revision == self.state.revision and self.state.viewed_at is None
            if not fresh or self.state.status != QuoteStatus.SENT:
                return
            self.state.viewed_at = workflow.now()
            self._event("viewed", "viewed by client")
            await self._record_status()
            await self.notify.seller(self.state, "quote_viewed")

    def _legacy_supplier_removed(self, removal: SupplierRemovedInput) -> None:
        """Records the removal; the run loop blocks the lines that supplier supplies. A
        removal signalled before this handler existed stays ignored on replay."""
        if removal.member_id in self.removed_suppliers or not workflow.patched(SUPPLIER_REMOVAL):
            return
        self.removed_suppliers.append(removal.member_id)

    async def _legacy_seller_removed(self, cancel: CancelInput) -> None:
        """The seller left the cluster (R2): cancelled as by an operator, unless the quote has
        moved past cancelling meanwhile. One signalled before this handler existed stays
        ignored on replay."""
        if not workflow.patched(SELLER_REMOVAL):
            return
        with contextlib.suppress(ApplicationError):  # the validator's refusal: nothing to do
            await self._cancel(cancel)
