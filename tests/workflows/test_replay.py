"""Every recorded history of the main paths replays on today's workflow code: the test that
proves a workflow change is replay-safe.

A change that these histories refuse is a new workflow version. Before a release: re-record
with ARKANNA_RECORD_HISTORIES=1 (the tests that record are named in each history's test). After
one, a change that running workflows must cross goes to a new Worker Deployment Version, and
`workflow.patched` only where a workflow already running has to move to the new code.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer
from temporalio.workflow import NondeterminismError

from models.commission import InvoiceInput as CommissionInput
from models.commission import PaymentInput
from models.quote_payloads import QuoteInput, QuoteState
from workflows.connection import DATA_CONVERTER
from workflows.registry import WORKFLOWS

ROOT = Path(__file__).parent / "histories"
HISTORIES = sorted(ROOT.glob("*.json"))
MAIN_PATHS = {
    "happy",
    "reject_then_revise",
    "approval_expired",
    "client_declines",
    "validity_expired",
    "cancelled",
    "blocked",
    "order_cancellation",
    "commission_started_void",
    "member_removal",
    "seller_removed",
    "payout_run_paid",
    "payout_run_rejected",
}


def _history(path: Path) -> WorkflowHistory:
    return WorkflowHistory.from_json(f"replay-{_name(path)}", path.read_text())


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT).with_suffix(""))


def test_every_main_path_has_a_recorded_history() -> None:
    assert {_name(path) for path in HISTORIES} >= MAIN_PATHS


@pytest.mark.parametrize("path", HISTORIES, ids=_name)
async def test_history_replays(path: Path) -> None:
    # Imported here: the sandbox imports this module for its workflows, and the worker's
    # module reads files at import.
    from worker import workflow_runner

    replayer = Replayer(
        workflows=WORKFLOWS,
        data_converter=DATA_CONVERTER,
        workflow_runner=workflow_runner(),  # the worker's sandbox, as in production
    )
    await replayer.replay_workflow(_history(path))


@workflow.defn(name="QuoteWorkflow")
class ChangedQuoteWorkflow:
    """A deliberately different workflow under the same name: replay must refuse it."""

    @workflow.run
    async def run(self, quote: QuoteInput) -> QuoteState:
        await workflow.sleep(1)
        raise AssertionError("never reached in replay")


async def test_a_changed_workflow_is_caught_as_nondeterministic() -> None:
    replayer = Replayer(workflows=[ChangedQuoteWorkflow], data_converter=DATA_CONVERTER)
    with pytest.raises(NondeterminismError):
        await replayer.replay_workflow(_history(ROOT / "happy.json"))


@workflow.defn(name="CommissionInvoiceWorkflow", sandboxed=False)
class InvoiceWorkflowOfTwoSteps:
    """The invoice's payment back as two steps, record then split: the recorded one-step
    histories must refuse it."""

    @workflow.run
    async def run(self, invoice: CommissionInput) -> None:
        await workflow.wait_condition(lambda: False, timeout=1)
        await workflow.execute_activity(
            "record_commission_payment", invoice.number, start_to_close_timeout=timedelta(1)
        )

    @workflow.update
    async def record_payment(self, payment: PaymentInput) -> None:
        return None


async def test_an_invoice_paid_in_two_steps_is_caught_as_nondeterministic() -> None:
    replayer = Replayer(workflows=[InvoiceWorkflowOfTwoSteps], data_converter=DATA_CONVERTER)
    with pytest.raises(NondeterminismError):
        await replayer.replay_workflow(_history(ROOT / "commission_split.json"))
