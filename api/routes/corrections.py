"""Corrections of commission invoices (R25): an operator credits part of an invoice, e.g. a
rate error found later, by a credit note in the CN- sequence, delivered by its own workflow."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter
from pydantic import Field
from sqlalchemy.orm import Session

from api.deps import BusinessNumber, OperatorDep, SessionDep, SettingsDep, release
from api.engine import TemporalDep, deliver_credit_note
from api.errors import refusals
from api.fields import Money
from api.routes.credit_notes import CreditNoteRead, credit_note_view
from api.schemas import Strict
from store.credit_notes import issue_correction
from store.invoices import lock_invoice
from store.tables import CreditNote, utcnow

router = APIRouter(prefix="/commission-invoices", tags=["commission"])


class CorrectionIn(Strict):
    amount: Money = Field(
        description="The total to credit, with VAT: more than 0, at most what the invoice has "
        "left creditable. It is split into commission and VAT at the invoice's rate."
    )
    reason: Annotated[str, Field(min_length=1, max_length=2000)] = Field(
        description="Why, as the credit note states it (e.g. the rate error found)."
    )


@router.post(
    "/{number}/corrections",
    response_model=CreditNoteRead,
    status_code=201,
    responses=refusals(409),
)
async def correct_invoice(
    number: BusinessNumber,
    payload: CorrectionIn,
    session: SessionDep,
    _: OperatorDep,
    client: TemporalDep,
    settings: SettingsDep,
) -> CreditNoteRead:
    """Credit part of an invoice (operators), e.g. a rate error found later: a credit note
    numbered in the CN- sequence, referencing the invoice, emailed to its supplier."""
    # Off the event loop: a parallel correction waits here for the invoice's row lock.
    note = await asyncio.to_thread(_correct, session, number, payload.amount, payload.reason)
    release(session)
    await deliver_credit_note(client, settings, note.number)
    session.refresh(note)
    return credit_note_view(session, note)


def _correct(session: Session, number: str, amount_cents: int, reason: str) -> CreditNote:
    return issue_correction(session, lock_invoice(session, number), amount_cents, reason, utcnow())
