"""The OpenAPI declares every amount, rate, quantity and duration as a string with the pattern
the server enforces: a client generated from it writes what the server accepts."""

from __future__ import annotations

import re
from typing import Any

import pytest

from api.app import create_app
from api.fields import DURATION_PATTERN
from models.money import MONEY, PERCENT, QUANTITY
from settings import Settings

ENFORCED = {
    "unit_price": MONEY.pattern,
    "founder_price": MONEY.pattern,
    "amount": MONEY.pattern,
    "commission_rate": PERCENT.pattern,
    "max_discount": PERCENT.pattern,
    "discount": PERCENT.pattern,
    "share": PERCENT.pattern,
    "platform_fee_rate": PERCENT.pattern,
    "founder_rate": PERCENT.pattern,
    "affiliate_rates": PERCENT.pattern,
    "quantity": QUANTITY.pattern,
}
DURATIONS = [
    "approval_timeout",
    "reminder_interval",
    "revision_timeout",
    "validity",
    "payment_terms",
    "invitation_ttl",
]
DECIMAL_NAMES = {*ENFORCED, "total", "net", "balance"}


def components() -> dict[str, Any]:
    app = create_app(Settings(DATABASE_URL="sqlite://", OPERATOR_KEY="-", SECRET_KEY="-"))
    app.state.engine.dispose()
    schemas: dict[str, Any] = app.openapi()["components"]["schemas"]
    return schemas


def declared(prop: dict[str, Any]) -> dict[str, Any]:
    """The non-null alternative of an optional property, the items of a list."""
    alternatives = [s for s in prop.get("anyOf", [prop]) if s.get("type") != "null"]
    assert len(alternatives) == 1, prop
    kind = alternatives[0]
    return declared(kind["items"]) if kind.get("type") == "array" else kind


PROPERTIES = [
    (model, name, prop)
    for model, schema in components().items()
    for name, prop in schema.get("properties", {}).items()
    if name in DECIMAL_NAMES
]


@pytest.mark.parametrize(
    ("model", "name", "prop"), PROPERTIES, ids=[f"{m}.{n}" for m, n, _ in PROPERTIES]
)
def test_every_decimal_is_a_string_with_a_pattern_and_an_example(
    model: str, name: str, prop: dict[str, Any]
) -> None:
    kind = declared(prop)
    assert kind["type"] == "string" and kind["pattern"], f"{model}.{name}: {kind}"
    assert all(re.fullmatch(kind["pattern"], example) for example in kind["examples"])
    if model.endswith("In") or model.endswith(("Create", "Update")):
        assert kind["pattern"] == ENFORCED[name]  # requests: exactly what the server enforces
    if "default" in prop:
        assert re.fullmatch(kind["pattern"], prop["default"])


def test_request_money_is_never_an_integer() -> None:
    money = [(m, n) for m, n, p in PROPERTIES if ENFORCED.get(n) == MONEY.pattern]
    assert {"PaymentIn", "OfferCreate", "FounderComponentIn"} <= {m for m, _ in money}
    for model, name, prop in PROPERTIES:
        assert "integer" not in str(prop) and "number" not in str(prop), f"{model}.{name}"


@pytest.mark.parametrize("name", DURATIONS)
def test_durations_go_in_as_iso_8601_or_seconds_and_come_back_as_iso_8601(name: str) -> None:
    schemas = components()
    written = schemas["SettingsUpdate"]["properties"][name]["anyOf"]
    assert written[0]["pattern"] == DURATION_PATTERN
    assert {alternative["type"] for alternative in written} == {"string", "integer", "null"}
    assert schemas["SettingsRead"]["properties"][name]["pattern"] == DURATION_PATTERN
