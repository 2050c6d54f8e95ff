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
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from activities.ledger import KILL_AFTER_SPLIT_COMMIT_ENV
from models.domain import invoice_workflow_id
from settings import Settings
from store.tables import CommissionInvoice, LedgerEntry
from tests.factories import OPERATOR, catalogue_world, expect
from tests.processes import exit_code
from tests.temporal_fixtures import running_worker
from tests.workflows.commission_helpers import close_deal, invoices, pay, shares
from tests.workflows.conftest import FAST, Live
from tests.workflows.crash import armed_worker
from tests.workflows.helpers import line, mails


@pytest.fixture
async def split_crash(
    settings: Settings, db: sessionmaker[Session], temporal_env: WorkflowEnvironment, tmp_path: Path
) -> AsyncIterator[tuple[Live, subprocess.Popen[bytes], Path]]:
    """The API in-process; the only worker is an OS process armed to die after the split."""
    marker = tmp_path / "killed-after-split-commit"
    async with armed_worker(
        settings, db, temporal_env.client, fault_env=KILL_AFTER_SPLIT_COMMIT_ENV,
        marker=marker, log=tmp_path / "worker.log",
    ) as (live, process):  # fmt: skip
        yield live, process, marker


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
