"""R26: how a booked bank line is matched to a commission invoice, as a table of cases."""

from __future__ import annotations

import pytest

from models.bank import (
    LineStatus,
    OpenInvoice,
    StatementLine,
    check_assignment,
    invoice_numbers_in,
    match_line,
    same_payer,
)

A = OpenInvoice("C-2026-00001", 12_960, "EUR", "issued", ("Acme SAS", "Léa Martin"))
B = OpenInvoice("C-2026-00002", 12_960, "EUR", "issued", ("Béta Conseil", "Hugo Roux"))
PAID = OpenInvoice("C-2026-00003", 5_000, "EUR", "paid", ("Acme SAS",))
INVOICES = {i.number: i for i in (A, B, PAID)}


def line(
    amount: int = 12_960,
    refs: tuple[str, ...] = (),
    payer: str = "",
    credit: bool = True,
    reversal: bool = False,
    currency: str = "EUR",
) -> StatementLine:
    return StatementLine("k", amount, currency, credit, reversal, "2026-12-04", payer, refs)


CASES = [
    ("structured reference", line(refs=("C-2026-00001",)), LineStatus.MATCHED, A.number, ""),
    (
        "reference in free text",
        line(refs=("Facture c 2026 00002 merci",)),
        LineStatus.MATCHED,
        B.number,
        "",
    ),
    ("hyphens dropped", line(refs=("C202600001",)), LineStatus.MATCHED, A.number, ""),
    (
        "partial payment",
        line(6_000, ("C-2026-00001",)),
        LineStatus.SUSPENSE,
        None,
        "partial payment of C-2026-00001: 60.00 received, 129.60 due",
    ),
    (
        "over-payment",
        line(13_000, ("C-2026-00001",)),
        LineStatus.SUSPENSE,
        None,
        "over-payment of C-2026-00001: 130.00 received, 129.60 due",
    ),
    (
        "already paid",
        line(5_000, ("C-2026-00003",)),
        LineStatus.SUSPENSE,
        None,
        "names C-2026-00003, which is paid: it takes no payment",
    ),
    (
        "unknown invoice",
        line(refs=("C-2026-00099",)),
        LineStatus.SUSPENSE,
        None,
        "names C-2026-00099, no such invoice",
    ),
    (
        "two invoices named",
        line(refs=("C-2026-00001 C-2026-00002",)),
        LineStatus.SUSPENSE,
        None,
        "names several invoices",
    ),
    (
        "other currency",
        line(refs=("C-2026-00001",), currency="CHF"),
        LineStatus.SUSPENSE,
        None,
        "in CHF; C-2026-00001 is due in EUR",
    ),
    ("amount and payer", line(payer="ACME"), LineStatus.MATCHED, A.number, ""),
    (
        "amount and payer, accents and case",
        line(payer="lea martin"),
        LineStatus.MATCHED,
        A.number,
        "",
    ),
    (
        "amount without payer",
        line(),
        LineStatus.SUSPENSE,
        None,
        "no invoice reference, and no open invoice of this amount and payer",
    ),
    (
        "payer, other amount",
        line(12_000, payer="Acme SAS"),
        LineStatus.SUSPENSE,
        None,
        "no invoice reference, and no open invoice of this amount and payer",
    ),
    (
        "a return",
        line(refs=("C-2026-00001",), reversal=True),
        LineStatus.SUSPENSE,
        None,
        "a return (reversal) of an earlier booking",
    ),
    ("a debit of our own", line(credit=False), LineStatus.OUTGOING, None, ""),
]


@pytest.mark.parametrize(
    ("case", "given", "status", "invoice", "reason"), CASES, ids=[c[0] for c in CASES]
)
def test_line_is_matched_or_kept_in_suspense_with_its_reason(
    case: str, given: StatementLine, status: LineStatus, invoice: str | None, reason: str
) -> None:
    decision = match_line(given, INVOICES)
    assert (decision.status, decision.invoice_number, decision.reason) == (status, invoice, reason)


def test_two_invoices_of_the_same_amount_and_payer_are_not_guessed() -> None:
    twin = OpenInvoice("C-2026-00004", 12_960, "EUR", "issued", ("Acme SAS",))
    decision = match_line(line(payer="Acme"), {**INVOICES, twin.number: twin})
    assert decision.status == LineStatus.SUSPENSE
    assert decision.candidates == ["C-2026-00001", "C-2026-00004"]


@pytest.mark.parametrize(
    ("texts", "found"),
    [
        (("C-2026-00001",), ["C-2026-00001"]),
        (("c-2026-00001", "C 2026 00001"), ["C-2026-00001"]),
        (("Q-2026-00001", "C-2026-0001", "XC-2026-000011"), []),
        (("C-2026-00002 / C-2026-00001",), ["C-2026-00002", "C-2026-00001"]),
    ],
)
def test_invoice_numbers_are_read_from_remittance(texts: tuple[str, ...], found: list[str]) -> None:
    assert invoice_numbers_in(texts) == found


@pytest.mark.parametrize(
    ("payer", "names", "same"),
    [
        ("ACME SAS", ("Acme",), True),
        ("Acme Industries", ("Acme",), False),
        ("", ("Acme",), False),
        ("SAS", ("SAS",), False),  # a legal form alone names nobody
    ],
)
def test_payer_names_compare_without_case_accents_or_legal_form(
    payer: str, names: tuple[str, ...], same: bool
) -> None:
    assert same_payer(payer, names) is same


@pytest.mark.parametrize(
    ("invoice", "amount", "problem"),
    [
        (A, 12_960, None),
        (A, 12_959, "partial payment of C-2026-00001: 129.59 received, 129.60 due"),
        (PAID, 5_000, "names C-2026-00003, which is paid: it takes no payment"),
    ],
)
def test_an_assignment_pays_an_open_invoice_exactly(
    invoice: OpenInvoice, amount: int, problem: str | None
) -> None:
    assert check_assignment(invoice, amount, "EUR") == problem
