"""Bank statements in (R26): camt.053/054 lines matched to commission invoices, the rest kept
in a suspense list for an operator to assign or refund. Operators only."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.bank_settle import settle_lines
from api.deps import ObjectId, OneAtATimeDep, OperatorDep, SessionDep, SessionFactoryDep, release
from api.engine import TemporalDep
from api.errors import refusals
from api.fields import MoneyText
from api.pagination import Cursor, Limit, paginate
from api.schemas import Strict
from api.views import Page
from documents.camt import read_statement
from models.bank import LineStatus, OpenInvoice, check_assignment
from models.domain import InvoiceStatus
from models.errors import Conflict, NotFound, RuleViolation
from models.money import format_cents
from store.bank import decide_line, open_invoices, store_statements, to_settle
from store.db import transaction
from store.tables import BankLine, CommissionInvoice

router = APIRouter(prefix="/bank-statements", tags=["bank"])
XML_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "An ISO 20022 camt.053.001.08 statement or camt.054.001.08 notification.",
        "content": {"application/xml": {"schema": {"type": "string", "format": "binary"}}},
    }
}


class StatementImportRead(BaseModel):
    statements: int = Field(description="Statements (or notifications) in the document.")
    new: int = Field(description="Booked lines stored by this import.")
    known: int = Field(description="Lines an earlier import stored already: left as they are.")
    matched: int = Field(description="New lines matched to an invoice.")
    suspense: int = Field(description="New lines put in the suspense list.")
    outgoing: int = Field(description="New debits of the platform's own (nothing to match).")
    posted: int = Field(description="Payments recorded on their invoices by this call.")


class SuspenseLineRead(BaseModel):
    id: int
    booked_on: str
    amount: MoneyText
    currency: str
    credit: bool
    reversal: bool
    payer: str
    remittance: str
    reason: str = Field(description="Why the line was not matched.")


class SuspenseAssign(Strict):
    invoice_number: Annotated[str, Field(min_length=1, max_length=16)]


class SuspenseRefund(Strict):
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class BankLineRead(BaseModel):
    id: int
    status: LineStatus
    invoice_number: str | None
    refund_reason: str | None


@router.post(
    "", response_model=StatementImportRead, openapi_extra=XML_BODY, responses=refusals(422)
)
async def import_statement(
    request: Request,
    factory: SessionFactoryDep,
    _: OperatorDep,
    client: TemporalDep,
    serial: OneAtATimeDep,
) -> StatementImportRead:
    """Import a camt.053 statement or camt.054 notification (operators): each booked line
    once; matched lines are recorded on their invoices, the rest kept in suspense."""
    # Off the event loop: the XSD check and the import's transaction are blocking work.
    statements = await run_in_threadpool(read_statement, await request.body())
    counts = await run_in_threadpool(store_statements, factory, statements)
    with transaction(factory) as session:
        pending = to_settle(session)  # this import's, and any an earlier call left unsettled
    posted = await settle_lines(factory, client, serial, pending)
    return StatementImportRead(
        statements=len(statements),
        posted=posted,
        **{k: counts[k] for k in ("new", "known", "matched", "suspense", "outgoing")},
    )


@router.get("/suspense", response_model=Page[SuspenseLineRead])
def suspense_list(
    session: SessionDep, _: OperatorDep, limit: Limit = 50, cursor: Cursor = None
) -> dict[str, object]:
    """The lines waiting for an operator, oldest first, each with why it was not matched."""
    query = select(BankLine).where(BankLine.status == LineStatus.SUSPENSE)
    return paginate(session, query, BankLine.id, cursor, limit, _suspense_view)


def _suspense_view(line: BankLine) -> SuspenseLineRead:
    return SuspenseLineRead(
        id=line.id,
        booked_on=line.booked_on,
        amount=format_cents(line.amount_cents),
        currency=line.currency,
        credit=line.credit,
        reversal=line.reversal,
        payer=line.payer,
        remittance=line.remittance,
        reason=line.reason,
    )


@router.post(
    "/suspense/{line_id}/assign", response_model=BankLineRead, responses=refusals(409, 422)
)
async def assign_line(
    line_id: ObjectId,
    payload: SuspenseAssign,
    session: SessionDep,
    factory: SessionFactoryDep,
    _: OperatorDep,
    client: TemporalDep,
    serial: OneAtATimeDep,
) -> BankLineRead:
    """Assign a suspense line to an invoice (operators): its payment is recorded when the line
    pays exactly what is due on an open invoice."""
    line = _suspense_line(session, line_id)
    invoice = _open_invoice(session, payload.invoice_number)
    if invoice.status != InvoiceStatus.ISSUED:
        raise Conflict(f"{invoice.number} is {invoice.status}: it takes no payment")
    if line.reversal or not line.credit:
        raise Conflict("a debit or a return pays no invoice: refund or keep it")
    problem = check_assignment(invoice, line.amount_cents, line.currency)
    if problem is not None:
        raise RuleViolation(problem, field="invoice_number")
    changed = dict(status=LineStatus.MATCHED, invoice_number=invoice.number, reason="")
    if not decide_line(session, line_id, **changed):
        raise Conflict("the line was decided meanwhile")
    release(session)
    await settle_lines(factory, client, serial, to_settle(session, [line.line_key]))
    session.refresh(line)
    return BankLineRead(
        id=line.id, status=line.status, invoice_number=line.invoice_number, refund_reason=None
    )


@router.post("/suspense/{line_id}/refund", response_model=BankLineRead, responses=refusals(409))
def refund_line(
    line_id: ObjectId, payload: SuspenseRefund, session: SessionDep, _: OperatorDep
) -> BankLineRead:
    """Mark a suspense line to be refunded to its payer (operators), with the reason."""
    line = _suspense_line(session, line_id)
    if not decide_line(session, line_id, status=LineStatus.REFUND, refund_reason=payload.reason):
        raise Conflict("the line was decided meanwhile")
    session.refresh(line)
    return BankLineRead(
        id=line.id, status=line.status, invoice_number=None, refund_reason=line.refund_reason
    )


def _suspense_line(session: Session, line_id: int) -> BankLine:
    line = session.get(BankLine, line_id)
    if line is None:
        raise NotFound("suspense line")
    if line.status != LineStatus.SUSPENSE:
        raise Conflict(f"the line is {line.status.value}, no longer in suspense")
    return line


def _open_invoice(session: Session, number: str) -> OpenInvoice:
    if session.get(CommissionInvoice, number) is None:
        raise NotFound("commission invoice")
    return open_invoices(session, [], (number,))[number]
