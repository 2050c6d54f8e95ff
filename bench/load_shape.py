"""Counting a workflow's shape from its history, and driving the no-op baseline of that shape."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from uuid import uuid4

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle

from bench.baseline import BaselineWorkflow, Message, Phase, Shape, child_id


@dataclass
class Counted:
    """A workflow's shape, what it started (child workflow ids) and its number of events."""

    shape: Shape
    child_ids: list[str]
    events: int
    # Search-attribute upserts: no shape carries them, the baselines have none.
    upserts: int = 0
    activity_types: Counter[str] = field(default_factory=Counter)

    def totals(self) -> dict[str, int]:
        phases = self.shape.phases
        return {
            "activities": sum(p.activities + p.activities_after_children for p in phases),
            "updates": self.shape.messages.count("update"),
            "signals": self.shape.messages.count("signal"),
            "timers": sum(p.timers for p in phases),
            "children": sum(p.children for p in phases),
            "upserts": self.upserts,
            "events": self.events,
        }


async def count(client: Client, workflow_id: str) -> Counted:
    """Cuts the history into phases at each accepted update or received signal."""
    shape = Shape(messages=[], phases=[Phase()])
    child_ids: list[str] = []
    events = upserts = 0
    activity_types: Counter[str] = Counter()
    async for event in client.get_workflow_handle(workflow_id).fetch_history_events():
        events += 1
        phase = shape.phases[-1]
        kind = event.event_type
        if kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
            shape.messages.append("update")
            shape.phases.append(Phase())
        elif kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
            shape.messages.append("signal")
            shape.phases.append(Phase())
        elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            activity_types[event.activity_task_scheduled_event_attributes.activity_type.name] += 1
            if phase.children:
                phase.activities_after_children += 1
            else:
                phase.activities += 1
        elif kind == EventType.EVENT_TYPE_TIMER_STARTED:
            phase.timers += 1
        elif kind == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
            upserts += 1
        elif kind == EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
            phase.children += 1
            child_ids.append(
                event.start_child_workflow_execution_initiated_event_attributes.workflow_id
            )
    return Counted(shape, child_ids, events, upserts, activity_types)


def inherent(shape: Shape) -> Shape:
    """A deal's inherent shape: its messages, timers and children, but one activity per phase
    that had any (a revision opened, a decision recorded, the quote sent, closed; an invoice
    issued, paid), so no step is split over several activities."""
    phases = [
        Phase(
            activities=1 if phase.activities + phase.activities_after_children else 0,
            children=phase.children,
            timers=phase.timers,
        )
        for phase in shape.phases
    ]
    return Shape(list(shape.messages), phases, [inherent(child) for child in shape.children])


async def count_tree(client: Client, workflow_id: str) -> tuple[Counted, list[Counted]]:
    """A workflow's shape with its children's, which become the shapes of its children."""
    parent = await count(client, workflow_id)
    children = [await count(client, child) for child in parent.child_ids]
    parent.shape.children = [child.shape for child in children]
    return parent, children


async def task_failure(client: Client, workflow_id: str) -> str | None:
    """The message of a failed workflow task: such a workflow retries forever, looking stuck."""
    async for event in client.get_workflow_handle(workflow_id).fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
            return str(event.workflow_task_failed_event_attributes.failure.message)
    return None


def baseline_id() -> str:
    return f"baseline-{uuid4().hex[:12]}"


async def run_baseline(
    client: Client, queue: str, shape: Shape, workflow_id: str, latencies: list[float]
) -> None:
    """Starts one baseline, sends its messages in order, then its children's; waits for all."""
    handle = await client.start_workflow(
        BaselineWorkflow.run, shape, id=workflow_id, task_queue=queue
    )
    await _send(handle, shape, latencies)
    await handle.result()
    for position, child in enumerate(shape.children):
        child_handle = client.get_workflow_handle_for(
            BaselineWorkflow.run, child_id(workflow_id, position)
        )
        await _send(child_handle, child, latencies)
        await child_handle.result()


async def _send(
    handle: WorkflowHandle[BaselineWorkflow, int], shape: Shape, latencies: list[float]
) -> None:
    for index, kind in enumerate(shape.messages, start=1):
        if kind == "signal":
            await handle.signal(BaselineWorkflow.note, Message(index))
            continue
        start = time.perf_counter()
        await handle.execute_update(BaselineWorkflow.message, Message(index))
        if index < len(shape.messages):  # the last one also waits for the phase before it
            latencies.append((time.perf_counter() - start) * 1000)
