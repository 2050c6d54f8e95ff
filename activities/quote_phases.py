"""The quote's phase activities (lean shape): each phase of a deal in one activity, made of
the single-purpose steps the store and the mail already make idempotent by business key, so a
retry after a crash midway does what is left and repeats nothing."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity

from activities.mail import MailActivities
from activities.orders import OrderActivities
from activities.quotes import QuoteActivities
from activities.settlement import SettlementActivities
from models.commission import IssueInvoices
from models.quote_payloads import FounderCheck
from models.quote_phases import (
    Blocked,
    Checked,
    Closed,
    CloseQuote,
    OpenRevision,
    PhaseAct,
    SendQuote,
    Step,
    blocked_step,
    confirmed,
    order_notices,
)
from store.tables import SentEmail


class QuotePhaseActivities:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        quotes: QuoteActivities,
        orders: OrderActivities,
        mail: MailActivities,
        settlement: SettlementActivities,
    ) -> None:
        self.db = session_factory
        self.quotes = quotes
        self.orders = orders
        self.mail = mail
        self.settlement = settlement

    @activity.defn(name=PhaseAct.RECORD_STEP)
    def record_quote_step(self, step: Step) -> None:
        """Decisions, then the status, then the emails: an email never tells of a state the
        store does not hold yet."""
        for decision in step.decisions:
            self.quotes.record_decision(decision)
        if step.status is not None:
            self.quotes.record_quote_status(step.status)
        self.mail.send_notices(step.notices)

    @activity.defn(name=PhaseAct.OPEN_REVISION)
    def open_quote_revision(self, phase: OpenRevision) -> Checked:
        """R8–R10: the revision stored, the founder's offers checked, then the approvals."""
        self.record_quote_step(phase.before)
        self.quotes.save_quote_revision(phase.save)
        return self._checked(phase.check, phase.blocked, phase.opened)

    @activity.defn(name=PhaseAct.SEND_QUOTE)
    def send_quote(self, phase: SendQuote) -> Checked:
        """R11. Once the client's email is claimed the check has passed: a retry sends on."""
        self.record_quote_step(phase.before)
        client_notice = phase.sent.notices[0]
        if not self._claimed(client_notice.business_key):
            blocked = self._checked(phase.check, phase.blocked, None)
            if blocked.blocked_positions:
                return blocked
        key = self.orders.render_quote_pdf(phase.render)
        client_notice.attachment_key = key
        self.record_quote_step(phase.sent)
        return Checked(document_key=key)

    @activity.defn(name=PhaseAct.CLOSE_QUOTE)
    def close_quote(self, phase: CloseQuote) -> Closed:
        """R13, R14, R17, R23: the order with its documents and notices, the invoices, then
        the ordered status and the confirmations."""
        self.record_quote_step(phase.before)
        order = self.orders.open_order(phase.order)
        self.mail.send_notices(order_notices(phase.notices, order))
        issue = IssueInvoices(order.number, phase.order.accepted_at)
        invoices = self.settlement.issue_commission_invoices(issue)
        after = phase.after
        notices = [confirmed(notice, order) for notice in after.notices]
        self.record_quote_step(Step(after.decisions, after.status, notices))
        return Closed(order, invoices)

    def _checked(self, check: FounderCheck, blocked: Blocked, opened: Step | None) -> Checked:
        positions = self.quotes.check_founder_inclusion(check)
        if positions:
            self.record_quote_step(blocked_step(blocked, positions))
        elif opened is not None:
            self.record_quote_step(opened)
        return Checked(blocked_positions=positions)

    def _claimed(self, business_key: str) -> bool:
        with self.db() as session:
            found = select(SentEmail.id).where(SentEmail.business_key == business_key)
            return session.scalars(found).first() is not None
