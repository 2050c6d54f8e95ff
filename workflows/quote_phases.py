"""The run loop's phases, each one activity: opening a revision (R8–R10), sending the quote
(R11), closing the deal (R13, R14). See workflows/quote.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models import approvals
    from models.domain import ApprovalStatus, QuoteStatus
    from models.quote_payloads import (
        Approval,
        DecisionRecord,
        Line,
        OpenOrder,
        RenderQuote,
        Revision,
        SaveRevision,
        StatusRecord,
    )
    from models.quote_phases import Blocked, CloseQuote, OpenRevision, SendQuote, Step
    from models.wording import offer_names
    from workflows import calls
    from workflows.approval_notices import ApprovalAsk
    from workflows.quote_queue import QuoteQueue
    from workflows.quote_steps import founder_check_of


class QuotePhases(QuoteQueue):
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
        names = offer_names(self.state.lines)
        return Blocked(self._status_record(QuoteStatus.BLOCKED.value), notice, names)

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
        render = RenderQuote(state.number, state.revision, valid_until)
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
