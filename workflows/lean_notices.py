"""The emails of the lean shape as notices the run loop hands to its next activity, instead
of sending each itself. Same business keys and texts as the Notifier's."""

from __future__ import annotations

from dataclasses import replace

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models import replies
    from models.quote_payloads import Notice, Party, QuoteState
    from models.quote_phases import OrderNoticeSpec
    from models.wording import named_lines, offer_names
    from workflows import client_notices
    from workflows.approval_notices import ApprovalAsk, still_pending
    from workflows.quote_steps import Notifier


class Notices(Notifier):
    def to_seller(
        self, state: QuoteState, kind: str, answerer: Party | None = None, **extra: str
    ) -> Notice:
        """An email to the seller; `answerer` is who its Reply-To names, when not the client
        (a rejection: the supplier who rejected)."""
        key = f"seller:{self.quote.seller.id}"
        seller = self.quote.seller
        notice = self._notice(state, kind, seller, key, total=self._total(state), **extra)
        if answerer is None:
            return notice
        return replies.to_seller(notice, state, self.quote.founder, answerer)

    def removed(self, state: QuoteState, supplier: Party, lines: list[int]) -> Notice:
        """Tells the seller which lines must go; one email per removed supplier and revision."""
        key = f"seller:{self.quote.seller.id}/supplier:{supplier.id}"
        positions = named_lines(lines, offer_names(state.lines))
        return self._notice(
            state, "quote_supplier_removed", self.quote.seller, key,
            supplier=supplier.company, lines=positions,
        )  # fmt: skip

    def to_suppliers(
        self, state: QuoteState, kind: str, ids: list[int], ask: ApprovalAsk, **extra: str
    ) -> list[Notice]:
        """One email per supplier, each with its approval link (R16, R18)."""
        notices = [self._supplier_notice(state, kind, s, **extra) for s in ids]
        return [ask.attach(n, s, state) for n, s in zip(notices, ids, strict=True)]

    def escalation(self, state: QuoteState, pending: list[int], ask: ApprovalAsk) -> Notice:
        names = still_pending(self.people, pending, state.founder_id)
        return ask.escalation(self.founder_notice(state, "approval_escalation", pending=names))

    def to_client(self, state: QuoteState, kind: str = "quote_to_client", **extra: str) -> Notice:
        seller, cluster = self.quote.seller, self.quote.cluster_name
        if kind == "quote_to_client":
            return client_notices.quote_to_client(state, seller, cluster)
        if kind == "quote_confirmation":  # the activity adds the order and the signed copy
            return client_notices.confirmation(state, seller, cluster, "")
        return client_notices.client_notice(state, seller, cluster, kind, **extra)

    def order_specs(self, state: QuoteState) -> list[OrderNoticeSpec]:
        """Everyone an order may notify, with their lines per mode (the founder's services are
        worded by the activity that prices them)."""
        members = {line.supplier_id for line in state.lines} | {state.founder_id}
        modes = {line.procurement for line in state.lines}
        specs = []
        for member_id in sorted(members):
            person = self.people[member_id]
            context = {
                **self._base(state),
                "name": person.name,
                "client_contact": replies.client_contact(state),
                "seller_email": self.quote.seller.email,
            }
            lines = {mode: self._lines(state, member_id, mode) for mode in sorted(modes)}
            specs.append(OrderNoticeSpec(member_id, person.email, person.name, context, lines))
        return specs


def without_document(state: QuoteState) -> QuoteState:
    """A shallow copy to build the client's email from before the PDF exists."""
    return replace(state, document_key=None)
