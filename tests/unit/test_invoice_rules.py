"""R14–R15 as tables: when a supplier is reminded, which payments an invoice takes, and the keys
that make each posting happen once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from models.commission import (
    check_payment,
    member_account,
    posting_key,
    reminder_at,
    reversal_key,
)
from models.domain import InvoiceStatus as I
from models.errors import Conflict, RuleViolation

ISSUED = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("terms", "before_due"),
    [
        (timedelta(days=30), timedelta(days=7)),
        (timedelta(days=28), timedelta(days=7)),
        (timedelta(days=20), timedelta(days=5)),
        (timedelta(seconds=8), timedelta(seconds=2)),
        (timedelta(0), timedelta(0)),
    ],
    ids=["30 days", "four weeks", "20 days", "seconds in tests", "due at once"],
)
def test_the_reminder_comes_a_week_or_a_quarter_of_the_terms_before_due(terms, before_due) -> None:
    assert reminder_at(ISSUED, ISSUED + terms) == ISSUED + terms - before_due


@pytest.mark.parametrize(
    ("status", "due", "paid", "refusal"),
    [
        (I.ISSUED, 12_000, 12_000, None),
        (I.ISSUED, 12_000, 11_999, RuleViolation),
        (I.ISSUED, 12_000, 12_001, RuleViolation),
        (I.ISSUED, 12_000, 0, RuleViolation),
        (I.PAID, 12_000, 12_000, Conflict),
        (I.SPLIT, 12_000, 12_000, Conflict),
        (I.VOID, 12_000, 12_000, Conflict),
    ],
    ids=["exact", "short a cent", "a cent over", "nothing", "paid", "split", "void"],
)
def test_an_issued_invoice_takes_one_payment_of_exactly_its_amount(
    status, due, paid, refusal
) -> None:
    if refusal is None:
        check_payment(status, due, paid)
    else:
        with pytest.raises(refusal):
            check_payment(status, due, paid)


def test_a_refused_amount_names_the_field_and_the_amount_due() -> None:
    with pytest.raises(RuleViolation) as refused:
        check_payment(I.ISSUED, 12_000, 900)
    assert refused.value.field == "amount"
    assert "120.00" in str(refused.value)


@pytest.mark.parametrize(
    ("member", "role", "account", "key"),
    [
        (None, "platform_fee", "platform", "C-2026-00001:platform:platform_fee"),
        (7, "seller", "member:7", "C-2026-00001:7:seller"),
        (7, "affiliate_1", "member:7", "C-2026-00001:7:affiliate_1"),
    ],
)
def test_each_share_posts_once_to_its_account(member, role, account, key) -> None:
    assert member_account(member) == account
    assert posting_key("C-2026-00001", member, role) == key
    assert reversal_key(key) == f"{key}:reversal"
