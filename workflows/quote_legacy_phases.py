"""The phases of the quote workflow's former shape (see workflows/quote_legacy.py), as they
were recorded: each store write and email its own activity, run under the handlers' lock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models import approvals
    from models.domain import ApprovalStatus, QuoteStatus
    from models.quote_payloads import (
        Approval,
        DecisionRecord,
        Revision,
        StatusRecord,
    )
    from workflows import calls
    from workflows.approval_notices import APPROVAL_LINKS, ApprovalAsk, still_pending
    from workflows.client_notices import CLIENT_ACKNOWLEDGEMENTS
    from workflows.quote_base import QuoteBase
    from workflows.quote_steps import founder_check, upsert_search
    from workflows.waits import wait_for


MESSAGES_AFTER_OPENING = "messages-after-opening"


class LegacyPhases(QuoteBase):
    # Phases

    async def _open_revision(self, revision: Revision, previous: tuple[Any, Any] | None) -> None:
        """Founder inclusion check (R8), then approvals with smart re-approval (R9, R10)."""
        state = self.state
        state.revision, state.lines = revision.number, revision.lines
        state.sales_team, state.note, state.total_cents = (
            revision.sales_team,
            revision.note,
            revision.total_cents,
        )
        state.sent_at = state.valid_until = state.viewed_at = None
        self.ready_to_send = False
        prior_lines, prior_approvals = previous or (None, None)
        self.previous = previous
        state.approvals = approvals.open_approvals(
            state.lines,
            seller_id=state.seller_id,
            founder_id=state.founder_id,
            previous_lines=prior_lines,
            previous=prior_approvals,
        )
        if previous is not None:
            self._event("revised", f"revision {revision.number}", state.seller_id)
        await calls.save_revision(calls.SaveRevision(state.number, revision))
        state.blocked_positions = await founder_check(self.input.cluster_id, state)
        if state.blocked_positions:
            await self._block()
            return
        for approval in state.approvals:
            if approval.status != ApprovalStatus.PENDING:
                await self._record_approval(approval)
        await self._set_status(QuoteStatus.PENDING_APPROVAL)
        self.ready_to_send = approvals.approval_outcome(state.approvals) is QuoteStatus.SENT

    async def _block(self) -> None:
        positions = ", ".join(str(p) for p in self.state.blocked_positions)
        self._event("blocked", f"founder's service no longer available on lines {positions}")
        await self._set_status(QuoteStatus.BLOCKED)
        await self.notify.seller(self.state, "quote_blocked", lines=positions)

    async def _await_approvals(self) -> None:
        timing, revision = self.input.timing, self.state.revision
        started = workflow.now()
        reminders = 0
        pending = approvals.pending_suppliers(self.state.approvals)
        deadline = started + timedelta(seconds=timing.approval_timeout)
        self.ask = ApprovalAsk(deadline, self.input.seller, self.previous)
        await self.notify.suppliers(self.state, "approval_request", pending, ask=self.ask)
        while self._waiting_for_approvals(revision):
            elapsed = (workflow.now() - started).total_seconds()
            plan = approvals.next_wakeup(
                elapsed, reminders, timing.reminder_interval, timing.approval_timeout
            )
            if await self._wait(
                lambda: not self._waiting_for_approvals(revision), plan.wait_seconds
            ):
                break
            async with self.lock:
                if not self._waiting_for_approvals(revision):
                    break
                if plan.reminder_due:
                    reminders += 1
                    await self._remind(reminders)
                else:
                    self._event("approval_expired", "suppliers did not all decide in time")
                    await self._set_status(QuoteStatus.APPROVAL_EXPIRED)
                    await self.notify.seller(self.state, "approval_expired")
        if self.ready_to_send and self.state.status == QuoteStatus.PENDING_APPROVAL:
            async with self.lock:
                if not self._removal_due():  # a removed supplier's lines are never sent
                    await self._send_to_client()

    def _waiting_for_approvals(self, revision: int) -> bool:
        state = self.state
        return (
            state.status == QuoteStatus.PENDING_APPROVAL
            and state.revision == revision
            and not self.ready_to_send
            and not self._removal_due()
        )

    async def _remind(self, count: int) -> None:
        pending = approvals.pending_suppliers(self.state.approvals)
        ask = self.ask.reminder() if self.ask else None
        await self.notify.suppliers(
            self.state, "approval_reminder", pending, ask=ask, reminder=str(count)
        )
        self._event("reminded", f"reminder {count} to {len(pending)} supplier(s)")
        if count == approvals.ESCALATE_AFTER_REMINDERS:
            await self._escalate(pending)

    async def _escalate(self, pending: list[int]) -> None:
        names = ", ".join(self.people[s].name for s in pending)
        if workflow.patched(APPROVAL_LINKS) and self.ask is not None:
            # The founder is not listed as someone else she should chase.
            names = still_pending(self.people, pending, self.state.founder_id)
            notice = self.notify.founder_notice(self.state, "approval_escalation", pending=names)
            await calls.send_notice(self.ask.escalation(notice))
        else:
            await self.notify.founder(self.state, "approval_escalation", pending=names)
        self._event("escalated", f"founder told: still waiting on {names}")

    async def _send_to_client(self) -> None:
        """R11: re-check the founder's offers, render the PDF, email the client its link."""
        self.ready_to_send = False
        state = self.state
        state.blocked_positions = await founder_check(self.input.cluster_id, state)
        if state.blocked_positions:
            await self._block()
            return
        state.sent_at = workflow.now()
        state.valid_until = state.sent_at + timedelta(seconds=self.input.timing.validity)
        state.document_key = await calls.render_quote_pdf(
            calls.RenderQuote(state.number, state.revision, state.valid_until)
        )
        await self.notify.client(state)
        self._event(
            "sent",
            f"sent to {state.client.contact_name}, valid until {state.valid_until:%Y-%m-%d %H:%M}",
        )
        await self._set_status(QuoteStatus.SENT)

    async def _block_removed_suppliers(self) -> None:
        """The lines of suppliers who left the cluster block the quote, so that the seller
        revises it without them (a sent quote's link stops answering)."""
        due = self._removal_due()
        if not due:
            return
        state = self.state
        removed = {p for positions in due.values() for p in positions}
        state.blocked_positions = sorted({*state.blocked_positions, *removed})
        for supplier, positions in due.items():
            company = self.people[supplier].company
            lines = ", ".join(str(p) for p in positions)
            self._event("blocked", f"{company} left the cluster: lines {lines} need revising")
        await self._set_status(QuoteStatus.BLOCKED)
        for supplier, positions in due.items():
            await self.notify.supplier_removed(self.state, self.people[supplier], positions)

    async def _await_revision(self) -> None:
        revision = self.state.revision
        status = self.state.status
        changed = lambda: (  # noqa: E731
            self.state.revision != revision
            or self.state.status != status
            or bool(self._removal_due())
        )
        if await self._wait(changed, self.input.timing.revision_timeout):
            return
        async with self.lock:
            if not changed():
                self._event("expired", "no revision in time")
                await self._set_status(QuoteStatus.EXPIRED)
                await self.notify.seller(self.state, "quote_expired")

    async def _await_client(self) -> None:
        assert self.state.valid_until is not None
        left = (self.state.valid_until - workflow.now()).total_seconds()
        if await self._wait(
            lambda: self.state.status != QuoteStatus.SENT or bool(self._removal_due()), left
        ):
            return
        async with self.lock:
            if self.state.status == QuoteStatus.SENT:
                self._event("expired", "the client did not answer before the validity date")
                await self._set_status(QuoteStatus.EXPIRED)
                await self.notify.seller(self.state, "quote_expired")

    async def _close_deal(self) -> None:
        """R13: the order, with per-supplier procurement instructions."""
        state = self.state
        assert state.accepted_by is not None
        order = await calls.open_order(
            calls.OpenOrder(
                state.number, state.revision, state.accepted_by, workflow.now(), state.po_reference
            )
        )
        state.order_number = order.number
        state.signed_document_key = order.signed_document_key
        await self.notify.order(state, order)
        self._event("ordered", f"order {order.number} opened")
        if workflow.patched("commission-invoices"):  # R14; histories before it replay unchanged
            for invoice in await calls.open_invoices(order.number):
                self._event("invoiced", f"commission invoice {invoice} issued")
        await self._set_status(QuoteStatus.ORDERED)
        await self.notify.seller(self.state, "quote_accepted", order=order.number)
        if workflow.patched(CLIENT_ACKNOWLEDGEMENTS):
            await self.notify.client(self.state, "quote_confirmation", order=order.number)

    # Helpers

    async def _after_opening(self) -> None:
        """A message that comes with the workflow's first task is handled before `run` opens
        the first revision, whose opening would then reset the approvals and the status over
        it: such a message waits for the opening. Histories from before the wait replay as
        they were recorded."""
        if not self.opened and workflow.patched(MESSAGES_AFTER_OPENING):
            await workflow.wait_condition(lambda: self.opened)

    async def _wait(self, done: Callable[[], bool], seconds: float) -> bool:
        """True when `done` came true, False when the time ran out first."""
        try:
            await workflow.wait_condition(done, timeout=wait_for(seconds))
            return True
        except TimeoutError:
            return done()

    async def _set_status(self, status: QuoteStatus) -> None:
        self.state.status = status.value
        await self._record_status()
        await upsert_search(self.state)

    async def _record_status(self) -> None:
        state = self.state
        await calls.record_status(
            StatusRecord(
                state.number,
                state.status,
                state.revision,
                workflow.now(),
                state.valid_until,
                state.viewed_at,
            )
        )

    async def _record_approval(self, approval: Approval) -> None:
        approval.decided_at = approval.decided_at or workflow.now()
        await calls.record_decision(
            DecisionRecord(
                self.state.number,
                self.state.revision,
                approval.supplier_id,
                approval.status,
                approval.decided_at,
                approval.comment,
            )
        )
