"""What a quote line may be (R7) and whether a founder offer still stands behind it (R8), as
plain functions over the facts the store reads."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from models.domain import OfferStatus
from models.errors import RuleViolation


@dataclass(frozen=True, slots=True)
class OfferFacts:
    """What the rules need to know of an offer named on a line."""

    cluster_id: int
    status: OfferStatus
    max_discount: Decimal
    owner_is_founder: bool = False
    # Whether the seller may see it at all: validated offers are the cluster's, others the owner's.
    visible: bool = True


def check_quotable(
    offer: OfferFacts | None, *, cluster_id: int, discount: Decimal, field: str
) -> None:
    """R7: a line quotes a validated offer of the seller's cluster, within its maximum discount.
    An offer the seller may not see (another cluster's, or another member's unvalidated one) reads
    exactly like one that does not exist."""
    if offer is None or offer.cluster_id != cluster_id or not offer.visible:
        raise RuleViolation("no such offer in your cluster", field=f"{field}.offer_id")
    if offer.status != OfferStatus.VALIDATED:
        raise RuleViolation(
            f"this offer is {offer.status.value}: only validated offers are quoted",
            field=f"{field}.offer_id",
        )
    if discount > offer.max_discount:
        raise RuleViolation(
            f"{discount} % is more than the {offer.max_discount} % this offer allows",
            field=f"{field}.discount",
        )


def founder_offer_stands(offer: OfferFacts | None, *, cluster_id: int) -> bool:
    """R8: a founder component (or the founder's own line) stands while its offer is validated,
    in the quote's cluster, and still owned by the founder."""
    return (
        offer is not None
        and offer.cluster_id == cluster_id
        and offer.status == OfferStatus.VALIDATED
        and offer.owner_is_founder
    )
