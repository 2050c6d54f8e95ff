"""Money as integer cents and rates as percent Decimals: exact arithmetic, never float.

Every amount the product stores or shows is a whole number of cents. Intermediate results
(a discounted line, a commission over several lines) are kept as exact fractions and rounded
once, half-even, to the cent, so the same inputs give the same cents on every machine.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

# 15 integer digits keep every amount, in cents, inside a signed 64-bit column.
MAX_INTEGER_DIGITS = 15
_CENTS_LIMIT = 10 ** (MAX_INTEGER_DIGITS + 2)
PERCENT_DECIMALS = 4

# ASCII digits only: Decimal() would also take other scripts' digits and exponent forms.
_MONEY_TEXT = re.compile(r"-?([0-9]+)(?:\.[0-9]{1,2})?")
_PERCENT_TEXT = re.compile(r"-?([0-9]+)(?:\.[0-9]{1,4})?")


def as_fraction(value: Decimal | int, field: str) -> Fraction:
    """Return a Decimal or int as an exact Fraction; floats, bools and NaN/Infinity are refused."""
    # A float has already lost the decimal value the person typed; bool is an int by accident.
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise ValueError(f"{field}: must be a Decimal or an integer, not {type(value).__name__}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"{field}: must be a finite number")
    return Fraction(value)


def round_half_even(value: Fraction) -> int:
    """Round an exact value to the nearest integer, halves to the even neighbour."""
    whole = math.floor(value)
    rest = value - whole
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and whole % 2 == 1):
        return whole + 1
    return whole


def to_cents(amount: Decimal) -> int:
    """Round an amount of money half-even to the cent and return it as integer cents."""
    return round_half_even(as_fraction(amount, "amount") * 100)


def parse_money(text: str | int | Decimal, field: str, *, non_negative: bool = False) -> int:
    """Parse a money amount such as "1234.50" (or an int or Decimal) into integer cents."""
    rule = f'{field}: must be a decimal amount with at most two decimals, like "1234.50"'
    if isinstance(text, str):
        match = _MONEY_TEXT.fullmatch(text.strip())
        if match is None:
            raise ValueError(rule)
        if len(match.group(1).lstrip("0")) > MAX_INTEGER_DIGITS:
            raise ValueError(
                f"{field}: must have at most {MAX_INTEGER_DIGITS} digits before the point"
            )
        cents = Fraction(Decimal(match.group(0))) * 100
    elif isinstance(text, float):
        raise ValueError(f'{field}: must be a decimal string like "1234.50", not a float')
    else:
        # Decimal and int inputs are judged by value: Decimal("1.230") is 1.23.
        try:
            cents = as_fraction(text, field) * 100
        except ValueError:
            raise ValueError(rule) from None
        if cents.denominator != 1:
            raise ValueError(rule)
        if abs(cents) >= _CENTS_LIMIT:
            raise ValueError(
                f"{field}: must have at most {MAX_INTEGER_DIGITS} digits before the point"
            )
    if non_negative and cents < 0:
        raise ValueError(f"{field}: must not be negative")
    return int(cents)


def format_cents(cents: int) -> str:
    """Render integer cents as a decimal string with two decimals: "1234.50", "-0.05"."""
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    return f"{sign}{units}.{rest:02d}"


def parse_percent(
    text: str | int | Decimal,
    field: str,
    *,
    low: Decimal = Decimal(0),
    high: Decimal = Decimal(100),
) -> Decimal:
    """Parse a percentage such as "12.5" (at most four decimals) within [low, high], inclusive."""
    rule = f'{field}: must be a percentage with at most four decimals, like "12.5"'
    if isinstance(text, float):
        raise ValueError(f'{field}: must be a decimal string like "12.5", not a float')
    if isinstance(text, str):
        match = _PERCENT_TEXT.fullmatch(text.strip())
        if match is None:
            raise ValueError(rule)
        value = Decimal(match.group(0))
    else:
        try:
            exact = as_fraction(text, field) * 10**PERCENT_DECIMALS
        except ValueError:
            raise ValueError(rule) from None
        if exact.denominator != 1:
            raise ValueError(rule)
        value = Decimal(text)
    if not low <= value <= high:
        raise ValueError(
            f"{field}: must be between {format_percent(low)} and {format_percent(high)}"
        )
    # One spelling per value, so "12.50" and "12.5" store and compare alike.
    return Decimal(format_percent(value))


def format_percent(value: Decimal | int) -> str:
    """Render a percentage without trailing zeros or exponent: "12.5", "10", "0"."""
    as_fraction(value, "percent")
    # format "f" of a Decimal is exact (of an int it goes through float); Decimal.normalize()
    # would round to the context and write 10 as "1E+1".
    text = format(Decimal(value), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def line_net_cents(quantity: Decimal, unit_price_cents: int, discount_percent: Decimal) -> int:
    """Net of a quote line in cents: quantity × unit price × (1 − discount/100), rounded once."""
    gross = as_fraction(quantity, "quantity") * as_fraction(unit_price_cents, "unit_price")
    kept = 1 - as_fraction(discount_percent, "discount") / 100
    return round_half_even(gross * kept)


def commission_cents(lines: Iterable[tuple[int, Decimal]]) -> int:
    """Commission over (line net cents, rate percent) pairs, summed exactly and rounded once."""
    # Rounding per line would drift by up to half a cent per line; the invoice rounds the sum.
    exact = sum(
        (as_fraction(net, "net") * as_fraction(rate, "commission_rate") for net, rate in lines),
        Fraction(0),
    )
    return round_half_even(exact / 100)
