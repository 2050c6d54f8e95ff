"""R22 on the real store: for random deals and tax rates, the split shares the net commission
to the cent, the tax is posted once to the platform's tax-payable account, exact against a
Fraction oracle, and a clawback brings every account of the invoice back to zero."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from activities.commission import CommissionActivities, issue_and_render
from activities.ledger import LedgerActivities
from documents.render import DocumentStore
from models.commission import TAX_PAYABLE, Clawback, IssueInvoices, PaymentRecord
from settings import Settings
from store.tables import LedgerEntry
from tests.factories import World, catalogue_world
from tests.ledger_seed import cancellation_steps, seed_order

Factory = sessionmaker[Session]
rates = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
quantities = st.decimals(min_value=Decimal("0.0001"), max_value=5_000, places=4)


@pytest.fixture
async def world(api: httpx.AsyncClient) -> World:
    return await catalogue_world(api)


def _nets(entries: list[LedgerEntry]) -> Counter[str]:
    nets: Counter[str] = Counter()
    for entry in entries:
        nets[entry.credit_account] += entry.amount_cents
        nets[entry.debit_account] -= entry.amount_cents
    return nets


@settings(
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(quantity=quantities, rate=rates)
def test_tax_is_posted_once_and_a_clawback_nets_every_account_to_zero(
    db: Factory, world: World, tmp_path: Path, quantity: Decimal, rate: Decimal
) -> None:
    alice = world.members["alice"]
    order = seed_order(
        db, tmp_path, world, alice, world.clients["acme"], [("alice-audit", str(quantity))]
    )
    settings = Settings(PLATFORM_TAX_RATE=str(rate))
    commission = CommissionActivities(db, DocumentStore(tmp_path), settings)
    request = IssueInvoices(order, world_now())
    invoices = issue_and_render(db, DocumentStore(tmp_path), settings, request)
    for invoice in invoices:
        net = invoice.amount_cents - invoice.tax_cents
        exact = Fraction(net) * Fraction(rate) / 100
        assert invoice.tax_cents == round(exact)
        commission.record_commission_payment(
            PaymentRecord(invoice.number, invoice.amount_cents, "T", world_now())
        )
        ledger = LedgerActivities(db)
        shares = ledger.post_commission_split(invoice.number)
        ledger.post_commission_split(invoice.number)  # a retry posts nothing more
        assert sum(share.amount_cents for share in shares) == net
        with db() as session:
            entries = list(
                session.scalars(
                    select(LedgerEntry).where(LedgerEntry.invoice_number == invoice.number)
                )
            )
        tax_rows = [e for e in entries if e.credit_account == TAX_PAYABLE]
        assert [e.amount_cents for e in tax_rows] == (
            [invoice.tax_cents] if invoice.tax_cents else []
        )
        steps = cancellation_steps(db, tmp_path / "documents")
        steps.post_commission_reversal(Clawback(invoice.number, "order cancelled"))
        steps.post_commission_reversal(Clawback(invoice.number, "order cancelled"))
        with db() as session:
            entries = list(
                session.scalars(
                    select(LedgerEntry).where(LedgerEntry.invoice_number == invoice.number)
                )
            )
        assert set(_nets(entries).values()) <= {0}


def world_now() -> datetime:
    return datetime.now(UTC)
