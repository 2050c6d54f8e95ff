"""The run loop's work in the lean shape: the queue of what to record, the phases (each one
activity) and the timers' actions. See workflows/quote_lean.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models import approvals
    from models.domain import ApprovalStatus, QuoteStatus
    from models.quote_payloads import (
        Approval,
        DecisionRecord,
        Line,
        Notice,
        OpenOrder,
        Revision,
        SaveRevision,
        StatusRecord,
    )
    from models.quote_phases import Blocked, CloseQuote, OpenRevision, SendQuote, Step
    from workflows import calls, search
    from workflows.approval_notices import ApprovalAsk
    from workflows.lean_notices import Notices
    from workflows.quote_base import QuoteBase
    from workflows.quote_steps import founder_check_of, upsert_now
    from workflows.waits import SHORTEST_WAIT

# Wakes the loop when anything but waiting is due; the status and revision it waits in.
Waiting = tuple[str, int]


class LeanPhases(QuoteBase):
    notices: Notices
    todo: Step
    revision_todo: Revision | None
    opened_revision: int
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

    # Opening a revision (R8–R10)

    def _open_in_memory(
        self, revision: Revision, previous: tuple[list[Line], list[Approval]] | None
    ) -> None:
        state = self.state
        state.revision, state.lines = revision.number, revision.lines
        state.sales_team, state.note = revision.sales_team, revision.note
        state.total_cents = revision.total_cents
        state.sent_at = state.valid_until = state.viewed_at = None
        state.status = QuoteStatus.PENDING_APPROVAL.value
        self.ready_to_send = False
        self.previous = previous
        prior_lines, prior_approvals = previous or (None, None)
        state.approvals = approvals.open_approvals(
            state.lines,
            seller_id=state.seller_id,
            founder_id=state.founder_id,
            previous_lines=prior_lines,
            previous=prior_approvals,
        )

    async def _open(self, revision: Revision) -> None:
        self.revision_todo = None
        state, now = self.state, workflow.now()
        self.round_started, self.reminders = now, 0
        deadline = now + timedelta(seconds=self.input.timing.approval_timeout)
        self.ask = ApprovalAsk(deadline, self.input.seller, self.previous)
        before = self._take(with_status=False)
        before.decisions = [d for d in before.decisions if d.revision != revision.number]
        pending = approvals.pending_suppliers(state.approvals)
        asking = state.status == QuoteStatus.PENDING_APPROVAL
        requests = self.notices.to_suppliers(state, "approval_request", pending, self.ask)
        opened = Step(self._carried(), self._status_record(), requests if asking else [])
        blocked = self._blocked_step()
        check = founder_check_of(self.input.cluster_id, state)
        save = SaveRevision(state.number, revision)
        result = await calls.open_quote_revision(OpenRevision(before, save, check, opened, blocked))
        self.opened_revision = revision.number
        self.recorded = blocked.status if result.blocked_positions else opened.status
        state.blocked_positions = result.blocked_positions
        if result.blocked_positions:
            self._blocked(not QuoteStatus(state.status).is_terminal)
        elif state.status == QuoteStatus.PENDING_APPROVAL:
            self.ready_to_send = approvals.approval_outcome(state.approvals) is QuoteStatus.SENT

    def _carried(self) -> list[DecisionRecord]:
        """Every approval the revision opens with already decided: the seller's own lines,
        those carried over unchanged (R9, R10), and decisions taken since it opened."""
        records = []
        for approval in self.state.approvals:
            if approval.status == ApprovalStatus.PENDING:
                continue
            approval.decided_at = approval.decided_at or workflow.now()
            records.append(
                DecisionRecord(
                    self.state.number,
                    self.state.revision,
                    approval.supplier_id,
                    approval.status,
                    approval.decided_at,
                    approval.comment,
                )
            )
        return records

    def _blocked_step(self) -> Blocked:
        notice = self.notices.to_seller(self.state, "quote_blocked", lines="")
        return Blocked(self._status_record(QuoteStatus.BLOCKED.value), notice)

    def _blocked(self, still_open: bool) -> None:
        """The founder check refused (R8): the quote waits for a revision without those lines."""
        if not still_open:  # cancelled meanwhile: it stays so
            return
        positions = ", ".join(str(p) for p in self.state.blocked_positions)
        self._event("blocked", f"founder's service no longer available on lines {positions}")
        self.state.status = QuoteStatus.BLOCKED.value
        self.ready_to_send = False

    # Sending (R11) and closing (R13, R14)

    async def _send(self) -> None:
        self.ready_to_send = False
        state, now = self.state, workflow.now()
        valid_until = now + self._validity()
        draft = replace(state, valid_until=valid_until, document_key=None)
        sent = Step(
            status=StatusRecord(
                state.number, QuoteStatus.SENT.value, state.revision, now, valid_until
            ),
            notices=[self.notices.to_client(draft)],
        )
        check = founder_check_of(self.input.cluster_id, state)
        render = calls.RenderQuote(state.number, state.revision, valid_until)
        phase = SendQuote(self._take(with_status=False), check, render, sent, self._blocked_step())
        revision = state.revision
        result = await calls.send_quote(phase)
        still_open = state.status == QuoteStatus.PENDING_APPROVAL and state.revision == revision
        if result.blocked_positions:
            self.recorded = phase.blocked.status
            if still_open:
                state.blocked_positions = result.blocked_positions
            self._blocked(still_open)
            return
        self.recorded = sent.status
        if still_open:
            state.sent_at, state.valid_until = now, valid_until
            state.document_key = result.document_key
            until = f"{valid_until:%Y-%m-%d %H:%M}"
            self._event("sent", f"sent to {state.client.contact_name}, valid until {until}")
            state.status = QuoteStatus.SENT.value

    async def _close(self) -> None:
        state = self.state
        assert state.accepted_by is not None
        before = self._take()
        order = OpenOrder(
            state.number, state.revision, state.accepted_by, workflow.now(), state.po_reference
        )
        after = Step(
            status=self._status_record(QuoteStatus.ORDERED.value),
            notices=[
                self.notices.to_seller(state, "quote_accepted", order=""),
                self.notices.to_client(state, "quote_confirmation"),
            ],
        )
        specs = self.notices.order_specs(state)
        closed = await calls.close_quote(CloseQuote(before, order, specs, after))
        state.order_number = closed.order.number
        state.signed_document_key = closed.order.signed_document_key
        self._event("ordered", f"order {closed.order.number} opened")
        for invoice in closed.invoices:
            await calls.start_invoice_workflow(invoice)
            self._event("invoiced", f"commission invoice {invoice.number} issued")
        self.recorded = after.status
        state.status = QuoteStatus.ORDERED.value

    # Removed suppliers

    def _lean_block_removed(self) -> None:
        """The lines of suppliers who left the cluster block the quote, so that the seller
        revises it without them (a sent quote's link stops answering)."""
        due, state = self._removal_due(), self.state
        removed = {p for positions in due.values() for p in positions}
        state.blocked_positions = sorted({*state.blocked_positions, *removed})
        for supplier, positions in due.items():
            company = self.people[supplier].company
            lines = ", ".join(str(p) for p in positions)
            self._event("blocked", f"{company} left the cluster: lines {lines} need revising")
        state.status = QuoteStatus.BLOCKED.value
        for supplier, positions in due.items():
            self._tell(self.notices.removed(state, self.people[supplier], positions))

    # Waiting

    async def _wait_or_act(self) -> None:
        """Waits for a message or the phase's timer; the timer's action runs only when no
        message came first (it is looked at again once the message is recorded)."""
        state, now = self.state, workflow.now()
        waiting: Waiting = (state.status, state.revision)
        if self.since is None or self.since[:2] != waiting:
            self.since = (*waiting, now)
        seconds, act = self._timer(now)
        timeout = max(timedelta(seconds=max(seconds, 0.0)), SHORTEST_WAIT)
        woke = lambda: self._due(waiting)  # noqa: E731
        try:
            await workflow.wait_condition(woke, timeout=timeout)
            return
        except TimeoutError:
            if not woke():
                act()

    def _due(self, waiting: Waiting) -> bool:
        state = self.state
        return (
            (state.status, state.revision) != waiting
            or self.revision_todo is not None
            or self.ready_to_send
            or bool(self._removal_due())
            or self._step_due()
        )

    def _timer(self, now: datetime) -> tuple[float, Callable[[], None]]:
        state, timing = self.state, self.input.timing
        if state.status == QuoteStatus.PENDING_APPROVAL:
            assert self.round_started is not None
            elapsed = (now - self.round_started).total_seconds()
            plan = approvals.next_wakeup(
                elapsed, self.reminders, timing.reminder_interval, timing.approval_timeout
            )
            return (
                plan.wait_seconds,
                self._lean_remind if plan.reminder_due else self._approval_expired,
            )
        if state.status == QuoteStatus.SENT:
            assert state.valid_until is not None
            return (state.valid_until - now).total_seconds(), self._validity_expired
        assert self.since is not None
        left = timing.revision_timeout - (now - self.since[2]).total_seconds()
        return left, self._revision_expired

    def _lean_remind(self) -> None:
        self.reminders += 1
        assert self.ask is not None
        pending = approvals.pending_suppliers(self.state.approvals)
        count = str(self.reminders)
        ask = self.ask.reminder()
        for notice in self.notices.to_suppliers(
            self.state, "approval_reminder", pending, ask, reminder=count
        ):
            self._tell(notice)
        self._event("reminded", f"reminder {count} to {len(pending)} supplier(s)")
        if self.reminders == approvals.ESCALATE_AFTER_REMINDERS:
            notice = self.notices.escalation(self.state, pending, self.ask)
            self._tell(notice)
            self._event("escalated", f"founder told: still waiting on {notice.context['pending']}")

    def _approval_expired(self) -> None:
        self._event("approval_expired", "suppliers did not all decide in time")
        self._end(QuoteStatus.APPROVAL_EXPIRED, "approval_expired")

    def _validity_expired(self) -> None:
        self._event("expired", "the client did not answer before the validity date")
        self._end(QuoteStatus.EXPIRED, "quote_expired")

    def _revision_expired(self) -> None:
        self._event("expired", "no revision in time")
        self._end(QuoteStatus.EXPIRED, "quote_expired")

    def _end(self, status: QuoteStatus, kind: str) -> None:
        self.state.status = status.value
        self._tell(self.notices.to_seller(self.state, kind))
