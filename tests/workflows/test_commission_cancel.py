"""R15: cancelling an order voids its unpaid invoices and claws back the split ones."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from models.cancellations import order_cancellation_workflow_id
from models.domain import invoice_workflow_id
from store.tables import LedgerEntry
from tests.factories import OPERATOR, add_client, catalogue_world, expect, join
from tests.ledger_seed import issue, seed_order
from tests.workflows.commission_helpers import (
    close_deal,
    invoice_until,
    invoices,
    keep_invoice_history,
    ledger,
    nets_by_account,
    pay,
    workflow_ended,
)
from tests.workflows.conftest import FAST, Live
from tests.workflows.helpers import keep_workflow_history, line, mails
from workflows.commission import CommissionInvoiceWorkflow


def _postings(live: Live) -> int:
    with live.db() as session:
        return int(session.scalar(select(func.count()).select_from(LedgerEntry)) or 0)


async def _cancel(live: Live, order: str) -> object:
    return await live.api.post(
        f"/orders/{order}/cancel", json={"reason": "client went bankrupt"}, headers=OPERATOR
    )


async def test_cancelling_after_the_split_nets_every_member_to_zero(live: Live) -> None:
    world = await catalogue_world(live.api, settings=FAST)
    alice, bob, carol = (world.members[n] for n in ("alice", "bob", "carol"))
    dave = await join(live.api, world, carol, "dave")
    order = await close_deal(
        live, world, dave, [line(world, "alice-audit"), line(world, "bob-install")]
    )
    issued = await invoices(live, order)
    paid, unpaid = issued[alice.id]["number"], issued[bob.id]["number"]
    expect(await pay(live, paid, "120.00"), 200)
    await invoice_until(live, paid, "split")
    await workflow_ended(live, paid)
    assert (await ledger(live, dave))["balance"] == "75.00"
    before = _postings(live)

    cancelled = expect(await _cancel(live, order), 200)
    assert cancelled["status"] == "cancelled"
    clawed = expect(await live.api.get(f"/commission-invoices/{paid}", headers=OPERATOR), 200)
    assert clawed["status"] == "split" and clawed["clawed_back"] is True
    await invoice_until(live, unpaid, "void")
    await workflow_ended(live, unpaid)
    await keep_invoice_history(live, unpaid, "commission_void")
    await keep_workflow_history(live, order_cancellation_workflow_id(order), "order_cancellation")
    nets = await nets_by_account(live, {paid, unpaid})
    assert nets and set(nets.values()) == {0}, nets
    assert _postings(live) == 2 * before
    for member in (dave, carol, bob):
        assert (await ledger(live, member))["balance"] == "0.00"

    again = await _cancel(live, order)
    assert again.status_code == 409
    assert _postings(live) == 2 * before
    late = await pay(live, unpaid, "120.00")
    assert late.status_code == 409 and "void" in late.json()["detail"]


async def test_cancelling_before_payment_voids_and_stops_the_reminders(live: Live) -> None:
    world = await catalogue_world(live.api, settings={**FAST, "payment_terms": 6})
    alice = world.members["alice"]
    order = await close_deal(live, world, alice, [line(world, "alice-audit")])
    number = (await invoices(live, order))[alice.id]["number"]
    expect(await _cancel(live, order), 200)
    await invoice_until(live, number, "void")
    await workflow_ended(live, number)
    await asyncio.sleep(7)  # past the reminder (4.5 s) and the due date (6 s)
    assert mails(live, "Reminder: commission") == [] and mails(live, "Overdue") == []
    view = expect(await live.api.get(f"/commission-invoices/{number}", headers=OPERATOR), 200)
    assert view["overdue"] is False and view["shares"] == []
    refused = await pay(live, number, "120.00")
    assert refused.status_code == 409
    assert _postings(live) == 0


async def test_a_cancellation_that_overtakes_the_invoice_workflow_starts_it_void(
    live: Live,
) -> None:
    # Invoices issued but their workflows not started yet: the quote workflow is between its
    # two steps. The cancellation must still void them, and no invoice email goes out.
    world = await catalogue_world(live.api, settings=FAST)
    alice = world.members["alice"]
    client = await add_client(live.api, world, alice, "initech")
    documents = live.settings.DOCUMENTS_DIR
    order = seed_order(live.db, documents, world, alice, client, [("alice-audit", "1")])
    [invoice] = issue(live.db, documents, order)
    expect(await _cancel(live, order), 200)
    await invoice_until(live, invoice.number, "void")
    await workflow_ended(live, invoice.number)
    handle = live.temporal.get_workflow_handle_for(
        CommissionInvoiceWorkflow.run, invoice_workflow_id(invoice.number)
    )
    state = await handle.query(CommissionInvoiceWorkflow.get_state)
    assert state.status == "void" and state.void_reason == "client went bankrupt"
    assert mails(live, "Commission invoice") == []
    # Issued, so cancelled by a credit note, which is emailed even though the invoice was not.
    [credit_note] = mails(live, "Credit note")
    assert f"for invoice {invoice.number}" in str(credit_note["Subject"])
    await keep_invoice_history(live, invoice.number, "commission_started_void")
