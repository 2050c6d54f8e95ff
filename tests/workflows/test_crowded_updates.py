"""Many requests at once on one quote or invoice: a duplicate is refused as a duplicate (409),
and a workflow over the server's limit of updates in flight answers 429 with Retry-After, never
"the workflow engine is unavailable" while the engine is healthy."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from uuid import uuid4

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from temporalio import workflow
from temporalio.client import Client, WorkflowUpdateStage
from temporalio.service import RetryConfig, RPCError, RPCStatusCode

from api.engine import call
from models.errors import TooManyRequests
from settings import Settings
from store.tables import Decision, LedgerEntry
from tests.factories import catalogue_world
from tests.temporal_fixtures import running_worker, terminate_open
from tests.workflows.commission_helpers import close_deal, invoice_until, invoices, pay
from tests.workflows.conftest import FAST, Live, api_only
from tests.workflows.helpers import decide, launch, line
from workflows.connection import DATA_CONVERTER

COPIES = 20
# The dev server's default `history.maxInFlightUpdates`.
IN_FLIGHT_LIMIT = 10


@pytest.fixture
async def impatient(temporal_client: Client) -> Client:
    """A client on the shared server that gives up retrying a refused call after about a
    second, not the default's 14 s: a workflow refusing a call for longer looks the same."""
    return await Client.connect(
        temporal_client.service_client.config.target_host,
        namespace=temporal_client.namespace,
        data_converter=DATA_CONVERTER,
        retry_config=RetryConfig(max_elapsed_time_millis=1000, max_retries=3),
    )


def _codes(answers: list[httpx.Response]) -> Counter[int]:
    return Counter(answer.status_code for answer in answers)


async def test_twenty_identical_decisions_at_once_are_one_decision_and_nineteen_409s(
    settings: Settings, db: sessionmaker[Session], impatient: Client
) -> None:
    """The duplicates reach the quote together while it waits for its worker (a worker busy or
    starting): the server holds at most IN_FLIGHT_LIMIT updates of one workflow at a time."""
    async with api_only(settings, db, impatient) as live:
        world = await catalogue_world(live.api, settings=FAST)
        alice, bob = world.members["alice"], world.members["bob"]
        number = (await launch(live, world, alice, [line(world, "bob-install")]))["number"]
        sent = [asyncio.create_task(decide(live, number, bob, 1)) for _ in range(COPIES)]
        await asyncio.sleep(1)  # they wait on the server, or in the API
        queue = live.settings.TEMPORAL_TASK_QUEUE
        async with running_worker(impatient, live.settings, queue):
            answers = await asyncio.gather(*sent)
            await terminate_open(impatient, queue)

    assert _codes(answers) == {200: 1, 409: COPIES - 1}, [a.text for a in answers]
    refusals = {a.json()["detail"] for a in answers if a.status_code == 409}
    assert all("already decided" in r for r in refusals), refusals
    with live.db() as session:
        rows = session.scalars(
            select(Decision).where(Decision.quote_number == number, Decision.supplier_id == bob.id)
        ).all()
    assert [row.status for row in rows] == ["approved"]


async def test_twenty_identical_payments_at_once_are_one_payment_and_nineteen_409s(
    live: Live,
) -> None:
    world = await catalogue_world(live.api, settings=FAST)
    alice = world.members["alice"]
    order = await close_deal(live, world, alice, [line(world, "alice-audit")])
    number = (await invoices(live, order))[alice.id]["number"]

    answers = await asyncio.gather(
        *(pay(live, number, "120.00", f"TRX-{i}") for i in range(COPIES))
    )

    assert _codes(answers) == {200: 1, 409: COPIES - 1}, [a.text for a in answers]
    assert all("no second payment" in a.json()["detail"] for a in answers if a.status_code == 409)
    split = await invoice_until(live, number, "split")
    winner = next(a for a in answers if a.status_code == 200).json()
    assert split["payment_reference"] == winner["payment_reference"]
    with live.db() as session:
        postings = session.scalars(
            select(LedgerEntry).where(LedgerEntry.invoice_number == number)
        ).all()
    assert sum(entry.amount_cents for entry in postings) == 12_000  # shares and tax, once


@workflow.defn(sandboxed=False)
class Crowded:
    """Holds every update it accepts open until told to finish."""

    def __init__(self) -> None:
        self.done = False

    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: self.done)
        await workflow.wait_condition(workflow.all_handlers_finished)

    @workflow.update
    async def hold(self, tag: int) -> int:
        await workflow.wait_condition(lambda: self.done)
        return tag

    @workflow.signal
    def finish(self) -> None:
        self.done = True


async def test_an_update_over_the_servers_in_flight_limit_answers_429_with_retry_after(
    impatient: Client, settings: Settings
) -> None:
    async with running_worker(impatient, settings, extra_workflows=[Crowded]) as queue:
        handle = await impatient.start_workflow(
            Crowded.run, id=f"crowded-{uuid4()}", task_queue=queue,
            execution_timeout=timedelta(minutes=2),
        )  # fmt: skip
        held = [
            await handle.start_update(Crowded.hold, i, wait_for_stage=WorkflowUpdateStage.ACCEPTED)
            for i in range(IN_FLIGHT_LIMIT)
        ]
        over = handle.execute_update(Crowded.hold, IN_FLIGHT_LIMIT)
        with pytest.raises(RPCError) as refused:
            await handle.execute_update(Crowded.hold, IN_FLIGHT_LIMIT)
        assert refused.value.status == RPCStatusCode.RESOURCE_EXHAUSTED

        with pytest.raises(TooManyRequests) as answered:
            await call(over)
        assert answered.value.status_code == 429
        assert int(answered.value.headers["Retry-After"]) >= 1
        assert "busy" in answered.value.message

        await handle.signal(Crowded.finish)
        assert [await h.result() for h in held] == list(range(IN_FLIGHT_LIMIT))
        await handle.result()
