"""Legal identities (R20): what a party must give before its documents hold up."""

from __future__ import annotations

from collections.abc import Mapping

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
