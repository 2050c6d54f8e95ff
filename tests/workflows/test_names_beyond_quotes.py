"""R19 past the quote: orders, commission invoices, the ledger and the client's JSON view name
every member beside its id, and a supplier still reads only the names its part shows."""

from __future__ import annotations

from typing import Any

from tests.factories import OPERATOR, Actor, World, catalogue_world, expect
from tests.workflows.commission_helpers import invoice_until, invoices, ledger, pay
from tests.workflows.conftest import FAST, Live
from tests.workflows.helpers import accept, decide, launch, line

ALICE = {"name": "Alice", "company": "Alice Ltd"}
BOB = {"name": "Bob", "company": "Bob Ltd"}


def named(actor: Actor, who: dict[str, str]) -> dict[str, Any]:
    return {"id": actor.id, **who}


async def _order_with_client_view(live: Live, world: World) -> tuple[str, dict[str, Any]]:
    """Alice sells her audit and Bob's install; returns the order and the client's JSON view."""
    alice = world.members["alice"]
    quote = await launch(
        live, world, alice, [line(world, "alice-audit"), line(world, "bob-install")]
    )
    number = quote["number"]
    people = {world.founder.id: world.founder, **{a.id: a for a in world.members.values()}}
    for approval in quote["approvals"]:
        if approval["status"] == "pending":
            expect(await decide(live, number, people[approval["supplier_id"]], 1), 200)
    sent = await live.until(number, alice.headers, "sent")
    token = sent["client_link"].rsplit("/", 1)[-1]
    json_only = {"accept": "application/json"}
    client_view = expect(await live.api.get(f"/q/{token}", headers=json_only), 200)
    await accept(live, alice, number)
    done = await live.until(number, alice.headers, "ordered")
    return str(done["order_number"]), client_view


async def test_orders_invoices_ledger_and_the_client_view_name_their_members(live: Live) -> None:
    world = await catalogue_world(live.api, settings=FAST)
    alice, bob, fay = world.members["alice"], world.members["bob"], world.founder
    number, client_view = await _order_with_client_view(live, world)
    assert client_view["seller"] == {**ALICE, "email": "alice@members.example.com"}

    order = expect(await live.api.get(f"/orders/{number}", headers=alice.headers), 200)
    assert order["seller"] == named(alice, ALICE)
    assert order["client_company"] == "acme GmbH"
    assert [ln["supplier"] for ln in order["lines"]] == [named(alice, ALICE), named(bob, BOB)]
    names = {p["supplier"]["name"] for p in order["procurement"]}
    # The founder's entry is read in founder_components (what each supplier owes her).
    assert names == {"Alice", "Bob"}
    components = order["founder_components"]
    assert {c["supplier"]["name"] for c in components} == {"Fay Founder"}
    assert [c["owed_by_member"] for c in components] == [named(alice, ALICE), named(bob, BOB)]
    listed = expect(await live.api.get("/orders", headers=alice.headers), 200)["items"]
    assert [(o["seller"], o["client_company"]) for o in listed] == [
        (named(alice, ALICE), "acme GmbH")
    ]

    # Bob reads his own line, procurement entry and founder service: no other supplier's name.
    as_bob = expect(await live.api.get(f"/orders/{number}", headers=bob.headers), 200)
    assert as_bob["seller"] == named(alice, ALICE)
    assert [ln["supplier"]["name"] for ln in as_bob["lines"]] == ["Bob"]
    assert [p["supplier"]["name"] for p in as_bob["procurement"]] == ["Bob"]
    assert [c["owed_by_member"]["name"] for c in as_bob["founder_components"]] == ["Bob"]
    assert "Alice Ltd" not in str([as_bob[k] for k in ("lines", "procurement")])
    assert "Alice" not in str(as_bob["founder_components"])
    as_fay = expect(await live.api.get(f"/orders/{number}", headers=fay.headers), 200)
    assert [c["owed_by_member"]["name"] for c in as_fay["founder_components"]] == ["Alice", "Bob"]

    issued = await invoices(live, number)
    assert issued[bob.id]["supplier"] == named(bob, BOB)
    listed_invoices = expect(await live.api.get("/commission-invoices", headers=bob.headers), 200)
    assert [i["supplier"] for i in listed_invoices["items"]] == [named(bob, BOB)]
    expect(await pay(live, issued[bob.id]["number"], issued[bob.id]["amount"]), 200)
    split = await invoice_until(live, issued[bob.id]["number"], "split")
    members = {s["role"]: s["member"] for s in split["shares"]}
    assert members["platform"] is None
    assert members["seller"] == named(alice, ALICE)
    assert all((s["member"] or {}).get("id") == s["member_id"] for s in split["shares"])

    own = await ledger(live, alice)
    assert own["items"] and {e["member"]["name"] for e in own["items"]} == {"Alice"}
    everything = expect(await live.api.get("/ledger", headers=OPERATOR), 200)
    by_role = {e["role"]: e["member"] for e in everything["items"]}
    assert by_role["platform"] is None and by_role["seller"] == named(alice, ALICE)
