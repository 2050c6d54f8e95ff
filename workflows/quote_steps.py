"""Small deterministic steps of the quote workflow: who is told what, the founder check,
and the search attributes operators query."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models import replies
    from models.money import format_cents, format_percent
    from models.quote_payloads import (
        FounderCheck,
        Notice,
        OrderOpened,
        Party,
        QuoteInput,
        QuoteState,
    )
    from models.wording import amount_text, named_lines, offer_names, quantity_of, total_phrase
    from workflows import calls, client_notices, search
    from workflows.approval_notices import ApprovalAsk, attach_links


async def founder_check(cluster_id: int, state: QuoteState) -> list[int]:
    """R8: positions whose founder service (or founder offer) is no longer validated."""
    return await calls.check_founder_inclusion(founder_check_of(cluster_id, state))


def founder_check_of(cluster_id: int, state: QuoteState) -> FounderCheck:
    """What the founder check looks at: each founder component and the founder's own lines."""
    components = [
        (line.position, line.founder_component.offer_id)
        for line in state.lines
        if line.founder_component is not None
    ]
    own = [
        (line.position, line.offer_id)
        for line in state.lines
        if line.supplier_id == state.founder_id
    ]
    return FounderCheck(cluster_id, components, own)


async def upsert_search(state: QuoteState) -> None:
    upsert_now(state)


def upsert_now(state: QuoteState, attributes: bool = True) -> None:
    """The status, total and suppliers operators filter quotes by (unless the workflow's start
    already set them: `attributes` False), and the UI's summary."""
    pending = search.pending_of(state)
    if attributes:
        workflow.upsert_search_attributes(search.quote_state_attributes(state))
    people = {person.id: person for person in state.people}
    waiting = [
        f"{people[i].name} ({people[i].company}, #{i})" if i in people else f"#{i}" for i in pending
    ]
    workflow.set_current_details(
        f"**{state.number}** revision {state.revision} — **{state.status}**\n\n"
        f"client {state.client.company}, total {format_cents(state.total_cents)} {state.currency} "
        f"before tax; waiting on: {', '.join(waiting) or 'nobody'}"
    )


BATCHED_SUPPLIER_NOTICES = "batched-supplier-notices"


class Notifier:
    """Builds each email with its business key, so a retry never sends it twice."""

    def __init__(self, quote: QuoteInput, people: dict[int, Party]) -> None:
        self.quote = quote
        self.people = people

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

    async def _send(self, state: QuoteState, kind: str, to: Party, key: str, **extra: str) -> None:
        await calls.send_notice(self._notice(state, kind, to, key, **extra))

    async def seller(self, state: QuoteState, kind: str, **extra: str) -> None:
        key = f"seller:{self.quote.seller.id}"
        await self._send(state, kind, self.quote.seller, key, total=self._total(state), **extra)

    async def supplier_removed(self, state: QuoteState, supplier: Party, lines: list[int]) -> None:
        """Tells the seller which lines must go; one email per removed supplier and revision."""
        key = f"seller:{self.quote.seller.id}/supplier:{supplier.id}"
        positions = named_lines(lines, offer_names(state.lines))
        await self._send(
            state, "quote_supplier_removed", self.quote.seller, key,
            supplier=supplier.company, lines=positions,
        )  # fmt: skip

    def founder_notice(self, state: QuoteState, kind: str, **extra: str) -> Notice:
        founder = self.quote.founder
        return self._notice(state, kind, founder, f"founder:{founder.id}", **extra)

    async def founder(self, state: QuoteState, kind: str, **extra: str) -> None:
        await calls.send_notice(self.founder_notice(state, kind, **extra))

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

    def _supplier_notice(
        self, state: QuoteState, kind: str, supplier_id: int, **extra: str
    ) -> Notice:
        lines = self._lines(state, supplier_id)
        key = f"member:{supplier_id}" + (f"/{extra['reminder']}" if "reminder" in extra else "")
        return self._notice(state, kind, self.people[supplier_id], key, lines=lines, **extra)

    async def suppliers(
        self,
        state: QuoteState,
        kind: str,
        supplier_ids: list[int],
        ask: ApprovalAsk | None = None,
        **extra: str,
    ) -> None:
        """One email per supplier; a whole round in one activity, so that twenty suppliers
        reminded thirty times cost thirty activities in the history, not six hundred."""
        notices = [self._supplier_notice(state, kind, s, **extra) for s in supplier_ids]
        notices = attach_links(notices, supplier_ids, state, ask)
        if workflow.patched(BATCHED_SUPPLIER_NOTICES):
            await calls.send_notices(notices)
            return
        for notice in notices:  # quotes started before batching replay their own way
            await calls.send_notice(notice)

    async def client(self, state: QuoteState, kind: str = "quote_to_client", **extra: str) -> None:
        """An email to the client: the quote, or the answer it gave (see client_notices)."""
        seller, cluster = self.quote.seller, self.quote.cluster_name
        if kind == "quote_to_client":
            notice = client_notices.quote_to_client(state, seller, cluster)
        elif kind == "quote_confirmation":
            notice = client_notices.confirmation(state, seller, cluster, extra["order"])
        else:
            notice = client_notices.client_notice(state, seller, cluster, kind, **extra)
        await calls.send_notice(notice)

    async def order(self, state: QuoteState, order: OrderOpened) -> None:
        for doc in order.documents:
            supplier = self.people[doc.supplier_id]
            notice = Notice(
                business_key=f"{order.number}/order_notice_{doc.mode}/member:{doc.supplier_id}",
                kind=f"order_notice_{doc.mode}",
                to_email=supplier.email,
                to_name=supplier.name,
                reply_to=self.quote.seller.email,
                reply_name=self.quote.seller.name,
                context={
                    **self._base(state),
                    "name": supplier.name,
                    "order": order.number,
                    "client_contact": replies.client_contact(state),
                    # The founder's services and parts are worded by the activity that priced them.
                    "lines": doc.summary or self._lines(state, doc.supplier_id, doc.mode),
                },
                attachment_key=doc.document_key,
                attachment_name=f"{order.number}-purchase-order.pdf" if doc.document_key else None,
                more_attachment_keys=list(doc.attachments),
            )
            await calls.send_notice(notice)
