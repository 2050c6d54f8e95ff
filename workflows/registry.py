"""Every workflow class the worker registers (and the replay tests replay)."""

from __future__ import annotations

from workflows.commission import CommissionInvoiceWorkflow
from workflows.credit_note import CreditNoteDeliveryWorkflow
from workflows.member_removal import MemberRemovalWorkflow
from workflows.order_cancellation import OrderCancellationWorkflow
from workflows.payout_run import PayoutRunWorkflow
from workflows.quote import QuoteWorkflow

WORKFLOWS: list[type] = [
    QuoteWorkflow,
    CommissionInvoiceWorkflow,
    OrderCancellationWorkflow,
    MemberRemovalWorkflow,
    PayoutRunWorkflow,
    CreditNoteDeliveryWorkflow,
]
