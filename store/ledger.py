"""The double-entry commission ledger (SPEC §5): split postings, clawbacks, balances.

Rows are only ever inserted. Each carries a unique idempotency key (invoice + member + role,
or that key + ":reversal"), and every insert is "insert unless the key exists", so the
database's UNIQUE constraint — not a read before the write — makes a retry a no-op.
Functions take an open session and never commit: the caller's transaction does.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from models.commission import (
    CLEARING,
    TAX_PAYABLE,
    TAX_ROLE,
    member_account,
    posting_key,
    reversal_key,
    tax_posting_key,
)
from models.domain import InvoiceStatus
from models.errors import Conflict
from models.money import format_percent
from models.split import SellerShare, Share, SplitPolicy, split_commission
from store.db import insert_once
from store.invoices import lock_invoice
from store.membership import inviter_chain
from store.tables import CommissionInvoice, LedgerEntry, Order, utcnow


def post_once(session: Session, **values: Any) -> None:
    """Inserts one posting unless its idempotency key is already in the ledger."""
    insert_once(session, LedgerEntry, ["idempotency_key"], posted_at=utcnow(), **values)


def postings(session: Session, invoice_number: str, *, reversals: bool) -> list[LedgerEntry]:
    """The invoice's share postings (or their reversals), in the published tie order."""
    reversed_ = LedgerEntry.reverses_id.is_not(None)
    return list(
        session.scalars(
            select(LedgerEntry)
            .where(
                LedgerEntry.invoice_number == invoice_number, reversed_ if reversals else ~reversed_
            )
            .order_by(LedgerEntry.id)
        )
    )


def shares_of(session: Session, invoice_number: str) -> list[LedgerEntry]:
    """The invoice's share postings: the split of the net commission, without its tax."""
    return shares_among(postings(session, invoice_number, reversals=False))


def entries_of(session: Session, invoice_number: str) -> list[LedgerEntry]:
    """Every posting of the invoice, its reversals included, in the published tie order."""
    query = select(LedgerEntry).where(LedgerEntry.invoice_number == invoice_number)
    return list(session.scalars(query.order_by(LedgerEntry.id)))


def shares_among(entries: list[LedgerEntry]) -> list[LedgerEntry]:
    """The share postings among an invoice's postings: not its tax, not a reversal."""
    return [e for e in entries if e.reverses_id is None and e.role != TAX_ROLE]


def split_of(session: Session, invoice: CommissionInvoice) -> list[Share]:
    """The shares with the terms frozen at acceptance and today's inviter chains."""
    order = session.get_one(Order, invoice.order_number)
    terms = order.frozen_terms
    policy = SplitPolicy(
        Decimal(terms["platform_fee_rate"]),
        Decimal(terms["founder_rate"]),
        tuple(Decimal(rate) for rate in terms["affiliate_rates"]),
    )
    team = [SellerShare(int(s["member_id"]), Decimal(s["share"])) for s in terms["sales_team"]]
    team = team or [SellerShare(order.seller_id, Decimal(100))]
    depth = len(policy.affiliate_rates)
    chains = {s.member_id: inviter_chain(session, s.member_id, depth) for s in team}
    return split_commission(invoice.amount_cents, policy, int(terms["founder_id"]), team, chains)


def post_split(session: Session, invoice_number: str) -> list[LedgerEntry]:
    """Posts every share of a paid invoice, and its tax, and marks it split, in one transaction.

    An invoice already split returns its postings as they are: the chains are read once,
    so a retry after a crash never mixes two different splits.
    """
    invoice = lock_invoice(session, invoice_number)
    if invoice.status == InvoiceStatus.SPLIT:
        return shares_of(session, invoice_number)
    if invoice.status != InvoiceStatus.PAID:
        raise Conflict(f"invoice {invoice_number} is {invoice.status}, not paid: nothing to split")
    for share in split_of(session, invoice):
        post_once(
            session,
            idempotency_key=posting_key(invoice_number, share.member_id, share.role),
            cluster_id=invoice.cluster_id,
            invoice_number=invoice_number,
            member_id=share.member_id,
            role=share.role,
            debit_account=CLEARING,
            credit_account=member_account(share.member_id),
            amount_cents=share.amount_cents,
            memo=f"{share.role} share of commission invoice {invoice_number}",
        )
    _post_tax(session, invoice)
    invoice.status = InvoiceStatus.SPLIT
    session.flush()
    return shares_of(session, invoice_number)


def _post_tax(session: Session, invoice: CommissionInvoice) -> None:
    """R22: the tax paid with the invoice is owed onward, so it is credited to the platform's
    tax-payable account, once, and never shared."""
    if invoice.tax_cents <= 0:
        return
    post_once(
        session,
        idempotency_key=tax_posting_key(invoice.number),
        cluster_id=invoice.cluster_id,
        invoice_number=invoice.number,
        member_id=None,
        role=TAX_ROLE,
        debit_account=CLEARING,
        credit_account=TAX_PAYABLE,
        amount_cents=invoice.tax_cents,
        memo=f"tax at {format_percent(invoice.tax_rate)} % on commission invoice {invoice.number}",
    )


def post_reversal(session: Session, invoice_number: str, reason: str) -> list[LedgerEntry]:
    """Clawback (R15): reverses every share posting of the invoice and its tax, each once."""
    lock_invoice(session, invoice_number)
    for entry in postings(session, invoice_number, reversals=False):
        post_once(
            session,
            idempotency_key=reversal_key(entry.idempotency_key),
            cluster_id=entry.cluster_id,
            invoice_number=invoice_number,
            member_id=entry.member_id,
            role=entry.role,
            debit_account=entry.credit_account,
            credit_account=entry.debit_account,
            amount_cents=entry.amount_cents,
            reverses_id=entry.id,
            memo=f"clawback of {entry.role} share of {invoice_number}: {reason}"[:1000],
        )
    session.flush()
    return postings(session, invoice_number, reversals=True)


def _signed(account: str) -> Any:
    """Credit-positive amount of a posting for one account (what the platform owes it)."""
    return case(
        (LedgerEntry.credit_account == account, LedgerEntry.amount_cents),
        else_=-LedgerEntry.amount_cents,
    )


def balance(session: Session, account: str, before: datetime | None = None) -> int:
    """Credits minus debits on one account, optionally only of postings before a moment."""
    query = select(func.coalesce(func.sum(_signed(account)), 0)).where(
        (LedgerEntry.credit_account == account) | (LedgerEntry.debit_account == account)
    )
    if before is not None:
        query = query.where(LedgerEntry.posted_at < before)
    return int(session.scalar(query) or 0)


def account_balances(session: Session) -> dict[str, int]:
    """Every account's credits minus debits; they always sum to zero."""
    totals: dict[str, int] = {}
    credits = select(LedgerEntry.credit_account, func.sum(LedgerEntry.amount_cents)).group_by(
        LedgerEntry.credit_account
    )
    debits = select(LedgerEntry.debit_account, func.sum(LedgerEntry.amount_cents)).group_by(
        LedgerEntry.debit_account
    )
    for account, amount in session.execute(credits):
        totals[account] = totals.get(account, 0) + int(amount)
    for account, amount in session.execute(debits):
        totals[account] = totals.get(account, 0) - int(amount)
    return dict(sorted(totals.items()))


def entries_between(
    session: Session, account: str, start: datetime, end: datetime
) -> list[LedgerEntry]:
    """One account's postings with start ≤ posted_at < end, oldest first."""
    return list(
        session.scalars(
            select(LedgerEntry)
            .where(
                (LedgerEntry.credit_account == account) | (LedgerEntry.debit_account == account),
                LedgerEntry.posted_at >= start,
                LedgerEntry.posted_at < end,
            )
            .order_by(LedgerEntry.posted_at, LedgerEntry.id)
        )
    )
