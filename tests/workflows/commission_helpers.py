"""Driving a deal to its order through the API, then reading its invoices and the ledger."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any

from temporalio.client import WorkflowExecutionStatus

from models.domain import invoice_workflow_id
from tests.factories import OPERATOR, Actor, World, add_client, expect
from tests.temporal_fixtures import assert_no_workflow_task_failure
from tests.workflows.conftest import LONG_READ_SECONDS, Live
from tests.workflows.helpers import accept, decide, keep_workflow_history


async def close_deal(
    live: Live,
    world: World,
    seller: Actor,
    lines: list[dict[str, Any]],
    sales_team: list[dict[str, Any]] | None = None,
    within: float = 30,
) -> str:
    """Quote → every pending supplier approves → the client accepts; returns the order number."""
    client_id = world.clients.get(f"{seller.name}-client") or await add_client(
        live.api, world, seller, f"{seller.name}-client"
    )
    body: dict[str, Any] = {"client_id": client_id, "lines": lines}
    if sales_team is not None:
        body["sales_team"] = sales_team
    quote = expect(await live.api.post("/quotes", json=body, headers=seller.headers), 201)
    number = quote["number"]
    people = {world.founder.id: world.founder, **{a.id: a for a in world.members.values()}}
    for approval in quote["approvals"]:
        if approval["status"] == "pending":
            expect(await decide(live, number, people[approval["supplier_id"]], 1), 200)
    await accept(live, seller, number, within=within)
    done = await live.until(number, seller.headers, "ordered", within=within)
    return str(done["order_number"])


async def invoices(live: Live, order_number: str) -> dict[int, dict[str, Any]]:
    """The order's invoices, by supplier id."""
    page = expect(
        await live.api.get(
            "/commission-invoices", params={"order_number": order_number}, headers=OPERATOR
        ),
        200,
    )
    return {item["supplier_id"]: item for item in page["items"]}


async def invoice_until(live: Live, number: str, status: str, within: float = 30) -> Any:
    """Long reads of the invoice until it reaches `status`; fails soon on a workflow task
    failure."""
    handle = live.temporal.get_workflow_handle(invoice_workflow_id(number))
    deadline = asyncio.get_running_loop().time() + within
    params = {"wait_for": status, "wait": LONG_READ_SECONDS}
    path = f"/commission-invoices/{number}"
    while True:
        view = expect(await live.api.get(path, params=params, headers=OPERATOR), 200)
        if view["status"] == status:
            return view
        await assert_no_workflow_task_failure(handle)
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{number} stayed {view['status']}, expected {status}")
        await asyncio.sleep(0.2)


async def workflow_ended(live: Live, number: str, within: float = 20) -> None:
    handle = live.temporal.get_workflow_handle(invoice_workflow_id(number))
    deadline = asyncio.get_running_loop().time() + within
    while (await handle.describe()).status == WorkflowExecutionStatus.RUNNING:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"the workflow of {number} is still running")
        await asyncio.sleep(0.2)


async def pay(live: Live, number: str, amount: str, reference: str = "TRX-1") -> Any:
    body = {"amount": amount, "reference": reference}
    return await live.api.post(
        f"/commission-invoices/{number}/payments", json=body, headers=OPERATOR
    )


def shares(view: dict[str, Any]) -> dict[tuple[int | None, str], str]:
    return {(s["member_id"], s["role"]): s["amount"] for s in view["shares"]}


async def ledger(live: Live, who: Actor) -> Any:
    return expect(await live.api.get("/ledger", headers=who.headers), 200)


async def nets_by_account(live: Live, invoice_numbers: set[str]) -> dict[str, int]:
    """Credits minus debits in cents per account, over the postings of some invoices."""
    nets: dict[str, int] = defaultdict(int)
    cursor: str | None = None
    while True:
        params = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        page = expect(await live.api.get("/ledger", params=params, headers=OPERATOR), 200)
        for entry in page["items"]:
            if entry["invoice_number"] in invoice_numbers:
                cents = int(entry["amount"].replace(".", ""))
                nets[entry["credit_account"]] += cents
                nets[entry["debit_account"]] -= cents
        cursor = page["next"]
        if cursor is None:
            return dict(nets)


async def overdue_view(live: Live, number: str, within: float = 20) -> Any:
    deadline = asyncio.get_running_loop().time() + within
    while True:
        view = expect(await live.api.get(f"/commission-invoices/{number}", headers=OPERATOR), 200)
        if view["overdue"]:
            return view
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{number} was never flagged overdue")
        await asyncio.sleep(0.2)


async def found_by_query(live: Live, query: str, within: float = 15) -> bool:
    """Search attributes are eventually consistent: polls the visibility query."""
    deadline = asyncio.get_running_loop().time() + within
    while asyncio.get_running_loop().time() < deadline:
        if [execution async for execution in live.temporal.list_workflows(query)]:
            return True
        await asyncio.sleep(0.3)
    return False


async def keep_invoice_history(live: Live, number: str, name: str) -> None:
    """Records the invoice workflow's history for the replay tests (ARKANNA_RECORD_HISTORIES=1)."""
    await keep_workflow_history(live, invoice_workflow_id(number), name)
