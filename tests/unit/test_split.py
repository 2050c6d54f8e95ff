"""Commission split (SPEC §5): hand-computed tables, then properties against a Fraction oracle."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.split import (
    SellerShare,
    Share,
    SplitPolicy,
    split_commission,
    validate_sales_team,
)

D = Decimal
PROPERTY = settings(max_examples=10_000, deadline=None, database=None)
DEFAULT = SplitPolicy(D(10), D(0), (D(10), D(5)))
FOUNDER_ID = 1


def policy(platform: str, founder: str, *affiliates: str) -> SplitPolicy:
    return SplitPolicy(D(platform), D(founder), tuple(D(rate) for rate in affiliates))


def team(*shares: tuple[int, str]) -> list[SellerShare]:
    return [SellerShare(member_id, D(share)) for member_id, share in shares]


def rows(shares: list[Share]) -> list[tuple[int | None, str, int]]:
    return [(share.member_id, share.role, share.amount_cents) for share in shares]


CASES = {
    "default policy, seller with two inviters": (
        10000,
        DEFAULT,
        team((5, "100")),
        {5: [3, 1]},
        [
            (None, "platform", 1000),
            (3, "affiliate_l1", 1000),
            (1, "affiliate_l2", 500),
            (5, "seller", 7500),
        ],
    ),
    "three-level affiliate chain": (
        10000,
        policy("10", "0", "10", "5", "2.5"),
        team((5, "100")),
        {5: [4, 3, 1]},
        [
            (None, "platform", 1000),
            (4, "affiliate_l1", 1000),
            (3, "affiliate_l2", 500),
            (1, "affiliate_l3", 250),
            (5, "seller", 7250),
        ],
    ),
    "chain longer than the rates: the fourth inviter earns nothing": (
        10000,
        DEFAULT,
        team((5, "100")),
        {5: [4, 3, 1]},
        [
            (None, "platform", 1000),
            (4, "affiliate_l1", 1000),
            (3, "affiliate_l2", 500),
            (5, "seller", 7500),
        ],
    ),
    "removed level-1 inviter falls to the seller, level 2 still earns": (
        10000,
        DEFAULT,
        team((5, "100")),
        {5: [None, 1]},
        [(None, "platform", 1000), (1, "affiliate_l2", 500), (5, "seller", 8500)],
    ),
    "no inviter (the founder sells): both levels fall to the seller": (
        10000,
        DEFAULT,
        team((1, "100")),
        {},
        [(None, "platform", 1000), (1, "seller", 9000)],
    ),
    "founder rate": (
        10000,
        policy("10", "5", "10"),
        team((5, "100")),
        {5: [1]},
        [
            (None, "platform", 1000),
            (1, "founder", 500),
            (1, "affiliate_l1", 1000),
            (5, "seller", 7500),
        ],
    ),
    # 11 (50 %, inviters 21 then 1), 12 (30 %, inviter 1), 13 (20 %, inviter removed, then 1).
    # Affiliates: 21 l1 500; 1 l1 300; 1 l2 250 + 100. Pool 10000 − 1000 − 1150 = 7850.
    "sales team of three": (
        10000,
        DEFAULT,
        team((13, "20"), (11, "50"), (12, "30")),
        {11: [21, 1], 12: [1], 13: [None, 1]},
        [
            (None, "platform", 1000),
            (1, "affiliate_l1", 300),
            (21, "affiliate_l1", 500),
            (1, "affiliate_l2", 350),
            (11, "seller", 3925),
            (12, "seller", 2355),
            (13, "seller", 1570),
        ],
    ),
    "one inviter of two team sellers gets one aggregated share": (
        10000,
        DEFAULT,
        team((5, "50"), (6, "50")),
        {5: [3], 6: [3]},
        [
            (None, "platform", 1000),
            (3, "affiliate_l1", 1000),
            (5, "seller", 4000),
            (6, "seller", 4000),
        ],
    ),
    # 3 earns 600 as 5's inviter and 40 % of the pool 10000 − 1000 − 600 as a seller.
    "a seller who invited a teammate earns both roles": (
        10000,
        DEFAULT,
        team((5, "60"), (3, "40")),
        {5: [3]},
        [
            (None, "platform", 1000),
            (3, "affiliate_l1", 600),
            (5, "seller", 5040),
            (3, "seller", 3360),
        ],
    ),
    # Exact: platform 1000.1, l1 1000.1, l2 500.05, seller 7500.75; floors leave 1 cent → seller.
    "largest remainder gets the leftover cent": (
        10001,
        DEFAULT,
        team((5, "100")),
        {5: [3, 1]},
        [
            (None, "platform", 1000),
            (3, "affiliate_l1", 1000),
            (1, "affiliate_l2", 500),
            (5, "seller", 7501),
        ],
    ),
    "tie: platform before seller": (
        1,
        policy("50", "0"),
        team((5, "100")),
        {},
        [(None, "platform", 1)],
    ),
    "tie: founder before affiliate": (
        1,
        policy("0", "50", "50"),
        team((5, "100")),
        {5: [7]},
        [(1, "founder", 1)],
    ),
    "tie: affiliate level 1 before level 2": (
        1,
        policy("0", "0", "50", "50"),
        team((5, "100")),
        {5: [8, 7]},
        [(8, "affiliate_l1", 1)],
    ),
    "tie: affiliate of the same level, lower member id first": (
        1,
        policy("0", "0", "100"),
        team((5, "50"), (6, "50")),
        {5: [9], 6: [4]},
        [(4, "affiliate_l1", 1)],
    ),
    "tie: larger seller share first, whatever the member id": (
        2,
        policy("0", "0"),
        team((3, "25"), (9, "75")),
        {},
        [(9, "seller", 2)],
    ),
    "tie: equal seller shares, lower member id first": (
        1,
        policy("0", "0"),
        team((9, "50"), (4, "50")),
        {},
        [(4, "seller", 1)],
    ),
    # Exact: platform 399.6, founder 99.9, l1 299.7, l2 199.8; 3 leftover cents go to .9, .8, .7.
    "rates summing to exactly 100 leave the sellers nothing": (
        999,
        policy("40", "10", "30", "20"),
        team((5, "100")),
        {5: [3, 2]},
        [
            (None, "platform", 399),
            (1, "founder", 100),
            (3, "affiliate_l1", 300),
            (2, "affiliate_l2", 200),
        ],
    ),
    "zero commission": (0, DEFAULT, team((5, "100")), {5: [3, 1]}, []),
}


@pytest.mark.parametrize(
    ("commission", "split_policy", "sales_team", "chains", "expected"),
    CASES.values(),
    ids=CASES.keys(),
)
def test_split_commission_table(
    commission: int,
    split_policy: SplitPolicy,
    sales_team: list[SellerShare],
    chains: dict[int, list[int | None]],
    expected: list[tuple[int | None, str, int]],
) -> None:
    shares = split_commission(commission, split_policy, FOUNDER_ID, sales_team, chains)
    assert rows(shares) == expected
    assert sum(share.amount_cents for share in shares) == commission


@pytest.mark.parametrize(
    ("sales_team", "message"),
    [
        ([], "sales_team: must name at least one member"),
        (team((5, "60"), (5, "40")), "sales_team: member 5 appears more than once"),
        (team((5, "60"), (6, "30")), "sales_team: shares must sum to 100, not 90"),
        (team((5, "100"), (6, "0")), "sales_team: share of member 6 must be above 0"),
        (team((5, "110"), (6, "-10")), "sales_team: share of member 6 must be above 0"),
        ([SellerShare(5, 100.0)], "sales_team: share of member 5: must be a Decimal"),  # type: ignore[arg-type]
        ([SellerShare(5, D("NaN"))], "sales_team: share of member 5: must be a finite number"),
    ],
)
def test_validate_sales_team_refuses(sales_team: list[SellerShare], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_sales_team(sales_team)
    with pytest.raises(ValueError, match=message):
        split_commission(100, DEFAULT, FOUNDER_ID, sales_team, {})


@pytest.mark.parametrize(
    ("commission", "split_policy", "message"),
    [
        (-1, DEFAULT, "commission: must not be negative"),
        (1.5, DEFAULT, "commission: must be an integer number of cents"),
        (100, policy("-1", "0"), "platform_fee_rate: must be between 0 and 100"),
        (100, policy("10", "100.01"), "founder_rate: must be between 0 and 100"),
        (100, policy("10", "0", "10", "101"), r"affiliate_rates\[1\]: must be between 0 and 100"),
        (100, policy("50", "20", "20", "10.01"), "must not exceed 100 in total"),
    ],
)
def test_split_commission_refuses(commission: int, split_policy: SplitPolicy, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        split_commission(commission, split_policy, FOUNDER_ID, team((5, "100")), {})


# Hypothesis draws are the costly part, so a case is three draws: the commission, one of the
# CONFIGS (awkward policies × team shapes × founder), and every chain from the digits of one int.
POLICIES = [
    DEFAULT,
    policy("0", "0"),
    policy("10", "5", "10", "5", "2.5"),
    policy("12.5", "3.3333", "7.25"),
    policy("33.3333", "0", "33.3333", "33.3334"),
    policy("0.01", "0.02", "0.03", "0.04", "0.05"),
    policy("100", "0"),
    policy("0", "0", "50", "50"),
    policy("1", "0", "0", "17"),
    policy("16.6667", "16.6667", "16.6667", "16.6667", "16.6666"),
]
SHARES = [
    ("100",),
    ("50", "50"),
    ("75", "25"),
    ("33.33", "33.33", "33.34"),
    ("50", "30", "20"),
    ("0.01", "99.99"),
    ("12.5", "12.5", "75"),
    ("33.3333", "33.3333", "33.3334"),
    ("25", "25", "25", "25"),
    ("0.0001", "49.9999", "25", "25"),
]
SELLER_IDS = (5, 3, 8, 2)
# Chain slot digits: 0 ends the chain, 1 is a removed inviter, 2.. are members 1..6.
CHAIN_SLOTS = (None, 1, 2, 3, 4, 5, 6)
CHAIN_DEPTH = 3
CHAIN_BASE = len(CHAIN_SLOTS) + 1


def decode_chains(code: int, sellers: Sequence[int]) -> dict[int, list[int | None]]:
    """Each seller reads CHAIN_DEPTH digits of `code`; its chain stops at the first 0."""
    chains: dict[int, list[int | None]] = {}
    for seller in sellers:
        digits = []
        for _ in range(CHAIN_DEPTH):
            code, digit = divmod(code, CHAIN_BASE)
            digits.append(digit)
        chains[seller] = [CHAIN_SLOTS[digit - 1] for digit in itertools.takewhile(bool, digits)]
    return chains


def oracle_exact(
    commission: int,
    split_policy: SplitPolicy,
    founder_id: int,
    sales_team: Sequence[SellerShare],
    chains: Mapping[int, Sequence[int | None]],
) -> dict[tuple[int | None, str], Fraction]:
    """Exact shares straight from SPEC §5, without any rounding."""
    c = Fraction(commission)
    exact: dict[tuple[int | None, str], Fraction] = defaultdict(Fraction)
    exact[(None, "platform")] = c * Fraction(split_policy.platform_fee_rate) / 100
    if split_policy.founder_rate:
        exact[(founder_id, "founder")] = c * Fraction(split_policy.founder_rate) / 100
    paid_to_affiliates = Fraction(0)
    for seller in sales_team:
        chain = chains.get(seller.member_id, [])
        for level, rate in enumerate(split_policy.affiliate_rates, start=1):
            if level <= len(chain) and chain[level - 1] is not None:
                amount = c * Fraction(seller.share) / 100 * Fraction(rate) / 100
                exact[(chain[level - 1], f"affiliate_l{level}")] += amount
                paid_to_affiliates += amount
    kept = 1 - Fraction(split_policy.platform_fee_rate + split_policy.founder_rate) / 100
    sellers_pool = c * kept - paid_to_affiliates
    for seller in sales_team:
        exact[(seller.member_id, "seller")] = sellers_pool * Fraction(seller.share) / 100
    return dict(exact)


def oracle_tie_rank(
    key: tuple[int | None, str], sales_team: Sequence[SellerShare]
) -> tuple[int, Fraction, int]:
    member_id, role = key
    if role == "platform":
        return (0, Fraction(0), 0)
    assert member_id is not None
    if role == "founder":
        return (1, Fraction(0), member_id)
    if role.startswith("affiliate_l"):
        return (2, Fraction(int(role.removeprefix("affiliate_l"))), member_id)
    share = next(seller.share for seller in sales_team if seller.member_id == member_id)
    return (3, -Fraction(share), member_id)


def check_against_oracle(
    shares: list[Share],
    exact: dict[tuple[int | None, str], Fraction],
    sales_team: list[SellerShare],
) -> None:
    commission = sum(exact.values())
    assert sum(share.amount_cents for share in shares) == commission
    amounts = {(share.member_id, share.role): share.amount_cents for share in shares}
    assert len(amounts) == len(shares), "one share per (member, role)"
    assert set(amounts) <= set(exact)
    for key, value in exact.items():
        amount = amounts.get(key, 0)
        assert amount >= 0
        assert abs(amount - value) < 1, (key, amount, value)
    # Largest remainder: a share rounded up never has a smaller remainder than one rounded down,
    # and on equal remainders it comes first in the published tie order.
    ups = [key for key in exact if amounts.get(key, 0) > exact[key]]
    downs = [key for key in exact if amounts.get(key, 0) <= exact[key]]
    for up, down in itertools.product(ups, downs):
        up_rest, down_rest = exact[up] % 1, exact[down] % 1
        assert up_rest >= down_rest
        if up_rest == down_rest:
            assert oracle_tie_rank(up, sales_team) < oracle_tie_rank(down, sales_team)
    order = [oracle_tie_rank((share.member_id, share.role), sales_team) for share in shares]
    assert order == sorted(order)


CONFIGS = list(itertools.product(POLICIES, SHARES, (FOUNDER_ID, SELLER_IDS[0])))


@PROPERTY
@given(
    commission=st.integers(0, 10**7),
    config=st.sampled_from(CONFIGS),
    chain_code=st.integers(0, CHAIN_BASE ** (CHAIN_DEPTH * len(SELLER_IDS)) - 1),
)
def test_split_matches_oracle_whatever_the_team_order(
    commission: int, config: tuple[SplitPolicy, tuple[str, ...], int], chain_code: int
) -> None:
    split_policy, shares, founder_id = config
    sales_team = [
        SellerShare(member, D(share)) for member, share in zip(SELLER_IDS, shares, strict=False)
    ]
    chains = decode_chains(chain_code, SELLER_IDS[: len(shares)])
    result = split_commission(commission, split_policy, founder_id, sales_team, chains)
    exact = oracle_exact(commission, split_policy, founder_id, sales_team, chains)
    check_against_oracle(result, exact, sales_team)
    # One other order per example; across examples every reordering of every team shape comes up.
    reorderings = list(itertools.permutations(sales_team))[1:]  # [0] is the order given
    if reorderings:
        permuted = reorderings[commission % len(reorderings)]
        assert split_commission(commission, split_policy, founder_id, permuted, chains) == result
