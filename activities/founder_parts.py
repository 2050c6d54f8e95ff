"""What the founder is sent when an order opens (R23): the services she delivers, for which
client, what each supplier owes her, and a purchase order from each such supplier."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.orm import Session

from activities.document_views import client_party, member_party, tax_summary
from documents.layout import money
from models.documents import PartyView, PurchaseLineView, PurchaseOrderPdf
from models.wording import quantity_of
from store.founder_parts import founder_parts_of
from store.orders import order_lines
from store.tables import Client, Cluster, FounderPart, Member, Offer, Order, QuoteLine


def _by_supplier(session: Session, order: Order) -> dict[int, list[FounderPart]]:
    grouped: dict[int, list[FounderPart]] = defaultdict(list)
    for part in founder_parts_of(session, order.number):
        grouped[part.supplier_id].append(part)
    return dict(sorted(grouped.items()))


def founder_summary(session: Session, order: Order) -> str:
    """The founder's notice lines: her services only, and what each supplier owes her."""
    currency = session.get_one(Cluster, order.cluster_id).currency
    lines = {line.position: line for line in order_lines(session, order)}
    text: list[str] = []
    for supplier_id, parts in _by_supplier(session, order).items():
        company = session.get_one(Member, supplier_id).company
        for part in parts:
            line = lines[part.position]
            service = session.get_one(Offer, part.founder_offer_id).name
            quantity = (line.founder_quantity or 0) * line.quantity
            text.append(
                f"- line {part.position}: your service {service}, {quantity.normalize():f} "
                f"for {quantity_of(line.quantity, line.unit)}, owed by {company}: "
                f"{money(part.amount_cents, currency)} before tax"
            )
        total = sum(part.amount_cents for part in parts)
        text.append(
            f"  {company} owes you {money(total, currency)} before tax in all; its purchase "
            "order attached adds the tax."
        )
    return "\n".join(text)


def founder_purchase_orders(
    session: Session, order: Order, platform: PartyView | None = None
) -> dict[int, PurchaseOrderPdf]:
    """Per supplier owing a founder's part: its purchase order of those services from her,
    both parties and the client named with their legal identities, taxed at the rate of each
    founder service (R20, R21)."""
    cluster = session.get_one(Cluster, order.cluster_id)
    founder = member_party(session.get_one(Member, cluster.founder_id))
    client = client_party(session.get_one(Client, order.client_id))
    lines = {line.position: line for line in order_lines(session, order)}
    orders = {}
    for supplier_id, parts in _by_supplier(session, order).items():
        views = tuple(_purchase_line(session, lines[p.position], p) for p in parts)
        net = sum(part.amount_cents for part in parts)
        orders[supplier_id] = PurchaseOrderPdf(
            order_number=order.number,
            quote_number=order.quote_number,
            issued_on=order.accepted_at.date(),
            currency=cluster.currency,
            buyer=member_party(session.get_one(Member, supplier_id)),
            supplier=founder,
            client=client,
            lines=views,
            total_cents=net,
            tax=tax_summary(((view.net_cents, view.tax_rate) for view in views), net),
            platform=platform,
        )
    return orders


def _purchase_line(session: Session, line: QuoteLine, part: FounderPart) -> PurchaseLineView:
    service = session.get_one(Offer, part.founder_offer_id)
    return PurchaseLineView(
        service.name,
        service.unit,
        (line.founder_quantity or 0) * line.quantity,
        line.founder_price_cents or 0,
        line.discount,
        part.amount_cents,
        service.tax_rate,
        service.description,
    )
