"""R2's fan-out as a workflow: a removed member's open quotes are told, durably and in sight of
operators (MemberRemovalWorkflow, id `member-removal-<member id>`).

The API starts it after the removal's commit. The quotes the member sells are cancelled
(`seller_removed`); other sellers' quotes it supplies lines to block those lines until revised
(`supplier_removed`). Both signals are idempotent, and a quote that ended meanwhile is skipped.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.cancellations import MemberQuotes, MemberRemoval
    from models.domain import quote_workflow_id
    from models.quote_payloads import CancelInput, SupplierRemovedInput
    from workflows import calls

SELLER_REMOVED = "seller removed"


@workflow.defn(name="MemberRemovalWorkflow")
class MemberRemovalWorkflow:
    @workflow.run
    async def run(self, removal: MemberRemoval) -> MemberQuotes:
        quotes = await calls.open_quotes_of_removed_member(removal.member_id)
        for number in quotes.sold:
            cancel = CancelInput(SELLER_REMOVED, None)
            await calls.tell(quote_workflow_id(number), "seller_removed", cancel)
        for number in quotes.supplied:
            removed = SupplierRemovedInput(removal.member_id)
            await calls.tell(quote_workflow_id(number), "supplier_removed", removed)
        return quotes


__all__ = ["MemberRemovalWorkflow"]
