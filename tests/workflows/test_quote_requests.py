"""Quote requests: idempotent creation, gap-free numbers, refusals that change nothing,
operators' search attributes, and removal of a seller (R2)."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from sqlalchemy import func, select

from models.domain import quote_workflow_id
from store.tables import Quote, QuoteLine
from tests.factories import (
    OPERATOR,
    Actor,
    World,
    add_client,
    add_offer,
    catalogue_world,
    expect,
    found_cluster,
    join,
)
from tests.workflows.conftest import FAST, Live
from tests.workflows.helpers import decide, keep_history, launch, line


def _count(live: Live, table: type[Any]) -> int:
    with live.db() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


async def test_idempotency_key_gives_one_quote_per_key(live: Live) -> None:
    world = await catalogue_world(live.api, settings=FAST)
    alice = world.members["alice"]
    body = {"client_id": world.clients["acme"], "lines": [line(world, "alice-audit")]}
    headers = {**alice.headers, "Idempotency-Key": "order-form-17"}
    first = expect(await live.api.post("/quotes", json=body, headers=headers), 201)
    again = expect(await live.api.post("/quotes", json=body, headers=headers), 201)
    assert again["number"] == first["number"] and _count(live, Quote) == 1
    other = {**body, "note": "different"}
    conflict = await live.api.post("/quotes", json=other, headers=headers)
    assert conflict.status_code == 409 and "Idempotency-Key" in conflict.json()["detail"]
    assert _count(live, Quote) == 1


async def test_numbers_are_gap_free_even_with_refused_requests(live: Live) -> None:
    world = await catalogue_world(live.api, settings=FAST)
    alice = world.members["alice"]
    numbers = []
    for quantity in ("1", "0", "2", "-1", "3"):
        response = await live.api.post(
            "/quotes",
            json={
                "client_id": world.clients["acme"],
                "lines": [line(world, "alice-audit", quantity)],
            },
            headers=alice.headers,
        )
        if response.status_code == 201:
            numbers.append(response.json()["number"])
        else:
            assert response.status_code == 422
    sequence = [int(number.rsplit("-", 1)[1]) for number in numbers]
    assert sequence == list(range(sequence[0], sequence[0] + 3))


async def _history_kinds(live: Live, number: str) -> list[str]:
    handle = live.temporal.get_workflow_handle(quote_workflow_id(number))
    history = await handle.fetch_history()
    return [event.WhichOneof("attributes") or "" for event in history.events]


async def test_a_refused_decision_leaves_no_trace_in_the_history(live: Live) -> None:
    world = await catalogue_world(live.api, settings=FAST)
    alice, bob, carol = (world.members[n] for n in ("alice", "bob", "carol"))
    number = (await launch(live, world, alice, [line(world, "bob-install")]))["number"]
    await live.until(number, alice.headers, "pending_approval")
    before = await _history_kinds(live, number)
    not_supplier = await decide(live, number, carol, 1)
    assert not_supplier.status_code == 404  # carol has no line: the quote is not hers to see
    wrong_revision = await decide(live, number, bob, 2)
    assert wrong_revision.status_code == 409 and "revision" in wrong_revision.json()["detail"]
    bad_word = await decide(live, number, bob, 1, "maybe")
    assert bad_word.status_code == 422
    seller_self = await decide(live, number, alice, 1)
    assert seller_self.status_code == 403
    after = await _history_kinds(live, number)
    updates = [k for k in after if "update" in k]
    assert updates == [k for k in before if "update" in k] == []
    state = await live.quote(number, alice.headers)
    assert {a["status"] for a in state["approvals"]} == {"pending"}


async def test_operators_find_quotes_waiting_on_a_supplier(live: Live) -> None:
    world = await catalogue_world(live.api, settings=FAST)
    alice, bob = world.members["alice"], world.members["bob"]
    number = (await launch(live, world, alice, [line(world, "bob-install")]))["number"]
    await live.until(number, alice.headers, "pending_approval")
    query = (
        f"QuoteStatus = 'pending_approval' AND SupplierIds = '{bob.id}' "
        f"AND QuoteNumber = '{number}' AND PendingSupplierIds = '{bob.id}'"
    )
    for _ in range(50):
        found = [w.id async for w in live.temporal.list_workflows(query)]
        if found:
            break
        await asyncio.sleep(0.2)
    assert found == [quote_workflow_id(number)]
    handle = live.temporal.get_workflow_handle(quote_workflow_id(number))
    description = await handle.describe()
    summary = await description.static_summary()
    assert summary is not None and number in summary


@pytest.mark.parametrize(
    ("make_line", "field"),
    [
        (lambda w: {"offer_id": w.offers["foreign"], "quantity": "1"}, "lines.0.offer_id"),
        (lambda w: {"offer_id": w.offers["pending"], "quantity": "1"}, "lines.0.offer_id"),
        (lambda w: {"offer_id": w.offers["alice-audit"], "quantity": "0"}, "lines.0.quantity"),
        (lambda w: {"offer_id": w.offers["alice-audit"], "quantity": 1.5}, "lines.0.quantity"),
        (
            lambda w: {"offer_id": w.offers["alice-audit"], "quantity": "1", "discount": "25"},
            "lines.0.discount",
        ),
        (lambda w: {"offer_id": 999_999, "quantity": "1"}, "lines.0.offer_id"),
    ],
)
async def test_bad_lines_are_refused_and_nothing_is_written(
    live: Live, make_line: Any, field: str
) -> None:
    world = await _world_with_strangers(live)
    body = {"client_id": world.clients["acme"], "lines": [make_line(world)]}
    response = await live.api.post("/quotes", json=body, headers=world.members["alice"].headers)
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith(field)
    assert _count(live, Quote) == 0 and _count(live, QuoteLine) == 0


@pytest.mark.parametrize(
    ("team", "field"),
    [
        (
            [{"member_id": "alice", "share": "60"}, {"member_id": "bob", "share": "30"}],
            "sales_team",
        ),
        ([{"member_id": "bob", "share": "100"}], "sales_team"),
        (
            [{"member_id": "alice", "share": "50"}, {"member_id": "stranger", "share": "50"}],
            "sales_team.1.member_id",
        ),
    ],
)
async def test_bad_sales_teams_are_refused(
    live: Live, team: list[dict[str, str]], field: str
) -> None:
    world = await _world_with_strangers(live)
    ids = {**{n: a.id for n, a in world.members.items()}}
    members = [{"member_id": ids[m["member_id"]], "share": m["share"]} for m in team]
    body = {
        "client_id": world.clients["acme"],
        "lines": [line(world, "alice-audit")],
        "sales_team": members,
    }
    response = await live.api.post("/quotes", json=body, headers=world.members["alice"].headers)
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith(field)
    assert _count(live, Quote) == 0


async def test_an_offer_the_seller_cannot_see_answers_like_a_missing_one(live: Live) -> None:
    world = await _world_with_strangers(live)
    alice, bob = world.members["alice"], world.members["bob"]
    clients = {alice.id: world.clients["acme"], bob.id: await add_client(live.api, world, bob, "b")}

    async def refusal(seller: Actor, offer_id: int) -> str:
        body = {
            "client_id": clients[seller.id],
            "lines": [{"offer_id": offer_id, "quantity": "1"}],
        }
        response = await live.api.post("/quotes", json=body, headers=seller.headers)
        assert response.status_code == 422, response.text
        return str(response.json()["detail"])

    missing = await refusal(alice, 999_999)
    assert await refusal(alice, world.offers["pending"]) == missing  # bob's, still pending
    assert "pending" in await refusal(bob, world.offers["pending"])  # its owner is told why


async def test_the_documented_discount_default_is_accepted(live: Live) -> None:
    """A client generated from the OpenAPI sends the default it reads there."""
    document = expect(await live.api.get("/openapi.json"), 200)
    schema = document["components"]["schemas"]["LineIn"]["properties"]["discount"]
    assert schema["type"] == "string" and re.fullmatch(schema["pattern"], schema["default"])
    world = await catalogue_world(live.api, settings=FAST)
    line = {"offer_id": world.offers["alice-audit"], "quantity": "1", "discount": schema["default"]}
    body = {"client_id": world.clients["acme"], "lines": [line]}
    expect(await live.api.post("/quotes", json=body, headers=world.members["alice"].headers), 201)


async def test_someone_elses_client_is_refused(live: Live) -> None:
    world = await _world_with_strangers(live)
    body = {"client_id": world.clients["acme"], "lines": [line(world, "alice-audit")]}
    response = await live.api.post("/quotes", json=body, headers=world.members["bob"].headers)
    assert response.status_code == 422 and response.json()["detail"].startswith("client_id")


async def test_removing_a_seller_cancels_its_open_quotes(live: Live) -> None:
    world = await catalogue_world(live.api, settings=FAST)
    alice = world.members["alice"]
    number = (await launch(live, world, alice, [line(world, "bob-install")]))["number"]
    await live.until(number, alice.headers, "pending_approval")
    removed = await live.api.delete(f"/members/{alice.id}", headers=world.founder.headers)
    expect(removed, 200)
    state = await live.until(number, OPERATOR, "cancelled")
    assert state["end_reason"] == "seller removed"
    await keep_history(live, number, "seller_removed")
    assert (await live.api.get("/members/me", headers=alice.headers)).status_code == 401


async def _world_with_strangers(live: Live) -> World:
    """The catalogue world, a pending offer, and an offer and member of another cluster."""
    world = await catalogue_world(live.api, settings=FAST)
    await add_offer(live.api, world, world.members["bob"], "pending", validate=False)
    other = await found_cluster(live.api, name="Elsewhere")
    await add_offer(live.api, other, other.founder, "founder")
    stranger = await join(live.api, other, other.founder, "stranger")
    world.offers["foreign"] = other.offers["founder"]
    world.members["stranger"] = stranger
    return world
