"""The run loop's waits and the timers' actions (reminders, escalation, expiries), and the
block of a removed supplier's lines. See workflows/quote.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models import approvals
    from models.domain import QuoteStatus
    from workflows.quote_queue import QuoteQueue
    from workflows.waits import timer_for

# The status and revision the loop waits in: a change of either wakes it.
Waiting = tuple[str, int]


class QuoteWaits(QuoteQueue):
    # Removed suppliers

    def _block_removed(self) -> None:
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
        timeout = timer_for(seconds)
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
                self._remind if plan.reminder_due else self._approval_expired,
            )
        if state.status == QuoteStatus.SENT:
            assert state.valid_until is not None
            return (state.valid_until - now).total_seconds(), self._validity_expired
        assert self.since is not None
        left = timing.revision_timeout - (now - self.since[2]).total_seconds()
        return left, self._revision_expired

    def _remind(self) -> None:
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
