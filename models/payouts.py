"""A member's balance on its way out (R27): pending, available, paid out, netted, owed.

Standard library only. A member's ledger postings are its shares of paid commission invoices
(positive) and their clawbacks (negative). A share is pending for the hold period after its
invoice was paid, then available; a payout pays the available balance once it reaches the
threshold. A clawback after payout is never charged: it is owed, netted against the member's
next credits, so a payout never takes the available balance below zero.

The balance keeps one identity, to the cent:
    credited = paid out + available + pending + netted
where credited is the sum of the positive postings and netted the part of the clawbacks
already absorbed (by pending or available credits, or netted against later credits).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

HOLD_PERIOD = timedelta(days=30)  # after the invoice's payment
PAYOUT_THRESHOLD_CENTS = 5_000  # 50.00 in the cluster's currency


@dataclass(frozen=True)
class Posting:
    amount_cents: int  # a share (positive) or its clawback (negative)
    invoice_paid_at: datetime  # when the invoice the posting belongs to was paid


@dataclass(frozen=True)
class Balance:
    credited: int  # every share ever posted
    pending: int  # shares still in their hold period, net of their clawbacks
    available: int  # matured, not paid out, never below zero
    paid_out: int
    netted: int  # clawbacks absorbed
    owed: int  # clawbacks after payout not yet netted: taken from the next credits

    def conserved(self) -> bool:
        return self.credited == self.paid_out + self.available + self.pending + self.netted


def is_available(posting: Posting, now: datetime, hold: timedelta = HOLD_PERIOD) -> bool:
    """A posting has matured once the hold period after its invoice's payment has run."""
    return posting.invoice_paid_at + hold <= now


def member_balance(
    postings: list[Posting], paid_out_cents: int, now: datetime, hold: timedelta = HOLD_PERIOD
) -> Balance:
    """The member's balance at `now`, given what has been paid out to it so far."""
    if paid_out_cents < 0:
        raise ValueError("paid out cannot be negative")
    credited = sum(p.amount_cents for p in postings if p.amount_cents > 0)
    clawed = -sum(p.amount_cents for p in postings if p.amount_cents < 0)
    matured = sum(p.amount_cents for p in postings if is_available(p, now, hold))
    pending_net = sum(p.amount_cents for p in postings if not is_available(p, now, hold))
    # A clawback beyond its pending credits (never with whole reversals) weighs on what matured.
    left = matured + min(0, pending_net) - paid_out_cents
    owed = max(0, -left)
    return Balance(
        credited=credited,
        pending=max(0, pending_net),
        available=max(0, left),
        paid_out=paid_out_cents,
        netted=clawed - owed,
        owed=owed,
    )


def payout_due(balance: Balance, threshold_cents: int = PAYOUT_THRESHOLD_CENTS) -> int:
    """What a payout run pays the member: all of its available balance, once it reaches the
    threshold; nothing below it (it waits for the next run)."""
    return balance.available if balance.available >= threshold_cents else 0
