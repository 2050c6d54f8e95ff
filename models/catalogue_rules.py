"""Catalogue and membership rules (R1–R6) as plain functions over plain values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from models.domain import MemberStatus, OfferStatus, Procurement, Segment
from models.errors import Conflict, Forbidden, RuleViolation

MAX_COMMISSION_RATE = Decimal(50)
DAY = 86_400
# Durations are stored as 32-bit seconds and added to dates: ten years is far beyond any deadline.
MAX_DURATION = 3650 * DAY
# Row ids are 32-bit integers; a larger id can name nothing and must not reach the database.
MAX_ID = 2**31 - 1


@dataclass(frozen=True, slots=True)
class ClusterDefaults:
    """SPEC's defaults; durations in seconds, rates in percent."""

    approval_timeout: int = 3 * DAY
    reminder_interval: int = DAY
    revision_timeout: int = 14 * DAY
    validity: int = 30 * DAY
    payment_terms: int = 30 * DAY
    invitation_ttl: int = 14 * DAY
    platform_fee_rate: Decimal = Decimal(10)
    founder_rate: Decimal = Decimal(0)
    affiliate_rates: tuple[Decimal, ...] = (Decimal(10), Decimal(5))
    default_tax_rate: Decimal = Decimal(20)


# §12: how the commission is shared and what tax offers carry are the platform's to set.
OPERATOR_ONLY_SETTINGS = (
    "platform_fee_rate",
    "founder_rate",
    "affiliate_rates",
    "default_tax_rate",
    "payout_hold_days",
    "payout_threshold",
)


def check_founder_may_set(names: set[str]) -> None:
    """§12: the founder changes the cluster's durations; the rates and the payout terms are
    the operator's alone."""
    for name in OPERATOR_ONLY_SETTINGS:
        if name in names:
            raise Forbidden(
                "only an operator changes this setting; the founder sets durations", field=name
            )


def check_split_rates(
    platform_fee_rate: Decimal, founder_rate: Decimal, affiliate_rates: tuple[Decimal, ...]
) -> None:
    """Every share of a commission comes out of it: the fixed parts cannot exceed 100 %."""
    total = platform_fee_rate + founder_rate + sum(affiliate_rates, Decimal(0))
    if total > 100:
        raise RuleViolation(
            f"platform_fee_rate + founder_rate + affiliate_rates add up to {total} %, "
            "more than the 100 % of the commission",
            field="settings",
        )


def check_invitation_usable(
    *, now: datetime, expires_at: datetime, used_at: datetime | None, inviter: MemberStatus
) -> None:
    """R1: a code is single-use and expires; a removed inviter's codes die with it."""
    if used_at is not None:
        raise RuleViolation("this invitation code has already been used", field="invitation_code")
    if now >= expires_at:
        raise RuleViolation("this invitation code has expired", field="invitation_code")
    if inviter is not MemberStatus.ACTIVE:
        raise RuleViolation(
            "the member who sent this invitation is no longer in the cluster",
            field="invitation_code",
        )


def check_not_self_invite(inviter_email: str, invitee_email: str) -> None:
    """The inviter graph stays a forest: nobody invites their own address."""
    if inviter_email.strip().lower() == invitee_email.strip().lower():
        raise RuleViolation("you cannot invite yourself", field="email")


def check_segment(segment: str) -> Segment:
    """R4: the cluster sells to businesses only."""
    # Any spelling of B2C gets the rule, not only a format complaint.
    if segment.strip().upper() == Segment.B2C:
        raise RuleViolation(
            "B2C offers are refused: the cluster targets the B2B segment only", field="segment"
        )
    if segment != Segment.B2B:
        raise RuleViolation('must be "B2B"', field="segment")
    return Segment.B2B


def check_procurement(procurement: str) -> Procurement:
    try:
        return Procurement(procurement)
    except ValueError:
        raise RuleViolation('must be "direct" or "resell"', field="procurement") from None


@dataclass(frozen=True, slots=True)
class FounderOfferFacts:
    """What R5 needs to know of the offer a founder component points at."""

    owner_is_founder: bool
    status: OfferStatus


def check_founder_component(
    *,
    owner_is_founder: bool,
    has_component: bool,
    target: FounderOfferFacts | None,
    founder_price_cents: int | None,
    unit_price_cents: int,
) -> None:
    """R5: every non-founder offer embeds a validated founder offer, priced within the unit price."""
    field = "founder_component"
    if owner_is_founder:
        if has_component:
            raise RuleViolation("the founder's own offers embed no founder component", field=field)
        return
    if not has_component:
        raise RuleViolation(
            "required: every offer must embed a part of the founder's service", field=field
        )
    if target is None or not target.owner_is_founder:
        raise RuleViolation(
            "must point at an offer of the cluster's founder", field=f"{field}.offer_id"
        )
    if target.status is not OfferStatus.VALIDATED:
        raise RuleViolation("the founder offer must be validated", field=f"{field}.offer_id")
    if founder_price_cents is not None and founder_price_cents > unit_price_cents:
        raise RuleViolation(
            "the founder's part cannot exceed the offer's unit price",
            field=f"{field}.founder_price",
        )


def check_offer_decision(status: OfferStatus, decision: str, reason: str | None) -> OfferStatus:
    """R6: only a pending offer is decided; a refusal says why."""
    if decision not in ("validate", "refuse"):
        raise RuleViolation('must be "validate" or "refuse"', field="decision")
    if status is not OfferStatus.PENDING:
        raise Conflict(f"the offer is already {status.value}; only a pending offer is decided")
    if decision == "refuse":
        if not reason:
            raise RuleViolation("a refusal must give a reason", field="reason")
        return OfferStatus.REFUSED
    return OfferStatus.VALIDATED


def check_withdrawable(status: OfferStatus, *, is_owner: bool) -> None:
    if not is_owner:
        raise Forbidden("only the offer's owner can withdraw it")
    if status is OfferStatus.WITHDRAWN:
        raise Conflict("the offer is already withdrawn")


def check_removable(*, target_is_founder: bool, target_status: MemberStatus) -> None:
    """R2: the founder removes members; the founder itself cannot be removed."""
    if target_is_founder:
        raise RuleViolation("the founder cannot be removed from its cluster", field="member_id")
    if target_status is MemberStatus.REMOVED:
        raise Conflict("the member is already removed")
