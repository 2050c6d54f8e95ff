"""Payout runs in the store (R27): balances read from the ledger, a run's payouts written once
per member and period, each payout paid once with its postings and its self-billed number.

Functions take an open session and never commit: the caller's transaction does. Every write
that must happen once is keyed: the run by (cluster, period), a payout by (member, period), its
postings by the payout's id, its self-billed number by the member's gap-free counter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.commission import member_account
from models.domain import MemberStatus
from models.errors import NotFound
from models.payout_runs import (
    PayoutLine,
    PayoutStatus,
    PrepareRun,
    RunStatus,
    RunSummary,
    hold_reason,
)
from models.payouts import Balance, Posting, member_balance, payout_due
from store.db import insert_once
from store.ledger import post_once
from store.tables import (
    Cluster,
    CommissionInvoice,
    LedgerEntry,
    Member,
    Payout,
    PayoutRun,
    SelfBilledCounter,
    SelfBillingMandate,
)

PAYOUT_ROLE = "payout"
PAYOUT_VAT_ROLE = "payout_vat"
# Money leaving for the members' banks, and the VAT of their self-billed invoices the platform
# deducts as input tax.
PAYOUTS_ACCOUNT = "platform:payouts"
VAT_RECOVERABLE = "platform:vat_recoverable"


def payout_key(payout_id: int, vat: bool = False) -> str:
    return f"payout:{payout_id}:{'vat' if vat else 'net'}"


@dataclass(frozen=True)
class MemberBalance:
    member_id: int
    balance: Balance
    reserved: int  # due in a run not paid yet: not available to another run


def balances(
    session: Session, cluster_id: int, now: datetime, member_id: int | None = None
) -> dict[int, MemberBalance]:
    """Every member's balance at `now` (or one member's): its shares and clawbacks, aged by
    their invoice's payment; what was paid out, and what a run not yet paid set aside for it."""
    cluster = session.get_one(Cluster, cluster_id)
    hold = timedelta(days=cluster.payout_hold_days)
    who = select(Member.id).where(Member.cluster_id == cluster_id)
    if member_id is not None:
        who = who.where(Member.id == member_id)
    members = list(session.scalars(who))
    postings: dict[int, list[Posting]] = {m: [] for m in members}
    paid: dict[int, int] = dict.fromkeys(members, 0)
    rows = session.execute(
        select(LedgerEntry, CommissionInvoice.paid_at)
        .outerjoin(CommissionInvoice, CommissionInvoice.number == LedgerEntry.invoice_number)
        .where(LedgerEntry.cluster_id == cluster_id, LedgerEntry.member_id.in_(members))
    )
    for entry, paid_at in rows:
        member = entry.member_id
        if member not in postings:
            continue
        account = member_account(member)
        if entry.role == PAYOUT_ROLE:
            paid[member] += entry.amount_cents if entry.debit_account == account else 0
            continue
        if paid_at is None or account not in (entry.credit_account, entry.debit_account):
            continue
        sign = 1 if entry.credit_account == account else -1
        postings[member].append(Posting(sign * entry.amount_cents, paid_at))
    reserved: dict[int, int] = dict.fromkeys(members, 0)
    for member, amount in session.execute(
        select(Payout.member_id, Payout.amount_cents).where(
            Payout.member_id.in_(members), Payout.status == PayoutStatus.DUE
        )
    ):
        reserved[member] += amount
    return {
        m: MemberBalance(
            m, member_balance(postings[m], paid[m] + reserved[m], now, hold), reserved[m]
        )
        for m in members
    }


def prepare_run(session: Session, request: PrepareRun) -> RunSummary:
    """The run of the cluster's period, written once: its payouts, due or held with the
    reason. A retry finds them written (and a new workflow under the same id, started after
    the run ended, finds it paid or rejected); another workflow of the same period finds the
    run owned by its first workflow and is told it is a duplicate.

    The cluster's row is locked first: two runs of one cluster (two months, the Schedule's and
    an operator's) read the balances one after the other, so the second sees what the first
    set aside and never pays it twice."""
    session.execute(update(Cluster).where(Cluster.id == request.cluster_id).values(id=Cluster.id))
    insert_once(
        session, PayoutRun, ["cluster_id", "period"],
        cluster_id=request.cluster_id, period=request.period, workflow_id=request.workflow_id,
        status=RunStatus.AWAITING_APPROVAL.value, as_of=request.as_of, created_at=request.as_of,
    )  # fmt: skip
    run = session.scalars(
        select(PayoutRun)
        .where(PayoutRun.cluster_id == request.cluster_id, PayoutRun.period == request.period)
        .with_for_update()
    ).one()
    if run.workflow_id != request.workflow_id:
        summary = run_summary(session, run)
        summary.status = RunStatus.DUPLICATE.value
        return summary
    written = session.scalar(select(Payout.id).where(Payout.run_id == run.id).limit(1))
    if written is None:
        _write_payouts(session, run)
    return run_summary(session, run)


def _write_payouts(session: Session, run: PayoutRun) -> None:
    cluster = session.get_one(Cluster, run.cluster_id)
    mandates = set(
        session.scalars(
            select(SelfBillingMandate.member_id)
            .join(Member, Member.id == SelfBillingMandate.member_id)
            .where(Member.cluster_id == run.cluster_id)
        )
    )
    members = {
        m.id: m for m in session.scalars(select(Member).where(Member.cluster_id == run.cluster_id))
    }
    for member_id, found in sorted(balances(session, run.cluster_id, run.as_of).items()):
        due = payout_due(found.balance, cluster.payout_threshold_cents)
        if due == 0:
            continue
        member = members[member_id]
        reason = payability(member, member_id in mandates, run.as_of)
        session.add(
            Payout(
                run_id=run.id,
                member_id=member_id,
                period=run.period,
                amount_cents=due,
                vat_cents=0,
                status=(PayoutStatus.HELD if reason else PayoutStatus.DUE).value,
                hold_reason=reason,
            )
        )
    session.flush()


def payability(member: Member, has_mandate: bool, now: datetime) -> str | None:
    """Why the member cannot be paid at `now` (None when it can)."""
    if member.status != MemberStatus.ACTIVE:
        return "the member has left the cluster"
    return hold_reason(
        has_mandate=has_mandate,
        has_account=bool(member.iban),
        account_changed_at=member.bank_changed_at,
        now=now,
    )


def run_summary(session: Session, run: PayoutRun) -> RunSummary:
    cluster = session.get_one(Cluster, run.cluster_id)
    rows = session.execute(
        select(Payout, Member.name)
        .join(Member, Member.id == Payout.member_id)
        .where(Payout.run_id == run.id)
        .order_by(Payout.member_id)
    )
    lines = [
        PayoutLine(p.member_id, name, p.amount_cents, p.status, p.hold_reason, p.self_billed_number)
        for p, name in rows
    ]
    return RunSummary(
        run.id,
        run.cluster_id,
        run.period,
        run.status,
        cluster.currency,
        lines,
        run.transfer_file_key,
    )


def lock_run(session: Session, run_id: int) -> PayoutRun:
    """The run, its row locked until the transaction ends (a no-op write: SQLite has no
    FOR UPDATE, and one writer at a time does the same there)."""
    session.execute(update(PayoutRun).where(PayoutRun.id == run_id).values(status=PayoutRun.status))
    run = session.get(PayoutRun, run_id)
    if run is None:
        raise NotFound("payout run")
    return run


def set_status(
    session: Session, run_id: int, status: RunStatus, at: datetime, reason: str = ""
) -> RunSummary:
    run = lock_run(session, run_id)
    run.status = status.value
    run.decided_at = at
    if reason:
        run.decision_reason = reason
    if status == RunStatus.REJECTED:
        # Nothing of a rejected run is paid: its dues go back to the members' available balance.
        session.execute(
            update(Payout)
            .where(Payout.run_id == run_id, Payout.status == PayoutStatus.DUE)
            .values(status=PayoutStatus.HELD.value, hold_reason=f"run rejected: {reason}"[:1000])
        )
    session.flush()
    return run_summary(session, run)


def due_payouts(session: Session, run_id: int) -> list[int]:
    return list(
        session.scalars(
            select(Payout.id)
            .where(Payout.run_id == run_id, Payout.status == PayoutStatus.DUE)
            .order_by(Payout.member_id)
        )
    )


def next_self_billed_number(session: Session, member_id: int, year: int) -> str:
    """The member's next self-billed invoice number: gap-free per member and year, rolled
    back with its transaction."""
    insert_once(
        session, SelfBilledCounter, ["member_id", "year"], member_id=member_id, year=year, last=0
    )
    seq = session.execute(
        update(SelfBilledCounter)
        .where(SelfBilledCounter.member_id == member_id, SelfBilledCounter.year == year)
        .values(last=SelfBilledCounter.last + 1)
        .returning(SelfBilledCounter.last)
    ).scalar_one()
    return f"SB-{member_id}-{year:04d}-{seq:05d}"


def post_payout(session: Session, payout: Payout, cluster_id: int) -> None:
    """The payout's postings, once each: the member's account is debited what it is paid
    (before VAT), the VAT of its self-billed invoice is input tax the platform recovers, and
    the whole leaves by the bank."""
    account = member_account(payout.member_id)
    memo = f"payout {payout.period}, self-billed invoice {payout.self_billed_number}"
    post_once(
        session,
        idempotency_key=payout_key(payout.id),
        cluster_id=cluster_id,
        invoice_number=None,
        member_id=payout.member_id,
        role=PAYOUT_ROLE,
        debit_account=account,
        credit_account=PAYOUTS_ACCOUNT,
        amount_cents=payout.amount_cents,
        memo=memo,
    )
    if payout.vat_cents:
        post_once(
            session,
            idempotency_key=payout_key(payout.id, vat=True),
            cluster_id=cluster_id,
            invoice_number=None,
            member_id=payout.member_id,
            role=PAYOUT_VAT_ROLE,
            debit_account=VAT_RECOVERABLE,
            credit_account=PAYOUTS_ACCOUNT,
            amount_cents=payout.vat_cents,
            memo=f"VAT of {memo}",
        )
