"""Tax as the quote, order and client views show it (R21), from the lines as quoted."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, Protocol

from pydantic import BaseModel, Field

from api.fields import MoneyText, PercentText
from models.money import format_cents, format_percent
from models.tax import TaxAtRate, taxes, total_with_tax

UNRECORDED_NOTE = (
    "quoted before tax rates were recorded: tax shown as 0, to be stated on the supplier's invoice"
)


class TaxRead(BaseModel):
    rate: PercentText = Field(description="Tax rate, percent.")
    base: MoneyText = Field(description="Sum of the line nets at this rate.")
    amount: MoneyText = Field(description="base × rate, rounded once, half to even.")


class TaxedLine(Protocol):
    net_cents: int
    tax_rate: Decimal
    tax_recorded: bool


def tax_reads(by_rate: Iterable[TaxAtRate]) -> list[TaxRead]:
    return [
        TaxRead(
            rate=format_percent(t.rate), base=format_cents(t.base_cents),
            amount=format_cents(t.amount_cents),
        )
        for t in by_rate
    ]  # fmt: skip


def tax_fields(lines: Sequence[TaxedLine], net_total_cents: int | None) -> dict[str, Any]:
    """`taxes`, `total_with_tax` (null when the net total is hidden) and `tax_recorded`.

    Lines quoted before rates were recorded count at 0 %, and the view says so."""
    by_rate = taxes((line.net_cents, line.tax_rate) for line in lines)
    recorded = all(line.tax_recorded for line in lines)
    return {
        "taxes": tax_reads(by_rate),
        "total_with_tax": None
        if net_total_cents is None
        else format_cents(total_with_tax(net_total_cents, by_rate)),
        "tax_recorded": recorded,
        "tax_note": None if recorded else UNRECORDED_NOTE,
    }


class TaxedTotals(BaseModel):
    """The tax part of a quote or order view."""

    taxes: list[TaxRead] = Field(
        description="Per tax rate of the lines shown: base and amount (empty in lists)."
    )
    total_with_tax: MoneyText | None = Field(
        description="Net total plus every rate's tax; null where the total is hidden (and in "
        "lists)."
    )
    tax_recorded: bool = Field(
        description="False for deals quoted before tax was recorded: their tax reads 0."
    )
    tax_note: str | None = Field(None, description="Says why tax reads 0, when it does.")
