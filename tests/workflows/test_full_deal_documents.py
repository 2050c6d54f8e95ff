"""Every document of a full deal, read back as a person reads it (poppler's text): both parties
named with their legal identities, the tax of each rate and the totals equal to the views' and
to the amounts computed from the offers, and no supplier told about lines not its own."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from decimal import Decimal
from email.message import Message
from fractions import Fraction

import pytest
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client

from documents.layout import money, percent
from settings import Settings
from tests.factories import OPERATOR, Actor, expect
from tests.pdf import pdf_reading_text, pdf_text
from tests.workflows.conftest import Live
from tests.workflows.deal_of_four import mail_text
from tests.workflows.full_deal import (
    COMPANY_OF,
    IDENTITIES,
    LINES,
    PLATFORM,
    PLATFORM_TAX,
    SERVICE,
    cents,
    close_full_deal,
    commission,
    founder_part,
    net,
    platform_stack,
    rounded,
    taxes,
)  # fmt: skip
from tests.workflows.helpers import outbox

TAX_ROW = re.compile(r"Tax [\d.]+% on")


@pytest.fixture
async def live(
    settings: Settings, db: sessionmaker[Session], temporal_client: Client
) -> AsyncIterator[Live]:
    """The stack with the platform's identity configured, as a deployment has it."""
    async with platform_stack(settings, db, temporal_client) as stack:
        yield stack


def as_decimal(rate: Fraction) -> Decimal:
    return Decimal(rate.numerator) / Decimal(rate.denominator)


def assert_party(text: str, name: str) -> None:
    address, registration, vat_id = IDENTITIES[name]
    for expected in (COMPANY_OF[name], address, f"Registration: {registration}",
                     f"VAT id: {vat_id}"):  # fmt: skip
        assert expected in text, f"{name}: {expected!r} missing from {text}"


def assert_taxes(text: str, nets: list[tuple[int, str]], view: dict[str, object] | None) -> None:
    """The PDF's tax rows and totals are the ones computed from the lines, and the view's."""
    expected = taxes(nets)
    total = sum(amount for amount, _ in nets)
    with_tax = total + sum(tax for _, tax in expected.values())
    assert f"Total before tax {money(total, 'EUR')}" in text, text
    for rate, (base, tax) in expected.items():
        assert f"Tax {percent(as_decimal(rate))} on {money(base)} {money(tax, 'EUR')}" in text, text
    assert len(TAX_ROW.findall(text)) == 2 * len(expected), text  # once in each reading
    assert f"Total with tax {money(with_tax, 'EUR')}" in text, text
    if view is not None:
        shown = [(Fraction(t["rate"]), (cents(t["base"]), cents(t["amount"])))
                 for t in view["taxes"]]  # type: ignore[attr-defined]  # fmt: skip
        assert shown == list(expected.items())
        if view["total_with_tax"] is None:  # a supplier reads its own part, not the total
            assert cents(str(view["part"])) == total
        else:
            assert cents(str(view["total_with_tax"])) == with_tax


def strangers(text: str, own: set[str]) -> set[str]:
    """The deal's offer names in a text that are not among its own."""
    return {offer for offer in LINES if offer not in own and offer in text}


async def _pdf(live: Live, path: str, who: Actor | None = None) -> str:
    """The layout text (a totals row on one line), then the reading-order text (a party box
    whole), as one text to search."""
    response = await live.api.get(path, headers=who.headers if who else OPERATOR)
    assert response.status_code == 200, f"{path}: {response.text}"
    assert response.headers["content-type"] == "application/pdf"
    return f"{pdf_text(response.content)}\n{pdf_reading_text(response.content)}"


async def test_the_quote_and_the_purchase_orders_name_both_parties_and_tax_every_rate(
    live: Live,
) -> None:
    deal = await close_full_deal(live)
    alice, bob = deal.people["alice"], deal.people["bob"]
    quote = await _pdf(live, f"/quotes/{deal.quote['number']}/pdf", alice)
    for name in ("alice", "client"):
        assert_party(quote, name)
    everything = [(net(offer), row[4]) for offer, row in LINES.items()]
    assert_taxes(quote, everything, deal.quote)
    assert_taxes(quote, everything, deal.order)

    number = deal.order["number"]
    resold = await _pdf(live, f"/orders/{number}/documents/{bob.id}.pdf", bob)
    for name in ("alice", "bob", "client"):
        assert_party(resold, name)
    bobs = expect(await live.api.get(f"/orders/{number}", headers=bob.headers), 200)
    assert_taxes(resold, [(net("Bob Scaffolding"), "20")], bobs)
    assert strangers(resold, {"Bob Scaffolding"}) == set()
    for name in ("bob", "carol"):  # every email a supplier was sent, with its attachments
        own = {offer for offer, row in LINES.items() if row[0] == name}
        received = [m for m in outbox(live) if f"{name}@members.example.com" in str(m["To"])]
        assert received and all(strangers(mail_text(m), own) == set() for m in received)


async def test_the_founder_is_told_her_services_only_with_a_purchase_order_from_each_supplier(
    live: Live,
) -> None:
    deal = await close_full_deal(live)
    founder = deal.people["founder"]
    number = deal.order["number"]
    hosts = {"bob": "Bob Scaffolding", "carol": "Carol Wiring"}
    components = {c["owed_by"]: c for c in deal.order["founder_components"]}
    for name, offer in hosts.items():
        supplier = deal.people[name]
        part = founder_part(offer)
        assert cents(components[supplier.id]["founder_part"]) == part
        path = components[supplier.id]["purchase_order"]
        assert path == f"/orders/{number}/founder-documents/{supplier.id}.pdf"
        text = await _pdf(live, path, founder)
        assert text == await _pdf(live, path, supplier) == await _pdf(live, path)
        for party in (name, "founder", "client"):
            assert_party(text, party)
        assert SERVICE in text and strangers(text, set()) == set(), text
        assert_taxes(text, [(part, "10")], None)
        assert money(part) in text
    other = deal.people["carol"]
    refused = await live.api.get(f"/orders/{number}/founder-documents/{other.id}.pdf",
                                 headers=deal.people["bob"].headers)  # fmt: skip
    assert refused.status_code == 404
    # The founder owes herself nothing for her own line: there is no such purchase order.
    missing = await live.api.get(f"/orders/{number}/founder-documents/{founder.id}.pdf",
                                 headers=OPERATOR)  # fmt: skip
    assert missing.status_code == 404 and "purchase order" in missing.text

    notice = _founder_notice(outbox(live))
    text = mail_text(notice)
    assert strangers(text, set()) == set(), text
    assert text.count(f"your service {SERVICE}") == len(hosts)
    for name, offer in hosts.items():
        owed = money(founder_part(offer), "EUR")
        assert f"owed by {COMPANY_OF[name]}: {owed}" in text
        assert f"{COMPANY_OF[name]} owes you {owed} before tax in all;" in text
    for amount in (net(offer) for offer in LINES):
        assert money(amount) not in text
    assert len([p for p in notice.walk() if p.get_content_type() == "application/pdf"]) == 2


def _founder_notice(messages: list[Message]) -> Message:
    notices = [m for m in messages if "your services for" in str(m["Subject"])]
    assert len(notices) == 1, [str(m["Subject"]) for m in messages]
    assert "fay@founder.example.com" in str(notices[0]["To"])
    return notices[0]


async def test_each_commission_invoice_names_the_platform_and_the_supplier_with_its_tax(
    live: Live,
) -> None:
    deal = await close_full_deal(live)
    assert set(deal.invoices) == {"bob", "carol", "founder"}
    for name, invoice in deal.invoices.items():
        supplier = deal.people[name]
        text = await _pdf(live, f"/commission-invoices/{invoice['number']}/pdf", supplier)
        address, registration, vat_id = IDENTITIES[name]
        for expected in (
            PLATFORM["PLATFORM_LEGAL_NAME"], PLATFORM["PLATFORM_ADDRESS"],
            f"Registration: {PLATFORM['PLATFORM_REGISTRATION']}",
            f"VAT id: {PLATFORM['PLATFORM_VAT_ID']}", f"IBAN {PLATFORM['PLATFORM_IBAN']}",
            COMPANY_OF[name], address, f"Registration: {registration}", f"VAT id: {vat_id}",
        ):  # fmt: skip
            assert expected in text, f"{name}: {expected!r} missing from {text}"
        net_commission = commission(name)
        tax = rounded(net_commission * PLATFORM_TAX / 100)
        assert (cents(invoice["commission"]), cents(invoice["tax_amount"])) == (net_commission, tax)
        assert cents(invoice["amount"]) == net_commission + tax
        assert f"Commission (before VAT) {money(net_commission, 'EUR')}" in text
        assert f"VAT at {percent(as_decimal(PLATFORM_TAX))} {money(tax, 'EUR')}" in text
        assert f"Total due {money(net_commission + tax, 'EUR')}" in text
        own = {offer for offer, row in LINES.items() if row[0] == name}
        assert strangers(text, own) == set(), text
