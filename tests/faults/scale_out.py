"""The scale-out test's parts: one HTTP client over several API processes, taking turns, and who
ran what, read from the histories: the worker identity (`pid@host`, the SDK's default, so each
worker process has its own) that completed each workflow task and each activity."""

from __future__ import annotations

import socket
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode


def identity_of(pid: int) -> str:
    """The identity the Temporal client of process `pid` on this machine reports."""
    return f"{pid}@{socket.gethostname()}"


class Alternating(httpx.AsyncBaseTransport):
    """Sends each request to the next API process in turn; counts what each one answered."""

    def __init__(self, urls: Sequence[str]) -> None:
        self.urls = [httpx.URL(url) for url in urls]
        # Answers below 500 from each process.
        self.answered = [0] * len(self.urls)
        self._turn = 0
        self._inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        index, self._turn = self._turn, (self._turn + 1) % len(self.urls)
        target = self.urls[index]
        request.url = request.url.copy_with(host=target.host, port=target.port)
        request.headers["Host"] = f"{target.host}:{target.port}"
        response = await self._inner.handle_async_request(request)
        self.answered[index] += response.status_code < 500
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


@dataclass
class WhoRan:
    """Per worker identity: workflow tasks and activities completed, and in which workflows."""

    tasks: Counter[str] = field(default_factory=Counter)
    activities: Counter[str] = field(default_factory=Counter)
    workflows: dict[str, set[str]] = field(default_factory=dict)
    # The identity that completed each workflow's last workflow task.
    last: dict[str, str] = field(default_factory=dict)

    def line(self, identity: str, name: str) -> str:
        return (
            f"{name} ({identity}): {self.tasks[identity]} workflow tasks and "
            f"{self.activities[identity]} activities in "
            f"{len(self.workflows.get(identity, ()))} workflows"
        )


async def who_ran(temporal: Client, workflow_ids: Sequence[str]) -> WhoRan:
    ran = WhoRan()
    for workflow_id in workflow_ids:
        try:
            async for event in temporal.get_workflow_handle(workflow_id).fetch_history_events():
                _count(ran, workflow_id, event)
        except RPCError as exc:  # an invoice whose workflow has not started yet
            if exc.status != RPCStatusCode.NOT_FOUND:
                raise
    return ran


def _count(ran: WhoRan, workflow_id: str, event: HistoryEvent) -> None:
    kind = event.event_type
    if kind == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
        identity = event.workflow_task_completed_event_attributes.identity
        ran.tasks[identity] += 1
        ran.last[workflow_id] = identity
    elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
        identity = event.activity_task_completed_event_attributes.identity
        ran.activities[identity] += 1
    else:
        return
    ran.workflows.setdefault(identity, set()).add(workflow_id)
