"""Quote PDFs, the order opened on acceptance (R13) and its procurement documents."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity

from activities.document_views import client_party, member_party, tax_summary
from activities.founder_parts import founder_purchase_orders, founder_summary
from documents.render import DocumentStore, render_purchase_order_pdf, render_quote_pdf
from models.documents import (
    AcceptanceView,
    FounderComponentView,
    LineView,
    PartyView,
    PurchaseLineView,
    PurchaseOrderPdf,
    QuotePdf,
    SupplierBlock,
    TaxSummary,
)
from models.domain import NumberKind, Procurement
from models.quote_payloads import Act, OpenOrder, OrderOpened, ProcurementDoc, RenderQuote
from store.db import next_number, transaction
from store.founder_parts import FOUNDER_MODE, founder_purchase_order_key, write_founder_parts
from store.quotes import lock_quote
from store.tables import (
    Client,
    Cluster,
    Member,
    Offer,
    Order,
    ProcurementDocument,
    Quote,
    QuoteLine,
)

TERMS = (
    "Prices are in the quote's currency; each line's net is before tax, and its tax rate's tax "
    "is shown with the totals. Acceptance through the quote link closes the deal: each line is "
    "invoiced to you by the company named with its supplier."
)


def _tax_summary(lines: list[QuoteLine], net_cents: int) -> TaxSummary:
    recorded = all(line.tax_recorded for line in lines)
    nets = ((line.net_cents, line.tax_rate) for line in lines)
    return tax_summary(nets, net_cents, recorded=recorded)


def _lines(session: Session, number: str, revision: int) -> list[QuoteLine]:
    return list(
        session.scalars(
            select(QuoteLine)
            .where(QuoteLine.quote_number == number, QuoteLine.revision == revision)
            .order_by(QuoteLine.position)
        )
    )


class OrderActivities:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        store: DocumentStore,
        platform: PartyView | None = None,
    ) -> None:
        self.db = session_factory
        self.store = store
        self.platform = platform

    @activity.defn(name=Act.RENDER_QUOTE_PDF)
    def render_quote_pdf(self, render: RenderQuote) -> str:
        """R11: renders one revision once, when it is sent, and stores it: a retry finds it
        stored, so identities changed since never rewrite an issued document (R20)."""
        key = f"quotes/{render.number}-r{render.revision}.pdf"
        if self.store.exists(key):
            return key
        with self.db() as session:
            pdf = self._quote_view(session, render)
        return self.store.put(key, render_quote_pdf(pdf))

    def _quote_view(self, session: Session, render: RenderQuote) -> QuotePdf:
        quote = session.get_one(Quote, render.number)
        cluster = session.get_one(Cluster, quote.cluster_id)
        founder = session.get_one(Member, cluster.founder_id)
        by_supplier: dict[int, list[QuoteLine]] = defaultdict(list)
        lines = _lines(session, render.number, render.revision)
        # Suppliers in the order the seller entered their first line, each's lines in order.
        for line in sorted(lines, key=lambda line: line.position):
            by_supplier[line.supplier_id].append(line)
        blocks = []
        for supplier_id, own in by_supplier.items():
            supplier = session.get_one(Member, supplier_id)
            views = tuple(self._line_view(session, line, founder) for line in own)
            subtotal = sum(line.net_cents for line in own)
            blocks.append(SupplierBlock(supplier.name, supplier.company, views, subtotal))
        return QuotePdf(
            cluster_name=cluster.name,
            currency=cluster.currency,
            number=quote.number,
            revision=render.revision,
            issued_on=quote.created_at.date(),
            valid_until=render.valid_until.date() if render.valid_until else None,
            seller=member_party(session.get_one(Member, quote.seller_id)),
            client=client_party(session.get_one(Client, quote.client_id)),
            note=quote.note or "",
            terms=TERMS,
            total_cents=quote.total_cents,
            suppliers=tuple(blocks),
            tax=_tax_summary(lines, quote.total_cents),
            platform=self.platform,
        )

    @staticmethod
    def _line_view(session: Session, line: QuoteLine, founder: Member) -> LineView:
        component = None
        if line.founder_offer_id is not None:
            offer = session.get_one(Offer, line.founder_offer_id)
            component = FounderComponentView(
                offer.name,
                founder.company,
                line.founder_quantity or Decimal(0),
                line.founder_price_cents or 0,
            )
        return LineView(
            line.position,
            line.offer_name,
            line.unit,
            line.quantity,
            line.unit_price_cents,
            line.discount,
            line.net_cents,
            line.procurement,
            component,
            line.tax_rate,
        )

    @activity.defn(name=Act.OPEN_ORDER)
    def open_order(self, request: OpenOrder) -> OrderOpened:
        """One order per accepted quote (unique quote number), numbered in the same transaction."""
        with transaction(self.db) as session:
            # Held first, so that an attempt running alongside a retry waits and finds the order.
            quote = lock_quote(session, request.quote_number)
            order = session.scalars(
                select(Order).where(Order.quote_number == request.quote_number)
            ).first()
            if order is None:
                order = self._insert_order(session, quote, request)
            docs = list(
                session.scalars(
                    select(ProcurementDocument)
                    .where(ProcurementDocument.order_number == order.number)
                    .order_by(ProcurementDocument.supplier_id, ProcurementDocument.mode)
                )
            )
            result = OrderOpened(
                order.number,
                [ProcurementDoc(d.supplier_id, d.mode, d.document_key) for d in docs],
                self._signed_copy(session, quote, order),
            )
            # Rendered once, at acceptance: a retry after a crash renders only what is missing,
            # so an identity changed since never rewrites an issued order (R20).
            for doc in docs:
                if doc.document_key is not None and not self.store.exists(doc.document_key):
                    pdf = self._purchase_order(session, order, doc.supplier_id)
                    self.store.put(doc.document_key, render_purchase_order_pdf(pdf))
            self._founder_documents(session, order, result)
        return result

    def _signed_copy(self, session: Session, quote: Quote, order: Order) -> str:
        """R17: the accepted revision's PDF with the client's signature, stored for the client."""
        render = RenderQuote(quote.number, order.revision, quote.valid_until)
        acceptance = AcceptanceView(
            order.signer_name, order.accepted_at, order.revision, order.po_reference, order.number
        )
        pdf = replace(self._quote_view(session, render), acceptance=acceptance)
        key = f"orders/{order.number}-signed.pdf"
        return self.store.put(key, render_quote_pdf(pdf))

    def _founder_documents(self, session: Session, order: Order, opened: OrderOpened) -> None:
        """R23: the founder's notice text and one purchase order per supplier owing her."""
        for doc in opened.documents:
            if doc.mode != FOUNDER_MODE:
                continue
            doc.summary = founder_summary(session, order)
            for supplier_id, pdf in founder_purchase_orders(session, order, self.platform).items():
                key = founder_purchase_order_key(order.number, supplier_id)
                # Rendered once, like the other purchase orders (R20).
                if not self.store.exists(key):
                    self.store.put(key, render_purchase_order_pdf(pdf))
                doc.attachments.append(key)

    def _insert_order(self, session: Session, quote: Quote, request: OpenOrder) -> Order:
        cluster = session.get_one(Cluster, quote.cluster_id)
        number = next_number(session, NumberKind.ORDER, request.accepted_at.year)
        order = Order(
            number=number,
            quote_number=quote.number,
            cluster_id=quote.cluster_id,
            seller_id=quote.seller_id,
            client_id=quote.client_id,
            revision=request.revision,
            total_cents=quote.total_cents,
            signer_name=request.signer_name,
            po_reference=request.po_reference,
            frozen_terms=_frozen_terms(cluster, quote),
            accepted_at=request.accepted_at,
        )
        session.add(order)
        session.flush()
        modes: set[tuple[int, str]] = set()
        lines = _lines(session, quote.number, request.revision)
        for line in lines:
            modes.add((line.supplier_id, line.procurement))
            if line.founder_offer_id is not None and cluster.founder_id != line.supplier_id:
                # She delivers the service and is paid by the line's supplier, not the client.
                modes.add((cluster.founder_id or 0, FOUNDER_MODE))
        write_founder_parts(session, order, lines, cluster.founder_id or 0)
        for supplier_id, mode in sorted(modes):
            key = None
            if mode == Procurement.RESELL and supplier_id != quote.seller_id:
                key = f"orders/{number}-po-{supplier_id}.pdf"
            session.add(
                ProcurementDocument(
                    order_number=number, supplier_id=supplier_id, mode=mode, document_key=key
                )
            )
        session.flush()
        return order

    def _purchase_order(self, session: Session, order: Order, supplier_id: int) -> PurchaseOrderPdf:
        lines = [
            line
            for line in _lines(session, order.quote_number, order.revision)
            if line.supplier_id == supplier_id and line.procurement == Procurement.RESELL
        ]
        views = tuple(
            PurchaseLineView(
                line.offer_name,
                line.unit,
                line.quantity,
                line.unit_price_cents,
                line.discount,
                line.net_cents,
                line.tax_rate,
                session.get_one(Offer, line.offer_id).description,
            )
            for line in lines
        )
        net = sum(line.net_cents for line in lines)
        return PurchaseOrderPdf(
            order_number=order.number,
            quote_number=order.quote_number,
            issued_on=order.accepted_at.date(),
            currency=session.get_one(Cluster, order.cluster_id).currency,
            buyer=member_party(session.get_one(Member, order.seller_id)),
            supplier=member_party(session.get_one(Member, supplier_id)),
            client=client_party(session.get_one(Client, order.client_id)),
            lines=views,
            total_cents=net,
            tax=_tax_summary(lines, net),
            platform=self.platform,
        )


def _frozen_terms(cluster: Cluster, quote: Quote) -> dict[str, Any]:
    """Split settings and team as they stand at acceptance: later changes never reprice."""
    return {
        "platform_fee_rate": str(cluster.platform_fee_rate),
        "founder_rate": str(cluster.founder_rate),
        "affiliate_rates": list(cluster.affiliate_rates),
        "payment_terms": cluster.payment_terms,
        "sales_team": list(quote.sales_team),
        "founder_id": cluster.founder_id,
    }
