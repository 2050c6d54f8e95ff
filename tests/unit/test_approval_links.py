"""Approval links and what they show: bound to one supplier and revision, never another's
lines; a revision's note tells the supplier what changed in its own part only."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from api.approval_page import Person, approval_page, page_json
from api.approval_words import revised_words
from models.approval_changes import changes_for, revision_note
from models.domain import ApprovalStatus
from models.errors import BadRequest, Gone
from models.links import (
    ApprovalLink,
    QuoteLink,
    read_approval_link,
    read_link,
    sign_approval_link,
    sign_link,
)
from models.quote_payloads import Line
from tests.unit.payloads import FOUNDER, approval, line, state

SECRET = "test-secret-key"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
LINK = ApprovalLink("Q-2026-00001", 2, 7, NOW + timedelta(days=1))
PEOPLE = (Person("Sam", "Seller SA", "sam@s.test"), Person("Sue", "Sue Ltd", "sue@s.test"))


def test_a_signed_approval_token_reads_back_until_the_deadline() -> None:
    token = sign_approval_link(SECRET, LINK)
    assert read_approval_link(SECRET, token, NOW) == LINK
    with pytest.raises(Gone, match="approval deadline"):
        read_approval_link(SECRET, token, LINK.expires_at)


def test_client_and_approval_tokens_never_open_each_other() -> None:
    client = sign_link(SECRET, QuoteLink("Q-2026-00001", 2, LINK.expires_at))
    with pytest.raises(BadRequest):
        read_approval_link(SECRET, client, NOW)
    with pytest.raises(BadRequest):
        read_link(SECRET, sign_approval_link(SECRET, LINK), NOW)


def test_another_suppliers_body_under_this_signature_is_refused() -> None:
    mine = sign_approval_link(SECRET, LINK)
    theirs = sign_approval_link(SECRET, replace(LINK, supplier_id=8))
    forged = theirs.split(".")[0] + "." + mine.split(".")[1]
    with pytest.raises(BadRequest):
        read_approval_link(SECRET, forged, NOW)
    with pytest.raises(BadRequest):
        read_approval_link(SECRET, mine[:-2], NOW)


def test_the_page_holds_the_suppliers_own_lines_and_never_the_total() -> None:
    quote = state(approval(7), approval(8), revision=2)
    quote.lines = [
        line(7, position=1, unit_price_cents=12_345),
        replace(line(8, position=2, unit_price_cents=98_765), offer_name="secret offer"),
    ]
    quote.total_cents = 111_110
    shown = repr(page_json(approval_page(quote, LINK, *PEOPLE)))
    assert "123.45" in shown and "secret offer" not in shown and "987.65" not in shown
    assert "1111.10" not in shown and "total" not in shown


def test_the_founder_sees_her_components_and_her_part_only() -> None:
    quote = state(approval(FOUNDER), approval(7), revision=2)
    quote.lines = [line(7, founder_offer=50, quantity="3", discount="10")]
    page = approval_page(quote, replace(LINK, supplier_id=FOUNDER), *PEOPLE)
    [row] = page.rows
    assert (row.offer_name, row.under, row.quantity) == ("founder service", "offer of 7", "3")
    assert page.part == "27.00"  # 3 × 10.00 × 0.9, never the line's own price
    assert page.can_decide


def test_a_decided_or_closed_revision_offers_no_decision() -> None:
    quote = state(approval(7, ApprovalStatus.APPROVED), revision=2)
    assert not approval_page(quote, LINK, *PEOPLE).can_decide


def test_changes_name_what_moved_in_the_suppliers_part() -> None:
    before = [line(7, quantity="1"), line(8, quantity="5")]
    after = [line(7, quantity="2"), line(7, offer_id=300), line(8, quantity="9")]
    assert changes_for(before, after, 7, FOUNDER) == [
        "- offer of 7: quantity 1 day → 2 days, net 100.00 before tax → 200.00 before tax",
        "- new: offer of 7 (quantity 1 day, unit price 100.00 before tax, discount 0 %, "
        "net 100.00 before tax)",
    ]
    assert changes_for(after, before, 7, FOUNDER)[-1].startswith("- removed: offer of 7")


@pytest.mark.parametrize(
    ("after", "told"),
    [
        (line(7, founder_offer=50, discount="10"), "discount 0 % → 10 %, your part 10.00"),
        (line(7, founder_offer=50, quantity="3"), "line quantity 1 day → 3 days"),
        (line(7, founder_offer=51), "- new: founder service in offer of 7"),
    ],
)
def test_the_founder_is_told_when_a_members_line_moves_her_part(after: Line, told: str) -> None:
    """A discount on the member's line lowers what the member owes her (R23): her part
    changed, and her request says so instead of "did not change"."""
    before = [line(7, founder_offer=50)]
    note = revision_note((before, []), [after], 2, FOUNDER, FOUNDER)
    assert told in note and "did not change" not in note, note
    assert "did not change" in revision_note((before, []), before, 2, FOUNDER, FOUNDER)


def test_the_note_quotes_the_readers_own_rejection_only() -> None:
    rejected = approval(7, ApprovalStatus.REJECTED)
    rejected.comment = "too cheap"
    other = approval(8, ApprovalStatus.REJECTED)
    other.comment = "secret reason"
    previous = ([line(7)], [rejected, other])
    note = revision_note(previous, [line(7, quantity="2")], 2, 7, FOUNDER)
    assert "    > too cheap" in note and "secret reason" not in note
    unchanged = revision_note(previous, [line(7)], 2, 9, FOUNDER)
    assert "did not change" in unchanged and "reject" not in unchanged


def test_the_words_for_an_older_revision_say_a_new_request_was_emailed() -> None:
    quote = state(approval(7), revision=3)
    said = revised_words(LINK, quote)
    assert "revision 2, the quote is now at revision 3" in said
    assert "new approval request for revision 3 was emailed to you" in said
    quote.approvals = []
    assert "no longer part of it" in revised_words(LINK, quote)
