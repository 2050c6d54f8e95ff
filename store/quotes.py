"""Pricing and recording a quote request (R7): the API's side before the workflow takes over.

Functions take an open session and never commit: the caller's transaction does.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from decimal import Decimal

from pydantic import TypeAdapter
from sqlalchemy import Select, exists, false, or_, select, update
from sqlalchemy.orm import Session

from api.schemas import QuoteContent, QuoteCreate
from models import split
from models.domain import MemberStatus, NumberKind, OfferStatus, QuoteStatus
from models.errors import Conflict, NotFound, RuleViolation
from models.money import line_net_cents
from models.quote_lines import OfferFacts, check_quotable
from models.quote_payloads import (
    ClientParty,
    FounderComponent,
    Line,
    Party,
    QuoteInput,
    Revision,
    TeamShare,
    Timing,
)
from store.db import next_number
from store.tables import Client, Cluster, Member, Offer, Quote, QuoteLine

START_INPUT = TypeAdapter(QuoteInput)


def visible_quotes(viewer: Member | None) -> Select[Quote]:
    """Operators see every quote; a member those it sells, or supplies a line of in the
    current revision (a founder: a line carrying its service), in its own cluster."""
    query = select(Quote)
    if viewer is None:
        return query
    supplies = exists().where(
        QuoteLine.quote_number == Quote.number,
        QuoteLine.revision == Quote.revision,
        or_(
            QuoteLine.supplier_id == viewer.id,
            QuoteLine.founder_offer_id.is_not(None) if viewer.is_founder else false(),
        ),
    )
    return query.where(
        Quote.cluster_id == viewer.cluster_id, or_(Quote.seller_id == viewer.id, supplies)
    )


def get_visible_quote(session: Session, viewer: Member | None, number: str) -> Quote:
    """Another cluster's quote, or one the member has no part in, answers like a missing one."""
    quote = session.scalars(visible_quotes(viewer).where(Quote.number == number)).first()
    if quote is None:
        raise NotFound("quote")
    return quote


def lock_quote(session: Session, number: str) -> Quote:
    """The quote's row, held until the transaction ends: a no-op write takes the row lock on
    PostgreSQL and the write lock on SQLite (which ignores FOR UPDATE); read after it."""
    session.execute(update(Quote).where(Quote.number == number).values(revision=Quote.revision))
    return session.get_one(Quote, number, populate_existing=True)


def quote_status(session: Session, number: str) -> QuoteStatus | None:
    """The status the store last recorded for the quote (written after each change)."""
    return session.scalar(select(Quote.status).where(Quote.number == number))


def party(member: Member) -> Party:
    return Party(member.id, member.name, member.company, member.email)


def offer_facts(
    session: Session, offer: Offer | None, viewer: Member | None = None
) -> OfferFacts | None:
    """The facts of an offer that the line rules read, as `viewer` may see it."""
    if offer is None:
        return None
    owner = session.get(Member, offer.owner_id)
    return OfferFacts(
        cluster_id=offer.cluster_id,
        status=offer.status,
        max_discount=offer.max_discount,
        owner_is_founder=owner is not None and owner.is_founder,
        visible=viewer is None
        or viewer.is_founder
        or offer.status == OfferStatus.VALIDATED
        or offer.owner_id == viewer.id,
    )


def price_lines(session: Session, seller: Member, content: QuoteContent) -> list[Line]:
    """Each line priced exactly from a validated offer of the seller's cluster."""
    lines = []
    for index, line_in in enumerate(content.lines):
        field = f"lines.{index}"
        offer = session.get(Offer, line_in.offer_id)
        check_quotable(
            offer_facts(session, offer, seller),
            cluster_id=seller.cluster_id,
            discount=line_in.discount,
            field=field,
        )
        assert offer is not None
        component = None
        if offer.founder_offer_id is not None:
            founder_offer = session.get_one(Offer, offer.founder_offer_id)
            component = FounderComponent(
                founder_offer.id,
                founder_offer.name,
                offer.founder_quantity or Decimal(0),
                offer.founder_price_cents or 0,
            )
        lines.append(
            Line(
                position=index + 1,
                offer_id=offer.id,
                offer_name=offer.name,
                unit=offer.unit,
                supplier_id=offer.owner_id,
                quantity=line_in.quantity,
                unit_price_cents=offer.unit_price_cents,
                discount=line_in.discount,
                net_cents=line_net_cents(
                    line_in.quantity, offer.unit_price_cents, line_in.discount
                ),
                commission_rate=offer.commission_rate,
                procurement=offer.procurement.value,
                founder_component=component,
                tax_rate=offer.tax_rate,
                tax_recorded=True,
            )
        )
    return lines


def sales_team(session: Session, seller: Member, content: QuoteContent) -> list[TeamShare]:
    if content.sales_team is None:
        return [TeamShare(seller.id, Decimal(100))]
    team = [TeamShare(s.member_id, s.share) for s in content.sales_team]
    try:
        split.validate_sales_team([split.SellerShare(s.member_id, s.share) for s in team])
    except ValueError as exc:
        raise RuleViolation(str(exc).removeprefix("sales_team: "), field="sales_team") from None
    if seller.id not in {s.member_id for s in team}:
        raise RuleViolation("must include you, the seller", field="sales_team")
    for index, share in enumerate(team):
        member = session.get(Member, share.member_id)
        if (
            member is None
            or member.cluster_id != seller.cluster_id
            or member.status != MemberStatus.ACTIVE
        ):
            raise RuleViolation(
                "not an active member of your cluster", field=f"sales_team.{index}.member_id"
            )
    return team


def build_revision(
    session: Session, seller: Member, content: QuoteContent, number: int
) -> Revision:
    lines = price_lines(session, seller, content)
    return Revision(
        number=number,
        lines=lines,
        sales_team=sales_team(session, seller, content),
        note=content.note,
        total_cents=sum(line.net_cents for line in lines),
    )


def suppliers_of(session: Session, lines: list[Line]) -> list[Party]:
    ids = sorted({line.supplier_id for line in lines})
    return [party(session.get_one(Member, i)) for i in ids]


def fingerprint(payload: QuoteCreate) -> str:
    canonical = json.dumps(payload.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def find_idempotent(
    session: Session, seller: Member, key: str | None, payload: QuoteCreate
) -> Quote | None:
    """The quote a retried request already created, if any (same key, same body)."""
    if key is None:
        return None
    quote = session.scalars(
        select(Quote).where(Quote.seller_id == seller.id, Quote.idempotency_key == key)
    ).first()
    if quote is not None and quote.request_fingerprint != fingerprint(payload):
        raise Conflict("this Idempotency-Key was already used with a different request")
    return quote


def create_quote(
    session: Session, seller: Member, payload: QuoteCreate, key: str | None, now: datetime
) -> tuple[Quote, QuoteInput]:
    client = session.get(Client, payload.client_id)
    if client is None or client.owner_id != seller.id:
        raise RuleViolation("not one of your clients", field="client_id")
    revision = build_revision(session, seller, payload, 1)
    # The number is taken in this transaction: a failed request leaves no gap.
    number = next_number(session, NumberKind.QUOTE, now.year)
    quote = Quote(
        number=number,
        cluster_id=seller.cluster_id,
        seller_id=seller.id,
        client_id=client.id,
        status=QuoteStatus.PENDING_APPROVAL,
        revision=1,
        total_cents=revision.total_cents,
        note=payload.note,
        sales_team=[{"member_id": s.member_id, "share": str(s.share)} for s in revision.sales_team],
        idempotency_key=key,
        request_fingerprint=fingerprint(payload) if key else None,
        created_at=now,
        updated_at=now,
    )
    start = workflow_input(session, quote, revision)
    # Kept so that a retried request can start a workflow whose first start was lost.
    quote.start_input = START_INPUT.dump_python(start, mode="json")
    session.add(quote)
    session.flush()
    # Its lines too, so that its suppliers may decide at once (the workflow finds them written).
    session.add_all(line_rows(number, revision))
    return quote, start


def line_rows(number: str, revision: Revision) -> list[QuoteLine]:
    """The store's rows of a revision's lines, as quoted."""
    rows = []
    for line in revision.lines:
        component = line.founder_component
        rows.append(
            QuoteLine(
                quote_number=number,
                revision=revision.number,
                position=line.position,
                offer_id=line.offer_id,
                supplier_id=line.supplier_id,
                offer_name=line.offer_name,
                unit=line.unit,
                quantity=line.quantity,
                unit_price_cents=line.unit_price_cents,
                discount=line.discount,
                net_cents=line.net_cents,
                commission_rate=line.commission_rate,
                tax_rate=line.tax_rate,
                tax_recorded=line.tax_recorded,
                procurement=line.procurement,
                founder_offer_id=component.offer_id if component else None,
                founder_quantity=component.quantity if component else None,
                founder_price_cents=component.founder_price_cents if component else None,
            )
        )
    return rows


def stored_start_input(quote: Quote) -> QuoteInput:
    return START_INPUT.validate_python(quote.start_input)


def workflow_input(session: Session, quote: Quote, revision: Revision) -> QuoteInput:
    cluster = session.get_one(Cluster, quote.cluster_id)
    client = session.get_one(Client, quote.client_id)
    founder = session.get_one(Member, cluster.founder_id)
    return QuoteInput(
        number=quote.number,
        cluster_id=cluster.id,
        cluster_name=cluster.name,
        currency=cluster.currency,
        seller=party(session.get_one(Member, quote.seller_id)),
        founder=party(founder),
        client=ClientParty(client.id, client.company, client.contact_name, client.email),
        timing=Timing(
            reminder_interval=cluster.reminder_interval,
            approval_timeout=cluster.approval_timeout,
            revision_timeout=cluster.revision_timeout,
            validity=cluster.validity,
        ),
        revision=revision,
        people=suppliers_of(session, revision.lines),
    )
