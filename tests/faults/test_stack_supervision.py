"""`python run.py` keeps serving while its worker, then its API, is SIGKILLed under running deals.

The embedded stack runs as a user starts it, as its own process on free ports with its state in
a temporary VAR_DIR and this test's store. Deals go through its API over real HTTP; the worker is
killed while they run, then the API. Each is restarted by the stack (its new pid logged) while
the others keep running; every deal reaches `split`, every workflow completes, and the store
holds every invariant. SIGTERM then stops every process of the stack, and run.py exits 0.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client

from settings import Settings
from tests.factories import Actor, add_client, catalogue_world
from tests.faults.deals import Deal, Stack, all_completed, run_deal
from tests.faults.invariants import check_invariants
from tests.faults.sweep import Interrupted, fail_at_once
from tests.processes import ROOT, free_port
from workflows.connection import DATA_CONVERTER

DEALS = 4
DEAL_DEADLINE = 90.0
CHILDREN = ("worker", "api", "temporal")
DURATIONS = {
    "reminder_interval": 60,
    "approval_timeout": 900,
    "revision_timeout": 900,
    "validity": 900,
    "payment_terms": 900,
}
OFFER_SETS = (["alice-audit", "bob-install"], ["carol-training"], ["bob-install", "founder"])
_PID = re.compile(r" (\w+) (?:started|restarted) \(pid (\d+)\)")


@dataclass
class EmbeddedStack:
    process: subprocess.Popen[bytes]
    output: Path
    api_port: int
    temporal_port: int

    def text(self) -> str:
        return self.output.read_text(errors="replace")

    def pids(self, name: str) -> list[int]:
        """Every pid `name` has had, in order of start."""
        return [int(pid) for child, pid in _PID.findall(self.text()) if child == name]

    async def until(self, needle: str, within: float = 90) -> None:
        deadline = asyncio.get_running_loop().time() + within
        while needle not in self.text():
            assert self.process.poll() is None, f"run.py exited:\n{self.text()[-3000:]}"
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"no {needle!r} within {within} s:\n{self.text()[-3000:]}")
            await asyncio.sleep(0.1)

    async def restarted(self, name: str, killed: int, within: float = 60) -> int:
        """The pid of `name` started again after `killed` died."""
        deadline = asyncio.get_running_loop().time() + within
        while (pids := self.pids(name))[-1] == killed:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{name} never restarted:\n{self.text()[-3000:]}")
            await asyncio.sleep(0.1)
        return pids[-1]


def _environment(
    settings: Settings, folder: Path, api_port: int, temporal_port: int
) -> dict[str, str]:
    return {
        **os.environ,
        "VAR_DIR": str(folder / "var"),
        "DATABASE_URL": settings.DATABASE_URL,
        "OUTBOX_DIR": str(settings.OUTBOX_DIR),
        "DOCUMENTS_DIR": str(settings.DOCUMENTS_DIR),
        "SECRET_KEY": settings.SECRET_KEY or "",
        "OPERATOR_KEY": settings.OPERATOR_KEY or "",
        "API_PORT": str(api_port),
        "TEMPORAL_PORT": str(temporal_port),
        "TEMPORAL_UI_PORT": str(free_port()),
        # Every deal's client answers from this one address.
        "CLIENT_LINK_REQUESTS_PER_IP": "10000",
        "PYTHONUNBUFFERED": "1",
    }


def _run_py(env: dict[str, str], output: Path) -> subprocess.Popen[bytes]:
    with output.open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "run.py"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


@pytest.fixture
async def embedded(
    settings: Settings, db: sessionmaker[Session], tmp_path: Path
) -> AsyncIterator[EmbeddedStack]:
    output = tmp_path / "run.log"
    api_port, temporal_port = free_port(), free_port()
    process = _run_py(_environment(settings, tmp_path, api_port, temporal_port), output)
    stack = EmbeddedStack(process, output, api_port, temporal_port)
    try:
        await stack.until("Arkanna is running")
        yield stack
    finally:
        if process.poll() is None:
            process.kill()  # its children follow it (PR_SET_PDEATHSIG)
            process.wait(timeout=30)


async def _deals(api: httpx.AsyncClient, stack: Stack) -> list[Deal]:
    world = await catalogue_world(api, settings=DURATIONS)
    people: dict[int, Actor] = {world.founder.id: world.founder}
    people.update({a.id: a for a in world.members.values()})
    sellers = [world.members[name] for name in ("alice", "bob", "carol")]
    clients = {"alice": world.clients["acme"]}
    for seller in sellers[1:]:
        clients[seller.name] = await add_client(api, world, seller, f"{seller.name}-client")
    runs = []
    for i in range(DEALS):
        seller = sellers[i % len(sellers)]
        offers = OFFER_SETS[i % len(OFFER_SETS)]
        lines = [{"offer_id": world.offers[o], "quantity": "1", "discount": "0"} for o in offers]
        runs.append(run_deal(stack, seller, clients[seller.name], lines, people, f"stack-{i}"))
    return list(await asyncio.gather(*runs))


def _alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie, dead but not yet reaped, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


async def _met_the_api_down(port: int) -> bool:
    """Whether a request to the API, sent within 3 s, finds it down (a refused connection)."""
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=0.5) as probe:
        for _ in range(60):
            try:
                await probe.get("/healthz")
            except httpx.TransportError:
                return True
            await asyncio.sleep(0.05)
    return False


async def _kill_in_turn(
    embedded: EmbeddedStack, deals: asyncio.Future[list[Deal]], interrupted: Interrupted
) -> list[str]:
    """SIGKILLs the worker, the API, then the Temporal server, each while deals run; each must
    come back while the others keep their process. Returns what the worker's death interrupted."""
    caught: list[str] = []
    for name in CHILDREN:
        await asyncio.sleep(2)
        assert not deals.done(), f"the deals ended before the {name} was killed"
        others = {other: embedded.pids(other)[-1] for other in CHILDREN if other != name}
        victim = embedded.pids(name)[-1]
        os.kill(victim, signal.SIGKILL)
        if name == "worker":
            caught = await interrupted.collect(fail_at_once())
        if name == "api":
            # The supervisor waits a second before the restart: a request now finds no API.
            assert await _met_the_api_down(embedded.api_port), "the API answered while killed"
        await embedded.until(f"{name} exited unexpectedly (exit code -9 (SIGKILL))")
        await embedded.restarted(name, victim)
        for other, pid in others.items():
            assert embedded.pids(other)[-1] == pid and _alive(pid), f"{other} died with {name}"
    return caught


@pytest.mark.slow
async def test_the_stack_restarts_a_killed_worker_and_api_and_every_deal_completes(
    embedded: EmbeddedStack, settings: Settings, db: sessionmaker[Session]
) -> None:
    began = asyncio.get_running_loop().time()
    temporal = await Client.connect(
        f"127.0.0.1:{embedded.temporal_port}", data_converter=DATA_CONVERTER
    )
    base_url = f"http://127.0.0.1:{embedded.api_port}"
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as api:
        hold = asyncio.Event()
        stack = Stack(api, db, began + DEAL_DEADLINE, hold=hold)
        deals = asyncio.ensure_future(_deals(api, stack))
        try:
            caught = await _kill_in_turn(embedded, deals, Interrupted(temporal, db))
            hold.set()  # the payments and splits run after the three kills
            finished = await deals
        finally:
            deals.cancel()
    print(
        f"{DEALS} deals in {asyncio.get_running_loop().time() - began:.0f} s; the worker's death "
        f"interrupted {caught or 'no activity'}; {stack.dropped_connections} requests met the "
        f"API down, {stack.transient_answers} answers 503 or 429 retried"
    )
    assert stack.server_errors == []
    await all_completed(temporal, [i for deal in finished for i in deal.workflow_ids])
    with db() as session:
        violations = check_invariants(session, settings.OUTBOX_DIR)
    assert violations == [], "\n".join(violations)

    children = [embedded.pids(name)[-1] for name in CHILDREN]
    embedded.process.send_signal(signal.SIGTERM)
    assert embedded.process.wait(timeout=60) == 0, embedded.text()[-3000:]
    assert [pid for pid in children if _alive(pid)] == []
