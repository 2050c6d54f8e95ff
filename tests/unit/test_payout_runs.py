"""A payout run's rules as tables: who is held and why, what an operator may decide in each
state, the month a run pays, the VAT regime of a member's self-billed invoices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from models.errors import Conflict
from models.payout_runs import (
    RunStatus,
    hold_reason,
    month_paid_at,
    next_status,
    vat_regime_of,
)
from models.self_billing import VatRegime, self_billed_amounts

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("mandate", "account", "changed", "reason"),
    [
        (True, True, None, None),
        (True, True, NOW - timedelta(hours=48), None),
        (True, True, NOW - timedelta(hours=47, minutes=59), "changed less than 48 hours ago"),
        (False, True, None, "no self-billing mandate"),
        (True, False, None, "no bank account"),
        (False, False, None, "no self-billing mandate"),  # the first thing to do, first
    ],
)
def test_who_is_held_and_why(
    mandate: bool, account: bool, changed: datetime | None, reason: str | None
) -> None:
    found = hold_reason(
        has_mandate=mandate, has_account=account, account_changed_at=changed, now=NOW
    )
    assert (found is None) if reason is None else (found is not None and reason in found)


@pytest.mark.parametrize(
    ("status", "action", "then"),
    [
        ("awaiting_approval", "approve", RunStatus.PAYING),
        ("awaiting_approval", "pause", RunStatus.PAUSED),
        ("awaiting_approval", "reject", RunStatus.REJECTED),
        ("paused", "resume", RunStatus.AWAITING_APPROVAL),
        ("paused", "reject", RunStatus.REJECTED),
        ("paused", "approve", None),
        ("awaiting_approval", "resume", None),
        ("paying", "reject", None),
        ("paid", "approve", None),
        ("rejected", "resume", None),
        ("awaiting_approval", "explode", None),
    ],
)
def test_what_an_operator_may_decide(status: str, action: str, then: RunStatus | None) -> None:
    if then is None:
        with pytest.raises(Conflict, match=f"the run is {status}"):
            next_status(status, action)
    else:
        assert next_status(status, action) == then


@pytest.mark.parametrize(
    ("moment", "month"),
    [
        (datetime(2026, 12, 1, 6, 0, tzinfo=UTC), "2026-11"),
        (datetime(2027, 1, 1, 6, 0, tzinfo=UTC), "2026-12"),
        (datetime(2026, 3, 31, 23, 59, tzinfo=UTC), "2026-02"),
    ],
)
def test_a_run_pays_the_month_before_it_starts(moment: datetime, month: str) -> None:
    assert month_paid_at(moment) == month


@pytest.mark.parametrize(
    ("chosen", "country", "regime"),
    [
        (None, "FR", VatRegime.FRENCH_VAT),
        (None, None, VatRegime.FRENCH_VAT),
        (None, "de", VatRegime.EU_REVERSE_CHARGE),
        ("franchise", "FR", VatRegime.FRANCHISE),
        ("french_vat", "BE", VatRegime.FRENCH_VAT),
    ],
)
def test_the_vat_regime_of_a_member(
    chosen: str | None, country: str | None, regime: VatRegime
) -> None:
    assert vat_regime_of(chosen, country) == regime


@pytest.mark.parametrize(
    ("net", "regime", "amounts"),
    [
        (12_345, VatRegime.FRENCH_VAT, (12_345, 2_469, 14_814)),
        (1_234, VatRegime.FRENCH_VAT, (1_234, 247, 1_481)),  # 246.8 → 247
        (1_232, VatRegime.FRENCH_VAT, (1_232, 246, 1_478)),  # 246.4 → 246
        (12_345, VatRegime.EU_REVERSE_CHARGE, (12_345, 0, 12_345)),
        (12_345, VatRegime.FRANCHISE, (12_345, 0, 12_345)),
    ],
)
def test_self_billed_amounts(net: int, regime: VatRegime, amounts: tuple[int, int, int]) -> None:
    assert self_billed_amounts(net, regime) == amounts


def test_a_payout_is_a_positive_amount() -> None:
    with pytest.raises(ValueError):
        self_billed_amounts(0, VatRegime.FRENCH_VAT)
