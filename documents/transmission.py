"""Transmission of issued e-invoices to the platform that carries them to the buyer (R25).

Under the French 2026 reform an invoice reaches its buyer through an approved platform (PA,
Plateforme Agréée). The product speaks to one through a single small interface, `Transmitter`;
the embedded default is a file drop: each document's Factur-X PDF and its XML written into a
folder that a PA's connector, or an operator, picks up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import facturx

from documents.atomic import write_atomically
from models.status_history import DocumentKind


@dataclass(frozen=True)
class EInvoiceDocument:
    """An issued commission invoice (type 380) or credit note (381), as it is transmitted."""

    number: str
    kind: DocumentKind
    pdf: bytes  # the Factur-X PDF/A-3, its XML embedded
    xml: bytes  # the same XML, on its own, as platforms take it


@dataclass(frozen=True)
class Receipt:
    """The platform's acknowledgement: where, or under which id, it holds the document."""

    number: str
    reference: str
    at: datetime


class Transmitter(Protocol):
    def transmit(self, document: EInvoiceDocument) -> Receipt:
        """Hands the document over, once: transmitting the same number again answers the
        first receipt and sends nothing."""
        ...


def einvoice_document(number: str, kind: DocumentKind, pdf: bytes) -> EInvoiceDocument | None:
    """The document read from its stored Factur-X PDF; None for a PDF without its XML (an
    invoice issued before e-invoicing), which no platform takes."""
    _, xml = facturx.get_xml_from_pdf(pdf, check_xsd=False)
    return EInvoiceDocument(number, kind, pdf, xml) if xml else None


class FileDrop:
    """Writes <number>.xml then <number>.pdf into `folder`, each atomically (a temp file,
    then a rename), so a reader never sees half a document and a PDF present means both are
    there. Idempotent by number: a document already dropped is left as it is."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def transmit(self, document: EInvoiceDocument) -> Receipt:
        pdf = self.folder / f"{document.number}.pdf"
        if not pdf.is_file():
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomically(self.folder / f"{document.number}.xml", document.xml)
            write_atomically(pdf, document.pdf)
        at = datetime.fromtimestamp(pdf.stat().st_mtime, UTC)
        return Receipt(document.number, f"file-drop:{pdf.name}", at)
