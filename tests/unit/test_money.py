"""Money in integer cents: hand-computed tables, then properties against a Fraction oracle."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.money import (
    MONEY,
    commission_cents,
    format_cents,
    format_percent,
    line_net_cents,
    parse_money,
    parse_percent,
    to_cents,
)

D = Decimal
PROPERTY = settings(max_examples=10_000, deadline=None, database=None)
RATE_UNITS = 500_001  # commission rates 0 to 50 % in steps of 0.0001 %


def oracle_half_even(value: Fraction) -> int:
    """Nearest integer, ties to even, written from the definition (independent of the code)."""
    below = value.numerator // value.denominator
    distance = value - below
    if distance == Fraction(1, 2):
        return below if below % 2 == 0 else below + 1
    return below + 1 if distance > Fraction(1, 2) else below


@pytest.mark.parametrize(
    ("amount", "cents"),
    [
        ("0.125", 12),  # half goes to the even cent, down
        ("0.135", 14),  # half goes to the even cent, up
        ("-0.125", -12),
        ("-0.135", -14),
        ("1.005", 100),
        ("1.015", 102),
        ("2.675", 268),  # a float would say 2.67; a Decimal is exact
        ("0.0049", 0),
        ("0.0051", 1),
        ("1234.50", 123450),
        ("7", 700),
    ],
)
def test_to_cents_rounds_half_even(amount: str, cents: int) -> None:
    assert to_cents(D(amount)) == cents


def test_to_cents_refuses_float() -> None:
    with pytest.raises(ValueError, match="not float"):
        to_cents(0.1)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1234.50", 123450),
        ("1200", 120000),  # whole units: nothing is lost, and people write prices so
        ("0", 0),
        ("0.00", 0),
        ("007.10", 710),
        ("999999999999999.99", 99_999_999_999_999_999),
    ],
)
def test_parse_money_accepts(text: str, cents: int) -> None:
    assert parse_money(text, "unit_price") == cents


MONEY_RULE = 'unit_price: must be an amount written like "1234.50"'


@pytest.mark.parametrize(
    "text",
    [
        "1234.5",  # one decimal: a float's spelling, not an amount's
        "900.0",
        "1.234",
        "1.",
        ".5",
        "1e3",
        "1E+2",
        "+3",
        "-0.05",
        " 2",
        "2 ",
        "1_000",
        "1,50",
        "1 000",
        "１",  # fullwidth digit
        "١٢",  # Arabic-Indic digits, which Decimal() would take
        "NaN",
        "Infinity",
        "",
        "1" * 16,
        12,
        1.5,
        True,
        None,
        D("12.00"),
    ],
)
def test_parse_money_refuses_naming_the_format(text: object) -> None:
    with pytest.raises(ValueError, match=re.escape(MONEY_RULE)) as refused:
        parse_money(text, "unit_price")
    assert MONEY.pattern in str(refused.value)


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (123450, "1234.50"),
        (-5, "-0.05"),
        (0, "0.00"),
        (7, "0.07"),
        (-100, "-1.00"),
        (10**8, "1000000.00"),
    ],
)
def test_format_cents(cents: int, text: str) -> None:
    assert format_cents(cents) == text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12.5", D("12.5")),
        ("12.50", D("12.5")),
        ("0", D(0)),
        ("100", D(100)),
        ("33.3333", D("33.3333")),
        ("007", D(7)),
    ],
)
def test_parse_percent_accepts(text: str, value: Decimal) -> None:
    parsed = parse_percent(text, "discount")
    assert parsed == value
    assert str(parsed) == str(value)  # one spelling: no "12.50", no "1E+1"


@pytest.mark.parametrize(
    "text",
    ["12.34567", "1e1", "NaN", "-1", "+3", " 2", "3.", "1_0", "١٢", "１", "1000", 12.5, 10, True],
)
def test_parse_percent_refuses_naming_the_format(text: object) -> None:
    with pytest.raises(ValueError, match=re.escape("discount: must be a percentage written like")):
        parse_percent(text, "discount")


def test_parse_percent_range_is_named_in_percent() -> None:
    with pytest.raises(ValueError, match="discount: must be within 0–100 %"):
        parse_percent("100.0001", "discount")


def test_parse_percent_range_is_inclusive() -> None:
    assert parse_percent("50", "commission_rate", high=D(50)) == 50
    with pytest.raises(ValueError, match="commission_rate: must be within 0–50 %"):
        parse_percent("50.01", "commission_rate", high=D(50))


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (D("12.5"), "12.5"),
        (D("12.50"), "12.5"),
        (D(10), "10"),
        (D("1E+1"), "10"),
        (D("0.000"), "0"),
        (D("-0"), "0"),
        (D("0.0001"), "0.0001"),
        (D(100), "100"),
        (0, "0"),
        (10**20, "100000000000000000000"),
    ],
)
def test_format_percent(value: Decimal | int, text: str) -> None:
    assert format_percent(value) == text


@pytest.mark.parametrize(
    ("quantity", "unit_price_cents", "discount", "net"),
    [
        ("3", 1999, "10", 5397),  # 53.973 → 53.97
        ("2.5", 1001, "0", 2502),  # 25.025 → 25.02, half to even
        ("2.5", 1003, "0", 2508),  # 25.075 → 25.08, half to even
        ("0.125", 100, "0", 12),
        ("0.135", 100, "0", 14),
        ("3", 1000, "33.3333", 2000),  # 20.00001 → 20.00
        ("1", 12345, "100", 0),
        ("7", 0, "5", 0),
    ],
)
def test_line_net_cents(quantity: str, unit_price_cents: int, discount: str, net: int) -> None:
    assert line_net_cents(D(quantity), unit_price_cents, D(discount)) == net


@pytest.mark.parametrize(
    ("lines", "commission"),
    [
        ([(5, "10"), (5, "10")], 1),  # 0.5 + 0.5 cents: once → 1; per line → 0 + 0
        ([(15, "1"), (15, "1"), (15, "1"), (15, "1")], 1),  # 4 × 0.15 = 0.6 → 1; per line → 0
        ([(25, "10")], 2),  # 2.5 → 2
        ([(35, "10")], 4),  # 3.5 → 4
        ([(123456, "12.5"), (99999, "7.25")], 22682),  # 15432 + 7249.9275 = 22681.9275
        ([], 0),
        ([(100000, "0")], 0),
    ],
)
def test_commission_cents_rounds_once(lines: list[tuple[int, str]], commission: int) -> None:
    assert commission_cents((net, D(rate)) for net, rate in lines) == commission


def test_commission_rounded_once_differs_from_per_line() -> None:
    lines = [(5, D(10)), (5, D(10))]
    per_line = sum(commission_cents([line]) for line in lines)
    assert (commission_cents(lines), per_line) == (1, 0)


# Each draw costs hypothesis time, so the strategies stay flat: a few integers per example.
@PROPERTY
@given(st.integers(-(10**17) + 1, 10**17 - 1), st.integers(0, 6))
def test_round_trips_and_to_cents_match_oracle(cents: int, places: int) -> None:
    text = format_cents(cents)
    assert parse_money(format_cents(abs(cents)), "amount") == abs(cents)  # amounts in: unsigned
    assert Fraction(D(text)) * 100 == cents
    amount = D(cents).scaleb(-places)
    assert to_cents(amount) == oracle_half_even(Fraction(amount) * 100)
    percent = D(abs(cents) % 1_000_001).scaleb(-4)  # 0 to 100 with four decimals
    assert parse_percent(format_percent(percent), "rate") == percent


@PROPERTY
@given(st.integers(1, 10**7), st.integers(0, 10**8), st.integers(0, 10**6))
def test_line_net_matches_oracle(milli_quantity: int, unit_price: int, discount_units: int) -> None:
    quantity, discount = D(milli_quantity).scaleb(-3), D(discount_units).scaleb(-4)
    exact = Fraction(quantity) * unit_price * (100 - Fraction(discount)) / 100
    net = line_net_cents(quantity, unit_price, discount)
    assert net == oracle_half_even(exact)
    assert abs(net - exact) <= Fraction(1, 2)


@PROPERTY
@given(st.lists(st.integers(0, 10**9 * RATE_UNITS - 1), max_size=3))
def test_commission_matches_oracle(codes: list[int]) -> None:
    # One integer per line: its quotient is the net in cents, its remainder the rate in 1/10000 %.
    lines = [(code // RATE_UNITS, D(code % RATE_UNITS).scaleb(-4)) for code in codes]
    exact = sum((net * Fraction(rate) / 100 for net, rate in lines), Fraction(0))
    commission = commission_cents(lines)
    assert commission == oracle_half_even(exact)
    assert abs(commission - exact) <= Fraction(1, 2)
