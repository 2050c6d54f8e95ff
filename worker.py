"""The worker process: settings → Temporal client → Worker(WORKFLOWS, activities)."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from settings import Settings, get_settings
from workflows.connection import connect_temporal

logger = logging.getLogger("arkanna.worker")

# Sync activities (SQLAlchemy, psycopg2, reportlab) each hold one thread while they run, so the
# pool is exactly as large as the number of activities the worker accepts at once.
MAX_CONCURRENT_ACTIVITIES = 16
# Open quotes kept in memory between their workflow tasks; beyond it the least recently used is
# evicted and replayed from its history on its next task, so memory stays flat however many
# quotes wait on approvals (bench/open_quotes_scale.py measures both).
MAX_CACHED_WORKFLOWS = 500
# On SIGTERM, running activities get this long to finish before they are cancelled.
GRACEFUL_SHUTDOWN = timedelta(seconds=10)
# How long the process waits for the Temporal frontend when it starts before the server does.
CONNECT_ATTEMPTS = 30
CONNECT_DELAY_SECONDS = 2.0
# Modules the sandbox shares with every workflow instead of importing them again for each new
# one: the pure core (standard library only, no state) and the workflows' helpers, which hold no
# workflow definition and no state of their own; and the payload converter, whose validators
# every workflow instance shares. The workflow modules themselves stay sandboxed.
PASSED_THROUGH = (
    "models", "workflows.calls", "workflows.connection", "workflows.search", "workflows.waits"
)  # fmt: skip


def workflow_runner() -> SandboxedWorkflowRunner:
    restrictions = SandboxRestrictions.default.with_passthrough_modules(*PASSED_THROUGH)
    return SandboxedWorkflowRunner(restrictions=restrictions)


def build_worker(
    client: Client,
    settings: Settings,
    *,
    task_queue: str | None = None,
    extra_workflows: Sequence[type] = (),
    extra_activities: Sequence[Callable[..., Any]] = (),
) -> Worker:
    """A worker for every workflow and activity of the product on one task queue."""
    # Imported here so that importing this module (the API does) never loads workflow code.
    from activities import build_activities
    from workflows.registry import WORKFLOWS

    return Worker(
        client,
        task_queue=task_queue or settings.TEMPORAL_TASK_QUEUE,
        workflows=[*WORKFLOWS, *extra_workflows],
        workflow_runner=workflow_runner(),
        activities=[*build_activities(settings), *extra_activities],
        activity_executor=ThreadPoolExecutor(
            max_workers=MAX_CONCURRENT_ACTIVITIES, thread_name_prefix="activity"
        ),
        max_concurrent_activities=MAX_CONCURRENT_ACTIVITIES,
        max_cached_workflows=MAX_CACHED_WORKFLOWS,
        graceful_shutdown_timeout=GRACEFUL_SHUTDOWN,
    )


async def _connect_with_retry(settings: Settings) -> Client:
    for attempt in range(1, CONNECT_ATTEMPTS + 1):
        try:
            return await connect_temporal(settings)
        except RuntimeError as exc:
            if attempt == CONNECT_ATTEMPTS:
                raise
            logger.warning(
                "Temporal at %s not reachable yet (%s); retrying", settings.TEMPORAL_ADDRESS, exc
            )
            await asyncio.sleep(CONNECT_DELAY_SECONDS)
    raise AssertionError("unreachable")


async def schedule_payouts(client: Client, settings: Settings) -> None:
    """Every cluster's monthly payout Schedule, for those founded while the engine was away."""
    from sqlalchemy import select

    from store.db import make_engine, make_session_factory
    from store.tables import Cluster
    from workflows.payout_schedule import ensure_payout_schedules

    engine = make_engine(settings.DATABASE_URL)
    try:
        with make_session_factory(engine)() as session:
            clusters = list(session.scalars(select(Cluster.id)))
        await ensure_payout_schedules(client, clusters, settings.TEMPORAL_TASK_QUEUE)
    except Exception as exc:  # a store not migrated yet has no cluster to schedule
        logger.warning("payout schedules not checked: %s", exc)
    finally:
        engine.dispose()


async def main() -> None:
    """Runs the worker until SIGINT or SIGTERM, then lets running activities finish."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s worker %(levelname)s %(message)s")
    settings = get_settings()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)

    client = await _connect_with_retry(settings)
    await schedule_payouts(client, settings)
    worker = build_worker(client, settings)
    async with worker:
        logger.info(
            "polling task queue %r on %s (namespace %r)",
            worker.task_queue,
            settings.TEMPORAL_ADDRESS,
            settings.TEMPORAL_NAMESPACE,
        )
        await stop.wait()
        logger.info("stopping: waiting up to %s for running activities", GRACEFUL_SHUTDOWN)
    executor = worker.config().get("activity_executor")
    if executor is not None:
        executor.shutdown(wait=True, cancel_futures=True)
    logger.info("stopped")


if __name__ == "__main__":
    exit_code = 0
    try:
        asyncio.run(main())
    except Exception:
        logger.exception("worker failed")
        exit_code = 1
    # The SDK's native threads may still be retrying calls (say, to a server that went away);
    # finalizing the interpreter under them aborts with PyGILState_Release, so skip it.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(exit_code)
