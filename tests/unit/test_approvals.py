"""R8–R12 as tables: who approves, smart re-approval, what decides the outcome, who may decide,
revise, cancel or answer, and when the approval phase wakes."""

from __future__ import annotations

import pytest

from models import approvals
from models.domain import ApprovalStatus as A
from models.domain import QuoteStatus as Q
from models.errors import Conflict, DomainError, Forbidden, RuleViolation
from tests.unit.payloads import FOUNDER, SELLER, approval, line, state


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ([line(3)], [3]),
        ([line(3), line(3, position=2)], [3]),
        ([line(4), line(3)], [3, 4]),
        ([line(3, founder_offer=9)], [FOUNDER, 3]),
        ([line(FOUNDER, founder_offer=9)], [FOUNDER]),
    ],
    ids=["one", "same supplier twice", "sorted", "founder component", "founder's own line"],
)
def test_suppliers_on_a_quote_include_the_founder_for_components(lines, expected) -> None:
    assert approvals.suppliers_on(lines, FOUNDER) == expected


def test_the_sellers_own_lines_are_approved_automatically() -> None:
    opened = approvals.open_approvals([line(SELLER), line(3)], seller_id=SELLER, founder_id=FOUNDER)
    assert [(a.supplier_id, a.status) for a in opened] == [
        (SELLER, A.AUTO_APPROVED),
        (3, A.PENDING),
    ]


@pytest.mark.parametrize(
    ("before", "after", "kept"),
    [
        ([line(3), line(4)], [line(3), line(4)], {3: A.APPROVED, 4: A.PENDING}),
        ([line(3), line(4)], [line(3), line(4, quantity="2")], {3: A.APPROVED, 4: A.PENDING}),
        ([line(3), line(4)], [line(3, discount="5"), line(4)], {3: A.PENDING, 4: A.PENDING}),
        ([line(3), line(4)], [line(3, unit_price_cents=1), line(4)], {3: A.PENDING, 4: A.PENDING}),
        ([line(3, founder_offer=9)], [line(3, founder_offer=9, quantity="3")], {3: A.PENDING}),
    ],
    ids=["unchanged", "other's part changed", "own discount", "own price", "quantity"],
)
def test_a_revision_keeps_the_approval_of_an_unchanged_part(before, after, kept) -> None:
    previous = [approval(3, A.APPROVED), approval(4, A.REJECTED), approval(FOUNDER, A.APPROVED)]
    opened = approvals.open_approvals(
        after, seller_id=SELLER, founder_id=FOUNDER, previous_lines=before, previous=previous
    )
    statuses = {a.supplier_id: a.status for a in opened if a.supplier_id != FOUNDER}
    assert statuses == kept


def test_the_founder_is_asked_again_when_a_component_changes() -> None:
    before = [line(3, founder_offer=9)]
    after = [line(3, founder_offer=9, quantity="2")]
    opened = approvals.open_approvals(
        after,
        seller_id=SELLER,
        founder_id=FOUNDER,
        previous_lines=before,
        previous=[approval(FOUNDER, A.APPROVED), approval(3, A.APPROVED)],
    )
    assert {a.supplier_id: a.status for a in opened}[FOUNDER] == A.PENDING


@pytest.mark.parametrize(
    ("statuses", "outcome"),
    [
        ([A.PENDING, A.APPROVED], None),
        ([A.APPROVED, A.AUTO_APPROVED], Q.SENT),
        ([A.AUTO_APPROVED], Q.SENT),
        ([A.REJECTED, A.PENDING], Q.CHANGES_REQUESTED),
        ([A.APPROVED, A.REJECTED], Q.CHANGES_REQUESTED),
    ],
)
def test_the_outcome_of_the_approvals(statuses, outcome) -> None:
    assert approvals.approval_outcome([approval(i, s) for i, s in enumerate(statuses)]) == outcome


OPEN = state(approval(3), approval(4, A.APPROVED))


@pytest.mark.parametrize(
    ("quote", "supplier", "revision", "decision", "refusal"),
    [
        (OPEN, 3, 1, "approve", None),
        (OPEN, 3, 1, "reject", None),
        (OPEN, 3, 1, "maybe", RuleViolation),
        (OPEN, 9, 1, "approve", Forbidden),
        (OPEN, 3, 2, "approve", Conflict),
        (OPEN, 4, 1, "approve", Conflict),
        (state(approval(3), status=Q.SENT), 3, 1, "approve", Conflict),
        (state(approval(3), status=Q.CANCELLED), 3, 1, "reject", Conflict),
    ],
    ids=[
        "approve",
        "reject",
        "unknown word",
        "not on it",
        "old revision",
        "decided",
        "sent",
        "closed",
    ],
)
def test_who_may_decide(quote, supplier, revision, decision, refusal) -> None:
    if refusal is None:
        approvals.check_decision(quote, supplier, revision, decision)
    else:
        with pytest.raises(refusal):
            approvals.check_decision(quote, supplier, revision, decision)


@pytest.mark.parametrize(
    ("status", "by", "refusal"),
    [
        (Q.CHANGES_REQUESTED, SELLER, None),
        (Q.BLOCKED, SELLER, None),
        (Q.CHANGES_REQUESTED, 3, Forbidden),
        (Q.PENDING_APPROVAL, SELLER, Conflict),
        (Q.SENT, SELLER, Conflict),
        (Q.ORDERED, SELLER, Conflict),
    ],
)
def test_who_may_revise(status, by, refusal) -> None:
    check = lambda: approvals.check_revisable(state(status=status), by)  # noqa: E731
    if refusal is None:
        check()
    else:
        with pytest.raises(refusal):
            check()


@pytest.mark.parametrize(
    ("status", "by", "refusal"),
    [
        (Q.PENDING_APPROVAL, SELLER, None),
        (Q.SENT, None, None),
        (Q.BLOCKED, SELLER, None),
        (Q.SENT, 3, Forbidden),
        (Q.ACCEPTED, SELLER, Conflict),
        (Q.ORDERED, None, Conflict),
        (Q.CANCELLED, SELLER, Conflict),
        (Q.EXPIRED, None, Conflict),
    ],
    ids=[
        "seller",
        "operator",
        "blocked",
        "other member",
        "accepted",
        "ordered",
        "twice",
        "expired",
    ],
)
def test_who_may_cancel(status, by, refusal) -> None:
    check = lambda: approvals.check_cancellable(state(status=status), by)  # noqa: E731
    if refusal is None:
        check()
    else:
        with pytest.raises(refusal):
            check()


@pytest.mark.parametrize(
    ("status", "revision", "refusal"),
    [
        (Q.SENT, 1, None),
        (Q.SENT, 0, Conflict),
        (Q.ACCEPTED, 1, Conflict),
        (Q.DECLINED, 1, Conflict),
        (Q.PENDING_APPROVAL, 1, Conflict),
    ],
    ids=["open", "older revision", "answered", "declined", "not sent"],
)
def test_when_the_client_may_answer(status, revision, refusal) -> None:
    check = lambda: approvals.check_client_answer(state(status=status), revision)  # noqa: E731
    if refusal is None:
        check()
    else:
        with pytest.raises(refusal):
            check()


@pytest.mark.parametrize(
    ("elapsed", "sent", "interval", "timeout", "wait", "reminder"),
    [
        (0, 0, 10, 35, 10, True),
        (4, 0, 10, 35, 6, True),
        (10, 1, 10, 35, 10, True),
        (20, 2, 10, 35, 10, True),
        (30, 3, 10, 35, 5, False),
        (36, 3, 10, 35, 0, False),
        (0, 0, 10, 10, 10, False),
        (12, 0, 10, 35, 0, True),
    ],
    ids=["first", "partway", "second", "third", "deadline", "late", "no room", "overdue"],
)
def test_the_next_wakeup_is_a_reminder_or_the_deadline(
    elapsed, sent, interval, timeout, wait, reminder
) -> None:
    plan = approvals.next_wakeup(elapsed, sent, interval, timeout)
    assert (plan.wait_seconds, plan.reminder_due) == (wait, reminder)


def test_every_refusal_is_a_domain_error() -> None:
    assert all(issubclass(e, DomainError) for e in (Conflict, Forbidden, RuleViolation))
