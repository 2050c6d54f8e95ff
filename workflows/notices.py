"""Who is told what: every email of a quote as a notice the run loop hands to its next
activity, each with its business key, so a retry never sends it twice."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models import replies
    from models.money import format_percent
    from models.quote_payloads import Notice, Party, QuoteInput, QuoteState
    from models.quote_phases import OrderNoticeSpec
    from models.wording import amount_text, named_lines, offer_names, quantity_of, total_phrase
    from workflows import client_notices
    from workflows.approval_notices import ApprovalAsk, still_pending


class Notices:
    def __init__(self, quote: QuoteInput, people: dict[int, Party]) -> None:
        self.quote = quote
        self.people = people

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
        founder = self.quote.founder
        notice = self._notice(
            state, "approval_escalation", founder, f"founder:{founder.id}", pending=names
        )
        return ask.escalation(notice)

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

    # What the notices are made of

    def _base(self, state: QuoteState) -> dict[str, str]:
        """What every email may say; the deal's total only goes to the seller and the client."""
        return {
            "number": state.number,
            "revision": str(state.revision),
            "seller": self.quote.seller.name,
            "client": state.client.company,
            "cluster": self.quote.cluster_name,
        }

    @staticmethod
    def _total(state: QuoteState) -> str:
        return total_phrase(state.lines, state.currency)

    def _notice(self, state: QuoteState, kind: str, to: Party, key: str, **extra: str) -> Notice:
        notice = Notice(
            business_key=f"{state.number}/r{state.revision}/{kind}/{key}",
            kind=kind,
            to_email=to.email,
            to_name=to.name,
            context={**self._base(state), "name": to.name, **extra},
        )
        if key.startswith("seller:"):
            return replies.to_seller(notice, state, self.quote.founder)
        return replies.from_seller(notice, self.quote.seller)

    def _supplier_notice(
        self, state: QuoteState, kind: str, supplier_id: int, **extra: str
    ) -> Notice:
        lines = self._lines(state, supplier_id)
        key = f"member:{supplier_id}" + (f"/{extra['reminder']}" if "reminder" in extra else "")
        return self._notice(state, kind, self.people[supplier_id], key, lines=lines, **extra)

    def _lines(self, state: QuoteState, supplier_id: int, mode: str | None = None) -> str:
        """The lines a supplier answers for, as text: its own lines (of one procurement mode
        for an order notice) and, for the founder, the founder services under other lines —
        never another supplier's offer or amount."""
        own = [
            f"- line {line.position}: {quantity_of(line.quantity, line.unit)} "
            f"{line.offer_name}, {amount_text(line.net_cents, state.currency)} before tax"
            for line in state.lines
            if line.supplier_id == supplier_id and mode in (None, line.procurement)
        ]
        services = [
            f"- line {line.position}: your service {line.founder_component.offer_name}, "
            f"{format_percent(line.founder_component.quantity)} per unit for "
            f"{quantity_of(line.quantity, line.unit)}, "
            f"owed by {self.people[line.supplier_id].company}"
            for line in state.lines
            if supplier_id == state.founder_id
            and line.founder_component is not None
            and line.supplier_id != supplier_id
        ]
        # An order notice of one procurement mode is about the supplier's own lines: the
        # founder's services have their own notice, so she is never told to invoice the client
        # for lines that are not hers.
        return "\n".join(own if mode is not None else own + services)
