"""Response bodies (the XRead side of the schemas) and the functions that build them from rows."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Generic, TypeVar

from pydantic import BaseModel, Field

from api.fields import DurationText, MoneyText, PercentText, QuantityText
from models.bank_accounts import masked_iban
from models.domain import MemberStatus, OfferStatus, Procurement, Segment
from models.identity import IDENTITY_FIELDS, missing_identity
from models.money import format_cents, format_percent
from models.payout_runs import vat_regime_of
from store.membership import affiliate_rates_of
from store.tables import Client, Cluster, Member, Offer

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next: str | None = Field(None, description="Pass as `cursor` to get the next page.")


class SettingsRead(BaseModel):
    approval_timeout: DurationText
    reminder_interval: DurationText
    revision_timeout: DurationText
    validity: DurationText
    payment_terms: DurationText
    invitation_ttl: DurationText
    platform_fee_rate: PercentText
    founder_rate: PercentText
    affiliate_rates: list[PercentText]
    default_tax_rate: PercentText
    payout_hold_days: int = Field(description="Days a share stays pending after payment.")
    payout_threshold: MoneyText = Field(description="Members are paid out from this balance.")


class ClusterRead(BaseModel):
    id: int
    name: str
    currency: str
    founder_id: int | None
    settings: SettingsRead


class IssuedKey(BaseModel):
    id: int
    api_key: str = Field(description="Shown once; store it: only its hash is kept.")


class ClusterCreated(ClusterRead):
    founder: IssuedKey


class IdentityRead(BaseModel):
    address: str | None = Field(None, description="Billing address, as documents print it.")
    registration_number: str | None = None
    vat_id: str | None = None
    siren: str | None = None
    siret: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    postcode: str | None = None
    city: str | None = None
    country: str | None = None


class MemberRead(IdentityRead):
    id: int
    cluster_id: int
    name: str
    company: str
    email: str
    invited_by: int | None
    is_founder: bool
    status: MemberStatus


class MemberSelf(MemberRead):
    missing_identity: list[str] = Field(
        description="Identity fields still to give (PATCH /members/me) before documents name you."
    )
    bank_account: str | None = Field(
        default=None, description="The IBAN payouts go to, masked: only its last digits shown."
    )
    bic: str | None = None
    bank_changed_at: datetime | None = Field(
        default=None, description="Payouts are held for 48 hours after a change."
    )
    vat_regime: str = Field(
        default="french_vat",
        description="The VAT of your self-billed invoices: french_vat, eu_reverse_charge or "
        "franchise.",
    )


class MemberCreated(BaseModel):
    id: int
    api_key: str = Field(description="Shown once; store it: only its hash is kept.")
    invited_by: int
    cluster_id: int


class InvitationRead(BaseModel):
    id: int
    email: str
    inviter_id: int
    expires_at: datetime
    used: bool


class InvitationCreated(BaseModel):
    code: str = Field(description="Single-use code to give the invited contact.")
    expires_at: datetime


class FounderComponentRead(BaseModel):
    offer_id: int
    quantity: QuantityText
    founder_price: MoneyText


class OfferRead(BaseModel):
    id: int
    owner_id: int
    name: str
    description: str
    unit: str
    unit_price: MoneyText
    segment: Segment
    commission_rate: PercentText
    procurement: Procurement
    max_discount: PercentText
    tax_rate: PercentText
    founder_component: FounderComponentRead | None
    playbook: str
    status: OfferStatus
    refusal_reason: str | None
    withdrawal_reason: str | None = Field(
        None, description='Why the platform withdrew it ("owner removed"); null otherwise.'
    )


class ClientRead(IdentityRead):
    id: int
    company: str
    contact_name: str
    email: str
    owner_id: int


def settings_view(cluster: Cluster) -> SettingsRead:
    return SettingsRead(
        approval_timeout=timedelta(seconds=cluster.approval_timeout),
        reminder_interval=timedelta(seconds=cluster.reminder_interval),
        revision_timeout=timedelta(seconds=cluster.revision_timeout),
        validity=timedelta(seconds=cluster.validity),
        payment_terms=timedelta(seconds=cluster.payment_terms),
        invitation_ttl=timedelta(seconds=cluster.invitation_ttl),
        platform_fee_rate=format_percent(cluster.platform_fee_rate),
        founder_rate=format_percent(cluster.founder_rate),
        affiliate_rates=[format_percent(rate) for rate in affiliate_rates_of(cluster)],
        default_tax_rate=format_percent(cluster.default_tax_rate),
        payout_hold_days=cluster.payout_hold_days,
        payout_threshold=format_cents(cluster.payout_threshold_cents),
    )


def cluster_view(cluster: Cluster) -> ClusterRead:
    return ClusterRead(
        id=cluster.id,
        name=cluster.name,
        currency=cluster.currency,
        founder_id=cluster.founder_id,
        settings=settings_view(cluster),
    )


def identity_view(row: Member | Client) -> dict[str, str | None]:
    return {name: getattr(row, name) for name in IDENTITY_FIELDS}


def member_self_view(member: Member) -> MemberSelf:
    view = member_view(member)
    return MemberSelf(
        **view.model_dump(),
        missing_identity=missing_identity(identity_view(member)),
        bank_account=masked_iban(member.iban) if member.iban else None,
        bic=member.bic,
        bank_changed_at=member.bank_changed_at,
        vat_regime=vat_regime_of(member.vat_regime, member.country).value,
    )


def member_view(member: Member) -> MemberRead:
    return MemberRead(
        id=member.id,
        cluster_id=member.cluster_id,
        name=member.name,
        company=member.company,
        email=member.email,
        invited_by=member.invited_by_id,
        is_founder=member.is_founder,
        status=member.status,
        **identity_view(member),
    )


def offer_view(offer: Offer) -> OfferRead:
    component = None
    if offer.founder_offer_id is not None:
        component = FounderComponentRead(
            offer_id=offer.founder_offer_id,
            quantity=format_percent(offer.founder_quantity or 0),  # same exact spelling
            founder_price=format_cents(offer.founder_price_cents or 0),
        )
    return OfferRead(
        id=offer.id,
        owner_id=offer.owner_id,
        name=offer.name,
        description=offer.description,
        unit=offer.unit,
        unit_price=format_cents(offer.unit_price_cents),
        segment=offer.segment,
        commission_rate=format_percent(offer.commission_rate),
        procurement=offer.procurement,
        max_discount=format_percent(offer.max_discount),
        tax_rate=format_percent(offer.tax_rate),
        founder_component=component,
        playbook=offer.playbook,
        status=offer.status,
        refusal_reason=offer.refusal_reason,
        withdrawal_reason=offer.withdrawal_reason,
    )


def client_view(client: Client) -> ClientRead:
    return ClientRead(
        id=client.id,
        company=client.company,
        contact_name=client.contact_name,
        email=client.email,
        owner_id=client.owner_id,
        **identity_view(client),
    )
