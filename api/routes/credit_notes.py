"""Credit notes (R15): each cancels one commission invoice, or corrects part of it; read, like
invoices, by the invoice's supplier and operators, the structured XML alone by operators."""

from __future__ import annotations

from datetime import datetime

import facturx
from fastapi import APIRouter
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from api.contract import pdf_answer
from api.deps import BusinessNumber, OperatorDep, PrincipalDep, SessionDep, SettingsDep
from api.errors import refusals
from api.fields import MoneyText, PercentText
from documents.render import DocumentStore
from models.errors import NotFound
from models.money import format_cents, format_percent
from models.status_history import DocumentStatus, StatusEvent
from store.credit_notes import get_visible_credit_note
from store.status_history import status_history
from store.tables import CreditNote

router = APIRouter(prefix="/credit-notes", tags=["commission"])


class StatusEventRead(BaseModel):
    status: DocumentStatus = Field(
        description="issued; transmitted (delivered to the e-invoicing platform); encaissee "
        "(paid, “encaissée”); cancelled (in full, by a credit note)."
    )
    at: datetime
    reference: str | None = Field(
        description="encaissee: the payment's reference; cancelled: the credit note's number; "
        "transmitted: the platform's receipt."
    )


def events_view(events: list[StatusEvent]) -> list[StatusEventRead]:
    return [
        StatusEventRead(status=DocumentStatus(e.status), at=e.at, reference=e.reference)
        for e in events
    ]


class CreditNoteRead(BaseModel):
    number: str
    invoice_number: str = Field(
        description="The commission invoice it credits: in full, or in part (a correction)."
    )
    correction: bool = Field(
        description="True when it credits part of the invoice; false when it cancels it."
    )
    supplier_id: int
    issued_at: datetime
    reason: str
    commission: MoneyText = Field(description="The net commission credited.")
    tax_rate: PercentText
    tax_amount: MoneyText = Field(description="The VAT credited.")
    amount: MoneyText = Field(description="commission + tax_amount: the total credited.")
    refund_due: bool = Field(description="The invoice was paid: the amount is owed back.")
    document: str
    status_history: list[StatusEventRead] = Field(
        description="The credit note's statuses for e-reporting, oldest first."
    )


def credit_note_view(
    session: Session, note: CreditNote, history: list[StatusEvent] | None = None
) -> CreditNoteRead:
    """The credit note; `history`, its status events when the caller read them already."""
    events = status_history(session, note.number) if history is None else history
    return CreditNoteRead(
        number=note.number,
        invoice_number=note.invoice_number,
        correction=note.cancels_invoice is None,
        supplier_id=note.supplier_id,
        issued_at=note.issued_at,
        reason=note.reason,
        commission=format_cents(note.amount_cents),
        tax_rate=format_percent(note.tax_rate),
        tax_amount=format_cents(note.tax_cents),
        amount=format_cents(note.total_cents),
        refund_due=note.refund_due,
        document=f"/credit-notes/{note.number}.pdf",
        status_history=events_view(events),
    )


@router.get("/{number}.pdf", response_class=Response, responses=pdf_answer("The credit note."))
def credit_note_pdf(
    number: BusinessNumber, session: SessionDep, principal: PrincipalDep, settings: SettingsDep
) -> FileResponse:
    """The credit note as a PDF with its Factur-X XML (the invoice's supplier and operators)."""
    note = get_visible_credit_note(session, principal.member, number)
    store = DocumentStore(settings.DOCUMENTS_DIR)
    if not store.exists(note.document_key):
        raise NotFound("credit note document")
    return FileResponse(
        store.path(note.document_key), media_type="application/pdf", filename=f"{number}.pdf"
    )


@router.get(
    "/{number}/xml",
    response_class=Response,
    responses={
        200: {
            "description": "The credit note's Factur-X (EN 16931) Cross-Industry-Invoice XML.",
            "content": {"application/xml": {"schema": {"type": "string"}}},
        },
        **refusals(403),
    },
)
def credit_note_xml(
    number: BusinessNumber, session: SessionDep, _: OperatorDep, settings: SettingsDep
) -> Response:
    """The structured credit note alone, as embedded in its PDF (operators)."""
    note = get_visible_credit_note(session, None, number)
    store = DocumentStore(settings.DOCUMENTS_DIR)
    if not store.exists(note.document_key):
        raise NotFound("credit note document")
    _, xml = facturx.get_xml_from_pdf(store.get(note.document_key), check_xsd=False)
    return Response(xml, media_type="application/xml")


@router.get("/{number}", response_model=CreditNoteRead)
def read_credit_note(
    number: BusinessNumber, session: SessionDep, principal: PrincipalDep
) -> CreditNoteRead:
    """One credit note: the invoice it credits, why, its amounts and its status history."""
    return credit_note_view(session, get_visible_credit_note(session, principal.member, number))
