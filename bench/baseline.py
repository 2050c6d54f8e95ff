"""A no-op workflow with the shape of a quote, the engine's own cost for the load benchmark.

BaselineWorkflow runs a `Shape` counted from a finished quote's history: the same number of
activities (no-op, they return at once), of updates and signals it waits for, of timers and of
child workflows (themselves BaselineWorkflows with the shape of a commission invoice).

- Phase 0 runs at the start; phase i runs once message i (update or signal) has been handled.
- The first activity of phase i runs inside message i's handler, so the sender waits for one
  activity, as a supplier's decision waits for its record.
- The last message waits for the phase before it to finish, as a client can only accept a quote
  already sent and an invoice is paid once issued.
- A phase's first timer bounds the wait for the next message, as the quote's approval and
  validity timers do: started with the phase's work, cancelled when the message has been
  handled (a short sleep when the message is already there). Other timers are short sleeps.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.exceptions import ApplicationError

STEP_TIMEOUT = timedelta(seconds=30)
MESSAGE_WAIT = timedelta(hours=1)
SHORT_TIMER = timedelta(milliseconds=10)


@dataclass
class Phase:
    activities: int = 0
    children: int = 0
    activities_after_children: int = 0
    timers: int = 0


@dataclass
class Shape:
    messages: list[str] = field(default_factory=list)  # "update" or "signal", in arrival order
    phases: list[Phase] = field(default_factory=lambda: [Phase()])  # len(messages) + 1
    children: list[Shape] = field(default_factory=list)  # in start order


@dataclass
class Message:
    index: int


def child_id(parent_id: str, position: int) -> str:
    return f"{parent_id}-child-{position}"


@activity.defn(name="baseline_step")
async def baseline_step() -> None:
    """Does nothing: what is left of an activity is the engine's round trip."""


@workflow.defn(name="BaselineWorkflow")
class BaselineWorkflow:
    """Exposes update `message` and signal `note` (the same handling), and no query."""

    @workflow.init
    def __init__(self, shape: Shape) -> None:
        self.shape = shape
        self.received = 0
        self.handled = 0
        self.completed = -1  # the last phase whose work is done
        self.started_children = 0

    @workflow.run
    async def run(self, shape: Shape) -> int:
        bound: asyncio.Task[None] | None = None
        for index, phase in enumerate(shape.phases):
            if index > 0:
                await self._until_handled(index, bound)
            timers = phase.timers
            bounded_wait = timers > 0 and index < len(shape.messages)
            bound = None
            if bounded_wait and self.handled > index:
                # The message is already here: a timer started and cancelled in this workflow
                # task would leave nothing in the history, so a short one runs out instead.
                await workflow.sleep(SHORT_TIMER)
            elif bounded_wait:
                # Started with the phase's work, so that it is recorded before the message
                # cancels it.
                bound = asyncio.create_task(workflow.sleep(MESSAGE_WAIT))
            await self._work(phase, in_handler=1 if index > 0 and phase.activities else 0)
            for _ in range(timers - int(bounded_wait)):
                await workflow.sleep(SHORT_TIMER)
            self.completed = index
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.started_children

    @workflow.update
    async def message(self, message: Message) -> int:
        await self._handle()
        return message.index

    @workflow.signal
    async def note(self, message: Message) -> None:
        await self._handle()

    async def _handle(self) -> None:
        self.received += 1
        index = self.received
        if index == len(self.shape.messages):
            await workflow.wait_condition(lambda: self.completed >= index - 1)
        if index < len(self.shape.phases) and self.shape.phases[index].activities:
            await _step()
        self.handled += 1

    async def _until_handled(self, index: int, bound: asyncio.Task[None] | None) -> None:
        timed_out = lambda: bound is not None and bound.done()  # noqa: E731
        await workflow.wait_condition(lambda: self.handled >= index or timed_out())
        if self.handled < index:
            raise ApplicationError("no message within an hour", non_retryable=True)
        if bound is not None:
            bound.cancel()

    async def _work(self, phase: Phase, in_handler: int) -> None:
        for _ in range(phase.activities - in_handler):
            await _step()
        for _ in range(phase.children):
            position = self.started_children
            self.started_children += 1
            await workflow.start_child_workflow(
                BaselineWorkflow.run,
                self.shape.children[position],
                id=child_id(workflow.info().workflow_id, position),
                parent_close_policy=workflow.ParentClosePolicy.ABANDON,
            )
        for _ in range(phase.activities_after_children):
            await _step()


async def _step() -> None:
    await workflow.execute_activity(
        baseline_step, start_to_close_timeout=STEP_TIMEOUT, summary="no-op"
    )
