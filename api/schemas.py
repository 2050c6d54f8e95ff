"""Request payloads of the catalogue and membership API: strict, with messages that name the rule."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import EmailStr, Field, field_validator

from api.fields import Duration, Money, Percent, Quantity
from api.identity_schemas import Identity, Strict
from api.identity_schemas import IdentityUpdate as IdentityUpdate
from models.catalogue_rules import MAX_COMMISSION_RATE, MAX_ID
from models.money import format_percent

Text = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(min_length=1, max_length=20_000)]
Id = Annotated[int, Field(gt=0, le=MAX_ID)]


class Party(Identity):
    name: Text = Field(description="Full name of the person.")
    company: Text = Field(description="Company the person represents.")
    email: EmailStr = Field(description="Where the product writes to this person.")


class SettingsUpdate(Strict):
    approval_timeout: Duration | None = Field(None, description="Suppliers' time to decide.")
    reminder_interval: Duration | None = Field(None, description="Between approval reminders.")
    revision_timeout: Duration | None = Field(None, description="Seller's time to revise.")
    validity: Duration | None = Field(None, description="How long a sent quote stays valid.")
    payment_terms: Duration | None = Field(None, description="Commission invoices' due delay.")
    invitation_ttl: Duration | None = Field(None, description="Lifetime of an invitation code.")
    platform_fee_rate: Percent | None = Field(None, description="Arkanna's part, in percent.")
    founder_rate: Percent | None = Field(None, description="The founder's part, in percent.")
    affiliate_rates: list[Percent] | None = Field(
        None, max_length=10, description="Inviter, inviter's inviter, …, in percent."
    )
    default_tax_rate: Percent | None = Field(None, description="New offers' tax rate, percent.")
    payout_hold_days: int | None = Field(
        None, ge=0, le=365, description="Days a share stays pending after its invoice's payment."
    )
    payout_threshold: Money | None = Field(
        None, description="The available balance a member is paid out from."
    )


class ClusterCreate(Strict):
    name: Text = Field(description="Name of the cluster.")
    currency: str = Field(
        pattern=r"^[A-Z]{3}$", description="ISO 4217 code of every amount (e.g. EUR)."
    )
    founder: Party = Field(description="The founding member; gets the first API key.")
    settings: SettingsUpdate | None = Field(None, description="Overrides of the defaults.")


class InvitationCreate(Strict):
    email: EmailStr = Field(description="Address of the contact to invite.")


class MemberCreate(Identity):
    invitation_code: str = Field(min_length=1, max_length=100, description="Code received.")
    name: Text
    company: Text
    email: EmailStr


class FounderComponentIn(Strict):
    offer_id: Id = Field(description="A validated offer of the founder.")
    quantity: Quantity = Field(description="Founder units embedded per unit of this offer.")
    founder_price: Money = Field(
        description="Part of this offer's unit price that is the founder's."
    )


class OfferCreate(Strict):
    name: Text
    description: LongText
    unit: Annotated[str, Field(min_length=1, max_length=50)] = Field(description="e.g. day, unit")
    unit_price: Money = Field(description="Price of one unit, before discount.")
    segment: str = Field(description='Must be "B2B": the cluster sells to businesses only.')
    commission_rate: Percent = Field(description="Percent of each line's net paid as commission.")
    procurement: str = Field(description='"direct" (client buys from supplier) or "resell".')
    max_discount: Percent = Field(description="Largest discount a seller may grant, in percent.")
    founder_component: FounderComponentIn | None = Field(
        None, description="The founder's service embedded in the offer (required for non-founders)."
    )
    playbook: LongText = Field(description="How to sell it: the sales playbook.")
    tax_rate: Percent | None = Field(
        None, description="Tax on its lines, percent (default: the cluster's default_tax_rate)."
    )

    @field_validator("commission_rate")
    @classmethod
    def _commission_cap(cls, value: Decimal) -> Decimal:
        if value > MAX_COMMISSION_RATE:
            raise ValueError(
                f"commission_rate: must be within 0–{format_percent(MAX_COMMISSION_RATE)} %"
            )
        return value


class OfferDecision(Strict):
    decision: str = Field(description='"validate" or "refuse".')
    reason: Annotated[str, Field(max_length=2000)] | None = Field(
        None, description="Why the offer is refused (required to refuse)."
    )


class ClientCreate(Identity):
    company: Text
    contact_name: Text
    email: EmailStr


class LineIn(Strict):
    offer_id: Id = Field(description="A validated offer of your cluster.")
    quantity: Quantity = Field(description="How many units; more than 0.")
    discount: Percent = Field(Decimal(0), description="Percent off, at most the offer's maximum.")


class TeamShareIn(Strict):
    member_id: Id = Field(description="A member of the cluster.")
    share: Percent = Field(description="Contribution in percent; the team sums to 100.")


class QuoteContent(Strict):
    lines: list[LineIn] = Field(min_length=1, max_length=100, description="At least one line.")
    sales_team: list[TeamShareIn] | None = Field(
        None, max_length=20, description="Sellers and contributions (default: you, 100 %)."
    )
    note: Annotated[str, Field(max_length=5000)] | None = Field(None, description="For the client.")


class QuoteCreate(QuoteContent):
    client_id: Id = Field(description="One of your clients.")


class DecisionIn(Strict):
    revision: int = Field(gt=0, description="The revision you decide on (the current one).")
    decision: str = Field(description='"approve" or "reject".')
    comment: Annotated[str, Field(max_length=5000)] | None = None


class CancelIn(Strict):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class AcceptIn(Strict):
    signer_name: Annotated[str, Field(min_length=2, max_length=200)] = Field(
        description="Your full name, typed: it is your signature."
    )
    po_reference: Annotated[str, Field(max_length=200)] | None = Field(
        None, description="Your purchase-order reference, if any."
    )


class DeclineIn(Strict):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class ApproveIn(Strict):
    """A supplier's approval from its link."""

    comment: Annotated[str, Field(max_length=5000)] | None = None


class RejectIn(Strict):
    """A supplier's rejection from its link: the comment says what must change."""

    comment: Annotated[str, Field(min_length=1, max_length=5000)] = Field(
        description="What must change for you to approve."
    )
