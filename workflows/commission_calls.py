"""Typed calls to the commission activities, and the start of one workflow per invoice.

Activities are named, not imported: their modules hold SQLAlchemy and reportlab, which must
stay out of the workflow sandbox.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

with workflow.unsafe.imports_passed_through():
    from models.commission import (
        Clawback,
        CommissionAct,
        InvoiceInput,
        IssueInvoices,
        PaymentRecord,
        ShareLine,
    )
    from models.domain import invoice_workflow_id
    from models.money import format_cents

# Refusals are final; an outage (database, SMTP) is retried with backoff until it clears.
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


async def issue_invoices(request: IssueInvoices) -> list[InvoiceInput]:
    return await workflow.execute_activity(
        CommissionAct.ISSUE,
        request,
        result_type=list[InvoiceInput],
        start_to_close_timeout=SLOW,
        retry_policy=RETRY,
        summary=f"issue commission invoices of order {request.order_number}",
    )


async def flag_overdue(number: str) -> bool:
    return await workflow.execute_activity(
        CommissionAct.FLAG_OVERDUE,
        number,
        result_type=bool,
        start_to_close_timeout=QUICK,
        retry_policy=RETRY,
        summary=f"flag {number} overdue",
    )


async def record_payment(record: PaymentRecord) -> str:
    return await workflow.execute_activity(
        CommissionAct.RECORD_PAYMENT,
        record,
        result_type=str,
        start_to_close_timeout=QUICK,
        retry_policy=RETRY,
        summary=f"record payment {record.reference}",
    )


async def void_invoice(number: str) -> str:
    return await workflow.execute_activity(
        CommissionAct.VOID,
        number,
        result_type=str,
        start_to_close_timeout=QUICK,
        retry_policy=RETRY,
        summary=f"void {number}",
    )


async def post_split(number: str) -> list[ShareLine]:
    return await workflow.execute_activity(
        CommissionAct.SPLIT,
        number,
        result_type=list[ShareLine],
        start_to_close_timeout=SPLIT_TIMEOUT,
        retry_policy=RETRY,
        summary=f"split {number} into ledger postings",
    )


async def post_reversal(clawback: Clawback) -> list[ShareLine]:
    return await workflow.execute_activity(
        CommissionAct.REVERSE,
        clawback,
        result_type=list[ShareLine],
        start_to_close_timeout=QUICK,
        retry_policy=RETRY,
        summary=f"claw back the split of {clawback.number}",
    )


async def open_invoices(order_number: str) -> list[str]:
    """Issues the order's invoices and starts one child workflow per invoice.

    Children, not an activity with a client: each invoice's history sits under its deal in
    the UI, and the start is part of the quote's history, so a replay never starts it again.
    ABANDON lets an invoice outlive its quote workflow, which ends with the order. The child
    id is the invoice number, so a second start (a retried issue, or a cancellation that got
    there first with signal-with-start) is refused and simply skipped.
    """
    invoices = await issue_invoices(IssueInvoices(order_number, workflow.now()))
    for invoice in invoices:
        try:
            await workflow.start_child_workflow(
                "CommissionInvoiceWorkflow",
                invoice,
                id=invoice_workflow_id(invoice.number),
                parent_close_policy=workflow.ParentClosePolicy.ABANDON,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                static_summary=summary_of(invoice),
            )
        except WorkflowAlreadyStartedError:
            continue
    return [invoice.number for invoice in invoices]


def summary_of(invoice: InvoiceInput) -> str:
    return (
        f"Commission invoice {invoice.number} to {invoice.supplier.company} for order "
        f"{invoice.order_number}, {format_cents(invoice.amount_cents)} {invoice.currency}"
    )
