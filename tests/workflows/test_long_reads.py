"""Long reads: GET /quotes/{number} and GET /commission-invoices/{number} with wait_for hold
their answer until the status is reached, the object ends or the wait runs out."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import event
from temporalio.api.enums.v1 import EventType

from api.app import create_app
from models.domain import quote_workflow_id
from tests.factories import OPERATOR, catalogue_world, expect
from tests.workflows.commission_helpers import close_deal, invoices
from tests.workflows.conftest import FAST, Live
from tests.workflows.helpers import decide, launch, line


async def test_a_read_waiting_for_sent_is_held_until_the_last_approval(live: Live) -> None:
    world = await catalogue_world(live.api, settings=FAST)
    alice, bob = world.members["alice"], world.members["bob"]
    number = (await launch(live, world, alice, [line(world, "bob-install")]))["number"]
    params = {"wait_for": "sent"}
    held = asyncio.create_task(
        live.api.get(f"/quotes/{number}", params=params, headers=alice.headers)
    )
    expect(await decide(live, number, bob, 1), 200)
    await asyncio.sleep(0.5)
    assert not held.done(), "answered while the founder had not decided yet"
    expect(await decide(live, number, world.founder, 1), 200)
    sent = expect(await held, 200)
    assert sent["status"] == "sent" and sent["client_link"]


async def test_a_wait_that_runs_out_answers_the_current_state(live: Live) -> None:
    world = await catalogue_world(live.api, settings=FAST)
    alice = world.members["alice"]
    number = (await launch(live, world, alice, [line(world, "bob-install")]))["number"]
    params = {"wait_for": "ordered", "wait": "0.3"}
    state = expect(
        await live.api.get(f"/quotes/{number}", params=params, headers=alice.headers), 200
    )
    assert state["status"] == "pending_approval"


async def test_who_may_not_see_the_quote_is_refused_before_any_wait(live: Live) -> None:
    world = await catalogue_world(live.api, settings=FAST)
    alice, carol = world.members["alice"], world.members["carol"]
    number = (await launch(live, world, alice, [line(world, "bob-install")]))["number"]
    params = {"wait_for": "ordered", "wait": "60"}
    async with asyncio.timeout(10):  # a held answer would take MAX_WAIT_SECONDS (20 s)
        refused = await live.api.get(f"/quotes/{number}", params=params, headers=carol.headers)
    assert refused.status_code == 404
    bad = await live.api.get(
        f"/quotes/{number}", params={"wait_for": "paid"}, headers=alice.headers
    )
    assert bad.status_code == 422 and "wait_for" in bad.text


async def test_an_invoice_read_waiting_for_split_is_held_until_the_split(live: Live) -> None:
    world = await catalogue_world(live.api, settings=FAST)
    alice = world.members["alice"]
    order = await close_deal(live, world, alice, [line(world, "alice-audit", "2")])
    invoice = (await invoices(live, order))[alice.id]
    path = f"/commission-invoices/{invoice['number']}"
    held = asyncio.create_task(live.api.get(path, params={"wait_for": "split"}, headers=OPERATOR))
    await asyncio.sleep(0.5)
    assert not held.done(), "answered before the invoice was paid"
    payment = {"amount": invoice["amount"], "reference": "BANK-1"}
    expect(await live.api.post(f"{path}/payments", json=payment, headers=OPERATOR), 200)
    split = expect(await held, 200)
    assert split["status"] == "split" and split["shares"]


@contextlib.asynccontextmanager
async def _second_api(live: Live) -> AsyncIterator[tuple[httpx.AsyncClient, list[object]]]:
    """Another API process on the same store, serving only the reads under test: the
    transactions its engine begins are theirs alone."""
    app = create_app(live.settings, live.temporal)
    begun: list[object] = []
    event.listen(app.state.engine, "begin", begun.append)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as api:
            yield api, begun
    finally:
        app.state.status_events.close()
        app.state.engine.dispose()


async def _wait_updates(live: Live, number: str) -> int:
    handle = live.temporal.get_workflow_handle(quote_workflow_id(number))
    names = [
        e.workflow_execution_update_accepted_event_attributes.accepted_request.input.name
        async for e in handle.fetch_history_events()
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
    ]
    return names.count("wait")


async def test_a_held_quote_read_is_one_transaction_and_one_workflow_update(live: Live) -> None:
    world = await catalogue_world(live.api, settings=FAST)
    alice, bob = world.members["alice"], world.members["bob"]
    number = (await launch(live, world, alice, [line(world, "bob-install")]))["number"]
    async with _second_api(live) as (reader, begun):
        path, params = f"/quotes/{number}", {"wait_for": "sent"}
        held = asyncio.create_task(reader.get(path, params=params, headers=alice.headers))
        await asyncio.sleep(0.5)
        expect(await decide(live, number, bob, 1), 200)
        expect(await decide(live, number, world.founder, 1), 200)
        assert expect(await held, 200)["status"] == "sent"
        # The key, then who may see the quote; the wait and the answer are the workflow's.
        assert len(begun) == 2
        assert await _wait_updates(live, number) == 1
        again = await reader.get(path, params=params, headers=alice.headers)
        assert expect(again, 200)["status"] == "sent"
        assert await _wait_updates(live, number) == 1  # already sent: refused, not recorded


async def test_a_held_invoice_read_waits_on_the_store_notification(live: Live) -> None:
    world = await catalogue_world(live.api, settings=FAST)
    alice = world.members["alice"]
    order = await close_deal(live, world, alice, [line(world, "alice-audit", "2")])
    invoice = (await invoices(live, order))[alice.id]
    path = f"/commission-invoices/{invoice['number']}"
    if not live.settings.DATABASE_URL.startswith("postgresql"):
        pytest.skip("SQLite has no notifications: its long reads read the status again")
    async with _second_api(live) as (reader, begun):
        held = asyncio.create_task(reader.get(path, params={"wait_for": "split"}, headers=OPERATOR))
        await asyncio.sleep(1.0)
        # The operator's key needs no read: the status is read once, then nothing while held.
        assert not held.done() and len(begun) == 1
        payment = {"amount": invoice["amount"], "reference": "BANK-2"}
        expect(await live.api.post(f"{path}/payments", json=payment, headers=OPERATOR), 200)
        assert expect(await held, 200)["status"] == "split"
        assert len(begun) == 2  # the status, then the answer
