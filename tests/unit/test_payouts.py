"""R27: pending → available after the hold, payouts from the threshold, clawbacks netted, never
charged — as tables, then a property over random histories against an exact oracle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.payouts import (
    HOLD_PERIOD,
    PAYOUT_THRESHOLD_CENTS,
    Balance,
    Posting,
    member_balance,
    payout_due,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def day(n: int) -> datetime:
    return T0 + timedelta(days=n)


def p(cents: int, paid_on_day: int) -> Posting:
    return Posting(cents, day(paid_on_day))


BALANCES = [
    # postings, paid out, on day → credited, pending, available, paid_out, netted, owed
    ("nothing", [], 0, 40, Balance(0, 0, 0, 0, 0, 0)),
    ("one share on hold", [p(8_000, 0)], 0, 29, Balance(8_000, 8_000, 0, 0, 0, 0)),
    ("released the 30th day", [p(8_000, 0)], 0, 30, Balance(8_000, 0, 8_000, 0, 0, 0)),
    ("paid out", [p(8_000, 0)], 8_000, 31, Balance(8_000, 0, 0, 8_000, 0, 0)),
    (
        "clawed back while pending",
        [p(8_000, 0), p(-8_000, 0)],
        0,
        10,
        Balance(8_000, 0, 0, 0, 8_000, 0),
    ),
    (
        "clawed back after payout: owed, not charged",
        [p(8_000, 0), p(-8_000, 0)],
        8_000,
        40,
        Balance(8_000, 0, 0, 8_000, 0, 8_000),
    ),
    (
        "owed netted against the next matured share",
        [p(8_000, 0), p(-8_000, 0), p(10_000, 35)],
        8_000,
        65,
        Balance(18_000, 0, 2_000, 8_000, 8_000, 0),
    ),
    (
        "owed larger than what matured since",
        [p(8_000, 0), p(-8_000, 0), p(3_000, 35), p(9_000, 60)],
        8_000,
        66,
        Balance(20_000, 9_000, 0, 8_000, 3_000, 5_000),
    ),
]


@pytest.mark.parametrize(
    ("case", "postings", "paid_out", "on_day", "expected"), BALANCES, ids=[b[0] for b in BALANCES]
)
def test_member_balance(
    case: str, postings: list[Posting], paid_out: int, on_day: int, expected: Balance
) -> None:
    balance = member_balance(postings, paid_out, day(on_day))
    assert balance == expected
    assert balance.conserved()


@pytest.mark.parametrize(
    ("available", "due"),
    [(0, 0), (4_999, 0), (5_000, 5_000), (123_456, 123_456)],
)
def test_a_payout_pays_all_that_is_available_from_the_threshold(available: int, due: int) -> None:
    balance = Balance(available, 0, available, 0, 0, 0)
    assert payout_due(balance) == due


def test_the_defaults() -> None:
    assert (timedelta(days=30), 5_000) == (HOLD_PERIOD, PAYOUT_THRESHOLD_CENTS)


def test_paid_out_is_never_negative() -> None:
    with pytest.raises(ValueError):
        member_balance([], -1, T0)


shares = st.lists(
    st.tuples(st.integers(1, 50_000), st.integers(0, 120), st.booleans()), max_size=25
)
runs = st.lists(st.integers(0, 200), min_size=1, max_size=8).map(sorted)


@settings(max_examples=2_000, deadline=None)
@given(shares=shares, runs=runs, threshold=st.integers(1, 20_000))
def test_payouts_available_pending_and_netted_add_up_to_what_was_credited(
    shares: list[tuple[int, int, bool]], runs: list[int], threshold: int
) -> None:
    postings = [p(cents, paid) for cents, paid, _ in shares]
    postings += [p(-cents, paid) for cents, paid, reversed_ in shares if reversed_]
    credited = sum(Fraction(cents) for cents, _, _ in shares)  # the exact oracle
    clawed = sum(Fraction(cents) for cents, _, reversed_ in shares if reversed_)
    paid_out = 0
    for run in runs:
        before = member_balance(postings, paid_out, day(run))
        payout = payout_due(before, threshold)
        assert payout == 0 or threshold <= payout == before.available
        paid_out += payout
        after = member_balance(postings, paid_out, day(run))
        assert after.available == before.available - payout >= 0
        matured = sum(
            x.amount_cents for x in postings if x.invoice_paid_at + HOLD_PERIOD <= day(run)
        )
        assert paid_out <= max(matured, 0) + after.owed  # never more than what matured
        for balance in (before, after):
            total = balance.paid_out + balance.available + balance.pending + balance.netted
            assert Fraction(total) == credited == balance.credited
            assert min(balance.pending, balance.available, balance.owed, balance.netted) >= 0
            assert balance.netted + balance.owed == clawed
