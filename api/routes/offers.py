"""The catalogue: offers, the founder's validation and withdrawal."""

from __future__ import annotations

from fastapi import APIRouter

from api.contract import links
from api.deps import CurrentMember, ObjectId, PrincipalDep, SessionDep
from api.errors import refusals
from api.pagination import Cursor, Limit, paginate
from api.schemas import OfferCreate, OfferDecision
from api.views import OfferRead, Page, offer_view
from models.domain import OfferStatus
from store.catalogue import (
    decide_offer,
    get_visible_offer,
    register_offer,
    visible_offers,
    withdraw_offer,
)
from store.tables import Offer, utcnow

router = APIRouter(prefix="/offers", tags=["offers"])


@router.post(
    "",
    status_code=201,
    response_model=OfferRead,
    responses=links(201, "offer_id", "id", "read_offer", "validate_offer", "withdraw"),
)
def create_offer(payload: OfferCreate, session: SessionDep, member: CurrentMember) -> OfferRead:
    """Register an offer; it stays pending until the founder validates it."""
    return offer_view(register_offer(session, member, payload, utcnow()))


@router.get("", response_model=Page[OfferRead])
def list_offers(
    session: SessionDep,
    principal: PrincipalDep,
    status: OfferStatus | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, object]:
    """Validated offers and your own; the founder and operators see all."""
    query = visible_offers(principal.member)
    if status is not None:
        query = query.where(Offer.status == status)
    return paginate(session, query, Offer.id, cursor, limit, offer_view)


@router.get("/{offer_id}", response_model=OfferRead)
def read_offer(offer_id: ObjectId, session: SessionDep, principal: PrincipalDep) -> OfferRead:
    """One offer, if visible to the caller."""
    return offer_view(get_visible_offer(session, principal.member, offer_id))


@router.post("/{offer_id}/validation", response_model=OfferRead, responses=refusals(409))
def validate_offer(
    offer_id: ObjectId, payload: OfferDecision, session: SessionDep, member: CurrentMember
) -> OfferRead:
    """Validate or refuse (with a reason) a pending offer: the founder only."""
    return offer_view(decide_offer(session, member, offer_id, payload, utcnow()))


@router.post("/{offer_id}/withdraw", response_model=OfferRead, responses=refusals(409))
def withdraw(offer_id: ObjectId, session: SessionDep, member: CurrentMember) -> OfferRead:
    """Withdraw your offer from the catalogue; quotes already sent keep their lines."""
    return offer_view(withdraw_offer(session, member, offer_id, utcnow()))
