"""A minimal reproduction, outside the product, of a retried workflow task whose update and timer
run in one order and replay in the other (the family of temporalio/sdk-python#1591).

Run: python -m tests.faults.repro_update_timer_order [--keep history.json] [--trace]

A workflow waits for an update `decide` (validated, and running an activity as a supplier's
decision is recorded), and each time a 1-s timer runs out first it schedules an activity
`remind`. Worker A (its own process) runs the first workflow task and is SIGKILLed; the
timer fires, the task meant for A's sticky queue times out, and while the retried task waits on
the normal queue an update arrives. Worker B takes that task. The history is then replayed with
the same workflow code; exit status 1 when the replay raises NondeterminismError. `--trace`
logs every activation and completion (the SDK's LOG_PROTOS) of worker B, into
repro-workers.log in the current folder, and of the replay.

With temporalio 1.35.0 it replays: worker B's activation carries the update before the fired
timer, as the replay's does.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from uuid import uuid4

from temporalio import activity, workflow
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowUpdateStage
from temporalio.worker import Replayer, Worker
from temporalio.workflow import NondeterminismError

REMINDER = timedelta(seconds=1)


@activity.defn
async def remind() -> None:
    """Stands in for the reminder emails."""


@workflow.defn(sandboxed=False)
class Reminders:
    def __init__(self) -> None:
        self.decided = False
        self.reminders = 0

    @workflow.run
    async def run(self) -> int:
        while not self.decided:
            try:
                await workflow.wait_condition(lambda: self.decided, timeout=REMINDER)
            except TimeoutError:
                self.reminders += 1
                await workflow.execute_activity(
                    remind, start_to_close_timeout=timedelta(seconds=10)
                )
        return self.reminders

    @workflow.update
    async def decide(self) -> int:
        # As a supplier's decision is recorded: an activity inside the handler.
        await workflow.execute_activity(remind, start_to_close_timeout=timedelta(seconds=10))
        self.decided = True
        return self.reminders

    @decide.validator
    def _check_decide(self) -> None:
        if self.decided:
            raise ValueError("already decided")


def trace() -> None:
    import temporalio.worker._workflow as sdk_workflow_worker

    sdk_workflow_worker.LOG_PROTOS = True
    logging.getLogger("temporalio.worker._workflow").setLevel(logging.DEBUG)


async def serve(address: str, queue: str) -> None:
    client = await Client.connect(address)
    async with Worker(client, task_queue=queue, workflows=[Reminders], activities=[remind]):
        print("polling", flush=True)
        await asyncio.Event().wait()


def spawn(address: str, queue: str, traced: bool, log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", __spec__.name if __spec__ else __file__, "--worker"]
    command += [address, queue] + (["--trace"] if traced else [])
    return subprocess.Popen(command, stdout=log.open("ab"), stderr=subprocess.STDOUT)


async def until_event(client: Client, workflow_id: str, kind: int, after: int = 0) -> int:
    """The id of the first event of `kind` after event `after`."""
    while True:
        async for event in client.get_workflow_handle(workflow_id).fetch_history_events():
            if event.event_type == kind and event.event_id > after:
                return event.event_id
        await asyncio.sleep(0.2)


async def reproduce(address: str, traced: bool, keep: Path | None, log: Path) -> int:
    client = await Client.connect(address)
    queue, workflow_id = f"repro-{uuid4()}", f"reminders-{uuid4()}"
    first = spawn(address, queue, False, log)
    handle = await client.start_workflow(Reminders.run, id=workflow_id, task_queue=queue)
    await until_event(client, workflow_id, EventType.EVENT_TYPE_TIMER_STARTED)
    first.kill()
    fired = await until_event(client, workflow_id, EventType.EVENT_TYPE_TIMER_FIRED)
    await until_event(client, workflow_id, EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT, fired)
    update = asyncio.ensure_future(
        handle.start_update(Reminders.decide, wait_for_stage=WorkflowUpdateStage.ACCEPTED)
    )
    second = spawn(address, queue, traced, log)
    try:
        await update
        await handle.result()
        history = await handle.fetch_history()
    finally:
        second.kill()
    if keep is not None:
        await asyncio.to_thread(keep.write_text, history.to_json())
    try:
        await Replayer(workflows=[Reminders]).replay_workflow(history)
    except NondeterminismError as error:
        print(f"replay failed: {error}")
        return 1
    print("replay passed")
    return 0


async def main() -> int:
    from temporalio.testing import WorkflowEnvironment

    from tests.temporal_fixtures import temporal_binary

    parser = argparse.ArgumentParser()
    parser.add_argument("--keep", type=Path, help="write the history here as JSON")
    parser.add_argument("--trace", action="store_true", help="log activations and completions")
    parser.add_argument("--worker", nargs=2, metavar=("ADDRESS", "QUEUE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if args.trace:
        trace()
    if args.worker:
        await serve(*args.worker)
        return 0
    env = await WorkflowEnvironment.start_local(dev_server_existing_path=temporal_binary())
    try:
        log = Path("repro-workers.log")
        return await reproduce(
            env.client.service_client.config.target_host, args.trace, args.keep, log
        )
    finally:
        await env.shutdown()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
