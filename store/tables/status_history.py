"""The status history of issued documents (R25), for e-reporting: one row per document and
status, never two."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.status_history import DocumentKind, DocumentStatus
from store.tables.base import Base, UTCDateTime, str_enum


class DocumentStatusEvent(Base):
    """A commission invoice's or credit note's status, dated; the UNIQUE key makes each
    status land once whatever retries or races happen."""

    __tablename__ = "document_status_events"
    __table_args__ = (UniqueConstraint("document_number", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_number: Mapped[str] = mapped_column(String(16), index=True)
    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind))
    status: Mapped[DocumentStatus] = mapped_column(str_enum(DocumentStatus))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    reference: Mapped[str | None] = mapped_column(Text)
