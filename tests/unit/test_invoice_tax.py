"""The platform's tax on a commission (R22) and the founder's part of a line (R23): tables
worked by hand, then properties against a Fraction oracle (Python rounds a Fraction half-even)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.money import founder_part_cents, tax_cents
from models.split import SellerShare, SplitPolicy, split_commission

PROPERTY = settings(max_examples=2_000, deadline=None, database=None)
DEFAULT = SplitPolicy(Decimal(10), Decimal(0), (Decimal(10), Decimal(5)))
rates = st.decimals(min_value=0, max_value=100, places=4, allow_nan=False, allow_infinity=False)
quantities = st.decimals(min_value=Decimal("0.0001"), max_value=10_000, places=4)
discounts = st.decimals(min_value=0, max_value=100, places=4)


@pytest.mark.parametrize(
    ("base", "rate", "expected"),
    [
        (10_000, "20", 2_000),
        (691, "20", 138),  # 138.2
        (25, "10", 2),  # 2.5 → 2, the even neighbour
        (35, "10", 4),  # 3.5 → 4
        (1, "5.5", 0),  # 0.055
        (0, "20", 0),
        (12_345, "0", 0),
    ],
)
def test_tax_table(base: int, rate: str, expected: int) -> None:
    assert tax_cents(base, Decimal(rate)) == expected


@pytest.mark.parametrize(
    ("line_qty", "per_unit", "price", "discount", "net", "expected"),
    [
        ("3", "1", 10_000, "0", 90_000, 30_000),
        ("2", "0.5", 10_001, "10", 50_000, 9_001),  # 9000.9
        ("1", "1", 5, "50", 10, 2),  # 2.5 → 2
        ("1", "1", 7, "50", 10, 4),  # 3.5 → 4
        ("1", "2", 10_000, "0", 15_000, 15_000),  # capped at the line's net
    ],
)
def test_founder_part_table(
    line_qty: str, per_unit: str, price: int, discount: str, net: int, expected: int
) -> None:
    part = founder_part_cents(Decimal(line_qty), Decimal(per_unit), price, Decimal(discount), net)
    assert part == expected


@PROPERTY
@given(commission=st.integers(0, 10**13), rate=rates)
def test_split_shares_the_net_and_the_tax_is_exact(commission: int, rate: Decimal) -> None:
    shares = split_commission(commission, DEFAULT, 1, [SellerShare(5, Decimal(100))], {5: [3, 1]})
    assert sum(share.amount_cents for share in shares) == commission
    tax = tax_cents(commission, rate)
    assert tax == round(Fraction(commission) * Fraction(rate) / 100)
    assert abs(Fraction(tax) - Fraction(commission) * Fraction(rate) / 100) <= Fraction(1, 2)


@PROPERTY
@given(
    line_qty=quantities,
    per_unit=quantities,
    price=st.integers(0, 10**9),
    discount=discounts,
    net=st.integers(0, 10**13),
)
def test_founder_part_matches_the_oracle_and_never_exceeds_the_net(
    line_qty: Decimal, per_unit: Decimal, price: int, discount: Decimal, net: int
) -> None:
    part = founder_part_cents(line_qty, per_unit, price, discount, net)
    exact = Fraction(line_qty) * Fraction(per_unit) * price * (1 - Fraction(discount) / 100)
    assert part == min(round(exact), net)
    assert 0 <= part <= net
