"""The API's typed values: each good spelling accepted, each bad one refused naming the format,
and every type's OpenAPI pattern the very one its validator enforces."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from api.fields import (
    DURATION_PATTERN,
    Day,
    Duration,
    DurationText,
    Money,
    Percent,
    Quantity,
    format_duration,
)
from models.catalogue_rules import DAY
from models.money import MONEY, PERCENT, QUANTITY


class Payload(BaseModel):
    amount: Money | None = None
    rate: Percent | None = None
    quantity: Quantity | None = None
    wait: Duration | None = None
    day: Day | None = None


def refusal(**field: Any) -> str:
    with pytest.raises(ValidationError) as refused:
        Payload(**field)
    return str(refused.value)


BAD_DECIMALS = ["1_000", "１", "١٢", "1E+2", "+3", " 2", "2 ", "3.", ".5", "-1", "1,5", "NaN", ""]


@pytest.mark.parametrize("text", BAD_DECIMALS)
@pytest.mark.parametrize(
    ("field", "fmt"), [("amount", MONEY), ("rate", PERCENT), ("quantity", QUANTITY)]
)
def test_a_malformed_decimal_is_refused_naming_the_format(text: str, field: str, fmt: Any) -> None:
    message = refusal(**{field: text})
    assert f"{field}: must be {fmt.what} written like" in message
    assert fmt.pattern in message


@pytest.mark.parametrize("value", [12, 1.5, 0.0, True, [1], {"a": 1}])
@pytest.mark.parametrize("field", ["amount", "rate", "quantity"])
def test_a_json_number_is_refused_as_not_a_string(value: Any, field: str) -> None:
    assert "sent as a JSON string" in refusal(**{field: value})


@pytest.mark.parametrize("text", ["900.0", "1.5", "1.234", "1" * 16])
def test_money_has_no_decimals_or_exactly_two(text: str) -> None:
    assert "exactly 2 decimals" in refusal(amount=text)


@pytest.mark.parametrize(
    ("field", "text", "value"),
    [
        ("amount", "1234.50", 123450),
        ("amount", "900", 90000),
        ("amount", "0.05", 5),
        ("rate", "12.5", Decimal("12.5")),
        ("rate", "100", Decimal(100)),
        ("rate", "0", Decimal(0)),
        ("quantity", "2.5", Decimal("2.5")),
        ("quantity", "0.0001", Decimal("0.0001")),
        ("quantity", "999999999", Decimal(999999999)),
    ],
)
def test_a_well_written_decimal_is_accepted(field: str, text: str, value: object) -> None:
    assert getattr(Payload(**{field: text}), field) == value


def test_a_quantity_is_more_than_zero() -> None:
    assert "quantity: must be greater than 0" in refusal(quantity="0")


@pytest.mark.parametrize(
    ("field", "pattern"),
    [("amount", MONEY.pattern), ("rate", PERCENT.pattern), ("quantity", QUANTITY.pattern)],
)
def test_the_declared_pattern_is_the_enforced_one(field: str, pattern: str) -> None:
    declared = Payload.model_json_schema()["properties"][field]["anyOf"][0]
    assert declared["type"] == "string"
    assert declared["pattern"] == pattern
    assert re.fullmatch(pattern, declared["examples"][0])


@pytest.mark.parametrize(
    ("given", "seconds"),
    [
        ("P3D", 3 * DAY),
        ("PT1H30M", 5400),
        ("P2W", 14 * DAY),
        ("P1DT1S", DAY + 1),
        ("P400D", 400 * DAY),
        ("3600", 3600),
        (60, 60),
    ],
)
def test_a_duration_is_iso_8601_or_seconds(given: object, seconds: int) -> None:
    assert Payload(wait=given).wait == timedelta(seconds=seconds)


@pytest.mark.parametrize(
    "given",
    ["P3DT", "P", "PT", "P1Y", "P1M", "PT1.5S", "P-1D", "3D", "p3d", "P３D", " P3D", "soon", 1.5],
)
def test_a_malformed_duration_is_refused_naming_the_format(given: object) -> None:
    assert "wait: must be an ISO 8601 duration" in refusal(wait=given)


@pytest.mark.parametrize("given", [0, -60, "P0D", "P3651D", 2**63, "9" * 12])
def test_a_duration_out_of_range_is_refused(given: object) -> None:
    assert "wait: must be from 1 second to 3650 days" in refusal(wait=given)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (400 * DAY, "P400D"),
        (365 * DAY, "P365D"),
        (7200, "PT2H"),
        (1800, "PT30M"),
        (DAY + 3661, "P1DT1H1M1S"),
        (59, "PT59S"),
    ],
)
def test_a_duration_is_written_in_days_hours_minutes_seconds(seconds: int, text: str) -> None:
    written = format_duration(timedelta(seconds=seconds))
    assert written == text
    assert re.fullmatch(DURATION_PATTERN, written)
    assert Payload(wait=written).wait == timedelta(seconds=seconds)  # read back as it was
    assert TypeAdapter(DurationText).dump_python(timedelta(seconds=seconds), mode="json") == text


@pytest.mark.parametrize("given", ["0", "20260131", "2026-1-31", "2026-02-30", "२०२६-०१-३१", 0])
def test_a_day_is_an_iso_calendar_date(given: object) -> None:
    assert "must be a calendar date written YYYY-MM-DD" in refusal(day=given)


@pytest.mark.parametrize("text", ["0001-01-01", "9999-12-31", "2026-02-28"])
def test_every_calendar_day_is_accepted(text: str) -> None:
    assert Payload(day=text).day == date.fromisoformat(text)
