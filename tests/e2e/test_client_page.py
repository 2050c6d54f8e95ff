"""R11–R12 as the client lives them: the emailed link opened in Chromium, answered by its forms."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page

from models.links import QuoteLink, sign_link
from store.tables import utcnow
from tests.e2e.conftest import CHROMIUM, Served
from tests.factories import Actor, World, catalogue_world, expect
from tests.workflows.conftest import FAST
from tests.workflows.helpers import decide, launch, line

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no `chromium` on PATH (Debian package chromium)"),
]

CLIENT_EMAIL = "acme@client.example.com"


def addressed_to(email: str, subject_word: str) -> Callable[[EmailMessage], bool]:
    def matches(message: EmailMessage) -> bool:
        recipients = [a.addr_spec for a in message["To"].addresses]
        return recipients == [email] and subject_word in str(message["Subject"])

    return matches


async def emailed_link(served: Served, number: str) -> tuple[EmailMessage, str]:
    """The client's email for `number` and the link it carries."""
    mail = await served.inbox.first(addressed_to(CLIENT_EMAIL, number))
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    found = re.search(rf"{re.escape(served.base_url)}/q/\S+", body.get_content())
    assert found, body.get_content()
    return mail, found.group(0)


async def sent_quote(served: Served, world: World, seller: Actor, offers: list[str]) -> str:
    """A quote every supplier approved, so it reached the client; its number."""
    quote = await launch(served, world, seller, [line(world, offer) for offer in offers])
    number = str(quote["number"])
    suppliers = {a["supplier_id"] for a in quote["approvals"] if a["status"] == "pending"}
    everyone = [world.founder, *world.members.values()]
    for supplier in (actor for actor in everyone if actor.id in suppliers):
        expect(await decide(served, number, supplier, 1), 200)
    await served.until(number, seller.headers, "sent")
    return number


async def refused(page: Page, url: str, status: int) -> str:
    """Opens a link that must be refused; the refusal's text, after checking no form is offered."""
    response = await page.goto(url)
    assert response is not None and response.status == status
    assert await page.locator("h1").inner_text() == "This link cannot be used"
    assert await page.locator("form, button").count() == 0
    return await page.locator("#refusal").inner_text()


async def test_client_accepts_through_the_emailed_link(
    served: Served, browser: Browser, tmp_path: Path
) -> None:
    world = await catalogue_world(served.api, settings=FAST)
    alice = world.members["alice"]
    number = await sent_quote(served, world, alice, ["alice-audit", "bob-install"])

    mail, link = await emailed_link(served, number)
    assert str(mail["Subject"]).startswith(f"Quote {number} from ")
    pdfs = [
        part for part in mail.iter_attachments() if part.get_content_type() == "application/pdf"
    ]
    assert len(pdfs) == 1 and pdfs[0].get_content().startswith(b"%PDF")

    context = await browser.new_context()
    page = await context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    response = await page.goto(link)
    assert response is not None and response.status == 200
    # The policy forbids inline style and script: the page still looks as designed, styled by
    # its stylesheet alone, and the browser reports no blocked resource.
    assert "style-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["referrer-policy"] == "no-referrer"
    assert await page.evaluate("getComputedStyle(document.body).maxWidth") == "900px"
    assert not [text for text in console if "Content Security Policy" in text], console
    page_text = await page.locator("body").inner_text()
    assert number in page_text and "alice-audit" in page_text and "bob-install" in page_text
    founder_rows = await page.locator("tr.founder").all_inner_texts()
    assert len(founder_rows) == 2 and all("founder" in row for row in founder_rows)
    quote = await served.quote(number, alice.headers)
    assert quote["total"] == "2000.00"
    assert await page.locator("#total").inner_text() == "2 000.00"  # the PDF's spelling
    await page.screenshot(path=tmp_path / "quote.png", full_page=True)
    # Printed, the page is the quote alone: no forms, no download link.
    await page.emulate_media(media="print")
    assert await page.locator("#accept").is_hidden() and await page.locator("#pdf").is_hidden()
    await page.emulate_media(media="screen")

    async with page.expect_download() as downloading:
        await page.click("#pdf")
    download = await downloading.value
    assert download.suggested_filename == f"{number}.pdf"
    pdf = await asyncio.to_thread(Path(await download.path()).read_bytes)
    assert pdf.startswith(b"%PDF")

    await page.fill("#signer_name", "Carl Client")
    await page.fill("#po_reference", "PO-4711")
    await page.click("#accept")
    await page.wait_for_url(f"{link}/done")
    assert (await page.locator("h1").inner_text()).startswith("Thank you")

    ordered = await served.until(number, alice.headers, "ordered")
    assert ordered["viewed_at"] is not None
    await served.inbox.first(addressed_to("alice@members.example.com", f"opened quote {number}"))
    order_path = f"/orders/{ordered['order_number']}"
    order = expect(await served.api.get(order_path, headers=alice.headers), 200)
    assert order["po_reference"] == "PO-4711" and order["signer_name"] == "Carl Client"

    # Opened again, the link thanks the client and offers no second answer.
    response = await page.goto(link)
    assert response is not None and response.status == 200
    assert await page.locator("#order").inner_text() == ordered["order_number"]
    assert await page.locator("form, button, .error").count() == 0
    await context.close()


async def test_client_declines_through_the_page(served: Served, browser: Browser) -> None:
    world = await catalogue_world(served.api, settings=FAST)
    alice = world.members["alice"]
    number = await sent_quote(served, world, alice, ["alice-audit"])
    _, link = await emailed_link(served, number)

    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(link)
    # A one-letter name passes the browser's minlength once padded; the server refuses it and
    # sends the client back to the still answerable quote.
    await page.fill("#signer_name", " C")
    async with page.expect_response(f"{link}/accept") as answering:
        await page.click("#accept")
    assert (await answering.value).status == 422
    assert await page.locator("h1").inner_text() == "Please check your answer"
    await page.click("#back")
    await page.wait_for_url(link)

    await page.fill("#reason", "The budget moved to next year.")
    await page.click("#decline")
    await page.wait_for_url(f"{link}/done")
    assert "You declined this quote." in await page.locator("#done").inner_text()
    await context.close()

    declined = await served.until(number, alice.headers, "declined")
    assert declined["end_reason"] == "The budget moved to next year."


async def test_altered_superseded_and_expired_links_are_refused(
    served: Served, browser: Browser
) -> None:
    world = await catalogue_world(served.api, settings=FAST)
    alice, carol = world.members["alice"], world.members["carol"]
    quote = await launch(served, world, alice, [line(world, "carol-training")])
    number = quote["number"]
    expect(await decide(served, number, carol, 1, "reject", comment="two days, not one"), 200)
    lines = {"lines": [line(world, "carol-training", "2")]}
    revise = f"/quotes/{number}/revisions"
    expect(await served.api.post(revise, json=lines, headers=alice.headers), 200)
    for supplier in (carol, world.founder):
        expect(await decide(served, number, supplier, 2), 200)
    await served.until(number, alice.headers, "sent")
    _, link = await emailed_link(served, number)
    base, token = link.rsplit("/", 1)

    secret = served.settings.SECRET_KEY
    assert secret is not None
    later, earlier = utcnow() + timedelta(days=1), utcnow() - timedelta(minutes=1)
    middle = len(token) // 4
    altered = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]
    superseded = sign_link(secret, QuoteLink(number, 1, later))
    expired = sign_link(secret, QuoteLink(number, 2, earlier))

    context = await browser.new_context()
    page = await context.new_page()
    assert "altered" in await refused(page, f"{base}/{altered}", 400)
    assert "older revision" in await refused(page, f"{base}/{superseded}", 409)
    assert "expired" in await refused(page, f"{base}/{expired}", 410)
    # None of them counted as the client's first view; the emailed link still works.
    assert (await served.quote(number, alice.headers))["viewed_at"] is None
    response = await page.goto(link)
    assert response is not None and response.status == 200
    assert "revision 2" in await page.locator("body").inner_text()
    await context.close()
