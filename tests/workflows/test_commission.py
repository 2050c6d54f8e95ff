"""R14 and the split, end to end: quote → approvals → acceptance → invoices → payment → ledger."""

from __future__ import annotations

from tests.factories import OPERATOR, Actor, catalogue_world, expect, join
from tests.workflows.commission_helpers import (
    close_deal,
    found_by_query,
    invoice_until,
    invoices,
    keep_invoice_history,
    ledger,
    overdue_view,
    pay,
    shares,
    workflow_ended,
)
from tests.workflows.conftest import FAST, Live
from tests.workflows.helpers import line, mails, mails_after


async def test_invoices_per_supplier_then_a_three_level_affiliate_split(live: Live) -> None:
    settings = {**FAST, "founder_rate": "5", "affiliate_rates": ["10", "5", "2"]}
    world = await catalogue_world(live.api, settings=settings)
    alice, bob, carol = (world.members[n] for n in ("alice", "bob", "carol"))
    dave = await join(live.api, world, carol, "dave")  # dave ← carol ← bob ← alice
    lines = [
        line(world, "alice-audit"),  # 1000.00 at 10 %
        line(world, "bob-install", "2"),  # 2000.00 at 5 %
        line(world, "carol-training"),  # 0 %: carol gets no invoice
    ]
    order = await close_deal(live, world, dave, lines)
    issued = await invoices(live, order)
    assert {k: v["amount"] for k, v in issued.items()} == {alice.id: "120.00", bob.id: "120.00"}
    number = issued[alice.id]["number"]
    assert number.startswith("C-") and issued[alice.id]["status"] == "issued"
    assert len(mails(live, "Commission invoice")) == 2

    wrong = await pay(live, number, "99.99")
    assert wrong.status_code == 422 and "amount" in wrong.json()["detail"]
    paid = expect(await pay(live, number, "120.00"), 200)
    assert paid["status"] in ("paid", "split") and paid["payment_reference"] == "TRX-1"
    split = await invoice_until(live, number, "split")
    assert shares(split) == {
        (None, "platform"): "10.00",
        (world.founder.id, "founder"): "5.00",
        (carol.id, "affiliate_l1"): "10.00",
        (bob.id, "affiliate_l2"): "5.00",
        (alice.id, "affiliate_l3"): "2.00",
        (dave.id, "seller"): "68.00",
    }
    again = await pay(live, number, "120.00", "TRX-2")
    assert again.status_code == 409 and "already" in again.json()["detail"]
    await workflow_ended(live, number)
    await keep_invoice_history(live, number, "commission_split")

    mine = await ledger(live, dave)
    assert mine["balance"] == "68.00" and [e["role"] for e in mine["items"]] == ["seller"]
    assert (await ledger(live, carol))["balance"] == "10.00"
    await _only_its_supplier_sees(live, number, alice, bob)


async def _only_its_supplier_sees(live: Live, number: str, supplier: Actor, other: Actor) -> None:
    own = expect(await live.api.get("/commission-invoices", headers=supplier.headers), 200)
    assert [item["number"] for item in own["items"]] == [number]
    hidden = await live.api.get(f"/commission-invoices/{number}", headers=other.headers)
    assert hidden.status_code == 404
    pdf = await live.api.get(f"/commission-invoices/{number}/pdf", headers=supplier.headers)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


async def test_unpaid_invoice_is_reminded_then_flagged_overdue(live: Live) -> None:
    world = await catalogue_world(live.api, settings={**FAST, "payment_terms": 3})
    alice = world.members["alice"]
    order = await close_deal(live, world, alice, [line(world, "alice-audit")])
    number = (await invoices(live, order))[alice.id]["number"]
    view = await overdue_view(live, number)
    assert view["status"] == "issued"
    assert len(mails(live, "Reminder: commission")) == 1  # at due − terms/4
    assert len(await mails_after(live, "Overdue: commission")) == 1  # sent after the flag
    flagged = expect(
        await live.api.get("/commission-invoices", params={"overdue": "true"}, headers=OPERATOR),
        200,
    )
    assert [item["number"] for item in flagged["items"]] == [number]
    # Operators find it in the Temporal UI with one query.
    query = f"InvoiceOverdue = true AND InvoiceNumber = '{number}'"
    assert await found_by_query(live, query)
    expect(await pay(live, number, "120.00"), 200)
    assert (await invoice_until(live, number, "split"))["overdue"] is True
    await workflow_ended(live, number)
    await keep_invoice_history(live, number, "commission_overdue_then_paid")
