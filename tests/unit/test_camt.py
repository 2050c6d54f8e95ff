"""camt.053/054 in: every fixture passes the official XSD; lines are read per bank shape; bad
documents are refused naming the line, the element and the rule."""

from __future__ import annotations

import pytest

from documents.camt import read_statement
from models.errors import RuleViolation
from tests.camt_fixtures import ACCOUNT, Entry, Tx, assert_valid, document


def test_structured_and_unstructured_remittance_and_their_keys() -> None:
    entries = [
        Entry("129.60", acct_ref="BNP-1", txs=[Tx(payer="Acme SAS", scor="C-2026-00001")]),
        Entry("40.00", ntry_ref="N-7", txs=[Tx(payer="Béta", ustrd="Facture C-2026-00002")]),
        Entry("12.00", info="SEPA C-2026-00003"),  # no details: the entry's own text
    ]
    (statement,) = read_statement(assert_valid(document(entries, "S-1")))
    assert (statement.kind, statement.account) == ("camt.053.001.08", ACCOUNT)
    first, second, third = statement.lines
    assert (first.key, first.amount_cents, first.payer) == (f"{ACCOUNT}|BNP-1", 12_960, "Acme SAS")
    assert first.references == ("C-2026-00001",)
    assert (second.key, second.references) == (f"{ACCOUNT}|N-7", ("Facture C-2026-00002",))
    assert third.key.startswith(f"{ACCOUNT}|h:") and third.references == ("SEPA C-2026-00003",)


def test_a_batch_booking_gives_one_line_per_transaction() -> None:
    txs = [Tx("100.00", "Acme", scor="C-2026-00001"), Tx("29.60", "Béta", ustrd="C-2026-00002")]
    data = assert_valid(document([Entry("129.60", acct_ref="BATCH-1", txs=txs)], "S-2"))
    lines = read_statement(data)[0].lines
    assert [(x.key, x.amount_cents) for x in lines] == [
        (f"{ACCOUNT}|BATCH-1|1", 10_000),
        (f"{ACCOUNT}|BATCH-1|2", 2_960),
    ]


def test_returns_debits_and_pending_entries() -> None:
    entries = [
        Entry("129.60", credit=False, reversal=True, acct_ref="RET-1"),
        Entry("3.50", credit=False, acct_ref="FEE-1"),
        Entry("10.00", acct_ref="PDNG-1", status="PDNG"),  # comes again once booked
    ]
    lines = read_statement(assert_valid(document(entries, "S-3")))[0].lines
    assert [(x.credit, x.reversal) for x in lines] == [(False, True), (False, False)]


def test_a_notification_is_read_like_a_statement() -> None:
    kind = "camt.054.001.08"
    data = assert_valid(document([Entry("5.00", acct_ref="NT-1")], "N-1", kind), kind)
    (notification,) = read_statement(data)
    assert notification.kind == kind and notification.lines[0].amount_cents == 500


def test_the_fallback_key_is_stable_and_tells_entries_apart() -> None:
    data = document([Entry("1.00"), Entry("1.00")], "S-4")
    first, second = (x.key for x in read_statement(data)[0].lines)
    assert first != second
    assert [x.key for x in read_statement(data)[0].lines] == [first, second]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"<Document><unclosed></Document>", "line 1: malformed XML"),
        (b"", "malformed XML"),
        (b"<Document xmlns='urn:x'/>", "not an ISO 20022 camt.053.001.08"),
        (
            document([Entry("12.3.4", acct_ref="X")], "S-5"),
            "line 5: Element 'Amt': '12.3.4' is not a valid value",
        ),
        (
            document([Entry("1.00", acct_ref="X", status="")], "S-6"),
            "line 5: Element 'Cd'",
        ),
    ],
    ids=["malformed", "empty", "other namespace", "bad amount", "empty status"],
)
def test_bad_documents_are_refused_by_line_element_and_rule(data: bytes, words: str) -> None:
    with pytest.raises(RuleViolation) as refused:
        read_statement(data)
    assert words in refused.value.message and refused.value.message.startswith("body: ")


def test_entities_are_not_expanded() -> None:
    evil = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<Document>&x;</Document>"
    )
    with pytest.raises(RuleViolation) as refused:
        read_statement(evil)
    assert "root" not in refused.value.message
