"""Deals driven through the API while something underneath dies and comes back.

Every step is retried until the store or the quote shows its effect: a 503 while no worker
polls, or an answer lost with a crash, never counts as a lost step, and a step that landed
twice is refused by the product (409), never applied twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from temporalio.api.enums.v1 import WorkflowTaskFailedCause
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle

from models.domain import (
    ApprovalStatus,
    InvoiceStatus,
    QuoteStatus,
    invoice_workflow_id,
    quote_workflow_id,
)
from store.tables import CommissionInvoice, Decision, Order, Quote
from tests.factories import OPERATOR, Actor

T = TypeVar("T")

POLL = 0.25
# 503: no worker polling yet, or the engine is unreachable; 429: the quote or invoice is busy
# with other requests. Anything else is an answer, except a 500, which is retried but kept: the
# API should never answer one (SPEC §8).
TRANSIENT = {429, 503}


@dataclass
class Stack:
    api: httpx.AsyncClient
    db: sessionmaker[Session]
    # Loop time after which a deal that has not finished fails the test.
    deadline: float
    # Printed with every failure, e.g. the seed that replays the run.
    context: str = ""
    transient_answers: int = 0
    dropped_connections: int = 0
    # "METHOD path" of every 500 answer.
    server_errors: list[str] = field(default_factory=list)
    # When set, each deal waits for it once its order is open, before paying: a test that
    # kills processes "while deals run" keeps them running until its kills are done, however
    # fast the machine.
    hold: asyncio.Event | None = None


@dataclass
class Deal:
    quote: str
    order: str | None = None
    invoices: list[str] = field(default_factory=list)

    @property
    def workflow_ids(self) -> list[str]:
        return [quote_workflow_id(self.quote), *map(invoice_workflow_id, self.invoices)]


class StepFailed(AssertionError):
    pass


async def stored(stack: Stack, read: Callable[[Session], T]) -> T:
    def run() -> T:
        with stack.db() as session:
            return read(session)

    return await asyncio.to_thread(run)


async def _send(stack: Stack, method: str, url: str, **kwargs: Any) -> httpx.Response | None:
    """One request; None on a transient answer, a 500 or a dropped connection (retried)."""
    try:
        response = await stack.api.request(method, url, **kwargs)
    except httpx.TransportError:
        # Over real HTTP, an API process that died (or is starting again) refuses or drops the
        # connection; whether a dropped request landed is read back like a lost answer.
        stack.dropped_connections += 1
        return None
    if response.status_code in TRANSIENT:
        stack.transient_answers += 1
        return None
    if response.status_code == 500:
        stack.server_errors.append(f"{method} {url}")
        return None
    return response


async def _pause(stack: Stack, what: str) -> None:
    if asyncio.get_running_loop().time() > stack.deadline:
        raise StepFailed(f"{what}: still not done at the deadline. {stack.context}")
    await asyncio.sleep(POLL)


def _refused(response: httpx.Response, what: str, stack: Stack) -> StepFailed:
    return StepFailed(f"{what}: {response.status_code} {response.text}. {stack.context}")


async def _answer(
    stack: Stack, method: str, url: str, expected: int, what: str, **kwargs: Any
) -> Any:
    """The JSON of the first answer that is not transient; any status but `expected` fails."""
    while True:
        response = await _send(stack, method, url, **kwargs)
        if response is not None:
            if response.status_code != expected:
                raise _refused(response, what, stack)
            return response.json()
        await _pause(stack, what)


async def create_quote(
    stack: Stack, seller: Actor, client_id: int, lines: list[dict[str, Any]], key: str
) -> dict[str, Any]:
    """POST /quotes with an Idempotency-Key, so a retried creation is the same quote."""
    body = {"client_id": client_id, "lines": lines}
    headers = {**seller.headers, "Idempotency-Key": key}
    created: dict[str, Any] = await _answer(
        stack, "POST", "/quotes", 201, f"creating quote {key}", json=body, headers=headers
    )
    return created


async def quote_view(stack: Stack, number: str, headers: dict[str, str]) -> dict[str, Any]:
    """GET /quotes/{number}: the workflow's state, answered by a live worker."""
    view: dict[str, Any] = await _answer(
        stack, "GET", f"/quotes/{number}", 200, f"reading {number}", headers=headers
    )
    return view


async def approve(stack: Stack, number: str, supplier: Actor, revision: int) -> None:
    """The supplier approves; a 409 is fine once the store holds the approval."""
    body = {"revision": revision, "decision": "approve"}
    what = f"{supplier.name} approving {number}"
    while True:
        response = await _send(
            stack, "POST", f"/quotes/{number}/decisions", json=body, headers=supplier.headers
        )
        if response is not None and response.status_code == 200:
            return
        if response is not None and response.status_code != 409:
            raise _refused(response, what, stack)
        # The store, not a query: the quote may be busy, and it holds at most one query waiting.
        decided = await stored(
            stack,
            lambda s: s.scalar(
                select(Decision.status).where(
                    Decision.quote_number == number,
                    Decision.revision == revision,
                    Decision.supplier_id == supplier.id,
                )
            ),
        )
        if decided == ApprovalStatus.APPROVED:
            return
        if response is not None and decided is not None:
            raise _refused(response, what, stack)
        await _pause(stack, what)


async def accept(stack: Stack, seller: Actor, number: str) -> None:
    """Once sent, the client accepts through the seller's copy of its link."""
    what = f"the client accepting {number}"
    while True:
        view = await quote_view(stack, number, seller.headers)
        if view["status"] in (QuoteStatus.ACCEPTED, QuoteStatus.ORDERED):
            return
        if view["status"] not in (QuoteStatus.PENDING_APPROVAL, QuoteStatus.SENT):
            raise StepFailed(f"{what}: the quote is {view['status']}. {stack.context}")
        if view["status"] == QuoteStatus.SENT:
            token = view["client_link"].rsplit("/", 1)[-1]
            body = {"signer_name": "Carl Client"}
            response = await _send(stack, "POST", f"/q/{token}/accept", json=body)
            if response is not None and response.status_code == 200:
                return
            if response is not None and response.status_code != 409:
                raise _refused(response, what, stack)
        await _pause(stack, what)


async def until_ordered(stack: Stack, number: str) -> str:
    """The order's number once the quote is `ordered` in the store."""
    while True:
        status, order = await stored(
            stack,
            lambda s: (
                s.scalar(select(Quote.status).where(Quote.number == number)),
                s.scalar(select(Order.number).where(Order.quote_number == number)),
            ),
        )
        if status == QuoteStatus.ORDERED and order is not None:
            return str(order)
        if status is not None and QuoteStatus(status).is_terminal:
            raise StepFailed(f"{number} ended {status}, not ordered. {stack.context}")
        await _pause(stack, f"{number} reaching ordered (now {status})")


async def pay_all(stack: Stack, order: str) -> list[str]:
    """The operator pays each invoice of the order in full; returns their numbers."""
    params = {"order_number": order}
    what = f"listing the invoices of {order}"
    page = await _answer(
        stack, "GET", "/commission-invoices", 200, what, params=params, headers=OPERATOR
    )
    items = page["items"]
    for item in items:
        await pay(stack, item["number"], item["amount"])
    return [item["number"] for item in items]


async def pay(stack: Stack, number: str, amount: str) -> None:
    body = {"amount": amount, "reference": f"TRX-{number}"}
    url = f"/commission-invoices/{number}/payments"
    while True:
        response = await _send(stack, "POST", url, json=body, headers=OPERATOR)
        if response is not None and response.status_code == 200:
            return
        if response is not None and response.status_code != 409:
            raise _refused(response, f"paying {number}", stack)
        status = await stored(stack, lambda s: s.get_one(CommissionInvoice, number).status)
        if status in (InvoiceStatus.PAID, InvoiceStatus.SPLIT):
            return
        if response is not None and status != InvoiceStatus.ISSUED:
            raise _refused(response, f"paying {number}", stack)
        await _pause(stack, f"paying {number}")


async def until_split(stack: Stack, number: str) -> None:
    while True:
        status = await stored(stack, lambda s: s.get_one(CommissionInvoice, number).status)
        if status == InvoiceStatus.SPLIT:
            return
        await _pause(stack, f"{number} reaching split (now {status})")


async def run_deal(
    stack: Stack,
    seller: Actor,
    client_id: int,
    lines: list[dict[str, Any]],
    people: dict[int, Actor],
    key: str,
) -> Deal:
    """Quote → every pending supplier approves → the client accepts → order → paid → split."""
    quote = await create_quote(stack, seller, client_id, lines, key)
    deal = Deal(quote["number"])
    pending = [a["supplier_id"] for a in quote["approvals"] if a["status"] == "pending"]
    # One request per quote at a time: a quote busy with a workflow task holds at most one
    # waiting query, and a second one fails (429, busy) instead of waiting.
    for supplier in pending:
        await approve(stack, deal.quote, people[supplier], quote["revision"])
    await accept(stack, seller, deal.quote)
    deal.order = await until_ordered(stack, deal.quote)
    if stack.hold is not None:
        await stack.hold.wait()
    deal.invoices = await pay_all(stack, deal.order)
    for number in deal.invoices:
        await until_split(stack, number)
    return deal


# Workflow task failures the server causes by design, and that the next attempt resolves: new
# events (a message, a timer, an activity's result) arrived while the worker was completing the
# task, or the sticky worker is gone. Any other cause is the workflow code's (e.g. a replay
# after a restart that does not match its history).
_BENIGN = {
    WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND,
    WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_UPDATE,
    WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_STICKY_TASK_QUEUE,
}


async def code_failures(handle: WorkflowHandle[Any, Any]) -> list[str]:
    failures = []
    async for event in handle.fetch_history_events():
        if event.HasField("workflow_task_failed_event_attributes"):
            failed = event.workflow_task_failed_event_attributes
            # TMPRL1101: the deadlock detector, on a machine too busy to run a task in 2 s.
            slow = failed.failure.message.startswith("[TMPRL1101]")
            if failed.cause not in _BENIGN and not slow:
                cause = WorkflowTaskFailedCause.Name(failed.cause)
                failures.append(f"{handle.id}: {cause}: {failed.failure.message}")
    return failures


async def all_completed(temporal: Client, workflow_ids: list[str], within: float = 90) -> None:
    """Each workflow closes as completed, and no workflow task ever failed in its code (replays
    after a restart included)."""
    deadline = asyncio.get_running_loop().time() + within
    for workflow_id in workflow_ids:
        handle = temporal.get_workflow_handle(workflow_id)
        while (status := (await handle.describe()).status) == WorkflowExecutionStatus.RUNNING:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{workflow_id} is still running")
            await asyncio.sleep(POLL)
        assert status == WorkflowExecutionStatus.COMPLETED, f"{workflow_id} ended {status}"
        assert await code_failures(handle) == []
