"""The life of one quote, from creation to order or to a clear end (SPEC §4).

QuoteWorkflow exposes:
- updates `decide` (a supplier's approval or rejection), `revise` (the seller's new revision),
  `answer` (the client accepts or declines), `cancel` (seller or operator) — each with a
  validator, so a refused message leaves no trace in the history;
- signals `client_viewed` (first opening of the client link), `supplier_removed` (a
  supplier left the cluster: its lines block the quote until the seller revises it) and
  `seller_removed` (the seller left: the quote is cancelled if it still can be);
- update `wait` (a long read, `GET /quotes/{number}?wait_for=`): answers with the state once
  the quote has the status or has ended, or when its time is up; its validator refuses a
  status already reached, so a read that need not wait leaves no trace in the history;
- query `state` (the full state; the API's quote view);
- timers: approval reminders and escalation, approval timeout, revision timeout, validity.

Handlers validate, change the in-memory state and queue what the store and the emails must
learn (`todo`); they issue no command, so a decision answers after one workflow task, the
first as fast as the others, and the order in which the SDK runs a handler and the loop in
one task cannot change the commands (tests/workflows/test_same_task_order.py). The loop hands
the queue to its next activity: a phase's (opening, sending, closing; workflows/quote_phases.py),
or a step of its own — so decisions that arrive while an activity runs are recorded together
in the next one. Recorded messages are handled before a timer's action is re-checked
(workflows/quote_waits.py).
"""

from __future__ import annotations

import contextlib
import dataclasses
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    # Every module whose dataclasses travel as this workflow's payloads is named here: the
    # converter resolves their annotations through the sandbox's modules, where only the
    # modules this (sandboxed) module imports by name are found.
    from models.commission import InvoiceInput  # noqa: F401
    from models.domain import QuoteStatus
    from models.quote_payloads import (
        CancelInput,
        ClientAnswerInput,
        ClientViewInput,
        DecisionInput,
        QuoteInput,
        QuoteState,
        RevisionInput,
        SupplierRemovedInput,
        WaitInput,
    )
    from models.quote_phases import Checked, Closed  # noqa: F401
    from workflows.quote_handlers import QuoteHandlers

# The wait validator's refusal: the quote has the status already (or has ended).
REACHED = "Reached"


@workflow.defn(name="QuoteWorkflow")
class QuoteWorkflow(QuoteHandlers):
    @workflow.init
    def __init__(self, quote: QuoteInput) -> None:
        self._setup(quote)

    @workflow.run
    async def run(self, quote: QuoteInput) -> QuoteState:
        self.revision_todo = quote.revision  # opened in memory already (initial_state)
        while True:
            self._upsert_on_change()
            if self.revision_todo is not None:
                await self._open(self.revision_todo)
            elif self._removal_due():
                self._block_removed()
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

    @workflow.query(name="state")
    def get_state(self) -> QuoteState:
        # A copy that names everyone, so the views carry names beside the ids (R19).
        return dataclasses.replace(self.state, people=list(self.people.values()))

    @workflow.update
    async def wait(self, wait: WaitInput) -> QuoteState:
        with contextlib.suppress(TimeoutError):
            await workflow.wait_condition(
                lambda: self._reached(wait.status),
                timeout=timedelta(seconds=wait.seconds),
                timeout_summary="long read",
            )
        return self.get_state()

    @wait.validator
    def _validate_wait(self, wait: WaitInput) -> None:
        if self._reached(wait.status):
            raise ApplicationError("already there", type=REACHED, non_retryable=True)

    @workflow.update
    async def decide(self, decision: DecisionInput) -> QuoteState:
        return self._record_decision(decision)

    @decide.validator
    def _validate_decide(self, decision: DecisionInput) -> None:
        self._check_decide(decision)

    @workflow.update
    async def revise(self, revision: RevisionInput) -> QuoteState:
        """Opened in memory now; the loop stores it and runs the founder check, and the answer
        waits for that, so it says whether the revision went out for approval or is blocked."""
        self._record_revision(revision)
        number = revision.revision.number
        await workflow.wait_condition(lambda: self.opened_revision >= number)
        return self.state

    @revise.validator
    def _validate_revise(self, revision: RevisionInput) -> None:
        self._check_revise(revision)

    @workflow.update
    async def answer(self, answer: ClientAnswerInput) -> QuoteState:
        return self._record_answer(answer)

    @answer.validator
    def _validate_answer(self, answer: ClientAnswerInput) -> None:
        self._check_answer(answer)

    @workflow.update
    async def cancel(self, cancel: CancelInput) -> QuoteState:
        return self._record_cancel(cancel)

    @cancel.validator
    def _validate_cancel(self, cancel: CancelInput) -> None:
        self._check_cancel(cancel)

    @workflow.signal(name="client_viewed")
    def client_viewed(self, view: ClientViewInput) -> None:
        self._record_view(view)

    @workflow.signal(name="supplier_removed")
    def supplier_removed(self, removal: SupplierRemovedInput) -> None:
        if removal.member_id not in self.removed_suppliers:
            self.removed_suppliers.append(removal.member_id)

    @workflow.signal(name="seller_removed")
    def seller_removed(self, cancel: CancelInput) -> None:
        """The seller left the cluster (R2): cancelled as by an operator, unless the quote has
        moved past cancelling meanwhile."""
        with contextlib.suppress(ApplicationError):  # the validator's refusal: nothing to do
            self._check_cancel(cancel)
            self._record_cancel(cancel)


__all__ = ["REACHED", "QuoteWorkflow"]
