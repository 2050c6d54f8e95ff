"""The kill sweep's moving parts: a killer that SIGKILLs the worker process at seeded random
moments and starts it again, and a look at what each kill interrupted."""

from __future__ import annotations

import asyncio
import os
import random
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from temporalio.api.enums.v1 import PendingActivityState
from temporalio.client import Client
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from models.domain import invoice_workflow_id, quote_workflow_id
from store.tables import CommissionInvoice, Quote
from tests.faults.deals import code_failures
from tests.processes import WorkerProcess

SEED_ENV = "ARKANNA_FAULT_SEED"
# Set to 1 to let a killed worker's activities time out (start-to-close: 15 s to 2 min) instead
# of failing them at once; slower, and the same retry path for the activity code.
REAL_TIMEOUTS_ENV = "ARKANNA_FAULT_REAL_TIMEOUTS"


def sweep_seed() -> int:
    """ARKANNA_FAULT_SEED replays a run's kill schedule and deal mix; otherwise a fresh one."""
    given = os.environ.get(SEED_ENV)
    return int(given) if given else random.SystemRandom().randrange(2**32)


def fail_at_once() -> bool:
    return os.environ.get(REAL_TIMEOUTS_ENV) != "1"


def workflow_ids(db: sessionmaker[Session]) -> list[str]:
    """Every quote's and invoice's workflow id, from the store."""
    with db() as session:
        quotes = session.scalars(select(Quote.number)).all()
        invoices = session.scalars(select(CommissionInvoice.number)).all()
    return [*map(quote_workflow_id, quotes), *map(invoice_workflow_id, invoices)]


@dataclass
class Interrupted:
    """The activities a dead worker was running, found from the store's quotes and invoices."""

    temporal: Client
    db: sessionmaker[Session]
    # (workflow id, activity id, attempt) already reported: with real timeouts an attempt
    # killed once stays "started" until its timeout, across later kills.
    seen: set[tuple[str, str, int]] = field(default_factory=set)
    # Only the activities last started by this worker identity (`pid@host`); all when None.
    identity: str | None = None

    async def collect(self, fail: bool) -> list[str]:
        """ "workflow id: activity (attempt n)" of each; failed at once when `fail`, standing in
        for the heartbeat timeout that would notice the dead worker."""
        ids = await asyncio.to_thread(self._workflow_ids)
        found = await asyncio.gather(*(self._started(i, fail) for i in ids))
        return [line for lines in found for line in lines]

    async def running(self) -> bool:
        """Whether an activity of this worker is started right now (nothing is reported)."""
        ids = await asyncio.to_thread(self._workflow_ids)
        return any(await asyncio.gather(*(self._runs(i) for i in ids)))

    async def _runs(self, workflow_id: str) -> bool:
        try:
            description = await self.temporal.get_workflow_handle(workflow_id).describe()
        except RPCError as exc:
            if exc.status == RPCStatusCode.NOT_FOUND:
                return False
            raise
        return any(
            p.state == PendingActivityState.PENDING_ACTIVITY_STATE_STARTED
            and (self.identity is None or p.last_worker_identity == self.identity)
            and (workflow_id, p.activity_id, p.attempt) not in self.seen
            for p in description.raw_description.pending_activities
        )

    def _workflow_ids(self) -> list[str]:
        return workflow_ids(self.db)

    async def _started(self, workflow_id: str, fail: bool) -> list[str]:
        handle = self.temporal.get_workflow_handle(workflow_id)
        try:
            description = await handle.describe()
        except RPCError as exc:  # an invoice whose workflow has not started yet
            if exc.status == RPCStatusCode.NOT_FOUND:
                return []
            raise
        lines = []
        for pending in description.raw_description.pending_activities:
            attempt = (workflow_id, pending.activity_id, pending.attempt)
            if pending.state != PendingActivityState.PENDING_ACTIVITY_STATE_STARTED:
                continue
            if attempt in self.seen:
                continue
            if self.identity is not None and pending.last_worker_identity != self.identity:
                continue
            self.seen.add(attempt)
            lines.append(f"{workflow_id}: {pending.activity_type.name} (attempt {pending.attempt})")
            if fail:
                activity = self.temporal.get_async_activity_handle(
                    workflow_id=workflow_id,
                    run_id=description.run_id,
                    activity_id=pending.activity_id,
                )
                await activity.fail(ApplicationError("its worker was killed", type="WorkerKilled"))
        return lines


@dataclass
class Kill:
    after_seconds: float
    interrupted: list[str] = field(default_factory=list)


@dataclass
class Killer:
    """Kills the worker `kills` times, each at a random moment after its pollers came up; the
    first as soon as an activity runs, so that at least one kill interrupts one however fast
    the machine runs them."""

    worker: WorkerProcess
    interrupted: Interrupted
    rng: random.Random
    kills: int
    # Seconds between the worker polling and its death.
    delay: tuple[float, float] = (0.2, 3.0)
    record: list[Kill] = field(default_factory=list)

    async def run(self) -> list[Kill]:
        loop = asyncio.get_running_loop()
        started = loop.time()
        fail = fail_at_once()
        for n in range(self.kills):
            await self.worker.ready()
            delay = self.rng.uniform(*self.delay)
            if n == 0:
                aim = loop.time() + 10 * self.delay[1]
                # What is watched is the server's state, not this process's: no event to await.
                while not await self.interrupted.running() and loop.time() < aim:  # noqa: ASYNC110
                    await asyncio.sleep(0.01)
            else:
                await asyncio.sleep(delay)
            assert self.worker.kill() == -9, "the worker died before it was killed"
            kill = Kill(round(loop.time() - started, 1))
            kill.interrupted = await self.interrupted.collect(fail)
            self.record.append(kill)
            self.worker.start()
        await self.worker.ready()
        return self.record


async def watch_workflow_code(
    temporal: Client, db: sessionmaker[Session], keep: Path, every: float = 3.0
) -> None:
    """Raises as soon as a workflow task fails in workflow code (say, a replay that does not
    match its history): such a workflow retries forever and a message to it waits forever.
    Keeps the workflow's history as JSON under `keep`, for a replay test."""
    while True:
        ids = await asyncio.to_thread(workflow_ids, db)
        for workflow_id in ids:
            handle = temporal.get_workflow_handle(workflow_id)
            try:
                failures = await code_failures(handle)
            except RPCError as exc:  # an invoice whose workflow has not started yet
                if exc.status != RPCStatusCode.NOT_FOUND:
                    raise
                continue
            if failures:
                history = (await handle.fetch_history()).to_json()
                path = await asyncio.to_thread(_keep, keep / f"{workflow_id}.json", history)
                raise AssertionError("\n".join([*failures, f"history kept in {path}"]))
        await asyncio.sleep(every)


def _keep(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path
