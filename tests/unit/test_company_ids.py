"""SIREN and SIRET are checked by their length, their digits and their Luhn check digit;
country codes are ISO 3166 alpha-2."""

from __future__ import annotations

import pytest

from models.company_ids import country_problem, luhn_valid, siren_problem, siret_problem


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("552100554", None),
        ("901234567", None),
        ("732829320", None),
        ("552100555", "fails the SIREN check digit (Luhn)"),
        ("812345671", "fails the SIREN check digit (Luhn)"),
        ("55210055", "must be exactly 9 digits (no spaces)"),
        ("5521005540", "must be exactly 9 digits (no spaces)"),
        ("552 100 554", "must be exactly 9 digits (no spaces)"),
        ("55210055A", "must be exactly 9 digits (no spaces)"),
        ("", "must be exactly 9 digits (no spaces)"),
    ],
)
def test_a_siren_is_nine_digits_with_a_luhn_check_digit(value: str, problem: str | None) -> None:
    assert siren_problem(value) == problem


@pytest.mark.parametrize(
    ("value", "siren", "problem"),
    [
        ("55210055400013", None, None),
        ("55210055400013", "552100554", None),
        ("55210055400014", None, "fails the SIRET check digit (Luhn)"),
        ("55210055400013", "901234567", "must start with the company's SIREN 901234567"),
        ("5521005540001", None, "must be exactly 14 digits (no spaces)"),
        ("552100554 00013", None, "must be exactly 14 digits (no spaces)"),
        # La Poste: its establishments' SIRETs add up to a multiple of 5 instead.
        ("35600000000047", None, None),
        ("35600000000049", None, "fails the SIRET check digit (Luhn)"),
    ],
)
def test_a_siret_is_fourteen_digits_of_its_siren_with_a_check_digit(
    value: str, siren: str | None, problem: str | None
) -> None:
    assert siret_problem(value, siren) == problem


@pytest.mark.parametrize(
    ("digits", "valid"), [("0", True), ("18", True), ("79927398713", True), ("79927398710", False)]
)
def test_the_luhn_check(digits: str, valid: bool) -> None:
    assert luhn_valid(digits) is valid


@pytest.mark.parametrize(
    ("value", "ok"), [("FR", True), ("DE", True), ("fr", False), ("FRA", False), ("F", False)]
)
def test_a_country_is_two_capital_letters(value: str, ok: bool) -> None:
    assert (country_problem(value) is None) is ok
