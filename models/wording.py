"""How the facts of a deal are worded for the people who read them: amounts that say whether
they are before or with tax, units in their plural, lines with their offers' names.

Standard library and models only: the workflows word their emails with these, and so do the
pages and documents, so every reader sees one spelling of one figure.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from models.money import amount_text, format_percent
from models.quote_payloads import Line
from models.tax import taxes, total_with_tax

__all__ = ["amount_text", "lines_named", "quantity_of", "total_phrase", "totals_of"]


def totals_of(lines: Iterable[Line]) -> tuple[int, int]:
    """(net, with tax) in cents, as the quote view and the PDF compute them (R21)."""
    own = list(lines)
    net = sum(line.net_cents for line in own)
    return net, total_with_tax(net, taxes((line.net_cents, line.tax_rate) for line in own))


def total_phrase(lines: Iterable[Line], currency: str) -> str:
    """ "12 096.00 EUR with tax (10 080.00 EUR before tax)"."""
    net, with_tax = totals_of(lines)
    return f"{amount_text(with_tax, currency)} with tax ({amount_text(net, currency)} before tax)"


def quantity_of(quantity: Decimal, unit: str) -> str:
    """ "1 day", "2 days", "0.5 day", "3 hours": more than one takes the plural."""
    shown = format_percent(quantity)
    if quantity > 1 and unit and not unit.endswith("s"):
        unit = (
            f"{unit[:-1]}ies" if unit.endswith("y") and unit[-2:-1] not in "aeiou" else unit + "s"
        )
    return f"{shown} {unit}".strip()


def lines_named(positions: Iterable[int], lines: Iterable[Line]) -> str:
    """ "line 2 (Bob Scaffolding) and line 3 (Carol Wiring)": each id with its offer's name."""
    names = {line.position: line.offer_name for line in lines}
    told = [f"line {p} ({names[p]})" if p in names else f"line {p}" for p in positions]
    return " and ".join(told) if len(told) < 3 else ", ".join(told[:-1]) + f" and {told[-1]}"
