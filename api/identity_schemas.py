"""Legal identities in requests (R20, R25): strict, with messages that name the field and rule."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from models.company_ids import country_problem, siren_problem, siret_problem

# Tab, newline and carriage return are text; other control characters are not (and PostgreSQL
# refuses NUL outright).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
Line = Annotated[str, Field(min_length=1, max_length=200)]
_RULES = {"siren": siren_problem, "siret": siret_problem, "country": country_problem}


class Strict(BaseModel):
    """Unknown fields are refused: a typo must not silently drop a value."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_control_characters(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str) and _CONTROL.search(value):
            raise ValueError(f"{info.field_name}: must not contain control characters")
        return value


class IdentityUpdate(Strict):
    """A legal identity as documents print it (R20); a field left out stays as it is, null
    clears it."""

    address: Annotated[str, Field(min_length=1, max_length=500)] | None = Field(
        None, description="Billing address; line breaks are kept."
    )
    registration_number: Annotated[str, Field(min_length=1, max_length=100)] | None = Field(
        None, description="Registration text as printed (e.g. RCS Paris 552 100 554, HRB 42)."
    )
    vat_id: Annotated[str, Field(min_length=1, max_length=100)] | None = Field(
        None, description="VAT identification number."
    )
    siren: str | None = Field(None, description="French SIREN: 9 digits, Luhn-checked.")
    siret: str | None = Field(
        None, description="French SIRET of the billed establishment: 14 digits, its SIREN first."
    )
    address_line1: Line | None = Field(None, description="Postal address, first line.")
    address_line2: Line | None = Field(None, description="Postal address, second line.")
    postcode: Annotated[str, Field(min_length=1, max_length=20)] | None = None
    city: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    country: str | None = Field(None, description="ISO 3166-1 alpha-2 code, e.g. FR.")

    @field_validator("siren", "siret", "country")
    @classmethod
    def _identifier(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        problem = _RULES[str(info.field_name)](value)
        if problem:
            raise ValueError(f"{info.field_name}: {problem}")
        return value

    @model_validator(mode="after")
    def _siret_of_siren(self) -> Self:
        if self.siren and self.siret and not self.siret.startswith(self.siren):
            raise ValueError(f"siret: must start with the company's SIREN {self.siren}")
        return self


class Identity(IdentityUpdate):
    """Optional at creation: what is missing is listed by GET /members/me."""


class MemberUpdate(IdentityUpdate):
    """A member's identity, and where and how its payouts are made (R27)."""

    iban: Annotated[str, Field(min_length=1, max_length=42)] | None = Field(
        None,
        description="The account payouts go to (SEPA zone); spaces allowed. A change holds "
        "payouts for 48 hours. Never shown back in full.",
    )
    bic: Annotated[str, Field(min_length=1, max_length=11)] | None = Field(
        None, description="The bank's BIC; derived from the IBAN when left out and known."
    )
    vat_regime: Literal["french_vat", "eu_reverse_charge", "franchise"] | None = Field(
        None,
        description="The VAT of your self-billed invoices: French VAT, reverse charge (a "
        "member VAT-registered in another EU country) or franchise en base (art. 293 B CGI). "
        "Left unset: French VAT in France, reverse charge elsewhere.",
    )
