"""Legal identities (R20): what a party must give before its documents hold up."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

REQUIRED_FIELDS = ("address", "registration_number", "vat_id")
# Structured for e-invoices (R25): the SIREN and SIRET apart from the registration text, the
# postal address in lines, postcode, city and country.
STRUCTURED_FIELDS = (
    "siren", "siret", "address_line1", "address_line2", "postcode", "city", "country"
)  # fmt: skip
IDENTITY_FIELDS = REQUIRED_FIELDS + STRUCTURED_FIELDS


def missing_identity(values: Mapping[str, str | None]) -> list[str]:
    """The identity fields still empty, in the order a form asks for them."""
    return [name for name in REQUIRED_FIELDS if not values.get(name)]


@dataclass(frozen=True)
class PostalAddress:
    """A postal address as structured invoices carry it (R25)."""

    lines: tuple[str, ...]
    postcode: str
    city: str
    country: str


@dataclass(frozen=True)
class LegalIdentity:
    """A party as an invoice names it: whatever of its legal identity the store has."""

    legal_name: str
    address: str = ""
    registration: str = ""
    vat_id: str = ""
    email: str = ""
    siren: str = ""
    siret: str = ""
    postal: PostalAddress | None = None


LATE_PAYMENT = (
    "Late payment bears interest at the European Central Bank's refinancing rate plus 10 "
    "percentage points, from the day after the due date."
)
EARLY_PAYMENT = "No discount for early payment."


@dataclass(frozen=True)
class SellerTerms:
    """What the seller's invoices state by law (R25): its legal form and capital, its VAT
    regime for services, its late-payment and early-payment terms."""

    legal_form: str = ""
    share_capital: str = ""
    vat_on_debits: bool = False
    late_payment: str = LATE_PAYMENT
    early_payment: str = EARLY_PAYMENT


@dataclass(frozen=True)
class PlatformIdentity:
    """The platform's identity and bank details, from its configuration (R20, R25)."""

    legal_name: str
    address: str
    registration: str
    vat_id: str
    iban: str
    bic: str
    siren: str = ""
    siret: str = ""
    postal: PostalAddress | None = None
    terms: SellerTerms = SellerTerms()


def postal_address(
    lines: tuple[str, ...], postcode: str, city: str, country: str
) -> PostalAddress | None:
    """The structured address when its city and country are known; None makes documents fall
    back on the address text."""
    if not (city and country):
        return None
    return PostalAddress(tuple(line for line in lines if line), postcode, city, country)
