"""What a revision changed for one supplier, told in its own approval request (R10, R18).

Standard library only: the quote workflow builds these texts. A supplier is only ever told
about its own part (the founder: the founder components), never about another's lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from models.domain import ApprovalStatus
from models.money import amount_text, format_percent, founder_part_cents
from models.quote_payloads import Approval, Line
from models.wording import quantity_of


@dataclass(frozen=True, slots=True)
class PartItem:
    """One thing a supplier approves: its line, or (the founder) a component under a line."""

    key: tuple[int, int]
    label: str
    terms: tuple[tuple[str, str], ...]


def part_items(lines: Iterable[Line], supplier_id: int, founder_id: int) -> list[PartItem]:
    items = []
    terms: tuple[tuple[str, str], ...]
    for line in lines:
        if line.supplier_id == supplier_id:
            terms = (
                ("quantity", quantity_of(line.quantity, line.unit)),
                ("unit price", f"{amount_text(line.unit_price_cents)} before tax"),
                ("discount", f"{format_percent(line.discount)} %"),
                ("net", f"{amount_text(line.net_cents)} before tax"),
            )
            items.append(PartItem((line.offer_id, 0), line.offer_name, terms))
        component = line.founder_component
        if supplier_id == founder_id and component is not None:
            # Her part moves with the line's quantity and discount as well as her own (R23).
            part = founder_part_cents(
                line.quantity,
                component.quantity,
                component.founder_price_cents,
                line.discount,
                line.net_cents,
            )
            terms = (
                ("line quantity", quantity_of(line.quantity, line.unit)),
                ("quantity per unit", format_percent(component.quantity)),
                ("discount", f"{format_percent(line.discount)} %"),
                ("your part", f"{amount_text(part)} before tax"),
            )
            label = f"{component.offer_name} in {line.offer_name}"
            items.append(PartItem((line.offer_id, component.offer_id), label, terms))
    return items


def _described(item: PartItem) -> str:
    return ", ".join(f"{name} {value}" for name, value in item.terms)


def _compared(before: PartItem, after: PartItem) -> str | None:
    changed = [
        f"{name} {old} → {new}"
        for (name, old), (_, new) in zip(before.terms, after.terms, strict=True)
        if old != new
    ]
    return f"- {after.label}: {', '.join(changed)}" if changed else None


def changes_for(
    previous: Iterable[Line], lines: Iterable[Line], supplier_id: int, founder_id: int
) -> list[str]:
    """One text line per added, removed or changed item of the supplier's part."""
    left = part_items(previous, supplier_id, founder_id)
    told: list[str] = []
    for item in part_items(lines, supplier_id, founder_id):
        match = next((old for old in left if old.key == item.key), None)
        if match is None:
            told.append(f"- new: {item.label} ({_described(item)})")
            continue
        left.remove(match)
        if (text := _compared(match, item)) is not None:
            told.append(text)
    told.extend(f"- removed: {old.label} ({_described(old)})" for old in left)
    return told


def own_rejection(approvals: Iterable[Approval], supplier_id: int) -> str | None:
    """The comment the supplier rejected the previous revision with, if it did."""
    for approval in approvals:
        if approval.supplier_id == supplier_id and approval.status == ApprovalStatus.REJECTED:
            return approval.comment or "(no comment)"
    return None


def revision_note(
    previous: tuple[list[Line], list[Approval]],
    lines: list[Line],
    revision: int,
    supplier_id: int,
    founder_id: int,
) -> str:
    """The paragraph an approval request of a revised quote opens with."""
    previous_lines, previous_approvals = previous
    changes = changes_for(previous_lines, lines, supplier_id, founder_id)
    what = (
        f"What changed for you since revision {revision - 1}:\n" + "\n".join(changes)
        if changes
        else f"Your part did not change since revision {revision - 1}."
    )
    comment = own_rejection(previous_approvals, supplier_id)
    if comment is None:
        return f"The seller revised the quote. {what}"
    quoted = "\n".join(f"    > {text}" for text in comment.splitlines() or [""])
    return (
        f"The seller revised the quote after you rejected revision {revision - 1} with this "
        f"comment:\n{quoted}\n\n{what}"
    )
