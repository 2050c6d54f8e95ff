"""French company identifiers (SIREN, SIRET) and country codes, checked before they are stored.

A SIREN is 9 digits and a SIRET 14 (the SIREN and a 5-digit establishment number); both end in
a Luhn check digit. La Poste's establishments are the one published exception to the SIRET's
check: their SIRETs start with La Poste's SIREN and their digits add up to a multiple of 5.
"""

from __future__ import annotations

import re

LA_POSTE_SIREN = "356000000"
_DIGITS = re.compile(r"^[0-9]+$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def luhn_valid(digits: str) -> bool:
    """The Luhn check: every second digit from the right doubled, the sum a multiple of 10."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def siren_problem(value: str) -> str | None:
    """Why `value` is not a SIREN, or None when it is one."""
    if len(value) != 9 or not _DIGITS.match(value):
        return "must be exactly 9 digits (no spaces)"
    if not luhn_valid(value):
        return "fails the SIREN check digit (Luhn)"
    return None


def siret_problem(value: str, siren: str | None = None) -> str | None:
    """Why `value` is not a SIRET (of `siren`, when given), or None when it is one."""
    if len(value) != 14 or not _DIGITS.match(value):
        return "must be exactly 14 digits (no spaces)"
    if siren is not None and not value.startswith(siren):
        return f"must start with the company's SIREN {siren}"
    if value.startswith(LA_POSTE_SIREN):
        valid = sum(int(char) for char in value) % 5 == 0
    else:
        valid = luhn_valid(value)
    return None if valid else "fails the SIRET check digit (Luhn)"


def country_problem(value: str) -> str | None:
    """Why `value` is not an ISO 3166-1 alpha-2 country code, or None."""
    return None if _COUNTRY.match(value) else "must be a two-letter ISO 3166 code, e.g. FR"
