"""A payout run's crash window: the first member paid and posted, the worker killed before the
second and before Temporal hears of either. A fresh worker retries the step: the second member
is paid, the first is not paid again; each has one self-billed number, one set of postings,
one transfer in the file and one email."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from temporalio.testing import WorkflowEnvironment

from activities.payouts import KILL_AFTER_PAYOUT_COMMIT_ENV
from models.payout_runs import month_paid_at, run_workflow_id
from settings import Settings
from store.tables import LedgerEntry, Payout
from tests.factories import OPERATOR, expect
from tests.processes import exit_code
from tests.temporal_fixtures import running_worker
from tests.workflows.conftest import Live
from tests.workflows.crash import armed_worker
from tests.workflows.full_deal import PLATFORM
from tests.workflows.helpers import outbox
from tests.workflows.test_payouts import PAIN, _deal

pytestmark = pytest.mark.slow


@pytest.fixture
async def payout_crash(
    settings: Settings, db: sessionmaker[Session], temporal_env: WorkflowEnvironment, tmp_path: Path
) -> AsyncIterator[tuple[Live, subprocess.Popen[bytes], Path]]:
    """The API in-process; the only worker an OS process armed to die after a payout."""
    marker = tmp_path / "killed-after-payout-commit"
    async with armed_worker(
        settings, db, temporal_env.client, fault_env=KILL_AFTER_PAYOUT_COMMIT_ENV,
        marker=marker, log=tmp_path / "worker.log", **PLATFORM,
    ) as (live, process):  # fmt: skip
        yield live, process, marker


async def test_a_worker_killed_between_two_payouts_pays_each_member_once(
    payout_crash: tuple[Live, subprocess.Popen[bytes], Path],
) -> None:
    async with asyncio.timeout(150):  # a worker that dies too soon fails this, never hangs it
        await _killed_between_two_payouts(*payout_crash)


async def _killed_between_two_payouts(
    live: Live, process: subprocess.Popen[bytes], marker: Path
) -> None:
    deal = await _deal(live)  # alice and the founder, both to be paid
    period = month_paid_at(datetime.now(UTC))
    body = {"cluster_id": deal.world.cluster_id, "period": period}
    run = expect(await live.api.post("/payout-runs", json=body, headers=OPERATOR), 201)
    assert [p["status"] for p in run["payouts"]] == ["due", "due"]
    path = f"/payout-runs/{run['id']}/decisions"
    expect(await live.api.post(path, json={"action": "approve"}, headers=OPERATOR), 200)

    assert await exit_code(process) == -9 and await asyncio.to_thread(marker.exists)
    with live.db() as session:  # one member paid and posted before the kill, one not
        assert sorted(p.status for p in session.scalars(select(Payout))) == ["due", "paid"]

    handle = live.temporal.get_workflow_handle(run_workflow_id(deal.world.cluster_id, period))
    async with running_worker(live.temporal, live.settings, live.settings.TEMPORAL_TASK_QUEUE):
        await asyncio.wait_for(handle.result(), timeout=60)

    with live.db() as session:
        payouts = list(session.scalars(select(Payout).order_by(Payout.member_id)))
        keys = list(
            session.scalars(select(LedgerEntry.idempotency_key).where(LedgerEntry.role == "payout"))
        )
    assert [p.status for p in payouts] == ["paid", "paid"]
    assert [p.self_billed_number for p in payouts] == [
        f"SB-{p.member_id}-{datetime.now(UTC).year}-00001" for p in payouts
    ]
    assert sorted(keys) == sorted(f"payout:{p.id}:net" for p in payouts)
    view = expect(await live.api.get(f"/payout-runs/{run['id']}", headers=OPERATOR), 200)
    data = (await live.api.get(view["transfer_file"], headers=OPERATOR)).content
    ids = [e.text for e in etree.fromstring(data).iter(f"{PAIN}EndToEndId")]
    assert sorted(ids) == sorted(p.self_billed_number for p in payouts)
    sent = [m for m in outbox(live) if "Payout for" in str(m["Subject"])]
    assert len(sent) == 2
