"""One cluster's payout run for one period (R27), started each month by the cluster's Temporal
Schedule or by an operator.

PayoutRunWorkflow (id `payout-run-<cluster>-<period>`, or the Schedule's own id) exposes:
- update `decide` (the operator: approve, pause, resume or reject; its validator refuses an
  action the run's state does not allow, so a refused one leaves no trace in the history);
- query `summary`: the preview, then what was paid.

The run reads every member's balance once, writing each payout due or held with its reason
(the preview); it then waits for the operator. Approved, it issues the self-billed invoices,
posts the payouts and writes the transfer file, then emails each member paid. Each step is
one activity whose writes are keyed per member and period, so a retry repeats nothing.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.errors import Conflict, DomainError, RuleViolation
    from models.money import format_cents
    from models.payout_runs import (
        PrepareRun,
        RunAction,
        RunDecision,
        RunInput,
        RunStatus,
        RunSummary,
        month_paid_at,
        next_status,
    )
    from workflows import calls, search


@workflow.defn(name="PayoutRunWorkflow")
class PayoutRunWorkflow:
    @workflow.init
    def __init__(self, request: RunInput) -> None:
        self.request = request
        self.summary: RunSummary | None = None
        self.status = RunStatus.AWAITING_APPROVAL
        self.recording = 0  # decisions answered whose store write is still running

    @workflow.run
    async def run(self, request: RunInput) -> RunSummary:
        period = request.period or month_paid_at(workflow.now())
        self.summary = await calls.prepare_payout_run(
            PrepareRun(request.cluster_id, period, workflow.info().workflow_id, workflow.now())
        )
        self.status = RunStatus(self.summary.status)
        if self.status in (RunStatus.DUPLICATE, RunStatus.PAID, RunStatus.REJECTED):
            # Another workflow has this period, or an earlier run under this id ended it.
            self._publish(self.status)
            await workflow.wait_condition(workflow.all_handlers_finished)
            return self.summary
        self._publish(self.status)
        # The decision's store write first: paying before it lands would race it.
        await workflow.wait_condition(
            lambda: self.status in (RunStatus.PAYING, RunStatus.REJECTED) and not self.recording
        )
        if self.status == RunStatus.REJECTED:
            self.summary = await calls.run_summary(self.summary.run_id)
            self._publish(self.status)
            await workflow.wait_condition(workflow.all_handlers_finished)
            return self.summary
        self._publish(self.status)
        self.summary = await calls.pay_payout_run(self.summary.run_id)
        await calls.notify_payout_run(self.summary.run_id)
        self.status = RunStatus(self.summary.status)
        self._publish(self.status)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.summary

    @workflow.query(name="summary")
    def get_summary(self) -> RunSummary | None:
        return self.summary

    @workflow.update
    async def preview(self) -> RunSummary:
        """The run once it has read the balances: who is paid how much, who is held and why."""
        await workflow.wait_condition(lambda: self.summary is not None)
        assert self.summary is not None
        return self.summary

    @workflow.update
    async def decide(self, decision: RunDecision) -> RunSummary:
        """The operator's decision, then its record in the store. The state moves before the
        first await, so a decision sent at the same moment is checked against this one's."""
        self._validate(decision)
        assert self.summary is not None
        self.status = next_status(self.status, decision.action)
        self.recording += 1
        try:
            summary = await calls.record_run_decision(self.summary.run_id, self.status, decision)
        finally:
            self.recording -= 1
        if self.status not in (RunStatus.PAYING, RunStatus.REJECTED):
            self.summary = summary
            self._publish(self.status)
        return summary

    @decide.validator
    def _validate(self, decision: RunDecision) -> None:
        if self.summary is None:
            raise calls.refusal(Conflict("the run is still reading the balances: try again"))
        if self.recording:  # decisions land in the store in the order they are taken
            raise calls.refusal(Conflict("the previous decision is being recorded: try again"))
        try:
            next_status(self.status, decision.action)
        except DomainError as exc:
            raise calls.refusal(exc) from None
        if decision.action == RunAction.REJECT and not decision.reason.strip():
            raise calls.refusal(RuleViolation("a rejection needs a reason", field="reason"))

    def _publish(self, status: RunStatus) -> None:
        """Keeps the operators' search attributes and the UI's current details in step."""
        summary = self.summary
        assert summary is not None
        workflow.upsert_search_attributes(
            [
                search.CLUSTER_ID.value_set(str(summary.cluster_id)),
                search.PAYOUT_PERIOD.value_set(summary.period),
                search.PAYOUT_STATUS.value_set(status.value),
            ]
        )
        held = [p for p in summary.payouts if p.status == "held"]
        paying = len(summary.payouts) - len(held)
        workflow.set_current_details(
            f"**payouts {summary.period}** — **{status.value}**\n\n"
            f"cluster {summary.cluster_id}: {paying} member(s), "
            f"{format_cents(summary.due_cents)} {summary.currency}; "
            f"{len(held)} held" + "".join(f"\n- {p.member_name}: {p.hold_reason}" for p in held)
        )


__all__ = ["PayoutRunWorkflow"]
