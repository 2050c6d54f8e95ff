"""Which lines a removed supplier blocks, and when: a pure rule over the quote's state."""

from __future__ import annotations

from decimal import Decimal

import pytest

from models.approvals import removed_supplier_lines
from models.domain import QuoteStatus
from models.quote_payloads import ClientParty, Line, QuoteState


def _line(position: int, supplier_id: int) -> Line:
    return Line(
        position, 10 + position, f"offer {position}", "day", supplier_id,
        Decimal(1), 100_00, Decimal(0), 100_00, Decimal(5), "direct",
    )  # fmt: skip


def _state(status: QuoteStatus, blocked: list[int] | None = None) -> QuoteState:
    lines = [_line(1, 7), _line(2, 8), _line(3, 7), _line(4, 9)]
    return QuoteState(
        "Q-2026-00001", status.value, 1, 1, "EUR", 9, 1,
        ClientParty(1, "Acme", "Carl", "carl@acme.example"), lines, [], None, 400_00, [],
        blocked_positions=blocked or [],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("status", "blocked", "removed", "expected"),
    [
        (QuoteStatus.PENDING_APPROVAL, [], [7], {7: [1, 3]}),
        (QuoteStatus.SENT, [], [7, 8], {7: [1, 3], 8: [2]}),
        (QuoteStatus.CHANGES_REQUESTED, [], [8], {8: [2]}),
        (QuoteStatus.BLOCKED, [1], [7], {7: [3]}),  # already blocked lines are not due again
        (QuoteStatus.BLOCKED, [1, 3], [7], {}),
        (QuoteStatus.PENDING_APPROVAL, [], [42], {}),  # supplies nothing here
        (QuoteStatus.ACCEPTED, [], [7], {}),  # the client accepted: the deal is closed
        (QuoteStatus.ORDERED, [], [7], {}),
        (QuoteStatus.CANCELLED, [], [7], {}),
    ],
)
def test_removed_suppliers_block_their_lines_until_acceptance(
    status: QuoteStatus, blocked: list[int], removed: list[int], expected: dict[int, list[int]]
) -> None:
    assert removed_supplier_lines(_state(status, blocked), removed) == expected
