"""The commission split of SPEC §5: exact shares first, then whole cents by largest remainder.

A pure function over plain data, so the commission workflow, the API validators and the tests
all run the same rule.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from models.money import as_fraction

PLATFORM = "platform"
FOUNDER = "founder"
SELLER = "seller"

# (member id, role): one ledger posting each; the platform has no member id.
_Key = tuple[int | None, str]
# Position in the published tie order: platform, founder, affiliates by level, sellers.
_Rank = tuple[int, Fraction, int]


def affiliate_role(level: int) -> str:
    """Role of the inviter `level` steps up a seller's chain (1 = the seller's own inviter)."""
    return f"affiliate_l{level}"


@dataclass(frozen=True, slots=True)
class SellerShare:
    """A member of the sales team and its contribution in percent (the team sums to 100)."""

    member_id: int
    share: Decimal


@dataclass(frozen=True, slots=True)
class SplitPolicy:
    """Split rates frozen at acceptance, each a percent of the commission."""

    platform_fee_rate: Decimal
    founder_rate: Decimal
    affiliate_rates: tuple[Decimal, ...]


@dataclass(frozen=True, slots=True)
class Share:
    """Whole cents one party receives; member_id is None for the platform."""

    member_id: int | None
    role: str
    amount_cents: int


def validate_sales_team(team: Sequence[SellerShare]) -> None:
    """Refuse an empty team, a member named twice, a share ≤ 0, or shares not summing to 100."""
    if not team:
        raise ValueError("sales_team: must name at least one member")
    seen: set[int] = set()
    total = Fraction(0)
    for seller in team:
        if seller.member_id in seen:
            raise ValueError(f"sales_team: member {seller.member_id} appears more than once")
        seen.add(seller.member_id)
        share = as_fraction(seller.share, f"sales_team: share of member {seller.member_id}")
        if share <= 0:
            raise ValueError(f"sales_team: share of member {seller.member_id} must be above 0")
        total += share
    if total != 100:
        shown = sum((seller.share for seller in team), Decimal(0))
        raise ValueError(f"sales_team: shares must sum to 100, not {shown}")


def split_commission(
    commission_cents: int,
    policy: SplitPolicy,
    founder_id: int,
    team: Sequence[SellerShare],
    inviter_chains: Mapping[int, Sequence[int | None]],
) -> list[Share]:
    """Split a paid commission into whole-cent shares that always sum to it exactly.

    inviter_chains[seller] lists the seller's inviter, that inviter's inviter, and so on;
    None marks a removed (or absent) inviter, whose level falls to the sellers.
    """
    if isinstance(commission_cents, bool) or not isinstance(commission_cents, int):
        raise ValueError("commission: must be an integer number of cents")
    if commission_cents < 0:
        raise ValueError("commission: must not be negative")
    platform, founder, affiliates = _policy_rates(policy)
    validate_sales_team(team)
    total = Fraction(commission_cents)
    exact: dict[_Key, Fraction] = {(None, PLATFORM): total * platform / 100}
    ranks: dict[_Key, _Rank] = {(None, PLATFORM): (0, Fraction(0), 0)}
    if founder > 0:
        exact[(founder_id, FOUNDER)] = total * founder / 100
        ranks[(founder_id, FOUNDER)] = (1, Fraction(0), founder_id)
    for seller in team:
        weight = Fraction(seller.share) / 100
        chain = inviter_chains.get(seller.member_id, ())
        for level, (rate, inviter) in enumerate(zip(affiliates, chain, strict=False), start=1):
            if inviter is None:
                continue  # removed or absent: this money stays in the sellers' pool
            key = (inviter, affiliate_role(level))
            exact[key] = exact.get(key, Fraction(0)) + total * weight * rate / 100
            ranks[key] = (2, Fraction(level), inviter)
    pool = total - sum(exact.values(), Fraction(0))
    for seller in team:
        share = Fraction(seller.share)
        exact[(seller.member_id, SELLER)] = pool * share / 100
        ranks[(seller.member_id, SELLER)] = (3, -share, seller.member_id)
    return _allot_cents(commission_cents, exact, ranks)


def _policy_rates(policy: SplitPolicy) -> tuple[Fraction, Fraction, tuple[Fraction, ...]]:
    """Check every rate is within 0–100 and that together they leave the sellers ≥ 0."""
    platform = _rate(policy.platform_fee_rate, "platform_fee_rate")
    founder = _rate(policy.founder_rate, "founder_rate")
    affiliates = tuple(
        _rate(rate, f"affiliate_rates[{index}]")
        for index, rate in enumerate(policy.affiliate_rates)
    )
    # Affiliates are paid on contributions summing to 100 %, so at most Σ rates in all.
    if platform + founder + sum(affiliates, Fraction(0)) > 100:
        raise ValueError(
            "platform_fee_rate + founder_rate + affiliate_rates: must not exceed 100 in total"
        )
    return platform, founder, affiliates


def _rate(value: Decimal, field: str) -> Fraction:
    rate = as_fraction(value, field)
    if not 0 <= rate <= 100:
        raise ValueError(f"{field}: must be between 0 and 100")
    return rate


def _allot_cents(
    commission_cents: int, exact: dict[_Key, Fraction], ranks: dict[_Key, _Rank]
) -> list[Share]:
    """Largest remainder: floor every share, then hand the leftover cents out one by one."""
    cents = {key: math.floor(value) for key, value in exact.items()}
    # The exact shares sum to the commission, so fewer cents are left over than there are shares.
    leftover = commission_cents - sum(cents.values())
    by_remainder = sorted(exact, key=lambda key: (cents[key] - exact[key], ranks[key]))
    for key in by_remainder[:leftover]:
        cents[key] += 1
    return [
        Share(member_id, role, cents[(member_id, role)])
        for member_id, role in sorted(cents, key=ranks.__getitem__)
        if cents[(member_id, role)] > 0
    ]
