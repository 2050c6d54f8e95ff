"""R19: the quote view names every member beside its id, within what the viewer may see."""

from __future__ import annotations

from tests.factories import catalogue_world, expect
from tests.workflows.conftest import FAST, Live
from tests.workflows.helpers import launch, line


async def test_the_quote_names_its_seller_suppliers_and_team(live: Live) -> None:
    world = await catalogue_world(live.api, settings=FAST)
    alice, bob = world.members["alice"], world.members["bob"]
    quote = await launch(
        live, world, alice, [line(world, "alice-audit"), line(world, "bob-install")]
    )
    number = quote["number"]
    # The creation's own answer names them too, before the workflow has run.
    assert [ln["supplier"]["name"] for ln in quote["lines"]] == ["Alice", "Bob"]
    assert {a["supplier"]["name"] for a in quote["approvals"]} == {"Alice", "Bob", "Fay Founder"}

    seen = expect(await live.api.get(f"/quotes/{number}", headers=alice.headers), 200)
    assert seen["seller_id"] == alice.id
    assert seen["seller"] == {"id": alice.id, "name": "Alice", "company": "Alice Ltd"}
    names = {a["supplier_id"]: a["supplier"]["name"] for a in seen["approvals"]}
    assert names == {alice.id: "Alice", bob.id: "Bob", world.founder.id: "Fay Founder"}
    assert [ln["supplier"]["company"] for ln in seen["lines"]] == ["Alice Ltd", "Bob Ltd"]
    assert seen["sales_team"][0]["member"]["name"] == "Alice"
    owing = {c["owed_by"]: c["owed_by_member"]["name"] for c in seen["founder_components"]}
    assert owing and all(owing[i] == {alice.id: "Alice", bob.id: "Bob"}[i] for i in owing)
    listed = expect(await live.api.get("/quotes", headers=alice.headers), 200)["items"]
    assert [(q["seller"]["name"], q["client_company"]) for q in listed] == [("Alice", "acme GmbH")]

    # A supplier sees only its own approval and lines, so only its own name among suppliers.
    as_bob = expect(await live.api.get(f"/quotes/{number}", headers=bob.headers), 200)
    assert [a["supplier"]["name"] for a in as_bob["approvals"]] == ["Bob"]
    assert {ln["supplier"]["name"] for ln in as_bob["lines"]} == {"Bob"}
    assert "Fay Founder" not in str(as_bob["lines"]) + str(as_bob["approvals"])
