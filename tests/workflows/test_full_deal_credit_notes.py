"""R15 on the real stack: a full deal cancelled before or after its invoices are paid cancels
each of them by a credit note, served as PDF/A-3 with its Factur-X XML (type 381, referencing
the invoice), valid against the XSD, the EN 16931 Schematron and the French CTC rules."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import facturx
import pytest
from lxml import etree
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client

from documents.einvoice import RAM
from settings import Settings
from tests.factories import OPERATOR, Actor, expect
from tests.pdf import pdf_text
from tests.schematron import BR_FR, EN16931, schematron_findings
from tests.workflows.conftest import Live
from tests.workflows.full_deal import FullDeal, close_full_deal, platform_stack
from tests.workflows.test_full_deal_einvoices import assert_pdfa3_markers


@pytest.fixture
async def live(
    settings: Settings, db: sessionmaker[Session], temporal_client: Client
) -> AsyncIterator[Live]:
    async with platform_stack(settings, db, temporal_client) as stack:
        yield stack


async def _cancel(live: Live, deal: FullDeal) -> None:
    body = {"reason": "the client's project was stopped"}
    path = f"/orders/{deal.order['number']}/cancel"
    expect(await live.api.post(path, json=body, headers=OPERATOR), 200)


async def _credit_note_of(live: Live, number: str, within: float = 30) -> dict[str, Any]:
    """The invoice's credit note once the cancellation has issued it, its PDF and its
    transmission."""
    deadline = asyncio.get_running_loop().time() + within
    path = f"/commission-invoices/{number}"
    while True:
        view = expect(await live.api.get(path, headers=OPERATOR), 200)
        if view["credit_notes"]:
            [note] = view["credit_notes"]
            statuses = [event["status"] for event in note["status_history"]]
            if statuses == ["issued", "transmitted"]:
                return dict(note)
        assert asyncio.get_running_loop().time() < deadline, f"no credit note for {number}"
        await asyncio.sleep(0.3)


async def _check_served(
    live: Live, note: dict[str, Any], invoice: dict[str, Any], who: Actor
) -> None:
    number = note["number"]
    assert expect(await live.api.get(f"/credit-notes/{number}", headers=who.headers), 200) == note
    data = (await live.api.get(f"/credit-notes/{number}.pdf", headers=who.headers)).content
    assert_pdfa3_markers(data, "INVOICE", "factur-x.xml")
    text = pdf_text(data)
    for expected in ("Credit note", number, f"Cancels invoice: {invoice['number']}",
                     "Reason: the client's project was stopped",
                     f"Total credited {invoice['amount']} EUR"):  # fmt: skip
        assert expected in text, expected
    _, xml = facturx.get_xml_from_pdf(data, check_xsd=True)
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    assert schematron_findings(xml, EN16931) == []
    assert schematron_findings(xml, BR_FR) == []
    assert (await live.api.get(f"/credit-notes/{number}/xml", headers=OPERATOR)).content == xml
    root = etree.fromstring(xml)
    assert root.findtext(f".//{{{RAM}}}TypeCode") == "381"
    preceding = f".//{{{RAM}}}InvoiceReferencedDocument/{{{RAM}}}IssuerAssignedID"
    assert root.findtext(preceding) == invoice["number"]
    assert root.findtext(f".//{{{RAM}}}DuePayableAmount") == invoice["amount"]


async def test_a_deal_cancelled_before_payment_cancels_each_invoice_by_a_credit_note(
    live: Live,
) -> None:
    deal = await close_full_deal(live, paid=False)
    await _cancel(live, deal)
    for name, invoice in deal.invoices.items():
        note = await _credit_note_of(live, invoice["number"])
        assert note["refund_due"] is False and note["amount"] == invoice["amount"]
        await _check_served(live, note, invoice, deal.people[name])
        view = expect(await live.api.get(f"/commission-invoices/{invoice['number']}",
                                         headers=OPERATOR), 200)  # fmt: skip
        assert view["status"] == "void"
        assert [e["status"] for e in view["status_history"]] == [
            "issued", "transmitted", "cancelled",
        ]  # fmt: skip
        assert view["status_history"][-1]["reference"] == note["number"]


async def test_a_deal_cancelled_after_the_split_claws_back_with_a_credit_note_each(
    live: Live,
) -> None:
    deal = await close_full_deal(live)
    await _cancel(live, deal)
    for name, invoice in deal.invoices.items():
        note = await _credit_note_of(live, invoice["number"])
        assert note["refund_due"] is True and note["amount"] == invoice["amount"]
        await _check_served(live, note, invoice, deal.people[name])
        view = expect(await live.api.get(f"/commission-invoices/{invoice['number']}",
                                         headers=OPERATOR), 200)  # fmt: skip
        assert view["status"] == "split" and view["clawed_back"] is True
        history = {e["status"]: e["reference"] for e in view["status_history"]}
        assert history == {"issued": None, "transmitted": f"file-drop:{invoice['number']}.pdf",
                           "encaissee": "TRX-1", "cancelled": note["number"]}  # fmt: skip
