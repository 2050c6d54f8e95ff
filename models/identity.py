"""Legal identities (R20): what a party must give before its documents hold up."""

from __future__ import annotations

from collections.abc import Mapping

IDENTITY_FIELDS = ("address", "registration_number", "vat_id")


def missing_identity(values: Mapping[str, str | None]) -> list[str]:
    """The identity fields still empty, in the order a form asks for them."""
    return [name for name in IDENTITY_FIELDS if not values.get(name)]
