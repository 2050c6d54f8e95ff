"""The sandbox's share of the worker's CPU: the committed histories replayed many times.

Run: python bench/sandbox_replay.py [--rounds N]   (default 20)

Replays every history under tests/workflows/histories, N rounds, once with the SDK's default
sandbox and once with the worker's (deterministic modules passed through), and prints the
process CPU per replayed workflow for each. A replay runs every workflow task of a history
through a fresh sandboxed instance, as a worker does after an eviction, without the server.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from worker import workflow_runner
from workflows.connection import DATA_CONVERTER
from workflows.registry import WORKFLOWS

HISTORIES = Path(__file__).resolve().parent.parent / "tests" / "workflows" / "histories"


async def cpu_per_workflow(runner: SandboxedWorkflowRunner, rounds: int) -> float:
    """Milliseconds of process CPU per replayed workflow."""
    histories = [
        WorkflowHistory.from_json(f"bench-{path.stem}", path.read_text())
        for path in sorted(HISTORIES.glob("**/*.json"))
    ]
    replayer = Replayer(workflows=WORKFLOWS, data_converter=DATA_CONVERTER, workflow_runner=runner)
    await replayer.replay_workflows(_each(histories, 1))  # warm-up: imports, caches
    start = time.process_time()
    await replayer.replay_workflows(_each(histories, rounds))
    return (time.process_time() - start) * 1000 / (rounds * len(histories))


async def _each(histories: list[WorkflowHistory], rounds: int) -> AsyncIterator[WorkflowHistory]:
    for _ in range(rounds):
        for history in histories:
            yield history


async def main(rounds: int) -> None:
    default = await cpu_per_workflow(SandboxedWorkflowRunner(), rounds)
    passed = await cpu_per_workflow(workflow_runner(), rounds)
    print(f"default sandbox:            {default:.1f} ms CPU per replayed workflow")
    print(f"deterministic passed through: {passed:.1f} ms CPU per replayed workflow")
    print(f"saved: {100 * (default - passed) / default:.0f} %")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="replays of each history")
    asyncio.run(main(parser.parse_args().rounds))
