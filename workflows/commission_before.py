"""The commission invoice workflow's shape before `lean-invoice`, kept so that the invoices
started before it replay and finish as they began: the store write, the split and each email
as activities of their own, and every search attribute upserted at every change."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import Any

from temporalio import workflow
from temporalio.common import SearchAttributeUpdate

with workflow.unsafe.imports_passed_through():
    from models.commission import (
        Clawback,
        InvoiceInput,
        InvoiceState,
        PaymentInput,
        PaymentRecord,
        reminder_at,
    )
    from models.domain import InvoiceStatus
    from workflows import calls, search


class InvoiceBeforeLean:
    """What CommissionInvoiceWorkflow runs for a history that has no `lean-invoice` marker."""

    invoice: InvoiceInput
    state: InvoiceState
    payment: PaymentInput | None

    def _settling(self) -> bool:
        raise NotImplementedError

    def _to_claw_back(self) -> bool:
        raise NotImplementedError

    def _wait_until(self, moment: datetime, what: str) -> Awaitable[bool]:
        raise NotImplementedError

    def _notify(self, kind: str, *, attach: bool = False) -> Awaitable[None]:
        raise NotImplementedError

    def _publish(self, *changes: SearchAttributeUpdate[Any]) -> None:
        raise NotImplementedError

    async def _run_before_lean(self, invoice: InvoiceInput) -> InvoiceState:
        self._publish_all()
        if self.state.void_reason is None:
            await self._notify("commission_invoice", attach=True)
        if not await self._wait_until(reminder_at(invoice.issued_at, invoice.due_at), "reminder"):
            await self._notify("commission_reminder")
        if not await self._wait_until(invoice.due_at, "due date"):
            await self._flag_overdue()
        await workflow.wait_condition(self._settling)
        if self.payment is not None:
            await self._collect(self.payment)
        else:
            self.state.status = await calls.void_invoice(invoice.number)
            self._publish_all()
        await workflow.wait_condition(workflow.all_handlers_finished)
        if self._to_claw_back():
            await calls.post_reversal(Clawback(invoice.number, self.state.void_reason or ""))
            self.state.clawed_back = True
            self._publish_all()
        return self.state

    async def _flag_overdue(self) -> None:
        if await calls.flag_overdue(self.invoice.number):
            self.state.overdue = True
            self._publish_all()
            await self._notify("commission_overdue")

    async def _collect(self, payment: PaymentInput) -> None:
        number = self.invoice.number
        paid_at = workflow.now()
        record = PaymentRecord(number, payment.amount_cents, payment.reference, paid_at)
        self.state.status = await calls.record_payment(record)
        self.state.paid_at, self.state.payment_reference = paid_at, payment.reference
        self._publish_all()
        self.state.shares = await calls.post_split(number)
        self.state.status = InvoiceStatus.SPLIT.value
        self._publish_all()

    def _publish_all(self) -> None:
        state = self.state
        self._publish(
            search.INVOICE_NUMBER.value_set(state.number),
            search.INVOICE_STATUS.value_set(state.status),
            search.INVOICE_OVERDUE.value_set(state.overdue),
            search.CLUSTER_ID.value_set(str(self.invoice.cluster_id)),
        )
