"""Tax per rate (R21): hand-computed tables, then properties against a Fraction oracle."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.tax import TaxAtRate, taxes, total_with_tax

D = Decimal
PROPERTY = settings(max_examples=2_000, deadline=None, database=None)

CASES = {
    "one line at 20 %": ([(10000, "20")], [("20", 10000, 2000)]),
    "zero rate is a rate": ([(10000, "0")], [("0", 10000, 0)]),
    "two rates, lowest first": (
        [(10000, "20"), (5000, "5.5")],
        [("5.5", 5000, 275), ("20", 10000, 2000)],
    ),
    # Rounded once per rate: 3 × 0.05 € at 10 % is 1.5 cent → 2 (half-even), never 3 × 0.
    "rounded on the base, not per line": (
        [(5, "10"), (5, "10"), (5, "10")],
        [("10", 15, 2)],
    ),
    "half to even, down": ([(25, "10")], [("10", 25, 2)]),  # 2.5 → 2
    "half to even, up": ([(35, "10")], [("10", 35, 4)]),  # 3.5 → 4
    "one rate spelled two ways": ([(100, "20"), (100, "20.0")], [("20", 200, 40)]),
    "fractional rate": ([(123457, "8.875")], [("8.875", 123457, 10957)]),
    "no lines": ([], []),
}


@pytest.mark.parametrize("lines, expected", CASES.values(), ids=CASES.keys())
def test_taxes_table(lines: list[tuple[int, str]], expected: list[tuple[str, int, int]]) -> None:
    got = taxes((net, D(rate)) for net, rate in lines)
    assert [(t.rate, t.base_cents, t.amount_cents) for t in got] == [
        (D(rate), base, amount) for rate, base, amount in expected
    ]


def test_total_with_tax_adds_every_rate() -> None:
    by_rate = [TaxAtRate(D(5), 1000, 50), TaxAtRate(D(20), 2000, 400)]
    assert total_with_tax(3000, by_rate) == 3450


def test_floats_are_refused() -> None:
    with pytest.raises(ValueError, match="tax_rate"):
        taxes([(100, 20.0)])  # type: ignore[list-item]


def oracle(lines: list[tuple[int, Decimal]]) -> dict[Fraction, tuple[int, int]]:
    """Per rate: base and amount, with the rounding written out from its definition."""
    out: dict[Fraction, tuple[int, int]] = {}
    for rate in {Fraction(r) for _, r in lines}:
        base = sum(net for net, r in lines if Fraction(r) == rate)
        exact = Fraction(base) * rate / 100
        low = exact.numerator // exact.denominator
        rest = exact - low
        amount = low + (1 if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and low % 2) else 0)
        out[rate] = (base, amount)
    return out


RATES = st.sampled_from(["0", "2.1", "5.5", "7", "10", "19.6", "20", "21", "33.3333", "100"])
LINES = st.lists(st.tuples(st.integers(min_value=0, max_value=10**13), RATES.map(D)), max_size=30)


@PROPERTY
@given(LINES)
def test_taxes_match_the_oracle(lines: list[tuple[int, Decimal]]) -> None:
    got = taxes(lines)
    assert {Fraction(t.rate): (t.base_cents, t.amount_cents) for t in got} == oracle(lines)
    assert [t.rate for t in got] == sorted(t.rate for t in got)
    assert sum(t.base_cents for t in got) == sum(net for net, _ in lines)


@PROPERTY
@given(LINES)
def test_each_amount_is_within_half_a_cent(lines: list[tuple[int, Decimal]]) -> None:
    for tax in taxes(lines):
        assert abs(Fraction(tax.amount_cents) - tax.base_cents * Fraction(tax.rate) / 100) <= (
            Fraction(1, 2)
        )
