"""Forty days of one cluster's money, step by step, on the store the suite runs on: deals paid
on different days, payout runs, an order cancelled after its commission was paid out, a share
below the threshold. After every step each member's balance is what an exact oracle kept
beside the store says, to the cent, and the ledger agrees with both."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from activities.commission import CommissionActivities
from activities.ledger import LedgerActivities
from activities.mail import MailActivities
from activities.payouts import PayoutActivities
from documents.pain001 import check_pain001
from documents.render import DocumentStore
from models.commission import Clawback, PaymentRecord, member_account
from models.payout_runs import PayoutStatus, PrepareRun, RecordDecision, RunStatus
from settings import Settings
from store.db import transaction
from store.ledger import balance
from store.orders import mark_cancelled
from store.payouts import balances
from store.tables import CommissionInvoice, LedgerEntry, Member, Payout, SelfBillingMandate
from tests.factories import OPERATOR, World, catalogue_world, expect
from tests.ledger_seed import cancellation_steps, issue, seed_order
from tests.workflows.full_deal import PLATFORM

Factory = sessionmaker[Session]
DAY0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
HOLD = 30


@dataclass
class Oracle:
    """Each member's credits as (amount, day its invoice was paid) and what was paid out to
    it, kept apart from the store; its balance computed with fractions."""

    credits: dict[int, list[tuple[Fraction, int]]] = field(default_factory=dict)
    paid: dict[int, Fraction] = field(default_factory=dict)

    def add(self, member: int, cents: int, day: int) -> None:
        self.credits.setdefault(member, []).append((Fraction(cents), day))

    def balance(self, member: int, day: int) -> dict[str, Fraction]:
        moves = self.credits.get(member, [])
        credited = sum((a for a, _ in moves if a > 0), Fraction(0))
        clawed = -sum((a for a, _ in moves if a < 0), Fraction(0))
        matured = sum((a for a, d in moves if d + HOLD <= day), Fraction(0))
        waiting = sum((a for a, d in moves if d + HOLD > day), Fraction(0))
        left = matured + min(Fraction(0), waiting) - self.paid.get(member, Fraction(0))
        owed = max(Fraction(0), -left)
        return {
            "credited": credited,
            "pending": max(Fraction(0), waiting),
            "available": max(Fraction(0), left),
            "paid_out": self.paid.get(member, Fraction(0)),
            "netted": clawed - owed,
            "owed": owed,
        }


@dataclass
class Cluster:
    db: Factory
    docs: Path
    world: World
    payouts: PayoutActivities
    oracle: Oracle = field(default_factory=Oracle)
    runs: int = 0

    def at(self, day: int) -> datetime:
        return DAY0 + timedelta(days=day)

    def deal(self, seller: str, offer: str, quantity: str, day: int) -> str:
        """An order whose commission invoices are paid and split on `day`; the shares go to
        the oracle as the split posts them."""
        actor = self.world.members[seller]
        client = self.world.clients["acme"]
        order = seed_order(self.db, self.docs, self.world, actor, client, [(offer, quantity)])
        commission = CommissionActivities(self.db, DocumentStore(self.docs))
        for invoice in issue(self.db, self.docs, order):
            record = PaymentRecord(invoice.number, invoice.amount_cents, f"TRX-{day}", self.at(day))
            commission.record_commission_payment(record)
            for share in LedgerActivities(self.db).post_commission_split(invoice.number):
                if share.member_id is not None:
                    self.oracle.add(share.member_id, share.amount_cents, day)
        return order

    def cancel_after_payout(self, order: str, day: int) -> None:
        """The order cancelled: each paid invoice clawed back (with its credit note)."""
        with transaction(self.db) as session:
            mark_cancelled(session, order, "client went bankrupt", self.at(day))
            numbers = list(
                session.scalars(
                    select(CommissionInvoice.number).where(CommissionInvoice.order_number == order)
                )
            )
        steps = cancellation_steps(self.db, self.docs)
        for number in numbers:
            steps.void_commission_invoice(number)
            for share in steps.post_commission_reversal(Clawback(number, "order cancelled")).shares:
                if share.member_id is not None:
                    paid_day = self._paid_day(number)
                    self.oracle.add(share.member_id, -share.amount_cents, paid_day)

    def _paid_day(self, number: str) -> int:
        with self.db() as session:
            paid_at = session.get_one(CommissionInvoice, number).paid_at
        assert paid_at is not None
        return (paid_at - DAY0).days

    def run(self, period: str, day: int) -> dict[int, tuple[str, int]]:
        """A run read on `day`, approved and paid: each member's (status, amount)."""
        self.runs += 1
        workflow = f"history-{self.world.cluster_id}-{self.runs}"
        summary = self.payouts.prepare_payout_run(
            PrepareRun(self.world.cluster_id, period, workflow, self.at(day))
        )
        self.payouts.record_payout_run_decision(
            RecordDecision(summary.run_id, RunStatus.PAYING.value, "approve")
        )
        paid = self.payouts.pay_payout_run(summary.run_id)
        assert paid.status == RunStatus.PAID
        again = self.payouts.pay_payout_run(summary.run_id)  # a retry pays nothing twice
        assert again.payouts == paid.payouts
        for line in paid.payouts:
            if line.status == PayoutStatus.PAID:
                self.oracle.paid[line.member_id] = (
                    self.oracle.paid.get(line.member_id, Fraction(0)) + line.amount_cents
                )
        if paid.transfer_file_key:
            check_pain001(DocumentStore(self.docs).get(paid.transfer_file_key))
        return {p.member_id: (p.status, p.amount_cents) for p in paid.payouts}

    def check(self, day: int) -> None:
        """Every member's balance on `day`: the store's, the oracle's and the ledger's."""
        with self.db() as session:
            found = balances(session, self.world.cluster_id, self.at(day))
            for member, got in found.items():
                want = self.oracle.balance(member, day)
                b = got.balance
                assert b.conserved(), (day, member, b)
                assert {
                    "credited": b.credited, "pending": b.pending, "available": b.available,
                    "paid_out": b.paid_out, "netted": b.netted, "owed": b.owed,
                } == want, (day, member)  # fmt: skip
                ledger = balance(session, member_account(member))
                assert ledger == b.available + b.pending - b.owed, (day, member)


@pytest.fixture
async def cluster(api: httpx.AsyncClient, db: Factory, tmp_path: Path) -> Cluster:
    world = await catalogue_world(api)
    body = {"payout_hold_days": HOLD}
    path = f"/clusters/{world.cluster_id}/settings"
    expect(await api.patch(path, json=body, headers=OPERATOR), 200)
    docs = tmp_path / "documents"
    with transaction(db) as session:  # everyone agreed and gave an account long ago
        session.execute(
            update(Member)
            .where(Member.cluster_id == world.cluster_id)
            .values(iban="FR1420041010050500013M02606", bic="PSSTFRPP", bank_changed_at=DAY0)
        )
        for member in session.scalars(
            select(Member.id).where(Member.cluster_id == world.cluster_id)
        ):
            session.add(SelfBillingMandate(member_id=member, text_version="2026-12"))
    settings = Settings(DOCUMENTS_DIR=docs, OUTBOX_DIR=tmp_path / "outbox", **PLATFORM)
    store = DocumentStore(docs)
    payouts = PayoutActivities(db, store, settings, MailActivities(settings, db, store))
    return Cluster(db, docs, world, payouts)


async def test_forty_days_of_deals_payouts_and_a_clawback_after_payout(cluster: Cluster) -> None:
    alice = cluster.world.members["alice"].id
    first = cluster.deal("alice", "alice-audit", "20", day=0)
    cluster.check(0)
    cluster.deal("alice", "alice-audit", "30", day=5)  # more than the first, clawed back later
    cluster.check(5)
    assert alice not in cluster.run("2026-01", day=10)  # all still pending: nothing to pay
    cluster.check(10)
    cluster.deal("alice", "alice-audit", "1", day=12)  # a small one
    cluster.check(29)
    first_run = cluster.run("2026-02", day=31)  # the first deal has matured
    assert first_run[alice][0] == PayoutStatus.PAID
    cluster.check(31)
    cluster.cancel_after_payout(first, day=33)  # paid out, then clawed back: owed
    cluster.check(33)
    owed = cluster.oracle.balance(alice, 33)["owed"]
    assert owed > 0
    cluster.check(35)
    later = cluster.run("2026-03", day=36)  # the second deal matured, less what is owed
    second_share = sum(a for a, d in cluster.oracle.credits[alice] if d == 5)
    assert later[alice] == (PayoutStatus.PAID, int(second_share - owed))
    cluster.check(36)
    assert cluster.oracle.balance(alice, 36)["owed"] == 0
    cluster.check(40)
    founder = cluster.world.founder.id
    last = cluster.run("2026-04", day=43)  # the small deal matured: alice's share is paid,
    assert last[alice][0] == PayoutStatus.PAID  # the founder's 10.00 waits for the threshold
    assert founder not in last and cluster.oracle.balance(founder, 43)["available"] == 1_000
    cluster.check(43)
    with cluster.db() as session:
        numbers = sorted(
            n
            for n in session.scalars(
                select(Payout.self_billed_number).where(Payout.member_id == alice)
            )
        )
        keys = list(
            session.scalars(
                select(LedgerEntry.idempotency_key).where(
                    LedgerEntry.member_id == alice, LedgerEntry.role == "payout"
                )
            )
        )
    assert numbers == [f"SB-{alice}-{datetime.now(UTC).year}-0000{n}" for n in (1, 2, 3)]
    assert len(keys) == len(set(keys)) == 3


async def test_two_runs_read_at_once_never_set_the_same_balance_aside(cluster: Cluster) -> None:
    """The Schedule's run and an operator's, of two months, prepared in parallel: the second
    to read sees what the first set aside, so a member's balance is due once."""
    cluster.deal("alice", "alice-audit", "20", day=0)
    alice = cluster.world.members["alice"].id
    available = cluster.oracle.balance(alice, 40)["available"]
    requests = [
        PrepareRun(cluster.world.cluster_id, period, f"race-{period}", cluster.at(40))
        for period in ("2026-01", "2026-02")
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        summaries = list(pool.map(cluster.payouts.prepare_payout_run, requests))
    due = [p.amount_cents for s in summaries for p in s.payouts if p.member_id == alice]
    assert due == [available]  # in one run only, the other found nothing left for her
    with cluster.db() as session:
        found = balances(session, cluster.world.cluster_id, cluster.at(40))[alice]
    assert (found.reserved, found.balance.available) == (available, 0)
