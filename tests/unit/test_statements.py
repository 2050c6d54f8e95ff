"""R24: a statement's sections run from the opening balance through the period's rows to the
closing balance, and an invoice's or a founder's part's life reads as the store records it."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.domain import InvoiceStatus
from models.statements import (
    CreditNoteFacts,
    FounderPartFacts,
    InvoiceFacts,
    Movement,
    StatementKind,
    founder_part_movements,
    grouped,
    invoice_movements,
    section_for_period,
    share_words,
)

T0 = datetime(2026, 3, 1, tzinfo=UTC)
PROPERTY = settings(max_examples=500, deadline=None, database=None)


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


def move(days: float, cents: int, reference: str = "C-2026-00001") -> Movement:
    return Movement(at(days), reference, "", cents)


@pytest.mark.parametrize(
    ("moves", "since", "until", "carried", "opening", "balances", "closing"),
    [
        ([], 0, 1, 0, 0, [], 0),
        ([], 0, 1, 700, 700, [], 700),
        ([move(0.5, 100)], 0, 1, 0, 0, [100], 100),
        ([move(-1, 100), move(0.5, -30)], 0, 1, 0, 100, [70], 70),
        # since is included, until is not
        ([move(0, 5), move(1, 7)], 0, 1, 0, 0, [5], 5),
        # a later movement is left out; the order of the input does not matter
        ([move(3, 9), move(0.2, 1), move(-2, 4)], 0, 1, 10, 14, [15], 15),
        ([move(0.3, 120_00), move(0.6, -120_00)], 0, 1, 0, 0, [120_00, 0], 0),
    ],
)
def test_a_section_runs_from_its_opening_to_its_closing(
    moves: list[Movement],
    since: float,
    until: float,
    carried: int,
    opening: int,
    balances: list[int],
    closing: int,
) -> None:
    kind = StatementKind.EARNINGS
    section = section_for_period(kind, moves, at(since), at(until), carried)
    assert (section.opening_cents, section.closing_cents) == (opening, closing)
    assert [row.balance_cents for row in section.rows] == balances


def test_movements_at_the_same_moment_keep_their_order() -> None:
    first, second = move(0.5, 10, "A"), move(0.5, -10, "B")
    section = section_for_period(StatementKind.EARNINGS, [first, second], at(0), at(1))
    assert [row.movement.reference for row in section.rows] == ["A", "B"]


def invoice(status: InvoiceStatus, paid: float | None = None, cancelled: float | None = None):
    return InvoiceFacts(
        "C-2026-00004", "O-2026-00002", 100_00, 20_00, status, at(1), at(31),
        None if paid is None else at(paid), "TRX-9" if paid is not None else None,
        None if cancelled is None else at(cancelled),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (invoice(InvoiceStatus.ISSUED), [(1, 120_00)]),
        (invoice(InvoiceStatus.PAID, paid=3), [(1, 120_00), (3, -120_00)]),
        (invoice(InvoiceStatus.SPLIT, paid=3), [(1, 120_00), (3, -120_00)]),
        # cancelled after payment: paid it stays, the clawback is in the earnings
        (invoice(InvoiceStatus.SPLIT, paid=3, cancelled=5), [(1, 120_00), (3, -120_00)]),
        (invoice(InvoiceStatus.VOID, cancelled=4), [(1, 120_00), (4, -120_00)]),
        # an order cancelled as its invoice was being issued: void no earlier than issued
        (invoice(InvoiceStatus.VOID, cancelled=0.5), [(1, 120_00), (1, -120_00)]),
    ],
)
def test_an_invoice_is_owed_when_issued_until_paid_or_void(
    facts: InvoiceFacts, expected: list[tuple[float, int]]
) -> None:
    moves = invoice_movements(facts)
    assert [(m.at, m.amount_cents) for m in moves] == [(at(d), c) for d, c in expected]
    assert all(m.reference == "C-2026-00004" for m in moves)


def test_an_invoice_row_says_what_it_is() -> None:
    issued, paid = invoice_movements(invoice(InvoiceStatus.SPLIT, paid=3))
    assert issued.description == (
        "Invoice for order O-2026-00002, due 2026-04-01: commission 100.00 + tax 20.00"
    )
    assert paid.description == "Payment received, reference TRX-9"
    _, void = invoice_movements(invoice(InvoiceStatus.VOID, cancelled=4))
    assert void.description.startswith("Invoice void: order O-2026-00002 cancelled")


def test_each_credit_note_is_a_row_of_its_own_naming_the_invoice_it_credits() -> None:
    correction = CreditNoteFacts("CN-2026-00002", at(6), 12_00, "rate error", correction=True)
    cancelling = CreditNoteFacts("CN-2026-00003", at(8), 108_00, "order cancelled", False)
    paid = dataclasses.replace(
        invoice(InvoiceStatus.SPLIT, paid=3, cancelled=8), credit_notes=(correction, cancelling)
    )
    moves = invoice_movements(paid)
    assert [(m.at, m.reference, m.amount_cents, m.invoice) for m in moves] == [
        (at(1), "C-2026-00004", 120_00, None),
        (at(3), "C-2026-00004", -120_00, None),
        (at(6), "CN-2026-00002", -12_00, "C-2026-00004"),
        (at(8), "CN-2026-00003", -108_00, "C-2026-00004"),
    ]
    assert moves[2].description == "Credit note correcting invoice C-2026-00004: rate error"
    assert moves[3].description == ("Credit note cancelling invoice C-2026-00004: order cancelled")
    # A void invoice cancelled by its credit note reads once: the credit note, not "void" too.
    whole = CreditNoteFacts("CN-2026-00004", at(4), 120_00, "client withdrew", False)
    void = dataclasses.replace(invoice(InvoiceStatus.VOID, cancelled=4), credit_notes=(whole,))
    assert [(m.reference, m.amount_cents) for m in invoice_movements(void)] == [
        ("C-2026-00004", 120_00), ("CN-2026-00004", -120_00),
    ]  # fmt: skip


def part(cancelled: float | None = None, cents: int = 50_00) -> FounderPartFacts:
    cancelled_at = None if cancelled is None else at(cancelled)
    return FounderPartFacts("O-2026-00002", 1, "Onboarding", "Founder SA", cents, at(1),
                            cancelled_at)  # fmt: skip


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (part(), [(1, 50_00)]),
        (part(cancelled=6), [(1, 50_00), (6, -50_00)]),
        (part(cents=0), [(1, 0)]),
        (part(cancelled=6, cents=0), [(1, 0)]),
    ],
)
def test_a_founders_part_is_owed_from_the_order_until_it_is_cancelled(
    facts: FounderPartFacts, expected: list[tuple[float, int]]
) -> None:
    for owed_by_member in (True, False):
        moves = founder_part_movements(facts, owed_by_member=owed_by_member)
        assert [(m.at, m.amount_cents) for m in moves] == [(at(d), c) for d, c in expected]
    [owed] = founder_part_movements(part(), owed_by_member=True)
    [due] = founder_part_movements(part(), owed_by_member=False)
    assert "owed to Founder SA" in owed.description and "owed by Founder SA" in due.description


moments = st.floats(min_value=-30, max_value=30, allow_nan=False)
histories = st.lists(
    st.tuples(moments, st.integers(min_value=-(10**9), max_value=10**9)), max_size=30
)


@PROPERTY
@given(histories, moments, moments, moments, st.integers(-(10**9), 10**9))
def test_periods_add_up_and_follow_each_other(
    history: list[tuple[float, int]], a: float, b: float, c: float, carried: int
) -> None:
    """opening + Σ rows = closing, each row's balance is the one before plus its amount, and
    two adjacent periods chain: the first's closing is the second's opening."""
    first, middle, last = sorted((a, b, c))
    moves = [move(d, cents) for d, cents in history]
    kind = StatementKind.COMMISSION_INVOICES
    one = section_for_period(kind, moves, at(first), at(middle), carried)
    two = section_for_period(kind, moves, at(middle), at(last), carried)
    both = section_for_period(kind, moves, at(first), at(last), carried)
    for section in (one, two, both):
        running = section.opening_cents
        for row in section.rows:
            running += row.movement.amount_cents
            assert row.balance_cents == running
        assert section.opening_cents + sum(r.movement.amount_cents for r in section.rows) == (
            section.closing_cents
        )
    assert one.closing_cents == two.opening_cents
    assert both.rows == one.rows + tuple(r for r in two.rows)
    assert both.closing_cents == two.closing_cents
    assert both.opening_cents == carried + sum(x for d, x in history if at(d) < at(first))


@pytest.mark.parametrize(
    ("role", "clawback", "words"),
    [
        ("seller", False, "Your seller share"),
        ("founder", False, "Your founder share"),
        ("affiliate_l1", False, "Your affiliate share, level 1"),
        ("affiliate_l2", True, "Clawback of your affiliate share, level 2 (order cancelled)"),
    ],
)
def test_a_share_reads_in_plain_words(role: str, clawback: bool, words: str) -> None:
    assert share_words(role, clawback=clawback) == words


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (0, "0.00"),
        (5, "0.05"),
        (-5, "-0.05"),
        (123_456_789, "1 234 567.89"),
        (-100_000, "-1 000.00"),
    ],
)
def test_money_in_words_groups_thousands(cents: int, text: str) -> None:
    assert grouped(cents) == text
