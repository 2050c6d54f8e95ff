"""The life of one commission invoice, from issue to split or void (SPEC §5, R14, R15).

CommissionInvoiceWorkflow (id `commission-<number>`) exposes:
- update `record_payment` (the operator; its validator refuses a partial or excess amount,
  and a void or already paid invoice, so a refused payment leaves no trace in the history);
- signal `void` (the order was cancelled): an unpaid invoice ends void, a paid one is split
  and then clawed back (an invoice whose order was cancelled before its workflow started is
  started with `void_reason` set instead, and sends nothing);
- query `state`;
- timers: a reminder before the due date, the overdue flag at it.

Handlers only record (the payment, the void reason); the run loop acts, one activity per
phase: the payment with its split and receipt, the overdue flag with its email, the void or
the clawback. The invoice's fixed search attributes come with its start; the workflow upserts
only a change of status or of the overdue flag. The payment, void and clawback steps answer the
e-reporting statuses they recorded (encaissée, cancelled by a credit note): the state and the
UI's current details list them.
"""

from __future__ import annotations

import contextlib
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
        VoidInput,
        check_payment,
        invoice_notice,
        reminder_at,
    )
    from models.domain import InvoiceStatus
    from models.errors import DomainError
    from models.money import format_cents
    from workflows import calls, search
    from workflows.waits import timer_for


@workflow.defn(name="CommissionInvoiceWorkflow")
class CommissionInvoiceWorkflow:
    @workflow.init
    def __init__(self, invoice: InvoiceInput) -> None:
        self.invoice = invoice
        self.state = InvoiceState(
            invoice.number, InvoiceStatus.ISSUED.value, invoice.amount_cents, invoice.due_at
        )
        self.state.void_reason = invoice.void_reason
        self.payment: PaymentInput | None = None

    @workflow.run
    async def run(self, invoice: InvoiceInput) -> InvoiceState:
        self._describe()
        if self.state.void_reason is None and not invoice.announced:
            await self._notify("commission_invoice", attach=True)
        if not await self._wait_until(reminder_at(invoice.issued_at, invoice.due_at), "reminder"):
            await self._notify("commission_reminder")
        if not await self._wait_until(invoice.due_at, "due date") and await calls.mark_overdue(
            invoice.number
        ):
            self.state.overdue = True
            self._publish(search.INVOICE_OVERDUE.value_set(True))
        await workflow.wait_condition(self._settling)
        if self.payment is not None:
            await self._settle(self.payment)
        else:
            voided = await calls.void_invoice(invoice.number)
            self.state.status = voided.status
            self.state.status_history += voided.events
        self._publish(search.INVOICE_STATUS.value_set(self.state.status))
        await workflow.wait_condition(workflow.all_handlers_finished)
        if self._to_claw_back():
            reversed_ = await calls.post_reversal(
                Clawback(invoice.number, self.state.void_reason or "")
            )
            self.state.status_history += reversed_.events
            self.state.clawed_back = True
            self._describe()
        return self.state

    @workflow.query(name="state")
    def get_state(self) -> InvoiceState:
        return self.state

    @workflow.update
    async def record_payment(self, payment: PaymentInput) -> InvoiceState:
        """The payment, recorded: durable once answered, it is settled by the run loop."""
        self._validate_payment(payment)  # a second payment may have come in meanwhile
        self.payment = payment
        self.state.status = InvoiceStatus.PAID.value
        self.state.paid_at, self.state.payment_reference = workflow.now(), payment.reference
        return self.state

    @record_payment.validator
    def _validate_payment(self, payment: PaymentInput) -> None:
        status = self.state.status
        if self.state.void_reason is not None:
            status = InvoiceStatus.VOID.value
        elif self.payment is not None:
            status = InvoiceStatus.PAID.value
        try:
            check_payment(status, self.state.amount_cents, payment.amount_cents)
        except DomainError as exc:
            raise calls.refusal(exc) from None

    @workflow.signal
    def void(self, request: VoidInput) -> None:
        if self.state.void_reason is None:
            self.state.void_reason = request.reason

    # Steps

    def _settling(self) -> bool:
        return self.payment is not None or self.state.void_reason is not None

    async def _wait_until(self, moment: datetime, what: str) -> bool:
        """True when the invoice was paid or voided before `moment`, False at `moment`."""
        seconds = (moment - workflow.now()).total_seconds()
        wait = timer_for(seconds)
        if wait and not self._settling():
            with contextlib.suppress(TimeoutError):
                await workflow.wait_condition(self._settling, timeout=wait, timeout_summary=what)
        return self._settling()

    async def _settle(self, payment: PaymentInput) -> None:
        paid_at = self.state.paid_at or workflow.now()
        record = PaymentRecord(
            self.invoice.number, payment.amount_cents, payment.reference, paid_at
        )
        settled = await calls.settle_payment(record)
        self.state.shares = settled.shares
        self.state.status_history += settled.events
        self.state.status = InvoiceStatus.SPLIT.value

    def _to_claw_back(self) -> bool:
        state = self.state
        return (
            state.void_reason is not None
            and state.status == InvoiceStatus.SPLIT
            and (not state.clawed_back)
        )

    async def _notify(self, kind: str, *, attach: bool = False) -> None:
        await calls.send_notice(invoice_notice(self.invoice, kind, attach=attach))

    def _publish(self, *changes: SearchAttributeUpdate[Any]) -> None:
        """Keeps the operators' search attributes and the UI's current details in step."""
        workflow.upsert_search_attributes(list(changes))
        self._describe()

    def _describe(self) -> None:
        state = self.state
        flags = " — **overdue**" if state.overdue else ""
        flags += " — clawed back" if state.clawed_back else ""
        # The e-reporting statuses as the steps recorded them: "… encaissée 2026-12-07 (TRX-9)".
        reported = "".join(f"\n\n{event.label}" for event in state.status_history)
        workflow.set_current_details(
            f"**{state.number}** — **{state.status}**{flags}\n\n"
            f"order {self.invoice.order_number}, supplier {self.invoice.supplier.company}, "
            f"{format_cents(state.amount_cents)} {self.invoice.currency}, due {state.due_at:%Y-%m-%d}"
            f"{reported}"
        )


__all__ = ["CommissionInvoiceWorkflow"]
