"""Long reads: GET /quotes/{number} and GET /commission-invoices/{number} with wait_for hold
their answer until the status is reached, the object ends or the wait runs out."""

from __future__ import annotations

import asyncio

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
