"""The open quotes a removed member leaves behind (R2): those it sells, which are cancelled, and
other sellers' it supplies lines to, which block until revised.

Functions take an open session and never commit: the caller's transaction does.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.cancellations import MemberQuotes
from models.domain import TERMINAL_QUOTE_STATUSES
from store.tables import Quote, QuoteLine


def open_quotes_of(session: Session, member_id: int) -> MemberQuotes:
    still_open = Quote.status.not_in(list(TERMINAL_QUOTE_STATUSES))
    sold = session.scalars(
        select(Quote.number).where(Quote.seller_id == member_id, still_open).order_by(Quote.number)
    ).all()
    current_lines = (QuoteLine.quote_number == Quote.number) & (
        QuoteLine.revision == Quote.revision
    )
    supplied = session.scalars(
        select(Quote.number)
        .join(QuoteLine, current_lines)
        .where(QuoteLine.supplier_id == member_id, Quote.seller_id != member_id, still_open)
        .distinct()
        .order_by(Quote.number)
    ).all()
    return MemberQuotes(sold=list(sold), supplied=list(supplied))
