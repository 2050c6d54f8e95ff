"""R7 and R8 as tables: which offers a line may quote, and when a founder offer still stands."""

from __future__ import annotations

from decimal import Decimal

import pytest

from models.domain import OfferStatus as S
from models.errors import RuleViolation
from models.quote_lines import OfferFacts, check_quotable, founder_offer_stands

CLUSTER = 1


def offer(
    status: S = S.VALIDATED,
    *,
    cluster: int = CLUSTER,
    max_discount: str = "10",
    founder: bool = False,
    visible: bool = True,
) -> OfferFacts:
    return OfferFacts(cluster, status, Decimal(max_discount), founder, visible)


@pytest.mark.parametrize(
    ("facts", "discount", "field", "words"),
    [
        (offer(), "0", None, None),
        (offer(), "10", None, None),
        (offer(), "10.01", "lines.0.discount", "more than the 10 %"),
        (None, "0", "lines.0.offer_id", "no such offer"),
        (offer(cluster=2), "0", "lines.0.offer_id", "no such offer"),
        (offer(S.PENDING, visible=False), "0", "lines.0.offer_id", "no such offer"),
        (offer(S.PENDING), "0", "lines.0.offer_id", "is pending"),
        (offer(S.REFUSED), "0", "lines.0.offer_id", "is refused"),
        (offer(S.WITHDRAWN), "0", "lines.0.offer_id", "is withdrawn"),
    ],
    ids=[
        "validated",
        "at the maximum",
        "past the maximum",
        "missing",
        "another cluster",
        "someone else's pending offer",
        "own pending offer",
        "refused",
        "withdrawn",
    ],
)
def test_which_offers_a_line_may_quote(facts, discount, field, words) -> None:
    check = lambda: check_quotable(  # noqa: E731
        facts, cluster_id=CLUSTER, discount=Decimal(discount), field="lines.0"
    )
    if field is None:
        check()
        return
    with pytest.raises(RuleViolation) as refused:
        check()
    assert refused.value.field == field
    assert words in str(refused.value)


def test_an_invisible_offer_reads_like_a_missing_one() -> None:
    answers = []
    for facts in (None, offer(S.PENDING, visible=False), offer(cluster=2)):
        with pytest.raises(RuleViolation) as refused:
            check_quotable(facts, cluster_id=CLUSTER, discount=Decimal(0), field="lines.3")
        answers.append(str(refused.value))
    assert len(set(answers)) == 1


@pytest.mark.parametrize(
    ("facts", "stands"),
    [
        (offer(founder=True), True),
        (offer(founder=False), False),
        (offer(S.WITHDRAWN, founder=True), False),
        (offer(S.REFUSED, founder=True), False),
        (offer(cluster=2, founder=True), False),
        (None, False),
    ],
    ids=["stands", "no longer the founder's", "withdrawn", "refused", "other cluster", "gone"],
)
def test_when_a_founder_offer_still_stands(facts, stands) -> None:
    assert founder_offer_stands(facts, cluster_id=CLUSTER) is stands
