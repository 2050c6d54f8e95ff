"""Every call of the API to the workflow engine, and how its failures read over HTTP.

Routes never name a workflow, a handle or a Temporal type: they call one function here per
thing they ask the engine (start a quote, decide, cancel an order's invoices…).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from temporalio.client import (
    Client,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from models.cancellations import (
    MemberRemoval,
    OrderCancellation,
    member_removal_workflow_id,
    order_cancellation_workflow_id,
)
from models.commission import InvoiceState, PaymentInput
from models.credit_notes import credit_note_workflow_id
from models.domain import invoice_workflow_id, quote_workflow_id
from models.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Gone,
    NotFound,
    RuleViolation,
    TooManyRequests,
    Unavailable,
)
from models.money import format_cents
from models.payout_runs import RunDecision, RunInput, RunSummary, run_workflow_id
from models.quote_payloads import (
    CancelInput,
    ClientAnswerInput,
    ClientViewInput,
    DecisionInput,
    QuoteInput,
    QuoteState,
    RevisionInput,
    WaitInput,
)
from settings import Settings
from workflows.commission import CommissionInvoiceWorkflow
from workflows.connection import connect_temporal
from workflows.credit_note import CreditNoteDeliveryWorkflow
from workflows.member_removal import MemberRemovalWorkflow
from workflows.order_cancellation import OrderCancellationWorkflow
from workflows.payout_run import PayoutRunWorkflow
from workflows.payout_schedule import ensure_payout_schedule
from workflows.quote import REACHED, QuoteWorkflow
from workflows.search import quote_attributes

T = TypeVar("T")
log = logging.getLogger("arkanna.api")

# A query runs on a worker: when none is there, the reader gets a 503 after this long.
QUERY_TIMEOUT = timedelta(seconds=10)
# How long a new quote's creation waits for its workflow to take its first task.
READY_TIMEOUT = timedelta(seconds=2)
# How long an order's cancellation waits for its invoices to be settled before it answers; past
# it the answer goes out anyway, and the workflow finishes the rest.
SETTLE_WAIT_SECONDS = 10.0

UNAVAILABLE = "the workflow engine is unavailable; try again shortly"
BUSY = "busy: too many requests on this quote or invoice at once; try again shortly"
# A healthy server refuses past its limits on one workflow (`history.maxInFlightUpdates`
# updates in flight, queries waiting on a busy task) with RESOURCE_EXHAUSTED, once the client's
# own retries (about 14 s) are spent: a 429, since the engine is there and answering.
BUSY_RETRY_AFTER_SECONDS = 1
# Statuses that say "not now" rather than "never": a query waiting on a workflow task that no
# worker runs ends CANCELLED (its deadline).
_TRANSIENT = frozenset(
    {
        RPCStatusCode.UNAVAILABLE,
        RPCStatusCode.DEADLINE_EXCEEDED,
        RPCStatusCode.CANCELLED,
        RPCStatusCode.FAILED_PRECONDITION,  # e.g. no worker polling yet
    }
)

# Update rejections carry the rule's error type; the API answers with that error's status.
_BY_TYPE: dict[str, type[DomainError]] = {
    "RuleViolation": RuleViolation,
    "Forbidden": Forbidden,
    "Conflict": Conflict,
    "NotFound": NotFound,
}


def quote_handle(client: Client, number: str) -> WorkflowHandle[QuoteWorkflow, QuoteState]:
    return client.get_workflow_handle_for(QuoteWorkflow.run, quote_workflow_id(number))


async def quote_state(client: Client, number: str) -> QuoteState:
    """The quote as its workflow holds it (a query); 503 when no worker answers in time."""
    query = quote_handle(client, number).query(QuoteWorkflow.get_state, rpc_timeout=QUERY_TIMEOUT)
    return await call(query)


async def wait_quote(client: Client, number: str, status: str, seconds: float) -> QuoteState:
    """The quote once it has `status` or has ended, or after `seconds`: one workflow update
    that completes in the workflow task where the quote gets there (no read in a loop). A
    quote already there, or closed, answers with the `state` query at once."""
    try:
        state = await call(_wait_update(quote_handle(client, number), status, seconds))
    except Gone:  # closed: its query still answers
        state = None
    return state or await quote_state(client, number)


async def _wait_update(
    handle: WorkflowHandle[QuoteWorkflow, QuoteState], status: str, seconds: float
) -> QuoteState | None:
    timeout = timedelta(seconds=seconds) + QUERY_TIMEOUT
    try:
        return await handle.execute_update(
            QuoteWorkflow.wait, WaitInput(status, seconds), rpc_timeout=timeout
        )
    except WorkflowUpdateFailedError as exc:
        if isinstance(exc.cause, ApplicationError) and exc.cause.type == REACHED:
            return None  # already there: the validator refused, nothing was recorded
        raise


async def start_quote(client: Client, settings: Settings, start: QuoteInput) -> None:
    """Starts the quote's workflow once; a retry finds it running (or finished) and moves on."""
    summary = (
        f"Quote {start.number} by {start.seller.name} for {start.client.company}, "
        f"{format_cents(start.revision.total_cents)} {start.currency}"
    )
    await _start_once(
        client,
        settings,
        QuoteWorkflow.run,
        start,
        quote_workflow_id(start.number),
        summary,
        search_attributes=quote_attributes(start),
    )
    await _first_task_done(quote_handle(client, start.number))


async def _first_task_done(handle: WorkflowHandle[Any, Any]) -> None:
    """Waits, briefly, until a worker has made the new workflow and run its first task (a query
    is answered only then), so the suppliers' first decisions find it ready rather than paying
    for its creation. A quote whose worker is slow still exists: the creation answers anyway."""
    try:
        await handle.query(QuoteWorkflow.get_state, rpc_timeout=READY_TIMEOUT)
    except (RPCError, WorkflowQueryFailedError) as exc:
        log.info("quote %s: first workflow task not done yet (%s)", handle.id, exc)


async def decide(client: Client, number: str, decision: DecisionInput) -> QuoteState:
    return await call(quote_handle(client, number).execute_update(QuoteWorkflow.decide, decision))


async def revise(client: Client, number: str, revision: RevisionInput) -> QuoteState:
    return await call(quote_handle(client, number).execute_update(QuoteWorkflow.revise, revision))


async def cancel_quote(client: Client, number: str, cancel: CancelInput) -> QuoteState:
    return await call(quote_handle(client, number).execute_update(QuoteWorkflow.cancel, cancel))


async def answer(client: Client, number: str, answer: ClientAnswerInput) -> QuoteState:
    return await call(quote_handle(client, number).execute_update(QuoteWorkflow.answer, answer))


async def client_viewed(client: Client, number: str, revision: int) -> None:
    view = ClientViewInput(revision)
    await call(quote_handle(client, number).signal(QuoteWorkflow.client_viewed, view))


async def record_payment(client: Client, number: str, payment: PaymentInput) -> InvoiceState:
    """The invoice as its workflow holds it once the payment is recorded (its split follows);
    Gone when the invoice's workflow is closed, or not started yet."""
    handle = client.get_workflow_handle_for(
        CommissionInvoiceWorkflow.run, invoice_workflow_id(number)
    )
    return await call(handle.execute_update(CommissionInvoiceWorkflow.record_payment, payment))


async def record_bank_payment(client: Client, number: str, payment: PaymentInput) -> str | None:
    """Records a bank line's payment on its invoice, once: None when the invoice's workflow
    holds this payment (now, or from an earlier attempt of the same line), otherwise why the
    invoice takes it not (paid by something else meanwhile, void)."""
    handle = client.get_workflow_handle_for(
        CommissionInvoiceWorkflow.run, invoice_workflow_id(number)
    )
    try:
        await call(handle.execute_update(CommissionInvoiceWorkflow.record_payment, payment))
        return None
    except (Conflict, RuleViolation, Gone) as refused:
        query = handle.query(CommissionInvoiceWorkflow.get_state, rpc_timeout=QUERY_TIMEOUT)
        state = await call(query)
        if state.payment_reference == payment.reference:
            return None
        return refused.message


async def cancel_order_invoices(
    client: Client, settings: Settings, number: str, reason: str
) -> None:
    """R15: starts the order's cancellation workflow, once ever, and waits a while for it to
    settle the invoices. A retry after an outage starts what the first could not."""
    summary = f"Cancellation of order {number}: {reason}"[:200]
    handle = await _start_once(
        client,
        settings,
        OrderCancellationWorkflow.run,
        OrderCancellation(number, reason),
        order_cancellation_workflow_id(number),
        summary,
    )
    if handle is not None:
        with contextlib.suppress(TimeoutError):  # durable: it finishes without us
            await asyncio.wait_for(call(handle.result()), SETTLE_WAIT_SECONDS)


async def deliver_credit_note(client: Client, settings: Settings, number: str) -> None:
    """Starts the credit note's delivery (render, email, transmit), once ever, and waits a
    while for it, so that its PDF is usually there when the answer leaves."""
    handle = await _start_once(
        client,
        settings,
        CreditNoteDeliveryWorkflow.run,
        number,
        credit_note_workflow_id(number),
        f"Delivery of credit note {number}",
    )
    if handle is not None:
        with contextlib.suppress(TimeoutError):  # durable: it finishes without us
            await asyncio.wait_for(call(handle.result()), SETTLE_WAIT_SECONDS)


async def tell_member_quotes(connection: TemporalConnection, member_id: int) -> None:
    """R2: starts the removed member's fan-out to its open quotes, once ever (durable)."""
    await _start_once(
        await connection.get(),
        connection.settings,
        MemberRemovalWorkflow.run,
        MemberRemoval(member_id),
        member_removal_workflow_id(member_id),
        f"Removal of member {member_id}: its open quotes told",
    )


async def start_payout_run(
    client: Client, settings: Settings, cluster_id: int, period: str
) -> RunSummary:
    """The period's run, started by an operator (or found running), once it has read the
    balances. The store, not the workflow id, keeps a period to one run: a workflow started
    after the period's run ended finds it paid or rejected and ends at once, and one started
    while the Schedule's run has the period finds it a duplicate."""
    handle = await call(
        client.start_workflow(
            PayoutRunWorkflow.run,
            RunInput(cluster_id, period),
            id=run_workflow_id(cluster_id, period),
            task_queue=settings.TEMPORAL_TASK_QUEUE,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            static_summary=f"Payouts of cluster {cluster_id} for {period}",
        )
    )
    return await call(handle.execute_update(PayoutRunWorkflow.preview))


async def schedule_payouts(connection: TemporalConnection, cluster_id: int) -> None:
    """The cluster's monthly payout Schedule; if the engine is away, the worker creates it
    when it next starts."""
    try:
        client = await connection.get()
        await ensure_payout_schedule(client, cluster_id, connection.settings.TEMPORAL_TASK_QUEUE)
    except Exception as exc:  # the cluster stands; its Schedule comes with the worker's start
        log.warning("payout schedule of cluster %s not created yet: %s", cluster_id, exc)


async def decide_payout_run(client: Client, workflow_id: str, decision: RunDecision) -> RunSummary:
    handle = client.get_workflow_handle_for(PayoutRunWorkflow.run, workflow_id)
    return await call(handle.execute_update(PayoutRunWorkflow.decide, decision))


async def _start_once(
    client: Client,
    settings: Settings,
    run: Callable[[Any, Any], Awaitable[Any]],
    arg: Any,
    workflow_id: str,
    summary: str,
    **options: Any,
) -> WorkflowHandle[Any, Any] | None:
    """The running workflow under this id, started now or before; None once it has ended
    (REJECT_DUPLICATE: a business id never gets a second run)."""
    try:
        return await call(
            client.start_workflow(
                run,
                arg,
                id=workflow_id,
                task_queue=settings.TEMPORAL_TASK_QUEUE,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                static_summary=summary,
                **options,
            )
        )
    except Conflict:
        return None


async def call(awaitable: Awaitable[T]) -> T:
    """Awaits a Temporal call, turning its failures into domain errors (one handler renders)."""
    try:
        return await awaitable
    except WorkflowUpdateFailedError as exc:
        cause = exc.cause
        if isinstance(cause, ApplicationError) and cause.type in _BY_TYPE:
            raise _BY_TYPE[cause.type].from_message(cause.message) from None
        raise Conflict(str(cause or exc)) from None
    except WorkflowUpdateRPCTimeoutOrCancelledError as exc:
        # The message may still land; decisions and answers are idempotent, so a retry is safe.
        log.warning("workflow engine did not answer in time: %s", exc.cause or exc)
        raise Unavailable(UNAVAILABLE) from None
    except WorkflowAlreadyStartedError:
        raise Conflict("this quote's workflow is already running") from None
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            # Closed workflows refuse messages: the quote has reached its end.
            raise Gone("the quote is closed: it no longer accepts this action") from None
        if exc.status == RPCStatusCode.RESOURCE_EXHAUSTED:
            log.warning("workflow busy: %s", exc.message)
            raise TooManyRequests(BUSY, retry_after=BUSY_RETRY_AFTER_SECONDS) from None
        if exc.status in _TRANSIENT:
            log.warning("workflow engine unavailable: %s %s", exc.status.name, exc.message)
            raise Unavailable(UNAVAILABLE) from None
        raise


class TemporalConnection:
    """One Temporal client for the process, connected on first use and shared by every route."""

    def __init__(self, settings: Settings, client: Client | None = None) -> None:
        self.settings = settings
        self._client = client
        self._lock = asyncio.Lock()

    async def get(self) -> Client:
        if self._client is None:
            async with self._lock:
                if self._client is None:
                    try:
                        self._client = await connect_temporal(self.settings)
                    except Exception as exc:
                        raise Unavailable("the workflow engine is unavailable") from exc
        return self._client


def get_connection(request: Request) -> TemporalConnection:
    connection: TemporalConnection = request.app.state.temporal
    return connection


async def get_temporal(request: Request) -> Client:
    return await get_connection(request).get()


# The client, connected before the route runs; the connection, for routes that need the engine
# only sometimes (connected on first use).
TemporalDep = Annotated[Client, Depends(get_temporal)]
ConnectionDep = Annotated[TemporalConnection, Depends(get_connection)]
