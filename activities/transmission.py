"""Each issued invoice and credit note transmitted once to the platform that carries it, its
delivery recorded in its status history (R25)."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from documents.render import DocumentStore
from documents.transmission import FileDrop, Transmitter, einvoice_document
from models.status_history import DocumentKind, DocumentStatus, StatusEvent
from settings import Settings, drop_dir
from store.db import transaction
from store.status_history import event_of, record_status

TRANSMITTED = DocumentStatus.TRANSMITTED


def transmitter_for(settings: Settings) -> Transmitter:
    """The embedded default: the file drop. A PA connector implements the same protocol."""
    return FileDrop(drop_dir(settings))


def transmit_once(
    db: sessionmaker[Session],
    store: DocumentStore,
    transmitter: Transmitter,
    kind: DocumentKind,
    number: str,
    key: str,
) -> StatusEvent | None:
    """Transmits the stored document unless its delivery is recorded; a crash between the
    two transmits again, which the transmitter answers with its first receipt."""
    with db() as session:
        done = event_of(session, number, TRANSMITTED)
    if done is not None or not store.exists(key):
        return done
    document = einvoice_document(number, kind, store.get(key))
    if document is None:
        return None
    receipt = transmitter.transmit(document)
    with transaction(db) as session:
        record_status(session, kind, number, TRANSMITTED, receipt.at, receipt.reference)
        return event_of(session, number, TRANSMITTED)
