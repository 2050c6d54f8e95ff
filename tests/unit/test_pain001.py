"""The payout run's SEPA credit transfer file: valid pain.001.001.09 by the official XSD, its
control sum the exact sum of its transfers, texts in the SEPA character set; a file no bank
would take is refused before it is written."""

from __future__ import annotations

from datetime import UTC, date, datetime
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from documents.pain001 import Debtor, Transfer, check_pain001, credit_transfer_file, sepa_text

NS = "{urn:iso:std:iso:20022:tech:xsd:pain.001.001.09}"
PLATFORM = Debtor("Arkanna SAS", "FR7630006000011234567890189", "AGRIFRPP")
WHEN = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)


def transfer(n: int, cents: int, bic: str | None = "PSSTFRPP") -> Transfer:
    return Transfer(
        f"SB-{n}-2026-00001", cents, f"Membre Éloïse n°{n}", "FR1420041010050500013M02606", bic,
        f"Self-billed invoice SB-{n}-2026-00001, payout 2026-11",
    )  # fmt: skip


def build(transfers: list[Transfer]) -> bytes:
    return credit_transfer_file(
        "ARK-PAYOUT-1-2026-11", WHEN, PLATFORM, date(2026, 12, 7), transfers
    )


def test_a_file_is_valid_and_says_what_it_pays() -> None:
    data = build([transfer(1, 14_814), transfer(2, 12_345, bic=None)])
    check_pain001(data)
    root = etree.fromstring(data)
    assert root.findtext(f".//{NS}GrpHdr/{NS}NbOfTxs") == "2"
    assert root.findtext(f".//{NS}GrpHdr/{NS}CtrlSum") == "271.59"
    assert [a.text for a in root.iter(f"{NS}InstdAmt")] == ["148.14", "123.45"]
    [first, second] = root.iter(f"{NS}CdtTrfTxInf")
    assert first.findtext(f"{NS}CdtrAgt/{NS}FinInstnId/{NS}BICFI") == "PSSTFRPP"
    assert second.find(f"{NS}CdtrAgt") is None  # the IBAN alone routes a SEPA transfer
    assert first.findtext(f"{NS}Cdtr/{NS}Nm") == "Membre Eloise n1"  # the SEPA characters
    assert first.findtext(f"{NS}RmtInf/{NS}Ustrd") == (
        "Self-billed invoice SB-1-2026-00001, payout 2026-11"
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 99_999_999), min_size=1, max_size=30))
def test_the_control_sum_is_the_exact_sum_of_the_transfers(amounts: list[int]) -> None:
    data = build([transfer(n, cents) for n, cents in enumerate(amounts)])
    check_pain001(data)
    root = etree.fromstring(data)
    exact = sum(Fraction(cents, 100) for cents in amounts)  # the oracle
    assert Fraction(root.findtext(f".//{NS}GrpHdr/{NS}CtrlSum") or "") == exact
    assert sum(Fraction(a.text or "") for a in root.iter(f"{NS}InstdAmt")) == exact
    assert root.findtext(f".//{NS}PmtInf/{NS}NbOfTxs") == str(len(amounts))


@pytest.mark.parametrize(
    ("transfers", "words"),
    [
        ([], "at least one"),
        ([transfer(1, 0)], "positive"),
        ([transfer(1, 100), transfer(1, 200)], "repeat"),
    ],
)
def test_a_file_no_bank_would_take_is_refused(transfers: list[Transfer], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        build(transfers)


def test_the_xsd_check_fails_a_broken_file() -> None:
    root = etree.fromstring(build([transfer(1, 100)]))
    header = root.find(f".//{NS}GrpHdr")
    assert header is not None
    header.remove(header.find(f"{NS}NbOfTxs"))
    with pytest.raises(ValueError, match=r"NbOfTxs|CtrlSum|InitgPty"):
        check_pain001(etree.tostring(root))


@pytest.mark.parametrize(
    ("text", "limit", "sepa"),
    [("Crème & Brûlée GmbH", 70, "Creme Brulee GmbH"), ("x" * 200, 140, "x" * 140)],
)
def test_texts_keep_to_the_sepa_characters(text: str, limit: int, sepa: str) -> None:
    assert sepa_text(text, limit) == sepa
