"""A live stack per test: the API in-process, the real dev server, a worker on its own queue."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client

from api.app import create_app
from models.domain import quote_workflow_id
from settings import Settings
from tests.factories import expect
from tests.temporal_fixtures import assert_no_workflow_task_failure, running_worker, terminate_open

LONG_READ_SECONDS = 2

# Short cluster durations: every timer of a quote fits in a test.
FAST = {
    "reminder_interval": 2,
    "approval_timeout": 60,
    "revision_timeout": 60,
    "validity": 60,
    "payment_terms": 60,
}


@dataclass
class Live:
    api: httpx.AsyncClient
    temporal: Client
    settings: Settings
    db: sessionmaker[Session]

    async def quote(self, number: str, headers: dict[str, str]) -> Any:
        return expect(await self.api.get(f"/quotes/{number}", headers=headers), 200)

    async def until(
        self, number: str, headers: dict[str, str], status: str, within: float = 30
    ) -> Any:
        """Long reads of the quote until it reaches `status`; each read is held at most
        LONG_READ_SECONDS, so a workflow task failure fails the test soon."""
        handle = self.temporal.get_workflow_handle(quote_workflow_id(number))
        deadline = asyncio.get_running_loop().time() + within
        params = {"wait_for": status, "wait": LONG_READ_SECONDS}
        while True:
            response = await self.api.get(f"/quotes/{number}", params=params, headers=headers)
            # 503 while the fresh worker has not polled its queue yet; anything else is final.
            state = expect(response, 200) if response.status_code != 503 else {"status": None}
            if state["status"] == status:
                return state
            await assert_no_workflow_task_failure(handle)
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{number} stayed {state['status']}, expected {status}")
            await asyncio.sleep(0.2)


@asynccontextmanager
async def api_only(
    settings: Settings, db: sessionmaker[Session], temporal_client: Client
) -> AsyncIterator[Live]:
    """The API on a fresh task queue, with no worker yet: start one with `running_worker`."""
    queued = settings.model_copy(update={"TEMPORAL_TASK_QUEUE": f"quotes-{uuid4()}"})
    app = create_app(queued, temporal_client)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as api:
        yield Live(api, temporal_client, queued, db)
    app.state.status_events.close()
    app.state.engine.dispose()


@pytest.fixture
async def live(
    settings: Settings, db: sessionmaker[Session], temporal_client: Client
) -> AsyncIterator[Live]:
    async with api_only(settings, db, temporal_client) as stack:
        queue = stack.settings.TEMPORAL_TASK_QUEUE
        async with running_worker(temporal_client, stack.settings, queue):
            yield stack
            await terminate_open(temporal_client, queue)
