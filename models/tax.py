"""Tax on a quote or an order (R21): per rate, the base is the sum of the line nets at that rate
and the amount is base × rate, rounded once, half-even, to the cent.

Rounding per rate (not per line) is what an invoice states: the tax of a rate is exactly its
base times its rate, to the cent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from models.money import as_fraction, round_half_even


@dataclass(frozen=True, slots=True)
class TaxAtRate:
    rate: Decimal  # percent
    base_cents: int
    amount_cents: int


def taxes(lines: Iterable[tuple[int, Decimal]]) -> list[TaxAtRate]:
    """One entry per rate over (line net cents, tax rate percent) pairs, lowest rate first."""
    bases: dict[Decimal, int] = {}
    for net, rate in lines:
        as_fraction(net, "net")
        as_fraction(rate, "tax_rate")
        # Decimal("20") and Decimal("20.0") are one rate: the dict key compares by value.
        bases[rate] = bases.get(rate, 0) + net
    return [
        TaxAtRate(rate, base, round_half_even(as_fraction(base, "base") * Fraction(rate) / 100))
        for rate, base in sorted(bases.items())
    ]


def total_with_tax(net_total_cents: int, by_rate: Iterable[TaxAtRate]) -> int:
    return net_total_cents + sum(tax.amount_cents for tax in by_rate)
