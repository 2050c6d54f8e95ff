"""Money as integer cents and rates as percent Decimals: exact arithmetic, never float.

Every amount the product stores or shows is a whole number of cents. Intermediate results
(a discounted line, a commission over several lines) are kept as exact fractions and rounded
once, half-even, to the cent, so the same inputs give the same cents on every machine.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

# 15 integer digits keep every amount, in cents, inside a signed 64-bit column.
MAX_INTEGER_DIGITS = 15
PERCENT_DECIMALS = 4


@dataclass(frozen=True, slots=True)
class DecimalFormat:
    """How one kind of decimal string is written; the API declares and enforces this pattern.

    ASCII digits only, at most one point, no sign, exponent, separator or space: Decimal()
    would also read "1_000", "١٢", "1E+2", "+3" and " 2", and a person reading them might not.
    """

    what: str
    integer_digits: int
    decimals: int
    exact_decimals: bool  # money: a point is followed by exactly `decimals` digits
    example: str

    @property
    def pattern(self) -> str:
        after = f"{{{self.decimals}}}" if self.exact_decimals else f"{{1,{self.decimals}}}"
        return rf"^[0-9]{{1,{self.integer_digits}}}(\.[0-9]{after})?$"

    @property
    def rule(self) -> str:
        after = (
            f"no point or a point and exactly {self.decimals} decimals"
            if self.exact_decimals
            else f"at most {self.decimals} decimals after the point"
        )
        return (
            f'must be {self.what} written like "{self.example}": ASCII digits, at most '
            f"{self.integer_digits} before the point, {after} (pattern {self.pattern})"
        )

    def read(self, text: object, field: str) -> Decimal:
        """The exact value of a string in this format; anything else is refused by name."""
        if not isinstance(text, str):
            # A JSON number may already have lost the digits the person typed (0.1, 1e400).
            raise ValueError(f"{field}: {self.rule}, sent as a JSON string")
        if re.fullmatch(self.pattern, text) is None:
            raise ValueError(f"{field}: {self.rule}")
        return Decimal(text)


MONEY = DecimalFormat("an amount", MAX_INTEGER_DIGITS, 2, True, "1234.50")
PERCENT = DecimalFormat("a percentage", 3, PERCENT_DECIMALS, False, "12.5")
QUANTITY = DecimalFormat("a quantity", 9, 4, False, "2.5")


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


def parse_money(text: object, field: str) -> int:
    """Parse a money amount written as MONEY says ("1234.50", or whole units "1200") into cents."""
    return int(MONEY.read(text, field) * 100)


def format_cents(cents: int) -> str:
    """Render integer cents as a decimal string with two decimals: "1234.50", "-0.05"."""
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    return f"{sign}{units}.{rest:02d}"


def amount_text(cents: int | Decimal, currency: str = "") -> str:
    """An amount as people read it on every page, email and PDF: 1234550 -> "12 345.50 EUR".

    A space between thousands, a point before the cents, the ISO currency code after: one
    spelling an accountant reads the same in English and in French. Fractions of a cent (exact
    commissions) keep their digits.
    """
    value = Decimal(cents) / 100
    whole, _, fraction = f"{abs(value):f}".partition(".")
    text = f"{'-' if value < 0 else ''}{int(whole):,}".replace(",", " ")
    text += "." + fraction.rstrip("0").ljust(2, "0")
    return f"{text} {currency}" if currency else text


def parse_percent(
    text: object, field: str, *, low: Decimal = Decimal(0), high: Decimal = Decimal(100)
) -> Decimal:
    """Parse a percentage written as PERCENT says ("12.5") within [low, high], inclusive."""
    value = PERCENT.read(text, field)
    if not low <= value <= high:
        raise ValueError(f"{field}: must be within {format_percent(low)}–{format_percent(high)} %")
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


def tax_cents(base_cents: int, rate_percent: Decimal) -> int:
    """Tax on a net amount: base × rate / 100, rounded once, half-even, to the cent."""
    base = as_fraction(base_cents, "base")
    return round_half_even(base * as_fraction(rate_percent, "tax_rate") / 100)


def founder_part_cents(
    line_quantity: Decimal,
    founder_quantity: Decimal,
    founder_price_cents: int,
    discount_percent: Decimal,
    line_net_cents: int,
) -> int:
    """R23: the line's supplier owes the founder (line quantity × founder quantity per unit) ×
    founder price × (1 − discount), rounded once, half-even — never more than the line's net."""
    quantity = as_fraction(line_quantity, "quantity") * as_fraction(founder_quantity, "quantity")
    gross = quantity * as_fraction(founder_price_cents, "founder_price")
    kept = 1 - as_fraction(discount_percent, "discount") / 100
    return min(round_half_even(gross * kept), line_net_cents)
