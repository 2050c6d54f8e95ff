"""PostgreSQL faults: the worker's connections cut mid-flight, and the database away altogether.

The worker runs as its own OS process, named to PostgreSQL (`PGAPPNAME`), so that a killer can
terminate exactly its backends — in the middle of whatever activity holds them — while deals go
from quote to split. Activities retry on a fresh connection; nothing is lost or written twice.
"""

from __future__ import annotations

import asyncio
import random
import socket
import subprocess
from collections.abc import AsyncIterator
from uuid import uuid4

import httpx
import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from settings import Settings
from store.tables import CommissionInvoice, LedgerEntry, Order, SentEmail
from tests.factories import OPERATOR, catalogue_world, expect
from tests.processes import until_polled
from tests.temporal_fixtures import terminate_open
from tests.workflows.commission_helpers import close_deal, invoice_until, invoices, pay
from tests.workflows.conftest import FAST, Live
from tests.workflows.crash import worker_process
from tests.workflows.helpers import line

WORKER_NAME = "arkanna-worker-under-fire"


@pytest.fixture
def postgres(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL faults: run with DATABASE_URL=postgresql+psycopg2://…")
    return database_url


@pytest.fixture
async def under_fire(
    postgres: str, settings: Settings, db: sessionmaker[Session], temporal_env: WorkflowEnvironment
) -> AsyncIterator[tuple[Live, subprocess.Popen[bytes]]]:
    client: Client = temporal_env.client
    queued = settings.model_copy(update={"TEMPORAL_TASK_QUEUE": f"db-faults-{uuid4()}"})
    address = client.service_client.config.target_host
    process = worker_process(queued, address, PGAPPNAME=WORKER_NAME)
    await until_polled(client, queued.TEMPORAL_TASK_QUEUE, process)
    app = create_app(queued, client)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as api:
            yield Live(api, client, queued, db), process
    finally:
        process.kill()
        process.wait(timeout=10)
        await terminate_open(client, queued.TEMPORAL_TASK_QUEUE)
        app.state.engine.dispose()


async def _cut_worker_connections(engine: Engine, stop: asyncio.Event) -> int:
    """Terminates the worker's PostgreSQL backends at seeded random intervals of 0.2 to 1.2 s
    until stopped; how many. Cutting at a fixed short period would starve any transaction
    longer than it on a slow machine: the test is about what a cut loses, not about liveness
    under a cut every few milliseconds."""
    cut = 0
    pause = random.Random(20261201)
    while not stop.is_set():
        with engine.begin() as conn:
            cut += len(
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE application_name = :name"
                    ),
                    {"name": WORKER_NAME},
                ).all()
            )
        await asyncio.sleep(pause.uniform(0.2, 1.2))
    return cut


@pytest.mark.slow
async def test_deals_complete_exactly_once_while_the_workers_connections_are_cut(
    under_fire: tuple[Live, subprocess.Popen[bytes]], engine: Engine
) -> None:
    live, _ = under_fire
    world = await catalogue_world(live.api, settings=FAST)
    alice = world.members["alice"]
    stop = asyncio.Event()
    killer = asyncio.create_task(_cut_worker_connections(engine, stop))
    try:
        lines = [line(world, "alice-audit"), line(world, "bob-install", "2")]
        deals = (close_deal(live, world, alice, lines, within=120) for _ in range(3))
        orders = await asyncio.gather(*deals)
        for order in orders:
            for invoice in (await invoices(live, order)).values():
                expect(await pay(live, invoice["number"], invoice["amount"]), 200)
                await invoice_until(live, invoice["number"], "split", within=120)
    finally:
        stop.set()
        cut = await killer
    assert cut > 0, "no connection of the worker was ever cut: the test proved nothing"

    with live.db() as session:
        assert session.scalar(select(func.count()).select_from(Order)) == 3
        invoiced = session.scalars(select(CommissionInvoice)).all()
        assert len(invoiced) == 6 and {i.status.value for i in invoiced} == {"split"}
        for invoice in invoiced:
            posted = session.scalar(
                select(func.sum(LedgerEntry.amount_cents)).where(
                    LedgerEntry.invoice_number == invoice.number
                )
            )
            # The shares of the net commission, and the platform's tax once.
            assert posted == invoice.due_cents
        keys = session.scalars(select(SentEmail.business_key)).all()
    assert len(keys) == len(set(keys))


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_the_api_answers_503_while_the_database_is_away(settings: Settings) -> None:
    away = f"postgresql+psycopg2://arkanna:arkanna@127.0.0.1:{_closed_port()}/arkanna"
    app = create_app(settings.model_copy(update={"DATABASE_URL": away}))
    transport = httpx.ASGITransport(app=app)
    member = {"Authorization": "Bearer ak_some_member_key"}
    body = {"company": "Acme", "contact_name": "Ann", "email": "ann@acme.example"}
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as api:
        answers = [
            await api.get("/quotes", headers=member),
            await api.get("/orders", headers=OPERATOR),
            await api.post("/clients", json=body, headers=member),
            await api.post(
                "/members",
                json={
                    "invitation_code": "x" * 20,
                    "name": "N",
                    "company": "C",
                    "email": "n@c.example",
                },
            ),
        ]
    app.state.engine.dispose()
    for answer in answers:
        assert answer.status_code == 503, answer.text
        assert answer.headers["Retry-After"]
        assert "database" in answer.json()["detail"]
