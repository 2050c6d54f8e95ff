"""The split's inputs: a sales team, terms frozen at acceptance, inviter chains at split time."""

from __future__ import annotations

from tests.factories import OPERATOR, catalogue_world, expect, join
from tests.workflows.commission_helpers import close_deal, invoice_until, invoices, pay, shares
from tests.workflows.conftest import FAST, Live
from tests.workflows.helpers import line


async def test_sales_team_of_three_is_split_with_the_terms_frozen_at_acceptance(
    live: Live,
) -> None:
    world = await catalogue_world(live.api, settings=FAST)  # platform 10 %, affiliates 10 %, 5 %
    alice, bob, carol = (world.members[n] for n in ("alice", "bob", "carol"))
    team = [
        {"member_id": alice.id, "share": "50"},
        {"member_id": bob.id, "share": "25"},
        {"member_id": carol.id, "share": "25"},
    ]
    order = await close_deal(live, world, alice, [line(world, "alice-audit")], sales_team=team)
    # Changed after acceptance: the closed deal keeps the terms it was accepted with.
    changed = {"platform_fee_rate": "20", "founder_rate": "10", "affiliate_rates": ["0"]}
    path = f"/clusters/{world.cluster_id}/settings"
    expect(await live.api.patch(path, json=changed, headers=OPERATOR), 200)
    number = (await invoices(live, order))[alice.id]["number"]
    expect(await pay(live, number, "120.00"), 200)
    split = await invoice_until(live, number, "split")
    founder = world.founder.id
    # Chains: alice ← founder; bob ← alice ← founder; carol ← bob ← alice. Sellers share
    # 77.50 as 50/25/25; the one leftover cent of two equal halves goes to the lower id.
    assert shares(split) == {
        (None, "platform"): "10.00",
        (founder, "affiliate_l1"): "5.00",
        (founder, "affiliate_l2"): "1.25",
        (alice.id, "affiliate_l1"): "2.50",
        (alice.id, "affiliate_l2"): "1.25",
        (bob.id, "affiliate_l1"): "2.50",
        (alice.id, "seller"): "38.75",
        (bob.id, "seller"): "19.38",
        (carol.id, "seller"): "19.37",
    }
    total = sum(int(s["amount"].replace(".", "")) for s in split["shares"])
    assert total == 10_000


async def test_a_removed_affiliate_earns_nothing_and_its_level_falls_to_the_seller(
    live: Live,
) -> None:
    world = await catalogue_world(live.api, settings=FAST)
    alice, bob, carol = (world.members[n] for n in ("alice", "bob", "carol"))
    dave = await join(live.api, world, carol, "dave")  # dave ← carol ← bob
    order = await close_deal(live, world, dave, [line(world, "alice-audit")])
    removed = await live.api.delete(f"/members/{bob.id}", headers=world.founder.headers)
    assert removed.status_code in (200, 204), removed.text
    number = (await invoices(live, order))[alice.id]["number"]
    expect(await pay(live, number, "120.00"), 200)
    split = await invoice_until(live, number, "split")
    assert shares(split) == {
        (None, "platform"): "10.00",
        (carol.id, "affiliate_l1"): "10.00",
        (dave.id, "seller"): "80.00",  # 75.00 + bob's 5.00
    }
