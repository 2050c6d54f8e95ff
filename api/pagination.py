"""Keyset pagination over integer or text keys: `{"items": [...], "next": cursor}`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, TypeVar

from fastapi import Query
from sqlalchemy import Integer, Select
from sqlalchemy.orm import InstrumentedAttribute, Session

from models.catalogue_rules import MAX_ID
from models.errors import BadRequest

MAX_LIMIT = 200

T = TypeVar("T")
V = TypeVar("V")

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size (at most 200).")]
Cursor = Annotated[str | None, Query(max_length=100, description="`next` of the previous page.")]


def paginate(
    session: Session,
    query: Select[Any],
    key: InstrumentedAttribute[Any],
    cursor: str | None,
    limit: int,
    view: Callable[[Any], V],
) -> dict[str, Any]:
    """Rows after the cursor in key order, and the cursor of the page after."""
    if cursor is not None:
        after: Any = cursor
        # Cursors given out are printable ASCII; PostgreSQL would refuse a NUL outright (500).
        if not (cursor.isascii() and cursor.isprintable()):
            raise BadRequest("not a cursor this list gave out", field="cursor")
        if isinstance(key.type, Integer):
            # ASCII digits of a 32-bit id only: int() also reads other scripts' digits, and a
            # longer number overflows SQLite's integers.
            if not (cursor.isascii() and cursor.isdigit() and int(cursor) <= MAX_ID):
                raise BadRequest("not a cursor this list gave out", field="cursor")
            after = int(cursor)
        query = query.where(key > after)
    rows: Sequence[Any] = session.scalars(query.order_by(key).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    nxt = str(getattr(rows[-1], key.key)) if more and rows else None
    return {"items": [view(row) for row in rows], "next": nxt}
