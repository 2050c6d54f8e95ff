"""The typed values of the API, one per kind: how each is written, declared and checked.

Each type's JSON schema carries the very pattern its validator enforces, so the OpenAPI a client
is generated from and the server's refusals never disagree.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, PlainSerializer, ValidationInfo, WithJsonSchema

from models.catalogue_rules import DAY, MAX_DURATION
from models.money import MONEY, PERCENT, QUANTITY, DecimalFormat, parse_money, parse_percent

# What the views write: always two decimals for money; no digit limit, as a total of many
# large lines may be longer than any one amount a request may carry.
MONEY_TEXT_PATTERN = r"^[0-9]+\.[0-9]{2}$"
SIGNED_MONEY_PATTERN = r"^-?[0-9]+\.[0-9]{2}$"
DECIMAL_TEXT_PATTERN = r"^[0-9]+(\.[0-9]{1,4})?$"
# Weeks, days and a time part; no years or months, whose length varies. ASCII digits only.
DURATION_PATTERN = (
    r"^P(?=[0-9T])(?:([0-9]{1,10})W)?(?:([0-9]{1,10})D)?"
    r"(?:T(?=[0-9])(?:([0-9]{1,10})H)?(?:([0-9]{1,10})M)?(?:([0-9]{1,10})S)?)?$"
)
SECONDS_PATTERN = r"^[0-9]{1,12}$"
DAY_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_UNITS = (7 * DAY, DAY, 3600, 60, 1)


def _declared(fmt: DecimalFormat) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "pattern": fmt.pattern, "examples": [fmt.example]})


def _money(value: Any, info: ValidationInfo) -> int:
    return parse_money(value, info.field_name or "amount")


def _percent(value: Any, info: ValidationInfo) -> Decimal:
    return parse_percent(value, info.field_name or "rate")


def _quantity(value: Any, info: ValidationInfo) -> Decimal:
    field = info.field_name or "quantity"
    quantity = QUANTITY.read(value, field)
    if quantity <= 0:
        raise ValueError(f"{field}: must be greater than 0")
    return quantity


# Requests: money becomes integer cents, rates and quantities exact Decimals.
Money = Annotated[int, BeforeValidator(_money), _declared(MONEY)]
Percent = Annotated[Decimal, BeforeValidator(_percent), _declared(PERCENT)]
Quantity = Annotated[Decimal, BeforeValidator(_quantity), _declared(QUANTITY)]

# Responses: the same spellings, as the views format them.
MoneyText = Annotated[str, Field(pattern=MONEY_TEXT_PATTERN, examples=[MONEY.example])]
SignedMoneyText = Annotated[str, Field(pattern=SIGNED_MONEY_PATTERN, examples=["-12.50"])]
PercentText = Annotated[str, Field(pattern=DECIMAL_TEXT_PATTERN, examples=[PERCENT.example])]
QuantityText = Annotated[str, Field(pattern=DECIMAL_TEXT_PATTERN, examples=[QUANTITY.example])]


def _duration_seconds(value: Any) -> int | None:
    """Seconds of an ISO 8601 duration or a count of seconds; None when it is neither."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if not isinstance(value, str):
        return None
    if re.fullmatch(SECONDS_PATTERN, value):
        return int(value)
    parts = re.fullmatch(DURATION_PATTERN, value)
    if parts is None:
        return None
    return sum(int(part or 0) * unit for part, unit in zip(parts.groups(), _UNITS, strict=True))


def _duration(value: Any, info: ValidationInfo) -> timedelta:
    field = info.field_name or "duration"
    seconds = _duration_seconds(value)
    if seconds is None:
        raise ValueError(
            f"{field}: must be an ISO 8601 duration in weeks, days, hours, minutes and whole "
            f'seconds, like "P3D" or "PT1H30M", or a whole number of seconds'
        )
    if not 1 <= seconds <= MAX_DURATION:
        raise ValueError(f"{field}: must be from 1 second to {MAX_DURATION // DAY} days")
    return timedelta(seconds=seconds)


def format_duration(value: timedelta) -> str:
    """ISO 8601 in whole days, hours, minutes and seconds: "P400D", "PT2H", "P1DT30M"."""
    days, rest = divmod(int(value.total_seconds()), DAY)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    time = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n)
    return ("P" + (f"{days}D" if days else "") + (f"T{time}" if time else "")) or "PT0S"


Duration = Annotated[
    timedelta,
    BeforeValidator(_duration),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": DURATION_PATTERN, "examples": ["P3D"]},
                {"type": "string", "pattern": SECONDS_PATTERN, "examples": ["3600"]},
                {"type": "integer", "minimum": 1, "maximum": MAX_DURATION},
            ]
        }
    ),
]
DurationText = Annotated[
    timedelta,
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema({"type": "string", "pattern": DURATION_PATTERN, "examples": ["P3D"]}),
]


def _day(value: Any) -> date:
    # No field name: a query parameter's name is its alias, which the error location gives.
    rule = "must be a calendar date written YYYY-MM-DD, like 2026-01-31"
    if not isinstance(value, str) or re.fullmatch(DAY_PATTERN, value) is None:
        raise ValueError(rule)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(rule) from None


# A day in a query: ISO 8601 only — a bare number would otherwise be read as a Unix time.
Day = Annotated[
    date,
    BeforeValidator(_day),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DAY_PATTERN}),
]
