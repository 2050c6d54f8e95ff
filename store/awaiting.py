"""The quotes waiting on one supplier's decision (`GET /quotes?awaiting=me`, R16).

A quote waits on a supplier when its current revision is out for approval, the supplier has a
part in that revision (its own line; the founder: a line carrying its service) and the store
holds no decision of it on that revision. The seller's own lines are approved on opening, so a
seller never waits on itself.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, false, or_

from models.domain import QuoteStatus
from store.tables import Decision, Member, Quote, QuoteLine


def awaiting(supplier: Member) -> ColumnElement[bool]:
    has_part = exists().where(
        QuoteLine.quote_number == Quote.number,
        QuoteLine.revision == Quote.revision,
        or_(
            QuoteLine.supplier_id == supplier.id,
            QuoteLine.founder_offer_id.is_not(None) if supplier.is_founder else false(),
        ),
    )
    decided = exists().where(
        Decision.quote_number == Quote.number,
        Decision.revision == Quote.revision,
        Decision.supplier_id == supplier.id,
    )
    return and_(
        Quote.cluster_id == supplier.cluster_id,
        Quote.status == QuoteStatus.PENDING_APPROVAL,
        Quote.seller_id != supplier.id,
        has_part,
        ~decided,
    )
