"""The phase payloads' pure parts: what the activities fill in once the store has answered."""

from __future__ import annotations

from datetime import UTC, datetime

from models.quote_payloads import Notice, OrderOpened, ProcurementDoc, StatusRecord
from models.quote_phases import (
    Blocked,
    OrderNoticeSpec,
    Step,
    blocked_step,
    confirmed,
    order_notices,
)

AT = datetime(2026, 3, 1, tzinfo=UTC)


def _notice(kind: str, **context: str) -> Notice:
    return Notice(f"Q-1/r1/{kind}/x", kind, "x@example.com", "X", {"number": "Q-1", **context})


def test_a_blocked_step_names_the_positions_the_check_found() -> None:
    status = StatusRecord("Q-1", "blocked", 1, AT)
    blocked = Blocked(status, _notice("quote_blocked", lines=""), {2: "Wiring", 3: "Audit"})
    step = blocked_step(blocked, [2, 5])
    assert step.status == blocked.status
    assert [n.context["lines"] for n in step.notices] == ["lines 2 (Wiring) and 5"]
    assert blocked.notice.context["lines"] == ""  # the request itself is left as it was


def test_order_notices_are_one_per_document_keyed_by_order_mode_and_member() -> None:
    specs = [
        OrderNoticeSpec(7, "s@example.com", "Sam", {"name": "Sam"}, {"resell": "- line 1"}),
        OrderNoticeSpec(9, "f@example.com", "Fay", {"name": "Fay"}, {}),
    ]
    order = OrderOpened(
        "O-1",
        [
            ProcurementDoc(7, "resell", "orders/O-1-po-7.pdf"),
            ProcurementDoc(9, "founder", None, "- your service", ["orders/O-1-fpo-7.pdf"]),
        ],
    )
    notices = order_notices(specs, order)
    assert [n.business_key for n in notices] == [
        "O-1/order_notice_resell/member:7",
        "O-1/order_notice_founder/member:9",
    ]
    assert [n.context["lines"] for n in notices] == ["- line 1", "- your service"]
    assert notices[0].attachment_name == "O-1-purchase-order.pdf"
    assert notices[1].attachment_key is None
    assert notices[1].more_attachment_keys == ["orders/O-1-fpo-7.pdf"]
    assert all(n.context["order"] == "O-1" for n in notices)


def test_confirmations_get_the_order_and_the_client_its_signed_copy() -> None:
    order = OrderOpened("O-1", [], "orders/O-1-signed.pdf")
    seller = confirmed(_notice("quote_accepted", order=""), order)
    client = confirmed(_notice("quote_confirmation", order=""), order)
    assert seller.context["order"] == client.context["order"] == "O-1"
    assert seller.attachment_key is None
    assert (client.attachment_key, client.attachment_name) == (
        "orders/O-1-signed.pdf",
        "Q-1-signed.pdf",
    )


def test_an_empty_step_is_empty() -> None:
    assert Step().empty
    assert not Step(notices=[_notice("quote_viewed")]).empty
