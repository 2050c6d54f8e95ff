"""R17–R18 on a phone: the client accepts or declines from the emailed link, the page then
thanks them, and the emails that follow can be answered and carry the signed copy."""

from __future__ import annotations

import asyncio
import subprocess
from email.message import EmailMessage
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page

from tests.e2e.conftest import CHROMIUM, Served
from tests.e2e.test_approval_page import (
    HOSTILE_CLIENT,
    HOSTILE_COMPANY,
    HOSTILE_NAME,
    PHONE,
    fits_the_phone,
    hostile_seller,
    text_of,
)
from tests.e2e.test_client_page import CLIENT_EMAIL, addressed_to, emailed_link, sent_quote
from tests.factories import catalogue_world, expect
from tests.workflows.conftest import FAST
from tests.workflows.helpers import decide, line

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no `chromium` on PATH (Debian package chromium)"),
]


def html_of(mail: EmailMessage) -> str:
    part = mail.get_body(preferencelist=("html",))
    assert part is not None, "the email has no HTML part"
    return str(part.get_content())


def answerable_by_seller(mail: EmailMessage, seller_email: str) -> None:
    """R18: the client's email answers to the seller and comes as text and as HTML."""
    assert [a.addr_spec for a in mail["Reply-To"].addresses] == [seller_email]
    assert text_of(mail) and html_of(mail).startswith("<!doctype html>")


def pdf_text(data: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return done.stdout.decode()


async def test_client_accepts_on_a_phone_and_receives_the_signed_copy(
    served: Served, browser: Browser, tmp_path: Path
) -> None:
    world = await catalogue_world(served.api, settings=FAST)
    alice = world.members["alice"]
    number = await sent_quote(served, world, alice, ["alice-audit", "bob-install"])
    mail, link = await emailed_link(served, number)
    answerable_by_seller(mail, "alice@members.example.com")
    assert "valid until" in text_of(mail)

    context = await browser.new_context(viewport=PHONE)
    page = await context.new_page()
    await page.goto(link)
    assert await fits_the_phone(page)
    seller = await page.locator("#seller").inner_text()
    assert "alice@members.example.com" in seller
    assert "resell" not in (await page.locator("body").inner_text()).lower()
    await page.screenshot(path=tmp_path / "quote-390.png", full_page=True)

    await page.fill("#signer_name", "Carl Client")
    await page.fill("#po_reference", "PO-4711")
    await page.click("#accept")
    await page.wait_for_url(f"{link}/done")
    ordered = await served.until(number, alice.headers, "ordered")
    await page.goto(link)
    assert await page.locator("#order").inner_text() == ordered["order_number"]
    assert await page.locator(".error, form").count() == 0
    assert await fits_the_phone(page)
    await page.screenshot(path=tmp_path / "thanks-390.png", full_page=True)

    confirmation = await served.inbox.first(addressed_to(CLIENT_EMAIL, ordered["order_number"]))
    answerable_by_seller(confirmation, "alice@members.example.com")
    [copy] = [
        p for p in confirmation.iter_attachments() if p.get_filename() == f"{number}-signed.pdf"
    ]
    printed = pdf_text(copy.get_content())
    assert "Carl Client" in printed and "PO-4711" in printed and ordered["order_number"] in printed

    async with page.expect_download() as downloading:
        await page.click("#signed")
    download = await downloading.value
    served_copy = await asyncio.to_thread(Path(await download.path()).read_bytes)
    assert "PO-4711" in pdf_text(served_copy)
    await context.close()


async def test_a_declining_client_is_thanked_and_told_the_seller_knows(
    served: Served, browser: Browser
) -> None:
    world = await catalogue_world(served.api, settings=FAST)
    alice = world.members["alice"]
    number = await sent_quote(served, world, alice, ["alice-audit"])
    _, link = await emailed_link(served, number)
    context = await browser.new_context(viewport=PHONE)
    page = await context.new_page()
    await page.goto(link)
    await page.fill("#reason", "The budget moved to next year.")
    await page.click("#decline")
    await page.wait_for_url(f"{link}/done")
    words = await page.locator("#done").inner_text()
    assert "has been told" in words and await page.locator(".error").count() == 0
    acknowledgement = await served.inbox.first(addressed_to(CLIENT_EMAIL, "your answer"))
    answerable_by_seller(acknowledgement, "alice@members.example.com")
    await context.close()


async def test_hostile_names_are_text_on_the_client_page_and_in_its_emails(
    served: Served, browser: Browser, tmp_path: Path
) -> None:
    world = await catalogue_world(served.api, settings=FAST)
    mallory = await hostile_seller(served, world)
    client = {"company": HOSTILE_CLIENT, "contact_name": HOSTILE_NAME, "email": CLIENT_EMAIL}
    client_id = expect(await served.api.post("/clients", json=client, headers=mallory.headers), 201)
    body = {"client_id": client_id["id"], "lines": [line(world, "bob-install")]}
    number = expect(await served.api.post("/quotes", json=body, headers=mallory.headers), 201)
    pending = {a["supplier_id"] for a in number["approvals"] if a["status"] == "pending"}
    for supplier in [world.founder, *world.members.values()]:
        if supplier.id in pending:
            expect(await decide(served, number["number"], supplier, 1), 200)
    mail, link = await emailed_link(served, number["number"])
    assert mail["Reply-To"].addresses[0].display_name == HOSTILE_NAME
    html = html_of(mail)
    assert "<script" not in html and "<img" not in html and "<b>" not in html

    context = await browser.new_context(viewport=PHONE)
    page: Page = await context.new_page()
    await page.set_content(html)
    shown = await page.locator("body").inner_text()
    assert HOSTILE_NAME in shown and HOSTILE_CLIENT in shown and HOSTILE_COMPANY[:20] in shown
    await page.goto(link)
    assert HOSTILE_NAME in await page.locator("#seller").inner_text()
    assert HOSTILE_CLIENT in await page.locator("h1").inner_text()
    assert await page.locator("script, img, b").count() == 0
    assert await page.evaluate("window.pwned") is None
    assert await fits_the_phone(page)
    await page.screenshot(path=tmp_path / "hostile-client-390.png", full_page=True)
    await context.close()
