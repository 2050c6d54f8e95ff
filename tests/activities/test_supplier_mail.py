"""Approval emails a supplier can act on (R16, R18): the signed link, the deadline, Reply-To
the seller, and an HTML part in which every name is text, never markup."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from activities.mail import Notice
from models.links import ApprovalLink, read_approval_link
from models.quote_payloads import ApprovalLinkSpec
from settings import Settings
from tests.activities.test_mail import SmtpServer, make_mail, text_of
from tests.activities.test_mail import smtp_server as smtp_server  # the fixture

HOSTILE = {
    "seller": '<script>alert("seller")</script>',
    "seller_company": 'O\'Brien & "Sons" <b>Ltd</b>',
    "client": "شركة العميل " + "C" * 489,  # 500 characters, right to left first
    "name": "<img src=x onerror=alert(1)>",
}


def approval_notice(expires_at: datetime, **context: str) -> Notice:
    values = {
        "name": "Sue Supplier",
        "cluster": "Alpine Makers",
        "number": "Q-2026-00001",
        "revision": "2",
        "seller": "Sam Seller",
        "seller_company": "Seller GmbH",
        "client": "Client SA",
        "total": "12,400.00 EUR",
        "lines": "- line 1: 2 day Install, net 2000.00",
        "deadline": f"{expires_at:%Y-%m-%d %H:%M} UTC",
        "changes": "The seller revised the quote after you rejected revision 1 with this "
        "comment:\n    > two days, not one",
        **context,
    }
    return Notice(
        "Q-2026-00001/r2/approval_request/member:7",
        "approval_request",
        "sue@machines.example",
        "Sue Supplier",
        values,
        approval_link=ApprovalLinkSpec("Q-2026-00001", 2, 7, expires_at),
        reply_to="sam@seller.example",
    )


def test_the_request_carries_its_link_deadline_reply_to_and_both_parts(
    settings: Settings, db: sessionmaker[Session], smtp_server: SmtpServer
) -> None:
    expires_at = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    mail = make_mail(settings, db, smtp_server.url)

    assert mail.send_notice(approval_notice(expires_at)) is True

    [received] = smtp_server.inbox.received
    message = received.message
    assert message["Reply-To"] == "Sam Seller <sam@seller.example>"
    body = text_of(message)
    found = re.search(r"http://testserver/a/(\S+)", body)
    assert found is not None
    link = read_approval_link("test-secret-key", found.group(1), datetime.now(UTC))
    assert link == ApprovalLink("Q-2026-00001", 2, 7, expires_at)
    assert f"Please decide before {expires_at:%Y-%m-%d %H:%M} UTC" in body
    assert "    > two days, not one" in body
    html_part = message.get_body(("html",))
    assert html_part is not None
    html = str(html_part.get_content())
    # One button names the action; the address is only its fallback.
    assert html.count(f'<a href="{found.group(0)}"') == 1
    assert ">Open your approval page</a>" in html and 'name="viewport"' in html
    assert "&gt; two days, not one" in html


def test_hostile_names_are_escaped_in_the_html_part(
    settings: Settings, db: sessionmaker[Session], smtp_server: SmtpServer
) -> None:
    mail = make_mail(settings, db, smtp_server.url)
    expires_at = datetime.now(UTC) + timedelta(days=3)

    mail.send_notice(approval_notice(expires_at, **HOSTILE))

    message = smtp_server.inbox.received[0].message
    html_part = message.get_body(("html",))
    assert html_part is not None
    html = str(html_part.get_content())
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&quot;seller&quot;)&lt;/script&gt;" in html
    assert "O&#x27;Brien &amp; &quot;Sons&quot; &lt;b&gt;Ltd&lt;/b&gt;" in html
    assert HOSTILE["client"] in html and 'dir="auto"' in html
    # The text part keeps the names as they are: plain text needs no escaping.
    assert HOSTILE["seller"] in text_of(message)


def test_a_request_of_a_quote_started_before_links_still_renders(
    settings: Settings, db: sessionmaker[Session], smtp_server: SmtpServer
) -> None:
    mail = make_mail(settings, db, smtp_server.url)
    notice = approval_notice(datetime.now(UTC) + timedelta(days=3))
    for key in ("deadline", "changes", "seller_company"):
        del notice.context[key]
    notice.approval_link = None
    notice.reply_to = None

    assert mail.send_notice(notice) is True

    message = smtp_server.inbox.received[0].message
    assert message["Reply-To"] is None
    body = text_of(message)
    assert "before the approval deadline" in body
    assert "http://testserver/quotes/Q-2026-00001" in body and "/a/" not in body
