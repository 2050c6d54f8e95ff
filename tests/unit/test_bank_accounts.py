"""IBANs and BICs as members give them: normalised, checked against the registry of national
formats and banks, the SEPA zone only, never shown back in full."""

from __future__ import annotations

import pytest

from api.bank_accounts import parse_bank_account
from models.bank_accounts import masked_iban
from models.errors import RuleViolation


@pytest.mark.parametrize(
    ("iban", "bic", "compact", "found_bic"),
    [
        ("FR14 2004 1010 0505 0001 3M02 606", None, "FR1420041010050500013M02606", "PSSTFRPP"),
        ("fr1420041010050500013m02606", "PSSTFRPP", "FR1420041010050500013M02606", "PSSTFRPP"),
        ("DE89 3704 0044 0532 0130 00", "COBADEFFXXX", "DE89370400440532013000", "COBADEFFXXX"),
        ("BE71 0961 2345 6769", None, "BE71096123456769", None),
        ("IT60 X054 2811 1010 0000 0123 456", "BPMOIT22XXX", "IT60X0542811101000000123456",
         "BPMOIT22XXX"),
    ],
)  # fmt: skip
def test_a_valid_account_is_kept_compact(
    iban: str, bic: str | None, compact: str, found_bic: str | None
) -> None:
    account = parse_bank_account(iban, bic)
    assert account.iban == compact
    if found_bic is not None:
        assert account.bic == found_bic


@pytest.mark.parametrize(
    ("iban", "bic", "field", "words"),
    [
        ("FR14 2004 1010 0505 0001 3M02 607", None, "iban", "checksum"),
        ("US12 3456", None, "iban", "not a valid IBAN"),
        ("BR15 0000 0000 0000 1093 2840 814P 2", None, "iban", "outside the SEPA zone"),
        ("FR14 2004 1010 0505 0001 3M02 606", "AGRIXXPP", "bic", "not a valid BIC"),
        ("FR14 2004 1010 0505 0001 3M02 606", "COBADEFFXXX", "bic", "country"),
    ],
)
def test_a_bad_account_is_refused_naming_the_field_and_the_rule(
    iban: str, bic: str | None, field: str, words: str
) -> None:
    with pytest.raises(RuleViolation) as refused:
        parse_bank_account(iban, bic)
    assert refused.value.field == field
    assert words.lower() in refused.value.message.lower()


@pytest.mark.parametrize(
    ("iban", "shown"),
    [
        ("FR1420041010050500013M02606", "FR14 •••• 2606"),
        ("DE89 3704 0044 0532 0130 00", "DE89 •••• 3000"),
        ("X", "••••"),
    ],
)
def test_an_account_is_shown_masked(iban: str, shown: str) -> None:
    assert masked_iban(iban) == shown
