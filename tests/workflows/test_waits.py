"""An overdue wait still starts a timer, so a wait writes the same commands whatever the clock."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from uuid import uuid4

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from temporalio.client import Client, WorkflowHandle

    from settings import Settings
    from tests.temporal_fixtures import assert_no_workflow_task_failure, running_worker
    from workflows.waits import SHORTEST_WAIT, timer_for


@workflow.defn
class OverdueWaitWorkflow:
    """Waits once for a deadline already `late` seconds past, as a quote does after a delay."""

    @workflow.run
    async def run(self, late: float) -> float:
        wait = timer_for(-late)
        with contextlib.suppress(TimeoutError):
            await workflow.wait_condition(lambda: False, timeout=wait)
        return wait.total_seconds()


async def _timers(handle: WorkflowHandle[OverdueWaitWorkflow, float]) -> list[float]:
    return [
        event.timer_started_event_attributes.start_to_fire_timeout.ToTimedelta().total_seconds()
        async for event in handle.fetch_history_events()
        if event.HasField("timer_started_event_attributes")
    ]


async def test_an_overdue_wait_starts_the_shortest_timer(
    temporal_client: Client, settings: Settings
) -> None:
    async with running_worker(
        temporal_client, settings, extra_workflows=[OverdueWaitWorkflow]
    ) as queue:
        handle = await temporal_client.start_workflow(
            OverdueWaitWorkflow.run,
            3.5,
            id=f"overdue-{uuid4()}",
            task_queue=queue,
            execution_timeout=timedelta(seconds=30),
        )
        assert await handle.result() == SHORTEST_WAIT.total_seconds()
        await assert_no_workflow_task_failure(handle)
        assert await _timers(handle) == [SHORTEST_WAIT.total_seconds()]
