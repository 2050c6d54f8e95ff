"""Catalogue and membership rules R1–R6 and the split-rate cap, as tables of plain cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from models import catalogue_rules
from models.catalogue_rules import FounderOfferFacts
from models.domain import MemberStatus, OfferStatus, Procurement, Segment
from models.errors import Conflict, DomainError, Forbidden, RuleViolation

D = Decimal
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_defaults_follow_the_specification() -> None:
    defaults = catalogue_rules.ClusterDefaults()
    assert defaults.invitation_ttl == 14 * catalogue_rules.DAY
    assert defaults.approval_timeout == 3 * catalogue_rules.DAY
    assert defaults.reminder_interval == catalogue_rules.DAY
    assert defaults.validity == 30 * catalogue_rules.DAY
    catalogue_rules.check_split_rates(
        defaults.platform_fee_rate, defaults.founder_rate, defaults.affiliate_rates
    )


@pytest.mark.parametrize(
    ("platform", "founder", "affiliates"),
    [
        ("10", "0", ("10", "5")),
        ("0", "0", ()),
        ("100", "0", ()),
        ("50", "25", ("12.5", "12.5")),
        ("33.3333", "33.3333", ("33.3334",)),
    ],
    ids=["defaults", "nothing", "platform takes all", "exactly 100", "four decimals to 100"],
)
def test_split_rates_up_to_100_percent_are_accepted(
    platform: str, founder: str, affiliates: tuple[str, ...]
) -> None:
    catalogue_rules.check_split_rates(
        D(platform), D(founder), tuple(D(rate) for rate in affiliates)
    )


@pytest.mark.parametrize(
    ("platform", "founder", "affiliates", "total"),
    [
        ("100", "0.0001", (), "100.0001"),
        ("60", "30", ("10", "5"), "105"),
        ("0", "0", ("50", "50", "1"), "101"),
    ],
    ids=["a ten-thousandth over", "platform and founder too greedy", "affiliates alone"],
)
def test_split_rates_over_100_percent_are_refused_with_the_total(
    platform: str, founder: str, affiliates: tuple[str, ...], total: str
) -> None:
    with pytest.raises(RuleViolation) as refused:
        catalogue_rules.check_split_rates(
            D(platform), D(founder), tuple(D(rate) for rate in affiliates)
        )
    assert refused.value.field == "settings"
    assert f"{total} %" in refused.value.message


USABLE = {"expires_at": NOW + timedelta(seconds=1), "used_at": None, "inviter": MemberStatus.ACTIVE}


def test_r1_fresh_code_of_an_active_inviter_is_usable() -> None:
    catalogue_rules.check_invitation_usable(now=NOW, **USABLE)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"used_at": NOW - timedelta(days=1)}, "already been used"),
        ({"used_at": NOW, "expires_at": NOW - timedelta(days=1)}, "already been used"),
        ({"expires_at": NOW}, "expired"),
        ({"expires_at": NOW - timedelta(days=30)}, "expired"),
        ({"inviter": MemberStatus.REMOVED}, "no longer in the cluster"),
    ],
    ids=[
        "used",
        "used wins over expired",
        "expires at the instant",
        "long expired",
        "inviter gone",
    ],
)
def test_r1_used_expired_or_orphaned_code_is_refused(change: dict[str, object], words: str) -> None:
    with pytest.raises(RuleViolation) as refused:
        catalogue_rules.check_invitation_usable(now=NOW, **{**USABLE, **change})
    assert refused.value.field == "invitation_code"
    assert words in refused.value.message


@pytest.mark.parametrize(
    ("inviter", "invitee"),
    [("a@x.com", "a@x.com"), ("a@x.com", "A@X.COM"), ("a@x.com", "  a@x.com ")],
    ids=["same", "case differs", "padded"],
)
def test_r1_nobody_invites_their_own_address(inviter: str, invitee: str) -> None:
    with pytest.raises(RuleViolation) as refused:
        catalogue_rules.check_not_self_invite(inviter, invitee)
    assert refused.value.field == "email"


def test_r1_inviting_another_address_is_fine() -> None:
    catalogue_rules.check_not_self_invite("a@x.com", "b@x.com")


def test_r4_b2b_is_the_only_segment() -> None:
    assert catalogue_rules.check_segment("B2B") is Segment.B2B


@pytest.mark.parametrize(
    ("segment", "words"),
    [("B2C", "B2C offers are refused"), ("b2b", 'must be "B2B"'), ("", 'must be "B2B"')],
    ids=["B2C names the rule", "wrong case", "empty"],
)
def test_r4_other_segments_are_refused(segment: str, words: str) -> None:
    with pytest.raises(RuleViolation) as refused:
        catalogue_rules.check_segment(segment)
    assert refused.value.field == "segment"
    assert words in refused.value.message


@pytest.mark.parametrize("mode", ["direct", "resell"])
def test_r3_procurement_modes(mode: str) -> None:
    assert catalogue_rules.check_procurement(mode) is Procurement(mode)


@pytest.mark.parametrize("mode", ["Direct", "buy", ""])
def test_r3_unknown_procurement_is_refused(mode: str) -> None:
    with pytest.raises(RuleViolation) as refused:
        catalogue_rules.check_procurement(mode)
    assert refused.value.field == "procurement"


VALIDATED_FOUNDER_OFFER = FounderOfferFacts(owner_is_founder=True, status=OfferStatus.VALIDATED)


def component(**change: object) -> dict[str, object]:
    facts: dict[str, object] = {
        "owner_is_founder": False,
        "has_component": True,
        "target": VALIDATED_FOUNDER_OFFER,
        "founder_price_cents": 5000,
        "unit_price_cents": 100000,
    }
    return {**facts, **change}


@pytest.mark.parametrize(
    "facts",
    [
        component(),
        component(founder_price_cents=0),
        component(founder_price_cents=100000),
        component(owner_is_founder=True, has_component=False, target=None),
    ],
    ids=["member with component", "a free sample", "all of the price", "founder embeds nothing"],
)
def test_r5_valid_founder_components(facts: dict[str, object]) -> None:
    catalogue_rules.check_founder_component(**facts)


@pytest.mark.parametrize(
    ("facts", "field", "words"),
    [
        (component(has_component=False, target=None), "founder_component", "required"),
        (component(target=None), "founder_component.offer_id", "founder"),
        (
            component(target=FounderOfferFacts(False, OfferStatus.VALIDATED)),
            "founder_component.offer_id",
            "offer of the cluster's founder",
        ),
        *[
            (
                component(target=FounderOfferFacts(True, status)),
                "founder_component.offer_id",
                "must be validated",
            )
            for status in (OfferStatus.PENDING, OfferStatus.REFUSED, OfferStatus.WITHDRAWN)
        ],
        (
            component(founder_price_cents=100001),
            "founder_component.founder_price",
            "cannot exceed",
        ),
        (component(owner_is_founder=True), "founder_component", "embed no founder component"),
    ],
    ids=[
        "missing",
        "unknown or other cluster",
        "a member's offer",
        "pending founder offer",
        "refused founder offer",
        "withdrawn founder offer",
        "founder part above the price",
        "founder embedding itself",
    ],
)
def test_r5_invalid_founder_components_are_refused(
    facts: dict[str, object], field: str, words: str
) -> None:
    with pytest.raises(RuleViolation) as refused:
        catalogue_rules.check_founder_component(**facts)
    assert refused.value.field == field
    assert words in refused.value.message


@pytest.mark.parametrize(
    ("decision", "reason", "outcome"),
    [
        ("validate", None, OfferStatus.VALIDATED),
        ("validate", "fine", OfferStatus.VALIDATED),
        ("refuse", "too expensive", OfferStatus.REFUSED),
    ],
)
def test_r6_pending_offer_is_validated_or_refused(
    decision: str, reason: str | None, outcome: OfferStatus
) -> None:
    assert catalogue_rules.check_offer_decision(OfferStatus.PENDING, decision, reason) is outcome


@pytest.mark.parametrize(
    ("status", "decision", "reason", "error", "field"),
    [
        (OfferStatus.PENDING, "refuse", None, RuleViolation, "reason"),
        (OfferStatus.PENDING, "refuse", "", RuleViolation, "reason"),
        (OfferStatus.PENDING, "approve", None, RuleViolation, "decision"),
        (OfferStatus.VALIDATED, "maybe", None, RuleViolation, "decision"),
        (OfferStatus.VALIDATED, "validate", None, Conflict, None),
        (OfferStatus.REFUSED, "validate", None, Conflict, None),
        (OfferStatus.WITHDRAWN, "refuse", "late", Conflict, None),
    ],
    ids=[
        "refusal without reason",
        "refusal with empty reason",
        "unknown word",
        "unknown word beats conflict",
        "already validated",
        "already refused",
        "withdrawn",
    ],
)
def test_r6_bad_decisions_are_refused(
    status: OfferStatus,
    decision: str,
    reason: str | None,
    error: type[DomainError],
    field: str | None,
) -> None:
    with pytest.raises(error) as refused:
        catalogue_rules.check_offer_decision(status, decision, reason)
    assert refused.value.field == field
    if error is Conflict:
        assert status.value in refused.value.message


@pytest.mark.parametrize(
    "status", [OfferStatus.PENDING, OfferStatus.VALIDATED, OfferStatus.REFUSED]
)
def test_r6_owner_withdraws_an_offer_not_yet_withdrawn(status: OfferStatus) -> None:
    catalogue_rules.check_withdrawable(status, is_owner=True)


@pytest.mark.parametrize(
    ("status", "is_owner", "error"),
    [
        (OfferStatus.VALIDATED, False, Forbidden),
        (OfferStatus.WITHDRAWN, False, Forbidden),
        (OfferStatus.WITHDRAWN, True, Conflict),
    ],
    ids=["not the owner", "not the owner, already withdrawn", "already withdrawn"],
)
def test_r6_withdrawal_is_the_owners_and_happens_once(
    status: OfferStatus, is_owner: bool, error: type[DomainError]
) -> None:
    with pytest.raises(error):
        catalogue_rules.check_withdrawable(status, is_owner=is_owner)


def test_r2_an_active_member_is_removable() -> None:
    catalogue_rules.check_removable(target_is_founder=False, target_status=MemberStatus.ACTIVE)


@pytest.mark.parametrize(
    ("is_founder", "status", "error"),
    [
        (True, MemberStatus.ACTIVE, RuleViolation),
        (True, MemberStatus.REMOVED, RuleViolation),
        (False, MemberStatus.REMOVED, Conflict),
    ],
    ids=["the founder", "the founder, whatever its status", "already removed"],
)
def test_r2_founder_and_removed_members_are_not_removable(
    is_founder: bool, status: MemberStatus, error: type[DomainError]
) -> None:
    with pytest.raises(error):
        catalogue_rules.check_removable(target_is_founder=is_founder, target_status=status)


def test_domain_errors_carry_their_http_status() -> None:
    statuses = {RuleViolation: 422, Conflict: 409, Forbidden: 403}
    for error, status in statuses.items():
        assert error("x").status_code == status
    assert RuleViolation("bad", field="email").message == "email: bad"


def test_storage_bounds_fit_32_bit_columns() -> None:
    assert catalogue_rules.MAX_ID == 2**31 - 1
    assert catalogue_rules.MAX_DURATION < 2**31
    assert catalogue_rules.MAX_COMMISSION_RATE == 50
