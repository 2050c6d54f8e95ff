"""The life of one quote, from creation to order or to a clear end (SPEC §4).

QuoteWorkflow exposes:
- updates `decide` (a supplier's approval or rejection), `revise` (the seller's new revision),
  `answer` (the client accepts or declines), `cancel` (seller or operator) — each with a
  validator, so a refused message leaves no trace in the history;
- signals `client_viewed` (first opening of the client link), `supplier_removed` (a
  supplier left the cluster: its lines block the quote until the seller revises it) and
  `seller_removed` (the seller left: the quote is cancelled if it still can be);
- query `state` (the full state; the API's quote view);
- timers: approval reminders and escalation, approval timeout, revision timeout, validity.

Two shapes behind one patch, chosen once when the workflow object is made (before any
handler or `run`, so that a message in the first task takes the same shape as the rest):
quotes started since `lean-phases` run the lean shape (workflows/quote_lean.py: handlers only
record, one activity per phase); those started before replay and run as they were recorded
(workflows/quote_legacy.py).
"""

from __future__ import annotations

import contextlib
import dataclasses

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    # Every module whose dataclasses travel as this workflow's payloads is named here: the
    # converter resolves their annotations through the sandbox's modules, where only the
    # modules this (sandboxed) module imports by name are found.
    from models.commission import InvoiceInput  # noqa: F401
    from models.quote_payloads import (
        CancelInput,
        ClientAnswerInput,
        ClientViewInput,
        DecisionInput,
        QuoteInput,
        QuoteState,
        RevisionInput,
        SupplierRemovedInput,
    )
    from models.quote_phases import Checked, Closed  # noqa: F401
    from workflows.quote_lean import LeanQuote
    from workflows.quote_legacy import SELLER_REMOVAL, LegacyQuote

LEAN_PHASES = "lean-phases"


@workflow.defn(name="QuoteWorkflow")
class QuoteWorkflow(LeanQuote, LegacyQuote):
    @workflow.init
    def __init__(self, quote: QuoteInput) -> None:
        self._setup(quote)
        self.lean = workflow.patched(LEAN_PHASES)
        if self.lean:
            self._lean_setup()

    @workflow.run
    async def run(self, quote: QuoteInput) -> QuoteState:
        if self.lean:
            return await self._lean_run(quote)
        return await self._legacy_run(quote)

    @workflow.query(name="state")
    def get_state(self) -> QuoteState:
        # A copy that names everyone, so the views carry names beside the ids (R19).
        return dataclasses.replace(self.state, people=list(self.people.values()))

    @workflow.update
    async def decide(self, decision: DecisionInput) -> QuoteState:
        if self.lean:
            return self._lean_decide(decision)
        return await self._legacy_decide(decision)

    @decide.validator
    def _validate_decide(self, decision: DecisionInput) -> None:
        self._check_decide(decision)

    @workflow.update
    async def revise(self, revision: RevisionInput) -> QuoteState:
        if self.lean:
            return await self._lean_revise(revision)
        return await self._legacy_revise(revision)

    @revise.validator
    def _validate_revise(self, revision: RevisionInput) -> None:
        self._check_revise(revision)

    @workflow.update
    async def answer(self, answer: ClientAnswerInput) -> QuoteState:
        if self.lean:
            return self._lean_answer(answer)
        return await self._legacy_answer(answer)

    @answer.validator
    def _validate_answer(self, answer: ClientAnswerInput) -> None:
        self._check_answer(answer)

    @workflow.update
    async def cancel(self, cancel: CancelInput) -> QuoteState:
        if self.lean:
            return self._lean_cancel(cancel)
        return await self._cancel(cancel)

    @cancel.validator
    def _validate_cancel(self, cancel: CancelInput) -> None:
        self._check_cancel(cancel)

    @workflow.signal(name="client_viewed")
    async def client_viewed(self, view: ClientViewInput) -> None:
        if self.lean:
            self._lean_client_viewed(view)
        else:
            await self._legacy_client_viewed(view)

    @workflow.signal(name="supplier_removed")
    def supplier_removed(self, removal: SupplierRemovedInput) -> None:
        if self.lean:
            self._lean_supplier_removed(removal)
        else:
            self._legacy_supplier_removed(removal)

    @workflow.signal(name="seller_removed")
    async def seller_removed(self, cancel: CancelInput) -> None:
        """The seller left the cluster (R2): cancelled as by an operator, unless the quote has
        moved past cancelling meanwhile."""
        if not self.lean:
            await self._legacy_seller_removed(cancel)
            return
        with contextlib.suppress(ApplicationError):  # the validator's refusal: nothing to do
            self._check_cancel(cancel)
            self._lean_cancel(cancel)


__all__ = ["SELLER_REMOVAL", "QuoteWorkflow"]
