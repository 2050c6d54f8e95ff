"""R7–R13 driven through the API against the real workflow on the real dev server."""

from __future__ import annotations

from tests.factories import catalogue_world, expect
from tests.workflows.conftest import FAST, Live


async def test_happy_path_prices_exactly_and_reaches_an_order(live: Live) -> None:
    world = await catalogue_world(live.api, settings=FAST)
    alice, bob = world.members["alice"], world.members["bob"]
    body = {
        "client_id": world.clients["acme"],
        "lines": [
            {"offer_id": world.offers["alice-audit"], "quantity": "3", "discount": "12.5"},
            {"offer_id": world.offers["bob-install"], "quantity": "1.5"},
        ],
    }
    quote = expect(await live.api.post("/quotes", json=body, headers=alice.headers), 201)
    number = quote["number"]
    assert number.startswith("Q-") and quote["revision"] == 1
    # 3 × 1000.00 × 0.875 = 2625.00 ; 1.5 × 1000.00 = 1500.00
    assert [line["net"] for line in quote["lines"]] == ["2625.00", "1500.00"]
    assert quote["total"] == "4125.00"
    assert {c["position"] for c in quote["founder_components"]} == {1, 2}

    state = await live.until(number, alice.headers, "pending_approval")
    approvals = {a["supplier_id"]: a["status"] for a in state["approvals"]}
    assert approvals == {alice.id: "auto_approved", bob.id: "pending", world.founder.id: "pending"}

    for supplier in (bob, world.founder):
        decision = {"revision": 1, "decision": "approve"}
        path = f"/quotes/{number}/decisions"
        expect(await live.api.post(path, json=decision, headers=supplier.headers), 200)
    sent = await live.until(number, alice.headers, "sent")
    assert sent["client_link"] and sent["valid_until"]
