"""Recording matched bank lines on their invoices, after the import's commit.

Each payment goes through the invoice's workflow exactly as an operator's does (same split,
same ledger keys); the workflow takes one payment per invoice, so a line settled twice (a
retry, a parallel import) is recognised by its reference and posted once.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.orm import Session, sessionmaker

from api.engine import Client, record_bank_payment
from api.one_at_a_time import OneAtATime
from models.commission import PaymentInput
from models.errors import Gone, TooManyRequests, Unavailable
from store.bank import Settlement, settled
from store.db import transaction

log = logging.getLogger("arkanna.bank")
# Seconds between asks for an invoice whose workflow is not started yet (just issued).
OPENING_WAITS = (0.2, 0.5, 1.0, 2.0)


async def settle_lines(
    factory: sessionmaker[Session], client: Client, serial: OneAtATime, pending: list[Settlement]
) -> int:
    """How many of the lines this call posted; a line the engine cannot take now stays
    matched, and the next import settles it."""
    posted = 0
    for line in pending:
        try:
            refusal = await _record(client, serial, line)
        except (Gone, Unavailable, TooManyRequests) as exc:
            log.warning("bank line %s not settled yet: %s", line.line_id, exc.message)
            continue
        reason = f"matched {line.invoice_number}, which refused it: {refusal}"
        with transaction(factory) as session:
            changed = settled(session, line.line_id, refusal is None, reason)
        posted += changed and refusal is None
    return posted


async def _record(client: Client, serial: OneAtATime, line: Settlement) -> str | None:
    """The workflow's answer; an invoice issued a moment ago may not have its workflow yet,
    so a missing one is asked again a few times before the line is left for later."""
    payment = PaymentInput(line.amount_cents, line.reference)
    for wait in (*OPENING_WAITS, None):
        try:
            async with serial.hold(("payment", line.invoice_number)):
                return await record_bank_payment(client, line.invoice_number, payment)
        except Gone:
            if wait is None:
                raise
            await asyncio.sleep(wait)
    raise AssertionError("unreachable")
