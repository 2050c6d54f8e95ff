"""R2 for a supplier: once removed, its offers are withdrawn ("owner removed"), the open quotes
it supplies lines to are blocked naming those lines, the seller revises without them and the
deal goes on; its unused invitations can no longer be redeemed."""

from __future__ import annotations

from typing import Any

from models.cancellations import member_removal_workflow_id
from tests.factories import OPERATOR, Actor, World, catalogue_world, expect
from tests.workflows.conftest import FAST, Live
from tests.workflows.helpers import (
    accept,
    decide,
    keep_history,
    keep_workflow_history,
    launch,
    line,
    mails_after,
)


async def _open_quotes(live: Live, world: World) -> tuple[str, str]:
    """One quote waiting on carol's approval, one already sent to the client."""
    alice, bob, carol = (world.members[n] for n in ("alice", "bob", "carol"))
    lines = [line(world, "bob-install"), line(world, "carol-training", "2")]
    waiting = (await launch(live, world, alice, lines))["number"]
    expect(await decide(live, waiting, bob, 1), 200)
    sent = (await launch(live, world, alice, lines))["number"]
    for supplier in (bob, carol, world.founder):
        expect(await decide(live, sent, supplier, 1), 200)
    await live.until(sent, alice.headers, "sent")
    return waiting, sent


async def _invitation(live: Live, inviter: Actor) -> str:
    body = {"email": "guest@later.example.com"}
    return str(
        expect(await live.api.post("/invitations", json=body, headers=inviter.headers), 201)["code"]
    )


def _register(code: str) -> dict[str, Any]:
    return {"invitation_code": code, "name": "Gus", "company": "Gus Ltd", "email": "gus@x.example"}


async def test_removing_a_supplier_withdraws_its_offers_and_blocks_its_open_quotes(
    live: Live,
) -> None:
    world = await catalogue_world(live.api, settings=FAST)
    alice, bob, carol = (world.members[n] for n in ("alice", "bob", "carol"))
    waiting, sent = await _open_quotes(live, world)
    sent_view = await live.quote(sent, alice.headers)
    code = await _invitation(live, carol)

    expect(await live.api.delete(f"/members/{carol.id}", headers=world.founder.headers), 200)

    offer = expect(
        await live.api.get(f"/offers/{world.offers['carol-training']}", headers=OPERATOR), 200
    )
    assert (offer["status"], offer["withdrawal_reason"]) == ("withdrawn", "owner removed")
    listed = expect(await live.api.get("/offers", headers=alice.headers), 200)["items"]
    assert world.offers["carol-training"] not in {o["id"] for o in listed}
    body = {"client_id": world.clients["acme"], "lines": [line(world, "carol-training")]}
    refused = await live.api.post("/quotes", json=body, headers=alice.headers)
    assert refused.status_code == 422
    # Withdrawn, it is no longer the cluster's: it reads like a missing one.
    assert refused.json()["detail"] == "lines.0.offer_id: no such offer in your cluster"

    for number in (waiting, sent):
        blocked = await live.until(number, alice.headers, "blocked")
        assert blocked["blocked_lines"] == [2]
        texts = [e["text"] for e in blocked["events"] if e["kind"] == "blocked"]
        assert texts == ["Carol Ltd left the cluster: lines 2 need revising"]
    told = await mails_after(live, "has left the cluster")
    assert {m["To"] for m in told} == {"Alice <alice@members.example.com>"} and len(told) == 2

    # The client's link of the blocked quote no longer answers.
    token = sent_view["client_link"].rsplit("/", 1)[-1]
    late = await live.api.post(f"/q/{token}/accept", json={"signer_name": "Carl Client"})
    assert late.status_code == 409 and "blocked" in late.json()["detail"]

    # The invitation carol sent dies with her.
    dead = await live.api.post("/members", json=_register(code))
    assert dead.status_code == 422 and "no longer in the cluster" in dead.json()["detail"]

    # A retried removal is refused and blocks nothing twice.
    again = await live.api.delete(f"/members/{carol.id}", headers=world.founder.headers)
    assert again.status_code == 409
    await keep_workflow_history(live, member_removal_workflow_id(carol.id), "member_removal")
    state = await live.quote(waiting, alice.headers)
    assert [e["kind"] for e in state["events"]].count("blocked") == 1

    # The seller revises without carol's line: bob keeps his approval, the deal goes on.
    revised = await live.api.post(
        f"/quotes/{waiting}/revisions",
        json={"lines": [line(world, "bob-install")]},
        headers=alice.headers,
    )
    approvals = {a["supplier_id"]: a["status"] for a in expect(revised, 200)["approvals"]}
    assert approvals == {bob.id: "approved", world.founder.id: "pending"}
    expect(await decide(live, waiting, world.founder, 2), 200)
    await accept(live, alice, waiting)
    ordered = await live.until(waiting, alice.headers, "ordered")
    assert ordered["blocked_lines"] == [] and ordered["total"] == "1000.00"
    await keep_history(live, waiting, "supplier_removed")
