"""Full deals read as their people read them (real HTTP, SMTP, Temporal and Chromium): a quote
rejected, revised with a discount and a quantity that move the founder's part, approved from
the page and accepted from a phone with a stale second tab; a quote declined; a quote
cancelled. Every email passes the class checks of tests/e2e/reading.py; each stated total, part
and amount due is the API's; every page passes axe at 390 and 1280 px; the client's PDF states
the page's total and none of the members' internal terms."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page

from settings import Settings
from tests.e2e.accessibility import violations
from tests.e2e.conftest import CHROMIUM, Served
from tests.e2e.reader_steps import (
    ALICE,
    CLIENT,
    FOUNDER,
    accept_with_a_stale_tab,
    after_the_order,
    approve_on_the_page,
    approve_pending,
    declined_and_cancelled,
    link_in,
    mail_to,
    page_data,
    paid_out,
    the_founder_is_told_what_moved,
    the_waiting_are_named,
)
from tests.e2e.reading import assert_a_real_email, figures, text_part, total_words
from tests.factories import expect
from tests.workflows.full_deal import (
    FOUNDER_OFFERS,
    LINES,
    PLATFORM,
    SERVICE,
    _add_client,
    _catalogue,
)
from tests.workflows.helpers import decide, line

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no `chromium` on PATH (Debian package chromium)"),
]
# Revision 2: Bob's days down, Carol's discount up; both move what each owes the founder.
REVISED = {**LINES, "Bob Scaffolding": (*LINES["Bob Scaffolding"][:6], "3", "7.5", ("2", "41.25")),
           "Carol Wiring": (*LINES["Carol Wiring"][:7], "20", ("0.5", "70.10"))}  # fmt: skip


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The platform's identity configured, as a deployment has it."""
    return settings.model_copy(update=PLATFORM)


@pytest.fixture
async def phone(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport={"width": 390, "height": 844})
    yield await context.new_page()
    await context.close()


async def test_axe_reports_what_it_is_given(phone: Page) -> None:
    """The checker itself: a page with a known violation is reported."""
    await phone.set_content('<html lang="en"><body><main><img src="x.png"></main></body></html>')
    assert "image-alt" in [v["id"] for v in await violations(phone)]


async def test_every_email_page_and_document_of_full_deals_states_the_deals_figures(
    served: Served, browser: Browser, phone: Page
) -> None:
    world = await _catalogue(served)
    alice = world.members["alice"]
    await _add_client(served, world, alice)
    lines = [line(world, label, row[6], row[7]) for label, row in LINES.items()]
    body = {"client_id": world.clients["alice-client"], "lines": lines}
    first = expect(await served.api.post("/quotes", json=body, headers=alice.headers), 201)
    number = first["number"]
    await the_waiting_are_named(served, number, world)
    founder_r1 = await page_data(
        served, link_in(await mail_to(served, FOUNDER, "revision 1", number))
    )
    # Her page gives each of her rows its tax: her own line's, and her service's own rate.
    rates = {row["offer_name"]: row["tax_rate"] for row in founder_r1["lines"]}
    assert rates == {SERVICE: FOUNDER_OFFERS[SERVICE][2], "Founder Workshop": "20"}, rates
    bob = world.members["bob"]
    expect(await decide(served, number, bob, 1, "reject", comment="3 days, not 3.5"), 200)
    asked = await mail_to(served, ALICE, "changes requested", number)
    assert asked["Reply-To"].addresses[0].addr_spec == "bob@members.example.com"

    revised = {"lines": [line(world, label, row[6], row[7]) for label, row in REVISED.items()]}
    revise = await served.api.post(
        f"/quotes/{number}/revisions", json=revised, headers=alice.headers
    )
    second = expect(revise, 200)
    await approve_pending(served, world, second)
    founder_r2 = link_in(await mail_to(served, FOUNDER, "revision 2", number))
    known = figures([first, second])
    known |= await the_founder_is_told_what_moved(served, number, founder_r1, founder_r2)
    await approve_on_the_page(phone, founder_r2)

    sent = await served.until(number, alice.headers, "sent")
    quote_mail = await mail_to(served, CLIENT, "from", number)
    assert total_words(sent) in text_part(quote_mail), text_part(quote_mail)
    ordered = await accept_with_a_stale_tab(served, browser, phone, link_in(quote_mail), alice)
    known |= await after_the_order(served, ordered, world)
    known |= await paid_out(served, world)
    known |= await declined_and_cancelled(served, browser, world, alice)
    icon = await served.api.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    assert len(served.inbox.messages) > 20
    for mail in served.inbox.messages:
        assert_a_real_email(mail, known)
