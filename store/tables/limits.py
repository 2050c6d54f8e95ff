"""The counters behind the abuse limits, shared by every API process through the store."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from store.tables.base import Base


class RateLimitCounter(Base):
    """Events of one key (an address, a member) in one limit's current window.

    The window opens with the key's first event and lasts the limit's length; the row is
    reused once it has ended. Times are milliseconds since the epoch: every process reads the
    same wall clock, and integers compare exactly on both stores.
    """

    __tablename__ = "rate_limit_counters"

    limit_name: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    events: Mapped[int] = mapped_column(Integer)
    window_ends_ms: Mapped[int] = mapped_column(BigInteger, index=True)
