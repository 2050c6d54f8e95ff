"""Scale out on one machine: two API processes and two worker processes on one Temporal server
and one store, and one worker SIGKILLed while deals run.

The APIs run as production runs them (`python -m api.serve`); every request of every deal goes to
the next API in turn. Each worker process is `python worker.py` with its own identity (`pid@host`),
which the server records on every workflow task and activity it completes, so the histories show
who ran what. Once both workers have run part of the deals, one is SIGKILLed and not restarted:
the survivor takes over its workflows (a task lost with the dead worker times out; its running
activities are failed at once, standing in for the heartbeat timeout), every deal reaches
`split`, every workflow completes, and the invariant checker finds nothing lost or doubled.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx
import pytest

from tests.api_process import Server
from tests.factories import Actor, add_client, catalogue_world
from tests.faults.conftest import Rig
from tests.faults.deals import Stack, all_completed, run_deal
from tests.faults.invariants import check_invariants
from tests.faults.scale_out import Alternating, WhoRan, identity_of, who_ran
from tests.faults.sweep import Interrupted, workflow_ids
from tests.processes import WorkerProcess

DEALS = 8
# Workflow tasks each worker completes before one of them is killed.
TASKS_BEFORE_KILL = 20
DEAL_DEADLINE = 120.0
DURATIONS = {
    "reminder_interval": 600,
    "approval_timeout": 900,
    "revision_timeout": 900,
    "validity": 900,
    "payment_terms": 900,
}
OFFER_SETS = (
    ["alice-audit", "bob-install", "carol-training"],
    ["bob-install", "founder"],
    ["carol-training"],
    ["alice-audit", "founder"],
)
SELLERS = ("alice", "bob", "carol")


@asynccontextmanager
async def two_apis(rig: Rig) -> AsyncIterator[tuple[httpx.AsyncClient, Alternating]]:
    """Two `python -m api.serve` processes on the rig's store, server and queue."""
    settings = rig.settings
    env = {
        "TEMPORAL_ADDRESS": rig.temporal.service_client.config.target_host,
        "TEMPORAL_NAMESPACE": "default",
        "TEMPORAL_TASK_QUEUE": settings.TEMPORAL_TASK_QUEUE,
        "OUTBOX_DIR": str(settings.OUTBOX_DIR),
        "DOCUMENTS_DIR": str(settings.DOCUMENTS_DIR),
        "PUBLIC_BASE_URL": settings.PUBLIC_BASE_URL,
        "CLIENT_LINK_REQUESTS_PER_IP": "10000",
    }
    async with AsyncExitStack() as stack:
        servers = []
        for index in range(2):
            server = Server(settings.DATABASE_URL, rig.folder / f"api-{index}.log", **env)
            stack.callback(server.stop)
            servers.append(server)
        for server in servers:
            await asyncio.to_thread(server.wait_ready)
        transport = Alternating([server.url for server in servers])
        client = httpx.AsyncClient(transport=transport, base_url="http://api", timeout=30)
        yield await stack.enter_async_context(client), transport


async def until_both_ran(rig: Rig, identities: list[str], within: float = 60) -> WhoRan:
    """Waits until each worker has completed some workflow tasks of the running deals."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        ran = await who_ran(rig.temporal, await asyncio.to_thread(workflow_ids, rig.db))
        if all(ran.tasks[identity] >= TASKS_BEFORE_KILL for identity in identities):
            return ran
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"the deals did not spread over both workers: {ran.tasks}")
        await asyncio.sleep(0.5)


async def kill_once_both_ran(rig: Rig, workers: list[WorkerProcess]) -> tuple[WhoRan, list[str]]:
    """SIGKILLs the first worker once both have worked; its running activities fail at once."""
    identities = [identity_of(w.process.pid) for w in workers if w.process is not None]
    before = await until_both_ran(rig, identities)
    assert workers[0].kill() == -9, "the worker died before it was killed"
    caught = Interrupted(rig.temporal, rig.db, identity=identities[0])
    return before, await caught.collect(fail=True)


@pytest.mark.slow
async def test_deals_spread_over_two_workers_and_survive_one_killed(rig: Rig) -> None:
    began = time.monotonic()
    workers = [rig.worker(), rig.worker()]
    for worker in workers:
        worker.start()
    await asyncio.gather(*(worker.ready() for worker in workers))
    killed, survivor = (identity_of(w.process.pid) for w in workers if w.process is not None)
    async with two_apis(rig) as (api, transport):
        world = await catalogue_world(api, settings=DURATIONS)
        clients = {"alice": world.clients["acme"]}
        for name in ("bob", "carol"):
            clients[name] = await add_client(api, world, world.members[name], f"{name}-client")
        people: dict[int, Actor] = {world.founder.id: world.founder}
        people |= {a.id: a for a in world.members.values()}
        stack = Stack(api, rig.db, asyncio.get_running_loop().time() + DEAL_DEADLINE)
        deals = asyncio.gather(
            *(
                run_deal(
                    stack,
                    world.members[SELLERS[i % 3]],
                    clients[SELLERS[i % 3]],
                    [
                        {"offer_id": world.offers[o], "quantity": "1", "discount": "0"}
                        for o in OFFER_SETS[i % len(OFFER_SETS)]
                    ],
                    people,
                    f"scale-out-{i}",
                )
                for i in range(DEALS)
            )
        )
        (before, caught), done = await asyncio.gather(kill_once_both_ran(rig, workers), deals)
        answered = list(transport.answered)
    ids = [i for deal in done for i in deal.workflow_ids]
    await all_completed(rig.temporal, ids)
    after = await who_ran(rig.temporal, ids)
    print(
        f"{len(done)} deals, {len(ids)} workflows in {time.monotonic() - began:.0f} s; "
        f"requests answered per API process {answered}",
        before.line(killed, "killed worker, at its death"),
        after.line(survivor, "surviving worker, at the end"),
        f"activities of the killed worker failed at its death: {caught or '-'}",
        sep="\n",
    )

    assert min(answered) > len(ids), f"an API process answered next to nothing: {answered}"
    assert before.tasks[killed] >= TASKS_BEFORE_KILL and before.tasks[survivor] >= 1
    taken_over = [w for w in before.workflows[killed] if after.last.get(w) == survivor]
    assert taken_over, "no workflow the killed worker had run was finished by the survivor"
    assert stack.server_errors == [], f"500 from {stack.server_errors}"
    with rig.db() as session:
        violations = check_invariants(session, rig.settings.OUTBOX_DIR)
    assert violations == [], "\n".join(violations)
