"""Typed calls to every activity of the product, with one set of timeouts and retries, the start
of a commission invoice's workflow as a child, and how a broken rule leaves a workflow.

Activities are named, not imported: their modules hold SQLAlchemy and reportlab, which must
stay out of the workflow sandbox.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy, WorkflowIDReusePolicy
from temporalio.converter import value_to_type
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError

with workflow.unsafe.imports_passed_through():
    from models.cancellations import CancellationAct, MemberQuotes
    from models.commission import (
        Clawback,
        CommissionAct,
        InvoiceInput,
        PaymentRecord,
        ShareLine,
        Shares,
        Voided,
        invoice_summary,
    )
    from models.credit_notes import CreditNoteAct
    from models.domain import invoice_workflow_id
    from models.errors import DomainError
    from models.payout_runs import (
        PayoutAct,
        PrepareRun,
        RecordDecision,
        RunDecision,
        RunStatus,
        RunSummary,
    )
    from models.quote_payloads import Act, Notice
    from models.quote_phases import (
        Checked,
        Closed,
        CloseQuote,
        OpenRevision,
        PhaseAct,
        SendQuote,
        Step,
    )
    from models.status_history import StatusEvent
    from workflows import search

# Business refusals raised by activities are final; anything else (a database or SMTP
# outage) is retried with backoff until it clears.
RETRY = RetryPolicy(
    initial_interval=timedelta(milliseconds=200),
    maximum_interval=timedelta(seconds=10),
    non_retryable_error_types=["RuleViolation", "NotFound", "Conflict"],
)
QUICK = timedelta(seconds=30)
SLOW = timedelta(minutes=2)
# Short, so a worker that died in the middle of the split is noticed quickly and the retry —
# a no-op for postings already committed — runs on another worker.
SPLIT_TIMEOUT = timedelta(seconds=15)
# The payouts step beats once per member paid: a worker that died in the middle is noticed
# this soon, however many members the run pays.
PAY_HEARTBEAT = timedelta(seconds=10)


def refuse(check: Callable[..., None], *args: Any) -> None:
    """Runs a pure rule; its refusal becomes an update rejection the API maps to HTTP."""
    try:
        check(*args)
    except DomainError as exc:
        raise refusal(exc) from None


def refusal(exc: DomainError) -> ApplicationError:
    """A broken rule as a final failure named after its kind (Conflict, RuleViolation…)."""
    return ApplicationError(exc.message, type=type(exc).__name__, non_retryable=True)


async def record_quote_step(step: Step) -> None:
    what = step.status.status if step.status else f"{len(step.decisions)} decision(s)"
    await _run(PhaseAct.RECORD_STEP, step, summary=f"record {what}, {len(step.notices)} email(s)")


async def open_quote_revision(phase: OpenRevision) -> Checked:
    summary = f"open revision {phase.save.revision.number}"
    return await _run(
        PhaseAct.OPEN_REVISION, phase, result_type=Checked, start_to_close=SLOW, summary=summary
    )


async def send_quote(phase: SendQuote) -> Checked:
    summary = f"send revision {phase.render.revision} to the client"
    return await _run(
        PhaseAct.SEND_QUOTE, phase, result_type=Checked, start_to_close=SLOW, summary=summary
    )


async def close_quote(phase: CloseQuote) -> Closed:
    summary = "open the order, its documents, notices and invoices"
    return await _run(
        PhaseAct.CLOSE_QUOTE, phase, result_type=Closed, start_to_close=SLOW, summary=summary
    )


async def send_notice(notice: Notice) -> None:
    await _run(Act.SEND_NOTICE, notice, summary=f"email {notice.kind} to {notice.to_name}")


async def void_invoice(number: str) -> Voided:
    return voided(await _run(CommissionAct.VOID, number))


async def settle_payment(record: PaymentRecord) -> Shares:
    """The payment, its split and its receipt in one step; the reference is what an operator
    looks for, the result's "encaissée" event what e-reporting records."""
    answer = await _run(
        CommissionAct.SETTLE,
        record,
        start_to_close=SPLIT_TIMEOUT,
        summary=f"payment {record.reference}",
    )
    return shares(answer)


async def deliver_credit_note(number: str) -> list[StatusEvent]:
    summary = f"render, email and transmit credit note {number}"
    return await _run(
        CreditNoteAct.DELIVER,
        number,
        result_type=list[StatusEvent],
        start_to_close=SLOW,
        summary=summary,
    )


async def mark_overdue(number: str) -> bool:
    return await _run(CommissionAct.MARK_OVERDUE, number, result_type=bool)


async def post_reversal(clawback: Clawback) -> Shares:
    return shares(await _run(CommissionAct.REVERSE, clawback))


# Steps recorded before the status history answered the bare status or the bare shares; they
# are read back either way, so that those histories replay as they ran.
def voided(answer: Any) -> Voided:
    if isinstance(answer, str):
        return Voided(answer)
    decoded: Voided = value_to_type(Voided, answer)
    return decoded


def shares(answer: Any) -> Shares:
    if isinstance(answer, list):
        return Shares(value_to_type(list[ShareLine], answer))
    decoded: Shares = value_to_type(Shares, answer)
    return decoded


async def start_invoice_workflow(invoice: InvoiceInput) -> bool:
    """Starts the invoice's workflow (already void when its `void_reason` is set); False when
    its id has been used — by the quote workflow, or by an order cancellation that got there
    first.

    ABANDON lets an invoice outlive the workflow that started it. REJECT_DUPLICATE: an ended
    invoice never gets a second run.
    """
    try:
        await workflow.start_child_workflow(
            "CommissionInvoiceWorkflow",
            invoice,
            id=invoice_workflow_id(invoice.number),
            parent_close_policy=workflow.ParentClosePolicy.ABANDON,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            static_summary=invoice_summary(invoice),
            search_attributes=search.invoice_attributes(invoice),
        )
    except WorkflowAlreadyStartedError:
        return False
    return True


async def invoices_of_cancelled_order(order_number: str) -> list[InvoiceInput]:
    summary = f"invoices of cancelled order {order_number}"
    return await _run(
        CancellationAct.ORDER_INVOICES,
        order_number,
        result_type=list[InvoiceInput],
        summary=summary,
    )


async def open_quotes_of_removed_member(member_id: int) -> MemberQuotes:
    summary = f"open quotes of removed member {member_id}"
    return await _run(
        CancellationAct.MEMBER_QUOTES, member_id, result_type=MemberQuotes, summary=summary
    )


async def prepare_payout_run(request: PrepareRun) -> RunSummary:
    summary = f"balances of cluster {request.cluster_id} for {request.period}"
    return await _run(PayoutAct.PREPARE, request, result_type=RunSummary, summary=summary)


async def pay_payout_run(run_id: int) -> RunSummary:
    """Self-billed invoices, postings and the transfer file: each payout once, so a retry
    after a crash picks up after the last one paid."""
    return await _run(
        PayoutAct.PAY,
        run_id,
        result_type=RunSummary,
        start_to_close=timedelta(minutes=30),
        heartbeat=PAY_HEARTBEAT,
        summary="self-billed invoices and the transfer file",
    )


async def record_run_decision(run_id: int, status: RunStatus, decision: RunDecision) -> RunSummary:
    return await _run(
        PayoutAct.DECIDE,
        RecordDecision(run_id, status.value, decision.action, decision.reason),
        result_type=RunSummary,
        summary=f"{decision.action} the run",
    )


async def run_summary(run_id: int) -> RunSummary:
    return await _run(PayoutAct.SUMMARY, run_id, result_type=RunSummary, summary="the run")


async def notify_payout_run(run_id: int) -> int:
    return await _run(PayoutAct.NOTIFY, run_id, result_type=int, summary="email each payee")


async def _run(
    activity: str,
    arg: Any,
    *,
    result_type: Any = None,
    start_to_close: timedelta = QUICK,
    heartbeat: timedelta | None = None,
    summary: str | None = None,
) -> Any:
    """One activity by name, with the product's retries: every call above goes through here."""
    return await workflow.execute_activity(
        activity,
        arg,
        result_type=result_type,
        start_to_close_timeout=start_to_close,
        heartbeat_timeout=heartbeat,
        retry_policy=RETRY,
        summary=summary,
    )


async def tell(workflow_id: str, signal: str, message: Any) -> bool:
    """Signals another workflow; False when there is none running under that id (ended, or
    never started): nothing is listening any more."""
    try:
        await workflow.get_external_workflow_handle(workflow_id).signal(signal, message)
    except ApplicationError:
        return False
    return True
