"""Request payloads of the catalogue and membership API: strict, with messages that name the rule."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    ValidationInfo,
    field_validator,
)

from models.money import parse_money, parse_percent
from models.rules import MAX_COMMISSION_RATE


def _money(value: Any, info: ValidationInfo) -> int:
    return parse_money(value, info.field_name or "amount", non_negative=True)


def _percent(value: Any, info: ValidationInfo) -> Decimal:
    return parse_percent(value, info.field_name or "rate")


def _quantity(value: Any, info: ValidationInfo) -> Decimal:
    field = info.field_name or "quantity"
    if isinstance(value, float | bool) or not isinstance(value, str | int | Decimal):
        raise ValueError(f'{field}: must be a decimal string like "2.5"')
    try:
        quantity = Decimal(str(value).strip())
    except ArithmeticError:
        raise ValueError(f'{field}: must be a decimal string like "2.5"') from None
    if not quantity.is_finite() or quantity <= 0:
        raise ValueError(f"{field}: must be greater than 0")
    if quantity.as_tuple().exponent < -4:  # type: ignore[operator]
        raise ValueError(f"{field}: at most four decimals")
    return quantity


Cents = Annotated[int, BeforeValidator(_money), Field(json_schema_extra={"example": "1200.00"})]
Percent = Annotated[Decimal, BeforeValidator(_percent), Field(json_schema_extra={"example": "10"})]
Quantity = Annotated[Decimal, BeforeValidator(_quantity), Field(json_schema_extra={"example": "1"})]
Text = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(min_length=1, max_length=20_000)]


class Strict(BaseModel):
    """Unknown fields are refused: a typo must not silently drop a value."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Party(Strict):
    name: Text = Field(description="Full name of the person.")
    company: Text = Field(description="Company the person represents.")
    email: EmailStr = Field(description="Where the product writes to this person.")


class SettingsUpdate(Strict):
    approval_timeout: timedelta | None = Field(None, description="Suppliers' time to decide.")
    reminder_interval: timedelta | None = Field(None, description="Between approval reminders.")
    revision_timeout: timedelta | None = Field(None, description="Seller's time to revise.")
    validity: timedelta | None = Field(None, description="How long a sent quote stays valid.")
    payment_terms: timedelta | None = Field(None, description="Commission invoices' due delay.")
    invitation_ttl: timedelta | None = Field(None, description="Lifetime of an invitation code.")
    platform_fee_rate: Percent | None = Field(None, description="Arkanna's part, in percent.")
    founder_rate: Percent | None = Field(None, description="The founder's part, in percent.")
    affiliate_rates: list[Percent] | None = Field(
        None, max_length=10, description="Inviter, inviter's inviter, …, in percent."
    )

    @field_validator(
        "approval_timeout",
        "reminder_interval",
        "revision_timeout",
        "validity",
        "payment_terms",
        "invitation_ttl",
    )
    @classmethod
    def _positive_whole_seconds(cls, value: timedelta | None, info: ValidationInfo) -> Any:
        if value is not None and (value.total_seconds() < 1 or value.microseconds):
            raise ValueError(f"{info.field_name}: must be a whole number of seconds, at least 1")
        return value


class ClusterCreate(Strict):
    name: Text = Field(description="Name of the cluster.")
    currency: str = Field(
        pattern=r"^[A-Z]{3}$", description="ISO 4217 code of every amount (e.g. EUR)."
    )
    founder: Party = Field(description="The founding member; gets the first API key.")
    settings: SettingsUpdate | None = Field(None, description="Overrides of the defaults.")


class InvitationCreate(Strict):
    email: EmailStr = Field(description="Address of the contact to invite.")


class MemberCreate(Strict):
    invitation_code: str = Field(min_length=1, max_length=100, description="Code received.")
    name: Text
    company: Text
    email: EmailStr


class FounderComponentIn(Strict):
    offer_id: int = Field(gt=0, description="A validated offer of the founder.")
    quantity: Quantity = Field(description="Founder units embedded per unit of this offer.")
    founder_price: Cents = Field(
        description="Part of this offer's unit price that is the founder's."
    )


class OfferCreate(Strict):
    name: Text
    description: LongText
    unit: Annotated[str, Field(min_length=1, max_length=50)] = Field(description="e.g. day, unit")
    unit_price: Cents = Field(description="Price of one unit, before discount.")
    segment: str = Field(description='Must be "B2B": the cluster sells to businesses only.')
    commission_rate: Percent = Field(description="Percent of each line's net paid as commission.")
    procurement: str = Field(description='"direct" (client buys from supplier) or "resell".')
    max_discount: Percent = Field(description="Largest discount a seller may grant, in percent.")
    founder_component: FounderComponentIn | None = Field(
        None, description="The founder's service embedded in the offer (required for non-founders)."
    )
    playbook: LongText = Field(description="How to sell it: the sales playbook.")

    @field_validator("commission_rate")
    @classmethod
    def _commission_cap(cls, value: Decimal) -> Decimal:
        if value > MAX_COMMISSION_RATE:
            raise ValueError(f"commission_rate: must be between 0 and {MAX_COMMISSION_RATE}")
        return value


class OfferDecision(Strict):
    decision: str = Field(description='"validate" or "refuse".')
    reason: Annotated[str, Field(max_length=2000)] | None = Field(
        None, description="Why the offer is refused (required to refuse)."
    )


class ClientCreate(Strict):
    company: Text
    contact_name: Text
    email: EmailStr
