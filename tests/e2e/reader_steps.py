"""The steps of the full-deal reader test (tests/e2e/test_reader.py): each does what a person
does and checks what that person then reads against the API's figures."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from playwright.async_api import Browser, Page
from sqlalchemy import update

from models.domain import quote_workflow_id
from models.money import amount_text
from models.payout_runs import month_paid_at
from store.tables import Member
from tests.e2e.accessibility import assert_accessible, violations
from tests.e2e.conftest import Served
from tests.e2e.reading import cents_of, figures, text_part, to, total_words
from tests.factories import OPERATOR, Actor, World, expect
from tests.pdf import pdf_text
from tests.workflows.commission_helpers import invoices, pay
from tests.workflows.full_deal import COMPANY_OF
from tests.workflows.helpers import decide, line

CLIENT = "carl@acme.example.com"
FOUNDER = "fay@founder.example.com"
ALICE = "alice@members.example.com"
LINK = re.compile(r"https?://\S+/(?:q|a)/[A-Za-z0-9._-]+")
INTERNAL = ("Resell", "Direct", "resell", "founder's price", "ommission", "procurement")


async def mail_to(served: Served, address: str, word: str, number: str) -> EmailMessage:
    def matches(m: EmailMessage) -> bool:
        return bool(to([m], address, word)) and number in str(m["Subject"])

    return await served.inbox.first(matches)


def link_in(mail: EmailMessage) -> str:
    found = LINK.search(text_part(mail))
    assert found is not None, text_part(mail)
    return found.group(0)


async def approve_pending(served: Served, world: World, quote: dict[str, Any]) -> None:
    people = {a.id: a for a in world.members.values()}
    for approval in quote["approvals"]:
        if approval["status"] == "pending" and people[approval["supplier_id"]].name != "founder":
            expect(await decide(served, quote["number"], people[approval["supplier_id"]],
                                quote["revision"]), 200)  # fmt: skip


async def the_waiting_are_named(served: Served, number: str, world: World) -> None:
    """The Temporal UI's details name who the quote waits on, not only their ids."""
    handle = served.temporal.get_workflow_handle(quote_workflow_id(number))
    metadata = await handle.query("__temporal_workflow_metadata")
    details = str(metadata.current_details)
    for name in ("bob", "carol", "founder"):
        member = world.members[name]
        assert f"{COMPANY_OF[name]}, #{member.id})" in details, details


async def page_data(served: Served, link: str) -> Any:
    """The data of a person's page, as its link answers a program."""
    return expect(await served.api.get(link, headers={"accept": "application/json"}), 200)


async def the_founder_is_told_what_moved(
    served: Served, number: str, earlier: dict[str, Any], second: str
) -> set[int]:
    """Her revision's request states each part the API's page shows as changed, and never
    that her part did not change."""
    now = await page_data(served, second)
    before = {row["position"]: row["net"] for row in earlier["lines"]}
    mail = await mail_to(served, FOUNDER, "revision 2", number)
    text = text_part(mail)
    moved = [(before[r["position"]], r["net"]) for r in now["lines"]
             if r["position"] in before and before[r["position"]] != r["net"]]  # fmt: skip
    assert moved, "the revision was meant to move the founder's part"
    for old, new in moved:
        told = f"{amount_text(cents_of(old))} before tax → {amount_text(cents_of(new))} before tax"
        assert told in text, text
    assert "did not change" not in text, text
    return figures([earlier, now])


async def approve_on_the_page(page: Page, link: str) -> None:
    await page.goto(link)
    await assert_accessible(page, "the founder's approval page")
    rows = await page.locator("#rows").inner_text()
    assert "Founder Workshop" in rows and "tax 20 %" in rows, rows  # her own line, its tax
    await page.click("#approve")
    await page.wait_for_selector("#message")
    assert "Thank you" in await page.locator("#message").inner_text()
    await assert_accessible(page, "the approval thank-you")


async def accept_with_a_stale_tab(
    served: Served, browser: Browser, phone: Page, link: str, seller: Actor
) -> dict[str, Any]:
    """The client accepts on the phone; a tab opened before submits again and reads the same
    answered page. The page, its PDF and the email state the API's total with tax."""
    number = (await served.api.get(link, headers={"accept": "application/json"})).json()["number"]
    view = await served.quote(number, seller.headers)
    stale = await (await browser.new_context()).new_page()
    await stale.goto(link)
    await phone.goto(link)
    await assert_accessible(phone, "the client's quote")
    shown = await phone.locator("#total-with-tax").inner_text()
    assert shown == amount_text(cents_of(view["total_with_tax"])), shown
    pdf = pdf_text((await served.api.get(f"{link}/pdf")).content)
    assert f"Total with tax {amount_text(cents_of(view['total_with_tax']), 'EUR')}" in pdf, pdf
    assert not [word for word in INTERNAL if word in pdf], pdf
    await phone.fill("#signer_name", "Carl Client")
    await phone.click("#accept")
    await phone.wait_for_url(f"{link}/done")
    ordered = await served.until(number, seller.headers, "ordered")
    assert await phone.locator("#order").inner_text() == ordered["order_number"]
    assert await phone.locator("#signed").count() == 1  # without a reload
    await assert_accessible(phone, "the client's thank-you")
    await stale.fill("#signer_name", "Carl Client")
    await stale.click("#accept")  # a second submit, from a tab opened before the first
    await stale.wait_for_selector("#headline")
    assert await stale.locator("#refusal, .error").count() == 0
    assert await violations(stale) == []
    await stale.context.close()
    return ordered


async def after_the_order(served: Served, ordered: dict[str, Any], world: World) -> set[int]:
    """The confirmations state the API's total; the founder's notice what each member owes
    her; each commission email the invoice's amount with and before VAT, and its receipt."""
    number, order_number = ordered["number"], ordered["order_number"]
    confirmation = await mail_to(served, CLIENT, "your acceptance", number)
    accepted = await mail_to(served, ALICE, "accepted by", number)
    for mail in (confirmation, accepted):
        assert total_words(ordered) in text_part(mail), text_part(mail)
    assert "you (Carl Client) accepted" in text_part(confirmation)
    order = expect(await served.api.get(f"/orders/{order_number}", headers=OPERATOR), 200)
    notice = await mail_to(served, FOUNDER, "your services", order_number)
    people = {a.id: a for a in world.members.values()}
    for component in order["founder_components"]:
        company = COMPANY_OF[people[component["owed_by"]].name]
        owed = amount_text(cents_of(component["founder_part"]), "EUR")
        assert f"owed by {company}: {owed} before tax" in text_part(notice), text_part(notice)
    issued = await invoices(served, order_number)
    for invoice in issued.values():
        mail = await mail_to(served, "", f"commission invoice {invoice['number']}", "")
        due = amount_text(cents_of(invoice["amount"]), "EUR")
        net = amount_text(cents_of(invoice["commission"]), "EUR")
        assert f"{due} with VAT ({net} before VAT)" in text_part(mail), text_part(mail)
    paid = next(iter(issued.values()))
    expect(await pay(served, paid["number"], paid["amount"]), 200)
    await mail_to(served, "", f"payment received for {paid['number']}", "")
    return figures([order, list(issued.values()), ordered])


async def declined_and_cancelled(
    served: Served, browser: Browser, world: World, seller: Actor
) -> set[int]:
    """A quote the client declines (the page says what happens next) and one withdrawn."""
    body = {"client_id": world.clients["alice-client"],
            "lines": [line(world, "Carol Wiring", "2")]}  # fmt: skip
    quote = expect(await served.api.post("/quotes", json=body, headers=seller.headers), 201)
    await approve_pending(served, world, quote)
    founder = world.members["founder"]
    expect(await decide(served, quote["number"], founder, 1), 200)
    sent = await served.until(quote["number"], seller.headers, "sent")
    page = await (await browser.new_context()).new_page()
    await page.goto(link_in(await mail_to(served, CLIENT, "from", quote["number"])))
    await page.fill("#reason", "We chose to do it ourselves.")
    await page.click("#decline")
    await page.wait_for_selector("#headline")
    assert "No order is opened" in await page.locator("#done").inner_text()
    await assert_accessible(page, "the client's decline")
    await page.context.close()
    declined = await mail_to(served, ALICE, "declined by", quote["number"])
    assert declined["Reply-To"].addresses[0].addr_spec == CLIENT
    await mail_to(served, CLIENT, "your answer", quote["number"])
    other = expect(await served.api.post("/quotes", json=body, headers=seller.headers), 201)
    cancel = {"reason": "The client chose another supplier."}
    expect(await served.api.post(f"/quotes/{other['number']}/cancel", json=cancel,
                                 headers=seller.headers), 200)  # fmt: skip
    await mail_to(served, ALICE, "cancelled", other["number"])
    return figures([quote, sent, other])


async def paid_out(served: Served, world: World) -> set[int]:
    """Alice's share of the paid invoice, paid out by an approved run: her email states what
    is transferred with and before VAT, as her payouts read in the API, her account masked."""
    alice = world.members["alice"]
    settings = {"payout_hold_days": 0, "payout_threshold": "1.00"}
    path = f"/clusters/{world.cluster_id}/settings"
    expect(await served.api.patch(path, json=settings, headers=OPERATOR), 200)
    account = {"iban": "FR14 2004 1010 0505 0001 3M02 606"}
    expect(await served.api.patch("/members/me", json=account, headers=alice.headers), 200)
    with served.db.begin() as session:  # recorded three days ago: past the 48-hour hold
        session.execute(
            update(Member)
            .where(Member.id == alice.id)
            .values(bank_changed_at=datetime.now(UTC) - timedelta(days=3))
        )
    mandate = expect(
        await served.api.get("/members/me/self-billing-mandate", headers=alice.headers), 200
    )
    agree = {"text_version": mandate["text_version"]}
    path = "/members/me/self-billing-mandate"
    expect(await served.api.post(path, json=agree, headers=alice.headers), 201)
    period = month_paid_at(datetime.now(UTC))
    start = {"cluster_id": world.cluster_id, "period": period}
    run = expect(await served.api.post("/payout-runs", json=start, headers=OPERATOR), 201)
    decision = {"action": "approve"}
    path = f"/payout-runs/{run['id']}/decisions"
    expect(await served.api.post(path, json=decision, headers=OPERATOR), 200)
    mail = await mail_to(served, ALICE, "payout for", period)
    [payout] = expect(await served.api.get("/members/me/payouts", headers=alice.headers), 200)
    total = amount_text(cents_of(payout["total"]), "EUR")
    net = amount_text(cents_of(payout["amount"]), "EUR")
    assert f"{total} with VAT ({net} before VAT)" in text_part(mail), text_part(mail)
    assert "FR14 •••• 2606" in text_part(mail) and "FR142004" not in mail.as_string()
    return figures([run, payout])
