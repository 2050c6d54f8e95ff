"""How the facts of a deal are worded for the people who read them: amounts that say whether
they are before or with tax, and units in their plural.

Standard library and models only: the workflows word their emails with these, and so do the
pages and documents, so every reader sees one spelling of one figure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from models.money import amount_text, format_percent
from models.quote_payloads import Line
from models.tax import taxes, total_with_tax

__all__ = ["amount_text", "named_lines", "quantity_of", "total_phrase", "totals_of", "unit_of"]


def totals_of(lines: Iterable[Line]) -> tuple[int, int]:
    """(net, with tax) in cents, as the quote view and the PDF compute them (R21)."""
    own = list(lines)
    net = sum(line.net_cents for line in own)
    return net, total_with_tax(net, taxes((line.net_cents, line.tax_rate) for line in own))


def total_phrase(lines: Iterable[Line], currency: str) -> str:
    """ "12 096.00 EUR with tax (10 080.00 EUR before tax)"."""
    net, with_tax = totals_of(lines)
    return f"{amount_text(with_tax, currency)} with tax ({amount_text(net, currency)} before tax)"


def unit_of(quantity: Decimal, unit: str) -> str:
    """The unit as it reads after the quantity: more than one takes the plural ("days")."""
    if quantity <= 1 or not unit or unit.endswith("s") or not unit[-1].isalpha():
        return unit
    if unit.endswith("y") and unit[-2:-1] not in "aeiou":
        return f"{unit[:-1]}ies"
    return f"{unit}s"


def quantity_of(quantity: Decimal, unit: str) -> str:
    """ "1 day", "2 days", "0.5 day", "3 hours"."""
    return f"{format_percent(quantity)} {unit_of(quantity, unit)}".strip()


def named_lines(positions: Iterable[int], names: Mapping[int, str]) -> str:
    """ "line 2 (Carol Wiring)", "lines 1 (Bob Scaffolding) and 2 (Carol Wiring)": each line
    a person reads of with its offer's name."""
    told = [f"{p} ({names[p]})" if p in names else str(p) for p in positions]
    if len(told) < 2:
        return f"line {''.join(told)}"
    return f"lines {', '.join(told[:-1])} and {told[-1]}"


def offer_names(lines: Iterable[Line]) -> dict[int, str]:
    return {line.position: line.offer_name for line in lines}


def position_runs(positions: list[int]) -> str:
    """[1, 2, 3, 5, 7, 8] -> "1–3, 5, 7–8": the lines a supplier has, as a person lists them."""
    runs: list[list[int]] = []
    for position in positions:
        if runs and position == runs[-1][-1] + 1:
            runs[-1].append(position)
        else:
            runs.append([position])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)
