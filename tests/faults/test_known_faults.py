"""Faults the kill sweep found in the workflow engine's SDK, each pinned down by a recorded
history: quotes stuck for good by a replay that does not match what a retried workflow task wrote.

Both are marked `xfail(strict=True)`: they fail today, and the day the SDK fixes the cause they
pass, which fails the run until the marker goes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer
from temporalio.workflow import NondeterminismError

from workflows.registry import WORKFLOWS

HISTORIES = Path(__file__).parent / "histories"


# Recorded by the kill sweep. In both, a workflow task was lost with its killed worker and timed
# out; the next attempt, on a fresh worker, wrote commands that the same code does not replay,
# so the quote's workflow task fails on every retry from then on and the quote is stuck.
HISTORY_CASES = {
    # Events 51-56: the retried task saw workflow.now() as the start of the lost attempt (51),
    # 12 s early, and waited 3.36 s for the next reminder (TimerStarted, 56). Replay takes the
    # retried attempt's start (54): the reminder is overdue, so it schedules the emails at once.
    "timer-after-a-timed-out-task": ("quote-Q-2026-00002", "Activity machine"),
    # Events 48-55: a timer fired and a supplier's decision arrived in the task after the lost
    # one; it scheduled the reminder emails (54) before accepting the update (55). Replay
    # delivers the update first.
    "update-accepted-after-a-timed-out-task": ("quote-Q-2026-00012", "Update machine"),
}


@pytest.mark.xfail(
    strict=True,
    raises=NondeterminismError,
    reason="temporalio 1.35 (sdk-core): a workflow task retried after a timeout runs with another "
    "clock and job order than its replay",
)
@pytest.mark.parametrize("name", sorted(HISTORY_CASES))
async def test_a_history_written_across_a_worker_kill_replays(name: str) -> None:
    workflow_id, machine = HISTORY_CASES[name]
    text = (HISTORIES / f"{name}.json").read_text()
    replayer = Replayer(workflows=WORKFLOWS, data_converter=pydantic_data_converter)
    try:
        await replayer.replay_workflow(WorkflowHistory.from_json(workflow_id, text))
    except NondeterminismError as error:
        assert machine in str(error)  # the known mismatch, not some later change of the code
        raise
