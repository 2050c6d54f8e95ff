"""The life of an issued document as e-reporting tells it (R25): issued, transmitted to the
platform that carries it, paid ("encaissée"), cancelled by a credit note — each once, dated.

Standard library only: the workflow sandbox imports this module, and the invoice workflow's
activities answer with these events so that an operator reads them in the Temporal UI.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class DocumentKind(StrEnum):
    INVOICE = "commission_invoice"
    CREDIT_NOTE = "credit_note"


class DocumentStatus(StrEnum):
    """The statuses a document passes through; each is recorded at most once per document."""

    ISSUED = "issued"
    # Delivered to the platform that carries it to the buyer (the file drop, or a PA).
    TRANSMITTED = "transmitted"
    # Paid: "encaissée" in the French lifecycle (CDAR status 212), with the payment's reference.
    ENCAISSEE = "encaissee"
    # Cancelled in full by a credit note (an invoice only), with the credit note's number.
    CANCELLED = "cancelled"


# How the lifecycle names each status in French e-reporting.
FRENCH_WORDS = {
    DocumentStatus.ISSUED: "émise",
    DocumentStatus.TRANSMITTED: "déposée",
    DocumentStatus.ENCAISSEE: "encaissée",
    DocumentStatus.CANCELLED: "annulée par avoir",
}


@dataclass
class StatusEvent:
    """One dated status of one document; `reference` is the payment's reference for
    encaissée, the credit note's number for cancelled, the receipt for transmitted; `label`
    the event as an operator reads it ("C-2026-00001 encaissée 2026-12-07 (VIR-1)")."""

    number: str
    status: str
    at: datetime
    reference: str | None = None
    label: str = ""


def status_event(
    number: str, status: DocumentStatus, at: datetime, reference: str | None = None
) -> StatusEvent:
    tail = f" ({reference})" if reference else ""
    label = f"{number} {FRENCH_WORDS[status]} {at:%Y-%m-%d}{tail}"
    return StatusEvent(number, status.value, at, reference, label)
