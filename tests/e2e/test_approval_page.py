"""R16 as suppliers live it: the emailed approval link opened in Chromium, decided by its forms."""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page

from models.links import ApprovalLink, sign_approval_link
from store.tables import utcnow
from tests.e2e.conftest import CHROMIUM, Served
from tests.e2e.test_client_page import addressed_to
from tests.factories import Actor, World, catalogue_world, expect
from tests.workflows.conftest import FAST
from tests.workflows.helpers import launch, line

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no `chromium` on PATH (Debian package chromium)"),
]

PHONE = {"width": 390, "height": 844}
# Reminders every two seconds would bury the requests; the deadline stays a minute away.
SLOW_REMINDERS = {**FAST, "reminder_interval": 50}


def email_of(actor: Actor) -> str:
    return (
        "fay@founder.example.com"
        if actor.name == "founder"
        else f"{actor.name}@members.example.com"
    )


def text_of(mail: EmailMessage) -> str:
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


async def request_for(
    served: Served, actor: Actor, number: str, revision: int
) -> tuple[EmailMessage, str]:
    """The approval request `actor` received for the revision, and the link it carries."""
    subject = f"quote {number} revision {revision} "
    mail = await served.inbox.first(addressed_to(email_of(actor), subject))
    found = re.search(rf"{re.escape(served.base_url)}/a/\S+", text_of(mail))
    assert found, text_of(mail)
    return mail, found.group(0)


async def phone_page(browser: Browser) -> Page:
    context = await browser.new_context(viewport=PHONE)
    return await context.new_page()


async def fits_the_phone(page: Page) -> bool:
    widths = await page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    return bool(widths[0] <= widths[1])


async def approvals_of(served: Served, number: str, seller: Actor) -> dict[int, str]:
    quote = await served.quote(number, seller.headers)
    return {a["supplier_id"]: a["status"] for a in quote["approvals"]}


async def three_supplier_quote(served: Served) -> tuple[World, str]:
    world = await catalogue_world(served.api, settings=SLOW_REMINDERS)
    alice = world.members["alice"]
    lines = [line(world, o) for o in ("alice-audit", "bob-install", "carol-training")]
    quote = await launch(served, world, alice, lines)
    return world, str(quote["number"])


async def test_suppliers_decide_revise_and_decide_again_from_their_links(
    served: Served, browser: Browser, tmp_path: Path
) -> None:
    world, number = await three_supplier_quote(served)
    alice, bob, carol = (world.members[n] for n in ("alice", "bob", "carol"))
    quote = await served.quote(number, alice.headers)

    mail, bob_link = await request_for(served, bob, number, 1)
    assert mail["Reply-To"].addresses[0].addr_spec == "alice@members.example.com"
    assert mail.get_body(preferencelist=("html",)) is not None
    page = await phone_page(browser)
    response = await page.goto(bob_link)
    assert response is not None and response.status == 200
    text = await page.locator("body").inner_text()
    assert "bob-install" in text and "Alice, Alice Ltd" in text and "acme GmbH" in text
    # Another supplier's lines and the deal total never reach the page.
    assert "carol-training" not in text and "alice-audit" not in text
    assert quote["total"] not in text
    assert await page.locator("#part").inner_text() == "1 000.00 EUR"
    assert await fits_the_phone(page)
    await page.screenshot(path=tmp_path / "request-390.png", full_page=True)
    await page.set_viewport_size({"width": 1280, "height": 800})
    await page.screenshot(path=tmp_path / "request-1280.png", full_page=True)
    await page.set_viewport_size(PHONE)
    await page.click("#approve")
    await page.wait_for_url(bob_link)
    await page.screenshot(path=tmp_path / "approved-390.png", full_page=True)
    assert "You approved revision 1" in await page.locator("#message").inner_text()
    assert await page.locator("form").count() == 0

    _, carol_link = await request_for(served, carol, number, 1)
    await page.goto(carol_link)
    await page.fill("#reject-comment", "Two days, not one.")
    await page.click("#reject")
    await page.wait_for_url(carol_link)
    assert "You rejected revision 1" in await page.locator("#message").inner_text()
    await served.until(number, alice.headers, "changes_requested")

    lines = [
        line(world, "alice-audit"),
        line(world, "bob-install"),
        line(world, "carol-training", "2"),
    ]
    revise = f"/quotes/{number}/revisions"
    expect(await served.api.post(revise, json={"lines": lines}, headers=alice.headers), 200)

    # The old link says what happened, and offers nothing to click.
    response = await page.goto(carol_link)
    assert response is not None and response.status == 409
    said = await page.locator("#message").inner_text()
    assert "was revised" in said and "new approval request for revision 2 was emailed" in said
    assert await page.locator("form").count() == 0
    assert await fits_the_phone(page)
    await page.screenshot(path=tmp_path / "revised-390.png", full_page=True)

    mail, carol_new = await request_for(served, carol, number, 2)
    body = text_of(mail)
    assert "> Two days, not one." in body and "quantity 1 day → 2 day" in body
    assert carol_new != carol_link
    await page.goto(carol_new)
    await page.click("#approve")
    await page.wait_for_url(carol_new)
    assert (await approvals_of(served, number, alice))[carol.id] == "approved"
    assert (await approvals_of(served, number, alice))[bob.id] == "approved"  # unchanged part

    # The founder approves her components from her own link.
    _, founder_link = await request_for(served, world.founder, number, 2)
    await page.goto(founder_link)
    rows = await page.locator("li.row.founder").all_inner_texts()
    assert len(rows) == 3 and all("in " in row for row in rows)
    assert await page.locator("#part").inner_text() == "200.00 EUR"
    assert await fits_the_phone(page)
    await page.screenshot(path=tmp_path / "founder-390.png", full_page=True)
    await page.click("#approve")
    await page.wait_for_url(founder_link)
    await served.until(number, alice.headers, "sent")
    said = await page.locator("#message").inner_text()
    assert "You approved revision 2" in said
    await page.context.close()


async def test_altered_truncated_and_other_suppliers_tokens_decide_nothing(
    served: Served, browser: Browser
) -> None:
    world, number = await three_supplier_quote(served)
    alice, bob, carol = (world.members[n] for n in ("alice", "bob", "carol"))
    _, bob_link = await request_for(served, bob, number, 1)
    _, carol_link = await request_for(served, carol, number, 1)
    base, bob_token = bob_link.rsplit("/", 1)
    carol_token = carol_link.rsplit("/", 1)[1]
    middle = len(bob_token) // 3
    client_token = "eyJlIjo0MTAyNDQ0ODAwLCJuIjoiUS0yMDI2LTAwMDAxIiwiciI6MX0.x"
    forged = {
        "altered": bob_token[:middle]
        + ("A" if bob_token[middle] != "A" else "B")
        + bob_token[middle + 1 :],
        "truncated": bob_token[:-3],
        "bob's body with carol's signature": bob_token.split(".")[0]
        + "."
        + carol_token.split(".")[1],
        "a client link's token": client_token,
    }
    page = await phone_page(browser)
    for what, token in forged.items():
        response = await page.goto(f"{base}/{token}")
        assert response is not None and response.status == 400, what
        assert await page.locator("h1").inner_text() == "This link cannot be used", what
        assert await page.locator("form").count() == 0, what
        for verb in ("approve", "reject"):
            answer = await served.api.post(f"{base}/{token}/{verb}", json={"comment": "no"})
            assert answer.status_code == 400, (what, verb, answer.text)
    assert set((await approvals_of(served, number, alice)).values()) == {
        "auto_approved",
        "pending",
    }
    # Past its deadline, the link says so plainly and offers nothing.
    secret = str(served.settings.SECRET_KEY)
    ended = ApprovalLink(number, 1, bob.id, utcnow() - timedelta(seconds=1))
    response = await page.goto(f"{base}/{sign_approval_link(secret, ended)}")
    assert response is not None and response.status == 410
    assert await page.locator("h1").inner_text() == "This approval request has ended"
    assert await page.locator("form").count() == 0
    # An approval token does not open the client's page either.
    response = await served.api.get(f"/q/{bob_token}")
    assert response.status_code == 400
    await page.context.close()


HOSTILE_NAME = '<script>window.pwned = 1</script> "Mal" O\'Neil'
HOSTILE_COMPANY = "شركة " + "<b>Bold</b> & Co " * 11 + "x" * 8  # 200 characters, RTL first
HOSTILE_CLIENT = '"><img src=x onerror="window.pwned = 1">'


async def hostile_seller(served: Served, world: World) -> Actor:
    inviter = world.members["alice"]
    email = "mallory@members.example.com"
    invitation = await served.api.post(
        "/invitations", json={"email": email}, headers=inviter.headers
    )
    body = {
        "invitation_code": expect(invitation, 201)["code"],
        "name": HOSTILE_NAME,
        "company": HOSTILE_COMPANY,
        "email": email,
    }
    data = expect(await served.api.post("/members", json=body), 201)
    return Actor(data["id"], data["api_key"], "mallory")


async def test_hostile_names_are_text_on_the_page_and_in_the_html_email(
    served: Served, browser: Browser, tmp_path: Path
) -> None:
    assert len(HOSTILE_COMPANY) == 200
    world = await catalogue_world(served.api, settings=SLOW_REMINDERS)
    mallory = await hostile_seller(served, world)
    client = {"company": HOSTILE_CLIENT, "contact_name": "C", "email": "c@client.example.com"}
    client_id = expect(await served.api.post("/clients", json=client, headers=mallory.headers), 201)
    body = {"client_id": client_id["id"], "lines": [line(world, "bob-install")]}
    number = expect(await served.api.post("/quotes", json=body, headers=mallory.headers), 201)
    mail, link = await request_for(served, world.members["bob"], number["number"], 1)
    assert mail["Reply-To"].addresses[0].display_name == HOSTILE_NAME

    page = await phone_page(browser)
    html_part = mail.get_body(preferencelist=("html",))
    assert html_part is not None
    html = str(html_part.get_content())
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    await page.set_content(html)
    email_text = await page.locator("body").inner_text()
    assert HOSTILE_NAME in email_text and HOSTILE_CLIENT in email_text
    assert await page.evaluate("window.pwned") is None

    response = await page.goto(link)
    assert response is not None and response.status == 200
    assert HOSTILE_NAME in await page.locator("#seller").inner_text()
    assert HOSTILE_COMPANY.split()[0] in await page.locator("#seller").inner_text()
    assert HOSTILE_CLIENT in await page.locator("h1").inner_text()
    assert await page.evaluate("window.pwned") is None
    assert await page.locator("script, img, b").count() == 0
    assert await fits_the_phone(page)
    await page.screenshot(path=tmp_path / "hostile-390.png", full_page=True)
    await page.context.close()
