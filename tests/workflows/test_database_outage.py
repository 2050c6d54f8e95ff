"""PostgreSQL stopped for a few seconds in the middle of deals: the API answers 503, the flows
wait and complete, nothing is lost or doubled.

The test runs its own PostgreSQL cluster (tests/private_postgres.py), so stopping it harms
nobody else; without PostgreSQL's server binaries it is skipped with the reason.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from uuid import uuid4

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from settings import Settings
from store.db import make_engine, make_session_factory, upgrade_database
from store.tables import CommissionInvoice, LedgerEntry, NumberCounter, Order
from tests.factories import catalogue_world, expect
from tests.private_postgres import PrivatePostgres, private_cluster, unavailable_reason
from tests.processes import until_polled
from tests.temporal_fixtures import terminate_open
from tests.workflows.commission_helpers import invoice_until, invoices, pay
from tests.workflows.conftest import FAST, Live
from tests.workflows.crash import worker_process
from tests.workflows.helpers import decide, launch, line

OUTAGE_SECONDS = 4


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    reason = unavailable_reason()
    if reason:
        pytest.skip(f"needs a private PostgreSQL cluster: {reason}")
    with private_cluster() as server:
        upgrade_database(server.url)
        yield server


def _carry_counters(source: sessionmaker[Session], target: sessionmaker[Session]) -> None:
    """Number counters move on to where the other store left them: the dev server outlives both
    stores, and a quote number (hence a workflow id) must never be handed out twice in a run."""
    with source() as read:
        counters = [(c.kind, c.year, c.last) for c in read.scalars(select(NumberCounter))]
    with target.begin() as write:
        for kind, year, last in counters:
            counter = write.get(NumberCounter, (kind, year))
            if counter is None:
                write.add(NumberCounter(kind=kind, year=year, last=last))
            else:
                counter.last = max(counter.last, last)


@pytest.fixture
async def outage_stack(
    private_postgres: PrivatePostgres,
    settings: Settings,
    temporal_env: WorkflowEnvironment,
    db: sessionmaker[Session],
) -> AsyncIterator[Live]:
    client: Client = temporal_env.client
    queued = settings.model_copy(
        update={"TEMPORAL_TASK_QUEUE": f"outage-{uuid4()}", "DATABASE_URL": private_postgres.url}
    )
    engine = make_engine(private_postgres.url)
    private = make_session_factory(engine)
    _carry_counters(db, private)
    process = worker_process(queued, client.service_client.config.target_host)
    await until_polled(client, queued.TEMPORAL_TASK_QUEUE, process)
    app = create_app(queued, client)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as api:
            yield Live(api, client, queued, private)
    finally:
        process.kill()
        process.wait(timeout=10)
        await terminate_open(client, queued.TEMPORAL_TASK_QUEUE)
        _carry_counters(private, db)
        app.state.engine.dispose()
        engine.dispose()


@pytest.mark.slow
async def test_a_database_outage_mid_deal_answers_503_and_loses_nothing(
    outage_stack: Live, private_postgres: PrivatePostgres
) -> None:
    live = outage_stack
    world = await catalogue_world(live.api, settings=FAST)
    alice, bob = world.members["alice"], world.members["bob"]
    numbers = []
    for _ in range(2):
        number = (await launch(live, world, alice, [line(world, "bob-install")]))["number"]
        for supplier in (bob, world.founder):
            expect(await decide(live, number, supplier, 1), 200)
        numbers.append(number)
    links = [(await live.until(n, alice.headers, "sent"))["client_link"] for n in numbers]

    private_postgres.stop()
    # The client pages need no database: the answers reach the workflows, whose order
    # activities wait for the database to come back.
    accepting = [
        asyncio.create_task(
            live.api.post(
                link.removeprefix("http://testserver") + "/accept", json={"signer_name": "Carl"}
            )
        )
        for link in links
    ]
    await asyncio.sleep(1)
    refused = await live.api.get("/quotes", headers=alice.headers)
    assert refused.status_code == 503 and refused.headers["Retry-After"], refused.text
    await asyncio.sleep(OUTAGE_SECONDS)
    private_postgres.start()

    for answer in await asyncio.gather(*accepting):
        assert answer.status_code == 200, answer.text
    orders = [
        (await live.until(n, alice.headers, "ordered", within=60))["order_number"] for n in numbers
    ]
    for order in orders:
        for invoice in (await invoices(live, order)).values():
            expect(await pay(live, invoice["number"], invoice["amount"]), 200)
            await invoice_until(live, invoice["number"], "split", within=60)
    with live.db() as session:
        assert session.scalar(select(func.count()).select_from(Order)) == 2
        for invoice in session.scalars(select(CommissionInvoice)):
            posted = session.scalar(
                select(func.sum(LedgerEntry.amount_cents)).where(
                    LedgerEntry.invoice_number == invoice.number
                )
            )
            # The shares of the net commission, and the platform's tax once.
            assert posted == invoice.due_cents
