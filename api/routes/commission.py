"""Commission invoices (R14): read by their supplier and operators, paid through operators.
An order's cancellation voids or claws them back in its own workflow (R15)."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Annotated

import facturx
from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.contract import pdf_answer
from api.deps import (
    NUMBER_PATTERN,
    BusinessNumber,
    OneAtATimeDep,
    OperatorDep,
    PrincipalDep,
    SessionDep,
    SessionFactoryDep,
    SettingsDep,
    release,
)
from api.engine import TemporalDep, record_payment
from api.errors import refusals
from api.fields import Money, MoneyText, PercentText
from api.names import look_up
from api.pagination import Cursor, Limit, paginate
from api.quote_views import MemberName
from api.routes.credit_notes import (
    CreditNoteRead,
    StatusEventRead,
    credit_note_view,
    events_view,
)
from api.schemas import Strict
from api.views import Page
from api.waiting import StatusEventsDep, WaitSeconds, wait_for_status
from documents.render import DocumentStore
from models.commission import (
    PaymentInput,
    check_payment,
)
from models.domain import InvoiceStatus
from models.errors import Gone, NotFound, Unavailable
from models.money import format_cents, format_percent
from store.credit_notes import credit_notes_of, left_to_credit
from store.invoices import get_visible_invoice, visible_invoices
from store.ledger import entries_of, shares_among
from store.status_history import status_histories
from store.tables import CommissionInvoice

router = APIRouter(prefix="/commission-invoices", tags=["commission"])


class PaymentIn(Strict):
    amount: Money = Field(description="The full invoice amount; partial payments are refused.")
    reference: Annotated[str, Field(min_length=1, max_length=200)] = Field(
        description="The bank transfer's reference."
    )


class ShareRead(BaseModel):
    member_id: int | None = Field(description="null for the platform.")
    member: MemberName | None = Field(default=None, description="null for the platform.")
    role: str
    amount: MoneyText


class InvoiceRead(BaseModel):
    number: str
    order_number: str
    supplier_id: int
    supplier: MemberName | None = None
    commission: MoneyText = Field(description="The net commission (R14), which the split shares.")
    tax_rate: PercentText = Field(
        description="The platform's tax rate, frozen when the invoice was issued; invoices "
        'issued before tax was charged read "0".'
    )
    tax_amount: MoneyText = Field(description="commission × tax_rate, rounded once.")
    amount: MoneyText = Field(description="commission + tax_amount: what is due and paid.")
    status: InvoiceStatus
    issued_at: datetime
    due_at: datetime
    overdue: bool
    paid_at: datetime | None
    payment_reference: str | None
    clawed_back: bool
    shares: list[ShareRead]
    document: str
    credit_notes: list[CreditNoteRead] = Field(
        description="The credit notes on the invoice, by number: those correcting part of it, "
        "and the one cancelling it (R15): an issued invoice is never voided alone."
    )
    creditable: MoneyText = Field(
        description="What a correction may still credit: amount less the credit notes already "
        "issued; 0.00 once the invoice is void."
    )
    status_history: list[StatusEventRead] = Field(
        description="The invoice's statuses for e-reporting, oldest first."
    )


def name_invoices(session: Session, views: list[InvoiceRead]) -> list[InvoiceRead]:
    """Names the suppliers and share holders of a page of invoices, in one query."""
    ids = [i for v in views for i in (v.supplier_id, *(s.member_id for s in v.shares))]
    names = look_up(session, ids)
    for view in views:
        view.supplier = names.member(view.supplier_id)
        for share in view.shares:
            share.member = names.member(share.member_id)
    return views


def invoice_view(session: Session, invoice: CommissionInvoice) -> InvoiceRead:
    return name_invoices(session, [_invoice(session, invoice)])[0]


def _invoice(session: Session, invoice: CommissionInvoice) -> InvoiceRead:
    """The invoice as the API shows it, from three reads: its postings, its credit notes and
    the status events of both."""
    entries = entries_of(session, invoice.number)
    shares = shares_among(entries)
    notes = credit_notes_of(session, invoice.number)
    histories = status_histories(session, [invoice.number, *(n.number for n in notes)])
    return InvoiceRead(
        number=invoice.number,
        order_number=invoice.order_number,
        supplier_id=invoice.supplier_id,
        commission=format_cents(invoice.amount_cents),
        tax_rate=format_percent(invoice.tax_rate),
        tax_amount=format_cents(invoice.tax_cents),
        amount=format_cents(invoice.due_cents),
        status=invoice.status,
        issued_at=invoice.issued_at,
        due_at=invoice.due_at,
        overdue=invoice.overdue,
        paid_at=invoice.paid_at,
        payment_reference=invoice.payment_reference,
        clawed_back=any(e.reverses_id is not None for e in entries),
        shares=[
            ShareRead(
                member_id=s.member_id,
                role=s.role,
                amount=format_cents(s.amount_cents),
            )
            for s in shares
        ],
        document=f"/commission-invoices/{invoice.number}/pdf",
        credit_notes=[credit_note_view(session, n, histories[n.number]) for n in notes],
        creditable=format_cents(left_to_credit(invoice, notes).total_cents),
        status_history=events_view(histories[invoice.number]),
    )


@router.get("", response_model=Page[InvoiceRead])
def list_invoices(
    session: SessionDep,
    principal: PrincipalDep,
    status: InvoiceStatus | None = None,
    overdue: bool | None = None,
    order_number: Annotated[str | None, Query(max_length=40, pattern=NUMBER_PATTERN)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, object]:
    """Commission invoices billed to you (operators: all), by number."""
    query = visible_invoices(principal.member)
    if status is not None:
        query = query.where(CommissionInvoice.status == status)
    if overdue is not None:
        query = query.where(CommissionInvoice.overdue == overdue)
    if order_number is not None:
        query = query.where(CommissionInvoice.order_number == order_number)
    view = lambda invoice: _invoice(session, invoice)  # noqa: E731
    page = paginate(session, query, CommissionInvoice.number, cursor, limit, view)
    name_invoices(session, page["items"])
    return page


InvoiceWaitFor = Annotated[
    InvoiceStatus | None,
    Query(
        description="Hold the answer until the invoice has this status or has ended (split or "
        "void), for at most `wait` seconds: one long read instead of many short ones."
    ),
]


def _invoice_status(session: Session, number: str) -> InvoiceStatus | None:
    return session.scalar(
        select(CommissionInvoice.status).where(CommissionInvoice.number == number)
    )


@router.get("/{number}", response_model=InvoiceRead)
async def read_invoice(
    number: BusinessNumber,
    session: SessionDep,
    factory: SessionFactoryDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    events: StatusEventsDep,
    wait_for: InvoiceWaitFor = None,
    wait: WaitSeconds = 20,
) -> InvoiceRead:
    """One commission invoice with its status and, once split, its shares."""
    invoice = get_visible_invoice(session, principal.member, number)
    if wait_for is not None and invoice.status != wait_for:
        ended = (wait_for, InvoiceStatus.SPLIT, InvoiceStatus.VOID)
        await wait_for_status(
            events, f"invoice:{number}", session, factory,
            partial(_invoice_status, number=number), lambda status: status in ended,
            min(wait, settings.MAX_WAIT_SECONDS),
        )  # fmt: skip
        session.refresh(invoice)
    return invoice_view(session, invoice)


@router.get("/{number}/pdf", response_class=Response, responses=pdf_answer("The invoice as PDF."))
def invoice_pdf(
    number: BusinessNumber, session: SessionDep, principal: PrincipalDep, settings: SettingsDep
) -> FileResponse:
    """The invoice as a PDF (its supplier and operators)."""
    invoice = get_visible_invoice(session, principal.member, number)
    store = DocumentStore(settings.DOCUMENTS_DIR)
    if invoice.document_key is None or not store.exists(invoice.document_key):
        raise NotFound("invoice document")
    return FileResponse(
        store.path(invoice.document_key), media_type="application/pdf", filename=f"{number}.pdf"
    )


@router.get(
    "/{number}/xml",
    response_class=Response,
    responses={
        200: {
            "description": "The invoice's Factur-X (EN 16931) Cross-Industry-Invoice XML.",
            "content": {"application/xml": {"schema": {"type": "string"}}},
        },
        **refusals(403),
    },
)
def invoice_xml(
    number: BusinessNumber, session: SessionDep, _: OperatorDep, settings: SettingsDep
) -> Response:
    """The structured invoice alone, as embedded in its PDF (operators)."""
    invoice = get_visible_invoice(session, None, number)
    store = DocumentStore(settings.DOCUMENTS_DIR)
    if invoice.document_key is None or not store.exists(invoice.document_key):
        raise NotFound("invoice document")
    _, xml = facturx.get_xml_from_pdf(store.get(invoice.document_key), check_xsd=False)
    if not xml:
        raise NotFound("structured invoice (issued before e-invoicing)")
    return Response(xml, media_type="application/xml")


@router.post("/{number}/payments", response_model=InvoiceRead, responses=refusals(409))
async def pay_invoice(
    number: BusinessNumber,
    payload: PaymentIn,
    session: SessionDep,
    _: OperatorDep,
    client: TemporalDep,
    serial: OneAtATimeDep,
) -> InvoiceRead:
    """Record the supplier's payment of the full amount (operators); the split follows."""
    # Payments of one invoice at once meet it one by one; the workflow's validator refuses a
    # wrong amount, and any payment after the first.
    async with serial.hold(("payment", number)):
        invoice = get_visible_invoice(session, None, number)
        payment = PaymentInput(payload.amount, payload.reference)
        release(session)
        try:
            recorded = await record_payment(client, number, payment)
        except Gone:
            # Paid meanwhile (through another process) and closed, or not started yet.
            session.refresh(invoice)
            check_payment(invoice.status, invoice.due_cents, payload.amount)
            raise Unavailable("the invoice is being opened; try again shortly") from None
    session.refresh(invoice)
    view = invoice_view(session, invoice)
    if view.status == InvoiceStatus.ISSUED:
        # Recorded in the invoice's workflow, durably; its store row follows with the split.
        view.status = InvoiceStatus(recorded.status)
        view.paid_at, view.payment_reference = recorded.paid_at, recorded.payment_reference
    return view
