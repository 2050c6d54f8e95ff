"""R15 as a workflow: a cancelled order's commission invoices are voided, or clawed back once
split, durably and in sight of operators (OrderCancellationWorkflow, id `order-cancel-<number>`).

The API starts it after the cancellation's commit, so the invoices it lists are final (issuing
skips a cancelled order). Each invoice ends one of three ways:
- its workflow is not started yet (the quote workflow issues, then starts it): it is started
  here already void, sends nothing, and the quote workflow's own start is refused and skipped;
- its workflow runs: it is told `void`, and voids itself — or, paid, splits and claws back;
- its workflow has ended (split, or ended by hand while unpaid): voided or clawed back here.
Every step is idempotent by the invoice number, so a retried task or activity changes nothing.
"""

from __future__ import annotations

import dataclasses

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.cancellations import OrderCancellation
    from models.commission import Clawback, InvoiceInput, VoidInput
    from models.domain import InvoiceStatus, invoice_workflow_id
    from workflows import calls


@workflow.defn(name="OrderCancellationWorkflow")
class OrderCancellationWorkflow:
    @workflow.run
    async def run(self, cancellation: OrderCancellation) -> list[str]:
        invoices = await calls.invoices_of_cancelled_order(cancellation.order_number)
        for invoice in invoices:
            await _void(invoice, cancellation.reason)
        return [invoice.number for invoice in invoices]


async def _void(invoice: InvoiceInput, reason: str) -> None:
    if await calls.start_invoice_workflow(dataclasses.replace(invoice, void_reason=reason)):
        return
    if await calls.tell(invoice_workflow_id(invoice.number), "void", VoidInput(reason)):
        return
    if (await calls.void_invoice(invoice.number)).status == InvoiceStatus.SPLIT:
        await calls.post_reversal(Clawback(invoice.number, reason))


__all__ = ["OrderCancellationWorkflow"]
