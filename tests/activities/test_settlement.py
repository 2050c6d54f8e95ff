"""The invoice's one-step phases against the store, retried as Temporal would retry them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from activities.mail import MailActivities
from activities.settlement import SettlementActivities
from documents.render import DocumentStore
from models.commission import IssueInvoices, PaymentRecord
from models.errors import Conflict, RuleViolation
from settings import Settings
from store.status_history import status_history
from store.tables import CommissionInvoice, LedgerEntry, SentEmail
from tests.factories import World, catalogue_world
from tests.ledger_seed import cancellation_steps, seed_order

Factory = sessionmaker[Session]


@pytest.fixture
async def world(api: httpx.AsyncClient) -> World:
    return await catalogue_world(api)


def _steps(db: Factory, settings: Settings) -> SettlementActivities:
    store = DocumentStore(settings.DOCUMENTS_DIR)
    return SettlementActivities(db, store, settings, MailActivities(settings, db, store))


def _kinds(db: Factory) -> list[str]:
    with db() as session:
        return sorted(session.scalars(select(SentEmail.kind)))


def _postings(db: Factory, number: str) -> int:
    with db() as session:
        query = select(func.count()).where(LedgerEntry.invoice_number == number)
        return int(session.scalar(query) or 0)


async def test_issue_pay_and_their_retries_write_and_send_each_thing_once(
    db: Factory, world: World, settings: Settings
) -> None:
    docs = Path(settings.DOCUMENTS_DIR)
    order = seed_order(
        db, docs, world, world.members["alice"], world.clients["acme"], [("alice-audit", "1")]
    )
    steps = _steps(db, settings)
    request = IssueInvoices(order, datetime.now(UTC))
    [invoice] = steps.issue_commission_invoices(request)
    assert steps.issue_commission_invoices(request)[0].number == invoice.number  # retried
    assert invoice.announced and _kinds(db) == ["commission_invoice"]

    with pytest.raises(RuleViolation, match="partial payments are refused"):
        steps.settle_commission_payment(
            PaymentRecord(invoice.number, 10_000, "T", request.issued_at)
        )
    assert _postings(db, invoice.number) == 0 and len(_kinds(db)) == 1  # refused: nothing

    paid = PaymentRecord(invoice.number, invoice.amount_cents, "TRX-1", request.issued_at)
    settled = steps.settle_commission_payment(paid)
    assert steps.settle_commission_payment(paid) == settled  # retried after a crash: the same
    shares = settled.shares
    [encaissee] = settled.events  # what the Temporal UI shows on the step
    assert (encaissee.status, encaissee.reference) == ("encaissee", "TRX-1")
    assert encaissee.label.startswith(f"{invoice.number} encaissée ")
    with db() as session:
        history = [(e.status, e.reference) for e in status_history(session, invoice.number)]
    # Paid "at" the issue moment here, so only the set is fixed, each status once.
    assert sorted(history) == [("encaissee", "TRX-1"), ("issued", None),
                               ("transmitted", f"file-drop:{invoice.number}.pdf")]  # fmt: skip
    assert sum(s.amount_cents for s in shares) == invoice.amount_cents - invoice.tax_cents
    assert _postings(db, invoice.number) == len(shares) + 1  # and the tax, once
    assert _kinds(db) == ["commission_invoice", "commission_receipt"]
    assert steps.mark_commission_invoice_overdue(invoice.number) is False  # settled: no email
    with pytest.raises(Conflict, match="already split"):
        steps.settle_commission_payment(
            PaymentRecord(invoice.number, invoice.amount_cents, "TRX-2", request.issued_at)
        )
    with db() as session:
        row = session.get_one(CommissionInvoice, invoice.number)
        assert (row.status.value, row.payment_reference, row.overdue) == ("split", "TRX-1", False)


async def test_an_unpaid_invoice_is_flagged_and_emailed_once_and_a_void_one_takes_no_payment(
    db: Factory, world: World, settings: Settings
) -> None:
    docs = Path(settings.DOCUMENTS_DIR)
    order = seed_order(
        db, docs, world, world.members["alice"], world.clients["acme"], [("alice-audit", "1")]
    )
    steps = _steps(db, settings)
    [invoice] = steps.issue_commission_invoices(IssueInvoices(order, datetime.now(UTC)))
    assert steps.mark_commission_invoice_overdue(invoice.number) is True
    assert steps.mark_commission_invoice_overdue(invoice.number) is True  # retried: one email
    assert _kinds(db) == ["commission_invoice", "commission_overdue"]

    cancellation_steps(db, docs).void_commission_invoice(invoice.number)
    with pytest.raises(Conflict, match="void"):
        steps.settle_commission_payment(
            PaymentRecord(invoice.number, invoice.amount_cents, "T", datetime.now(UTC))
        )
    assert steps.mark_commission_invoice_overdue(invoice.number) is False
    assert _postings(db, invoice.number) == 0
