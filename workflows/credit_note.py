"""A correcting credit note's delivery (CreditNoteDeliveryWorkflow, id
`credit-note-<number>`): the API issues it in its own transaction, then starts this workflow,
which renders it, emails it to the supplier and transmits it, once each, durably and in
sight of operators. Exposes nothing but its result: the credit note's status history."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.status_history import StatusEvent
    from workflows import calls


@workflow.defn(name="CreditNoteDeliveryWorkflow")
class CreditNoteDeliveryWorkflow:
    @workflow.run
    async def run(self, number: str) -> list[StatusEvent]:
        events = await calls.deliver_credit_note(number)
        workflow.set_current_details("\n\n".join(f"**{e.label}**" for e in events))
        return events


__all__ = ["CreditNoteDeliveryWorkflow"]
