"""Two histories the kill sweep recorded before the `timer-on-every-wait` patch, each written by a
workflow task retried after its worker was killed, and each failing its own replay.

Neither can be written by today's code as far as it has been tried (tests/faults/
UPSTREAM-update-timer-order.md), so they are regression guards, not expected failures:

- "timer-after-a-timed-out-task": the retried task read workflow.now() as the start of the lost
  attempt (event 51) and started a 3.36 s timer (56); the replay reads the retried attempt's start
  (54), finds the reminder overdue and schedules the emails at once. Today every wait starts a
  timer, an overdue one included (workflows/waits.py), so the commands no longer depend on which
  start the clock reads. Replaying this unpatched history still takes the old path and must still
  fail the same way: the day it replays, the replayer no longer checks what it did, or the
  unpatched path changed, and this history's meaning has to be looked at again.
- "update-accepted-after-a-timed-out-task": a timer fired and a supplier's decision arrived in the
  task after the lost one; the emails were scheduled (54) before the update was accepted (55), and
  the replay delivers the update first. A minimal workflow put through the same kill, time-out and
  update (tests/faults/repro_update_timer_order.py) runs the update first live and on replay alike,
  and the kill sweeps since the patch have not written it again.

A strict expected failure would claim that an SDK fix makes these histories replay; it would not:
each history was written by the faulty run, and a fixed SDK replays it the same way.
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

HISTORY_CASES = {
    "timer-after-a-timed-out-task": ("quote-Q-2026-00002", "Activity machine"),
    "update-accepted-after-a-timed-out-task": ("quote-Q-2026-00012", "Update machine"),
}


@pytest.mark.parametrize("name", sorted(HISTORY_CASES))
async def test_a_history_written_across_a_worker_kill_still_fails_its_replay(name: str) -> None:
    workflow_id, machine = HISTORY_CASES[name]
    text = (HISTORIES / f"{name}.json").read_text()
    replayer = Replayer(workflows=WORKFLOWS, data_converter=pydantic_data_converter)
    with pytest.raises(NondeterminismError) as raised:
        await replayer.replay_workflow(WorkflowHistory.from_json(workflow_id, text))
    # The known mismatch, not some later change of the code.
    assert machine in str(raised.value)
