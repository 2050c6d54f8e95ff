"""Invoices and ledger postings written by the activities, retried as Temporal would retry them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from activities.commission import CommissionActivities
from activities.ledger import LedgerActivities
from documents.render import DocumentStore
from models.commission import CLEARING, Clawback, PaymentRecord
from models.errors import Conflict, RuleViolation
from store.ledger import account_balances, post_once
from store.tables import CommissionInvoice, LedgerEntry
from tests.factories import World, add_offer, catalogue_world
from tests.ledger_seed import cancellation_steps, issue, pay_and_split, seed_order

Factory = sessionmaker[Session]


@pytest.fixture
async def world(api: httpx.AsyncClient) -> World:
    return await catalogue_world(api)


def _order(db: Factory, docs: Path, world: World, lines: list[tuple[str, str]]) -> str:
    alice = world.members["alice"]
    return seed_order(db, docs, world, alice, world.clients["acme"], lines)


def _count(db: Factory, number: str) -> int:
    with db() as session:
        query = select(func.count()).where(LedgerEntry.invoice_number == number)
        return int(session.scalar(query) or 0)


async def test_one_invoice_per_supplier_numbered_once_even_when_retried(
    db: Factory, world: World, tmp_path: Path
) -> None:
    lines = [("alice-audit", "1"), ("bob-install", "3"), ("carol-training", "1")]
    order = _order(db, tmp_path, world, lines)
    first = issue(db, tmp_path, order)
    again = issue(db, tmp_path, order)
    assert [i.number for i in first] == [i.number for i in again]
    # carol's offer pays 0 %: no invoice; the founder is billed for its own offers only.
    # Due: the commission and the platform's tax on it, at the default rate of 20 %.
    suppliers = {i.supplier.id: (i.amount_cents - i.tax_cents, i.tax_cents) for i in first}
    alice, bob = world.members["alice"].id, world.members["bob"].id
    assert suppliers == {alice: (10_000, 2_000), bob: (15_000, 3_000)}
    assert {i.tax_rate for i in first} == {"20"}
    year = first[0].issued_at.year
    seqs = sorted(int(i.number.rsplit("-", 1)[1]) for i in first)
    assert seqs == [seqs[0], seqs[0] + 1] and first[0].number.startswith(f"C-{year}-")
    # Due in the frozen payment terms (default 30 days), with the PDF stored.
    assert all(i.due_at - i.issued_at == timedelta(days=30) for i in first)
    store = DocumentStore(tmp_path)
    assert all(store.get(i.document_key or "").startswith(b"%PDF") for i in first)


async def test_the_commission_is_rounded_once_over_the_lines(
    api: httpx.AsyncClient, db: Factory, world: World, tmp_path: Path
) -> None:
    # Each line earns half a cent: rounded per line that is 0 + 0, rounded once it is 1 cent.
    founder_part = {"offer_id": world.offers["founder"], "quantity": "1", "founder_price": "0.00"}
    bob = world.members["bob"]
    await add_offer(api, world, bob, "tiny", unit_price="0.05", founder_component=founder_part)
    order = _order(db, tmp_path, world, [("tiny", "1"), ("tiny", "1")])
    [invoice] = issue(db, tmp_path, order)
    assert invoice.amount_cents == 1


async def test_zero_commission_issues_no_invoice(db: Factory, world: World, tmp_path: Path) -> None:
    order = _order(db, tmp_path, world, [("carol-training", "5")])
    assert issue(db, tmp_path, order) == []


async def test_split_and_clawback_post_each_share_exactly_once(
    db: Factory, world: World, tmp_path: Path
) -> None:
    [invoice] = issue(db, tmp_path, _order(db, tmp_path, world, [("alice-audit", "1")]))
    pay_and_split(db, tmp_path, invoice)
    postings = _count(db, invoice.number)
    # platform; alice's inviter, the founder; alice as seller; and the tax, once
    assert postings == 4
    ledger = LedgerActivities(db)
    assert len(ledger.post_commission_split(invoice.number)) == 3  # a retry: no-op
    clawback = Clawback(invoice.number, "order cancelled")
    steps = cancellation_steps(db, tmp_path / "documents")
    steps.post_commission_reversal(clawback)
    steps.post_commission_reversal(clawback)
    assert _count(db, invoice.number) == 2 * postings
    with db() as session:
        assert set(account_balances(session).values()) == {0}


async def test_a_duplicate_key_is_a_no_op_and_rows_are_never_updated(
    db: Factory, world: World, tmp_path: Path
) -> None:
    [invoice] = issue(db, tmp_path, _order(db, tmp_path, world, [("alice-audit", "1")]))
    pay_and_split(db, tmp_path, invoice)
    with db() as session:
        entry = session.scalars(select(LedgerEntry).order_by(LedgerEntry.id)).first()
        assert entry is not None
        post_once(
            session,
            idempotency_key=entry.idempotency_key,
            cluster_id=entry.cluster_id,
            invoice_number=entry.invoice_number,
            member_id=entry.member_id,
            role=entry.role,
            debit_account=CLEARING,
            credit_account=entry.credit_account,
            amount_cents=entry.amount_cents + 999,
        )
        session.commit()
        session.refresh(entry)
        assert entry.amount_cents != 999 and _count(db, invoice.number) == 4


async def test_payments_are_taken_in_full_only_and_splits_need_one(
    db: Factory, world: World, tmp_path: Path
) -> None:
    [invoice] = issue(db, tmp_path, _order(db, tmp_path, world, [("alice-audit", "1")]))
    commission = CommissionActivities(db, DocumentStore(tmp_path))
    with pytest.raises(Conflict):
        LedgerActivities(db).post_commission_split(invoice.number)
    partial = PaymentRecord(invoice.number, 5_000, "TRX", datetime.now(UTC))
    with pytest.raises(RuleViolation, match=r"exactly the invoice amount, 120\.00"):
        commission.record_commission_payment(partial)
    net_only = PaymentRecord(invoice.number, 10_000, "TRX", datetime.now(UTC))
    with pytest.raises(RuleViolation, match="partial payments are refused"):
        commission.record_commission_payment(net_only)  # the commission without its tax
    full = PaymentRecord(invoice.number, 12_000, "TRX", datetime.now(UTC))
    assert commission.record_commission_payment(full) == "paid"
    assert commission.record_commission_payment(full) == "paid"  # retried: unchanged
    steps = cancellation_steps(db, tmp_path / "documents")
    assert steps.void_commission_invoice(invoice.number).status == "paid"  # paid stays paid
    assert commission.flag_commission_invoice_overdue(invoice.number) is False
    with db() as session:
        row = session.get_one(CommissionInvoice, invoice.number)
        assert row.payment_reference == "TRX" and row.overdue is False
