"""The payment's crash window: payment and postings committed, the receipt not sent yet, the
worker killed before Temporal hears of it.

The worker runs as its own OS process with a fault hook that SIGKILLs it right after the
commit of the payment with its split (once). A fresh worker without the hook then retries the
activity: it sends the receipt, once, and the ledger holds exactly one posting per (invoice,
member, role).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from activities.ledger import KILL_AFTER_SPLIT_COMMIT_ENV
from api.app import create_app
from models.domain import invoice_workflow_id
from settings import Settings
from store.tables import CommissionInvoice, LedgerEntry
from tests.factories import OPERATOR, catalogue_world, expect
from tests.processes import ROOT, exit_code, until_polled, worker_environment
from tests.temporal_fixtures import running_worker, terminate_open
from tests.workflows.commission_helpers import close_deal, invoices, pay, shares
from tests.workflows.conftest import FAST, Live
from tests.workflows.helpers import line, mails


def worker_process(
    settings: Settings, address: str, marker: Path | None, **extra_env: str
) -> subprocess.Popen[bytes]:
    """`worker.py` as its own OS process; armed to die after the split when given a marker."""
    armed = {KILL_AFTER_SPLIT_COMMIT_ENV: str(marker)} if marker else {}
    env = worker_environment(settings, address, **armed, **extra_env)
    return subprocess.Popen([sys.executable, "worker.py"], cwd=ROOT, env=env)


@pytest.fixture
async def split_crash(
    settings: Settings,
    db: sessionmaker[Session],
    temporal_env: WorkflowEnvironment,
    tmp_path: Path,
) -> AsyncIterator[tuple[Live, subprocess.Popen[bytes], Path]]:
    """The API in-process; the only worker is an OS process armed to die after the split."""
    client: Client = temporal_env.client
    queued = settings.model_copy(update={"TEMPORAL_TASK_QUEUE": f"crash-{uuid4()}"})
    marker = tmp_path / "killed-after-split-commit"
    process = worker_process(queued, client.service_client.config.target_host, marker)
    await until_polled(client, queued.TEMPORAL_TASK_QUEUE, process)
    app = create_app(queued, client)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as api:
            yield Live(api, client, queued, db), process, marker
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        await terminate_open(client, queued.TEMPORAL_TASK_QUEUE)
        app.state.engine.dispose()


async def test_a_worker_killed_after_the_split_commit_leaves_one_posting_per_share(
    split_crash: tuple[Live, subprocess.Popen[bytes], Path],
) -> None:
    live, process, marker = split_crash
    assert KILL_AFTER_SPLIT_COMMIT_ENV not in os.environ  # the in-process worker is unarmed
    world = await catalogue_world(live.api, settings=FAST)
    alice = world.members["alice"]
    order = await close_deal(live, world, alice, [line(world, "alice-audit")])
    number = (await invoices(live, order))[alice.id]["number"]
    expect(await pay(live, number, "120.00"), 200)

    assert await exit_code(process) == -9 and marker.exists()
    assert not mails(live, "Payment received")
    with live.db() as session:  # committed before the kill: status and postings are there
        assert session.get_one(CommissionInvoice, number).status.value == "split"
        first = _keys(session, number)
    assert first

    handle = live.temporal.get_workflow_handle(invoice_workflow_id(number))
    async with running_worker(live.temporal, live.settings, live.settings.TEMPORAL_TASK_QUEUE):
        await asyncio.wait_for(handle.result(), timeout=60)
    assert (await handle.describe()).status == WorkflowExecutionStatus.COMPLETED
    assert await _split_attempts(handle) >= 2  # the activity really ran again
    assert len(mails(live, "Payment received")) == 1  # what the killed attempt left undone

    with live.db() as session:
        assert _keys(session, number) == first  # one posting per (invoice, member, role)
        total = session.scalar(
            select(func.sum(LedgerEntry.amount_cents)).where(LedgerEntry.invoice_number == number)
        )
    assert total == 12_000  # the shares of the 100.00 commission and its tax
    view = expect(await live.api.get(f"/commission-invoices/{number}", headers=OPERATOR), 200)
    assert len(shares(view)) == len(view["shares"]) == len(first) - 1  # all but the tax


def _keys(session: Session, number: str) -> list[str]:
    return list(
        session.scalars(
            select(LedgerEntry.idempotency_key)
            .where(LedgerEntry.invoice_number == number)
            .order_by(LedgerEntry.idempotency_key)
        )
    )


async def _split_attempts(handle: WorkflowHandle[Any, Any]) -> int:
    attempts = 0
    async for event in handle.fetch_history_events():
        if event.HasField("activity_task_started_event_attributes"):
            attempts = max(attempts, event.activity_task_started_event_attributes.attempt)
    return attempts
