"""A decision and a reminder timer in one workflow task, in both orders, give the same commands
and replay: the handler only records, the run loop acts.

The worker is parked (stopped) while the reminder's timer fires and the decision is sent, one
before the other, then started again: both come to it in one activation. The loop looks at the
recorded decision first and the reminder again after it, so whichever came first, that task
schedules the same commands.

What it guards against: the SDK may run an update's handler before or after the code woken by a
timer of the same activation, and in another order on replay than live, after a worker's cold
start (temporalio/sdk-python#1591, open). A handler that issued commands itself could then write
a history its own replay refuses; a handler that only records cannot.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle, WorkflowHistory
from temporalio.worker import Replayer

from models.domain import quote_workflow_id
from models.quote_payloads import DecisionInput
from tests.factories import catalogue_world
from tests.temporal_fixtures import running_worker, terminate_open
from tests.workflows.conftest import FAST, Live, api_only
from tests.workflows.helpers import keep_history, launch, line
from workflows.connection import DATA_CONVERTER
from workflows.quote import QuoteWorkflow
from workflows.registry import WORKFLOWS

COMMANDS = {
    EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
    EventType.EVENT_TYPE_TIMER_STARTED,
    EventType.EVENT_TYPE_TIMER_CANCELED,
    EventType.EVENT_TYPE_MARKER_RECORDED,
    EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED,
}
SETTINGS = {**FAST, "reminder_interval": 3}


async def _kinds(handle: WorkflowHandle[Any, Any]) -> list[EventType.ValueType]:
    return [event.event_type async for event in handle.fetch_history_events()]


async def _until_event(handle: WorkflowHandle[Any, Any], kind: EventType.ValueType) -> None:
    for _ in range(200):
        if kind in await _kinds(handle):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"no {EventType.Name(kind)} in the history")


async def _one_task(live: Live, temporal: Client, decision_first: bool) -> WorkflowHistory:
    queue = live.settings.TEMPORAL_TASK_QUEUE
    async with running_worker(temporal, live.settings, queue):
        world = await catalogue_world(live.api, settings=SETTINGS)
        alice, bob = world.members["alice"], world.members["bob"]
        number = (await launch(live, world, alice, [line(world, "bob-install")]))["number"]
        await live.until(number, alice.headers, "pending_approval")
        handle = temporal.get_workflow_handle(quote_workflow_id(number))
        await _until_event(handle, EventType.EVENT_TYPE_TIMER_STARTED)  # the reminder's wait
    decision = DecisionInput(bob.id, 1, "approve")
    decide = lambda: asyncio.create_task(handle.execute_update(QuoteWorkflow.decide, decision))  # noqa: E731
    sent = decide() if decision_first else None
    await _until_event(handle, EventType.EVENT_TYPE_TIMER_FIRED)
    sent = sent or decide()
    await asyncio.sleep(0.5)  # the update has reached the server
    async with running_worker(temporal, live.settings, queue):
        state = await asyncio.wait_for(sent, 30)
        assert state.approvals and bob.id not in [
            a.supplier_id for a in state.approvals if a.status == "pending"
        ]
        await _until_event(handle, EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)
        await live.until(number, alice.headers, "pending_approval")
        for _ in range(50):  # the overdue reminder, looked at again after the decision
            kinds = [event.kind for event in (await handle.query(QuoteWorkflow.get_state)).events]
            if "reminded" in kinds:
                break
            await asyncio.sleep(0.1)
        assert "reminded" in kinds
        name = "decision_then_timer" if decision_first else "timer_then_decision"
        await keep_history(live, number, f"same_task_{name}")
        history = await handle.fetch_history()
        await terminate_open(temporal, queue)
    return history


def _combined_task_commands(history: WorkflowHistory) -> list[str]:
    """The commands of the task that got both the fired timer and the accepted decision."""
    events = list(history.events)
    fired = next(
        i for i, e in enumerate(events) if e.event_type == EventType.EVENT_TYPE_TIMER_FIRED
    )
    accepted = next(
        i
        for i, e in enumerate(events)
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
    )
    between = [e.event_type for e in events[fired:accepted]]
    assert between.count(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) == 1, "not one task"
    completed = fired + between.index(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)
    commands = []
    for event in events[completed + 1 :]:
        if event.event_type not in COMMANDS:
            break
        commands.append(EventType.Name(event.event_type))
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            scheduled = event.activity_task_scheduled_event_attributes
            step = json.loads(scheduled.input.payloads[0].data)
            kinds = sorted(notice["kind"] for notice in step["notices"])
            commands.append(f"{scheduled.activity_type.name}: {len(step['decisions'])} {kinds}")
    return commands


async def test_a_decision_and_a_reminder_in_one_task_act_the_same_in_either_order(
    settings: Any, db: Any, temporal_client: Client
) -> None:
    histories = []
    for decision_first in (True, False):
        async with api_only(settings, db, temporal_client) as live:
            histories.append(await _one_task(live, temporal_client, decision_first))
    first, second = (_combined_task_commands(h) for h in histories)
    assert first == second
    # One activity, the loop's: it records the decision and nothing else; the reminder is
    # looked at again once the decision is recorded, and goes out in a later task.
    assert first.count("EVENT_TYPE_ACTIVITY_TASK_SCHEDULED") == 1, first
    assert "record_quote_step: 1 []" in first, first
    replayer = Replayer(workflows=WORKFLOWS, data_converter=DATA_CONVERTER)
    for history in histories:
        await replayer.replay_workflow(history)
