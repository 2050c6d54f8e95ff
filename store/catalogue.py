"""Offers: registration (R3–R5), the founder's decision and withdrawal (R6), and visibility."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Select, or_, select, update
from sqlalchemy.orm import Session

from api.schemas import OfferCreate, OfferDecision
from models import catalogue_rules
from models.domain import OfferStatus
from models.errors import Forbidden, NotFound
from store.db import claim
from store.tables import Cluster, Member, Offer


def _tax_rate(session: Session, owner: Member, payload: OfferCreate) -> Decimal:
    if payload.tax_rate is not None:
        return payload.tax_rate
    return session.get_one(Cluster, owner.cluster_id).default_tax_rate


def register_offer(session: Session, owner: Member, payload: OfferCreate, now: datetime) -> Offer:
    segment = catalogue_rules.check_segment(payload.segment)
    procurement = catalogue_rules.check_procurement(payload.procurement)
    component = payload.founder_component
    target = None
    if component is not None:
        found = session.get(Offer, component.offer_id)
        if found is not None and found.cluster_id == owner.cluster_id:
            founder = session.get_one(Member, found.owner_id)
            target = catalogue_rules.FounderOfferFacts(founder.is_founder, found.status)
    catalogue_rules.check_founder_component(
        owner_is_founder=owner.is_founder,
        has_component=component is not None,
        target=target,
        founder_price_cents=component.founder_price if component else None,
        unit_price_cents=payload.unit_price,
    )
    offer = Offer(
        cluster_id=owner.cluster_id,
        owner_id=owner.id,
        name=payload.name,
        description=payload.description,
        unit=payload.unit,
        unit_price_cents=payload.unit_price,
        segment=segment,
        commission_rate=payload.commission_rate,
        procurement=procurement,
        max_discount=payload.max_discount,
        tax_rate=_tax_rate(session, owner, payload),
        playbook=payload.playbook,
        founder_offer_id=component.offer_id if component else None,
        founder_quantity=component.quantity if component else None,
        founder_price_cents=component.founder_price if component else None,
        status=OfferStatus.PENDING,
        created_at=now,
    )
    session.add(offer)
    session.flush()
    return offer


def visible_offers(viewer: Member | None) -> Select[Offer]:
    """Validated offers, plus the viewer's own; the founder and operators see every offer."""
    query = select(Offer)
    if viewer is None:
        return query
    query = query.where(Offer.cluster_id == viewer.cluster_id)
    if viewer.is_founder:
        return query
    return query.where(or_(Offer.status == OfferStatus.VALIDATED, Offer.owner_id == viewer.id))


def get_visible_offer(session: Session, viewer: Member | None, offer_id: int) -> Offer:
    offer = session.scalars(visible_offers(viewer).where(Offer.id == offer_id)).first()
    if offer is None:
        raise NotFound("offer")
    return offer


def decide_offer(
    session: Session, founder: Member, offer_id: int, payload: OfferDecision, now: datetime
) -> Offer:
    """R6: the founder validates or refuses a pending offer, once."""
    offer = get_visible_offer(session, founder, offer_id)
    if not founder.is_founder:
        raise Forbidden("only the cluster's founder validates or refuses offers")
    status = catalogue_rules.check_offer_decision(offer.status, payload.decision, payload.reason)
    decision = (
        update(Offer)
        .where(Offer.id == offer.id)
        .values(
            status=status,
            refusal_reason=payload.reason if status == OfferStatus.REFUSED else None,
            decided_at=now,
        )
    )
    won = claim(session, decision, Offer.status == OfferStatus.PENDING)
    session.refresh(offer)
    if not won:  # decided meanwhile: the answer a second decision gets
        catalogue_rules.check_offer_decision(offer.status, payload.decision, payload.reason)
    return offer


def withdraw_offer(session: Session, owner: Member, offer_id: int, now: datetime) -> Offer:
    """R6: gone from the catalogue, once; quotes already sent keep their lines (copies)."""
    offer = get_visible_offer(session, owner, offer_id)
    catalogue_rules.check_withdrawable(offer.status, is_owner=offer.owner_id == owner.id)
    withdrawal = (
        update(Offer)
        .where(Offer.id == offer.id)
        .values(status=OfferStatus.WITHDRAWN, withdrawn_at=now)
    )
    won = claim(session, withdrawal, Offer.status != OfferStatus.WITHDRAWN)
    session.refresh(offer)
    if not won:
        catalogue_rules.check_withdrawable(offer.status, is_owner=True)
    return offer
