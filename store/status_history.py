"""The status history of commission invoices and credit notes (R25) in the store.

Each event is written by the transaction that makes its transition (issuing, the payment, the
cancelling credit note, the delivery), so neither lands without the other; the UNIQUE key on
document and status makes a retried or racing transition record nothing twice. Functions
take an open session and never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.status_history import DocumentKind, DocumentStatus, StatusEvent, status_event
from store.db import insert_once
from store.tables import DocumentStatusEvent


def record_status(
    session: Session,
    kind: DocumentKind,
    number: str,
    status: DocumentStatus,
    at: datetime,
    reference: str | None = None,
) -> bool:
    """Records the document's status once; False when it was recorded already."""
    return insert_once(
        session, DocumentStatusEvent, ["document_number", "status"],
        document_number=number, kind=kind, status=status, at=at, reference=reference,
    )  # fmt: skip


def status_history(session: Session, number: str) -> list[StatusEvent]:
    """The document's events, oldest first (ties in the lifecycle's order)."""
    return status_histories(session, [number])[number]


def status_histories(session: Session, numbers: Sequence[str]) -> dict[str, list[StatusEvent]]:
    """Each document's events, oldest first, read in one query."""
    order = list(DocumentStatus)
    rows = session.scalars(
        select(DocumentStatusEvent).where(DocumentStatusEvent.document_number.in_(numbers))
    )
    events = sorted(rows, key=lambda row: (row.at, order.index(row.status)))
    found: dict[str, list[StatusEvent]] = {number: [] for number in numbers}
    for row in events:
        found[row.document_number].append(
            status_event(row.document_number, row.status, row.at, row.reference)
        )
    return found


def event_of(session: Session, number: str, status: DocumentStatus) -> StatusEvent | None:
    return next((e for e in status_history(session, number) if e.status == status), None)
