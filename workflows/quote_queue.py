"""The run loop's queue: what handlers recorded since the loop's last activity, the status
the store last got from it, and the status the search attributes last said. See
workflows/quote.py."""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.quote_payloads import Notice, StatusRecord
    from models.quote_phases import Step
    from workflows import calls, search
    from workflows.quote_base import QuoteBase
    from workflows.quote_steps import upsert_now


class QuoteQueue(QuoteBase):
    recorded: StatusRecord | None = None  # the status row as the loop last wrote it
    upserted: str | None = None  # the status the search attributes last said
    round_started: datetime | None = None
    reminders: int = 0
    since: tuple[str, int, datetime] | None = None

    # The queue

    def _tell(self, notice: Notice) -> None:
        self.todo.notices.append(notice)

    def _status_record(self, status: str | None = None) -> StatusRecord:
        state = self.state
        return StatusRecord(
            state.number,
            status or state.status,
            state.revision,
            workflow.now(),
            state.valid_until,
            state.viewed_at,
        )

    def _status_changed(self) -> bool:
        now, last = self._status_record(), self.recorded
        return last is None or (now.status, now.revision, now.valid_until, now.viewed_at) != (
            last.status,
            last.revision,
            last.valid_until,
            last.viewed_at,
        )

    def _step_due(self) -> bool:
        return not self.todo.empty or self._status_changed()

    def _take(self, with_status: bool = True) -> Step:
        """What is queued, and the status when it changed; the queue starts afresh."""
        step, self.todo = self.todo, Step()
        if with_status and self._status_changed():
            step.status = self.recorded = self._status_record()
        return step

    async def _record(self, step: Step) -> None:
        if not step.empty:
            await calls.record_quote_step(step)

    def _upsert_on_change(self) -> None:
        """Search attributes move with the status only; who still owes a decision is the
        store's `awaiting` query (PendingSupplierIds: who was asked when the round opened)."""
        if self.state.status != self.upserted:
            # The start set the attributes of the first revision's round (workflows/search.py).
            first = self.upserted is None and search.PENDING_SUPPLIER_IDS in self._started_with()
            self.upserted = self.state.status
            upsert_now(self.state, attributes=not first)

    @staticmethod
    def _started_with() -> list[object]:
        return [pair.key for pair in workflow.info().typed_search_attributes]
