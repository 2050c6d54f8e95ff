"""Partial corrections on the real stack: an operator credits part of a commission invoice (a
rate error found later) by a type-381 credit note numbered in the CN- sequence, split into
commission and VAT at the invoice's rate, valid against the XSD, EN 16931 and BR-FR, emailed,
transmitted to the file drop and listed on the invoice with both status histories; what it may
credit is bounded by what the invoice has left, even for two corrections at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from fractions import Fraction
from typing import Any

import facturx
import pytest
from lxml import etree
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client

from documents.einvoice import RAM
from models.money import format_cents, round_half_even
from settings import Settings, drop_dir
from tests.factories import OPERATOR, expect
from tests.pdf import pdf_text
from tests.schematron import BR_FR, EN16931, schematron_findings
from tests.workflows.conftest import Live
from tests.workflows.full_deal import FullDeal, cents, close_full_deal, platform_stack
from tests.workflows.helpers import mails_after


@pytest.fixture
async def live(
    settings: Settings, db: sessionmaker[Session], temporal_client: Client
) -> AsyncIterator[Live]:
    async with platform_stack(settings, db, temporal_client) as stack:
        yield stack


async def _correct(live: Live, number: str, amount: str, who: dict[str, str] = OPERATOR) -> Any:
    body = {"amount": amount, "reason": "commission rate was 5 %, not 7.5 %"}
    return await live.api.post(f"/commission-invoices/{number}/corrections", json=body, headers=who)


async def _invoice(live: Live, number: str) -> dict[str, Any]:
    return dict(expect(await live.api.get(f"/commission-invoices/{number}", headers=OPERATOR), 200))


def _history(view: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(event["status"], event["reference"]) for event in view["status_history"]]


def _first(deal: FullDeal) -> dict[str, Any]:
    return min(deal.invoices.values(), key=lambda invoice: invoice["number"])


async def _check_document(live: Live, note: dict[str, Any], invoice: dict[str, Any]) -> None:
    data = (await live.api.get(note["document"], headers=OPERATOR)).content
    text = pdf_text(data)
    for expected in (note["number"], f"Corrects invoice: {invoice['number']}",
                     f"Total credited {note['amount']} EUR"):  # fmt: skip
        assert expected in text, expected
    _, xml = facturx.get_xml_from_pdf(data, check_xsd=True)
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    assert schematron_findings(xml, EN16931) == []
    assert schematron_findings(xml, BR_FR) == []
    root = etree.fromstring(xml)
    assert root.findtext(f".//{{{RAM}}}TypeCode") == "381"
    preceding = f".//{{{RAM}}}InvoiceReferencedDocument/{{{RAM}}}IssuerAssignedID"
    assert root.findtext(preceding) == invoice["number"]
    assert root.findtext(f".//{{{RAM}}}DuePayableAmount") == note["amount"]
    assert root.findtext(f".//{{{RAM}}}TaxBasisTotalAmount") == note["commission"]
    dropped = drop_dir(live.settings)
    assert (dropped / f"{note['number']}.pdf").read_bytes() == data
    assert (dropped / f"{note['number']}.xml").read_bytes() == xml


async def test_a_correction_credits_part_of_a_paid_invoice_then_the_rest_cancels_it(
    live: Live,
) -> None:
    deal = await close_full_deal(live)
    invoice = _first(deal)
    supplier = next(p for p in deal.people.values() if p.id == invoice["supplier_id"])
    expect(await _correct(live, invoice["number"], "12.34", supplier.headers), 403)

    note = expect(await _correct(live, invoice["number"], "12.34"), 201)
    rate = Fraction(invoice["tax_rate"])
    net = round_half_even(Fraction(1234) * 100 / (100 + rate))
    assert (note["correction"], note["refund_due"], note["invoice_number"]) == (
        True, True, invoice["number"],
    )  # fmt: skip
    assert (note["amount"], note["commission"]) == ("12.34", format_cents(net))
    assert note["tax_amount"] == format_cents(1234 - net)
    assert [e["status"] for e in note["status_history"]] == ["issued", "transmitted"]
    await _check_document(live, note, invoice)
    assert await mails_after(live, f"Credit note {note['number']} correcting")

    view = await _invoice(live, invoice["number"])
    assert [n["number"] for n in view["credit_notes"]] == [note["number"]]
    left = cents(invoice["amount"]) - 1234
    assert view["creditable"] == format_cents(left)
    assert _history(view)[0] == ("issued", None)
    assert ("encaissee", "TRX-1") in _history(view) and "cancelled" not in str(_history(view))

    rest = expect(await _correct(live, invoice["number"], format_cents(left)), 201)
    assert int(rest["number"].rsplit("-", 1)[1]) == int(note["number"].rsplit("-", 1)[1]) + 1
    view = await _invoice(live, invoice["number"])
    notes = view["credit_notes"]
    assert sum(cents(n["commission"]) for n in notes) == cents(invoice["commission"])
    assert sum(cents(n["tax_amount"]) for n in notes) == cents(invoice["tax_amount"])
    assert view["creditable"] == "0.00"
    assert _history(view)[-1] == ("cancelled", rest["number"])

    refused = expect(await _correct(live, invoice["number"], "0.01"), 409)
    assert "already cancelled in full" in refused["detail"]


@pytest.mark.parametrize(
    ("amount", "words"),
    [("0", "must be greater than 0"), ("0.00", "must be greater than 0"),
     ("1.234", "amount"), ("-1.00", "amount"), ("999999.99", "must be at most")],
)  # fmt: skip
async def test_a_correction_out_of_bounds_is_refused_by_field_and_rule(
    live: Live, amount: str, words: str
) -> None:
    deal = await close_full_deal(live, paid=False)
    invoice = _first(deal)
    refused = expect(await _correct(live, invoice["number"], amount), 422)
    assert refused["detail"].startswith("amount") and words in refused["detail"]
    assert (await _invoice(live, invoice["number"]))["credit_notes"] == []


async def test_two_identical_corrections_at_once_never_credit_more_than_the_invoice_has(
    live: Live,
) -> None:
    deal = await close_full_deal(live, paid=False)
    invoice = _first(deal)
    more_than_half = format_cents(cents(invoice["amount"]) * 6 // 10)
    answers = await asyncio.gather(*(_correct(live, invoice["number"], more_than_half)
                                     for _ in range(2)))  # fmt: skip
    assert sorted(answer.status_code for answer in answers) == [201, 422]
    view = await _invoice(live, invoice["number"])
    assert [n["amount"] for n in view["credit_notes"]] == [more_than_half]
    assert cents(view["creditable"]) == cents(invoice["amount"]) - cents(more_than_half)
